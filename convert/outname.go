package convert

import (
	"os"
	"path/filepath"
	"strings"
)

// DefaultFileName is llama.cpp's default output name
// (gguf.naming_convention): basename (or name) - size label - finetune -
// version - file type, e.g. "zephyr-7B-beta-BF16.gguf" or
// "Micro-Mistral-5.1M-F16.gguf", from the plan's general.* metadata.
func (p *Plan) DefaultFileName() string {
	get := func(key string) (string, bool) {
		v, ok := p.md.Get(key)
		if !ok {
			return "", false
		}
		s, ok := v.AsString()
		return s, ok
	}
	dash := func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "-") }
	name := "ggml-model"
	if b, ok := get("general.basename"); ok {
		name = strings.ReplaceAll(dash(b), "/", "-")
	} else if n, ok := get("general.name"); ok {
		name = strings.ReplaceAll(dash(n), "/", "-")
	}
	var b strings.Builder
	b.WriteString(name)
	for _, k := range []string{"general.size_label", "general.finetune", "general.version"} {
		if s, ok := get(k); ok {
			b.WriteString("-" + dash(s))
		}
	}
	b.WriteString("-" + strings.ToUpper(dash(outputTypeName(p.ftype))))
	b.WriteString(".gguf")
	return b.String()
}

// OutputPath resolves where a conversion of the plan writes: out itself
// when it names a file, DefaultFileName inside out when out is an existing
// directory, and DefaultFileName beside the model directory (in its parent)
// when out is empty.
func (p *Plan) OutputPath(out string) (string, error) {
	if out != "" {
		if st, err := os.Stat(out); err == nil && st.IsDir() {
			return filepath.Join(out, p.DefaultFileName()), nil
		}
		return out, nil
	}
	abs, err := filepath.Abs(p.dir)
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(abs), p.DefaultFileName()), nil
}

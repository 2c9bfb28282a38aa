package hf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxReadmeSize bounds the README.md that is read for front matter.
const maxReadmeSize = 16 << 20

// maxYAMLNodes bounds the number of values built from front matter, so
// alias expansion ("billion laughs") cannot exhaust memory.
const maxYAMLNodes = 1 << 20

// numText is a YAML number kept as written.
type numText string

// loadModelCard returns README.md's YAML front matter as llama.cpp reads it
// (gguf-py Metadata.load_model_card): only if the first line is exactly
// "---", up to the next "---" line, tabs replaced by two spaces and "- no"
// quoted. No README or no front matter gives an empty object; front matter
// that is not a mapping is ignored, as llama.cpp does.
func loadModelCard(dir string) (*object, error) {
	path := filepath.Join(dir, "README.md")
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && !st.Mode().IsRegular()) {
		return newObject(), nil
	}
	if err != nil {
		return nil, err
	}
	data, err := readModelFile(path, maxReadmeSize)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: not valid UTF-8", path)
	}
	lines := splitLinesPy(string(data))
	if len(lines) == 0 || lines[0] != "---" {
		return newObject(), nil
	}
	var yl []string
	for _, l := range lines[1:] {
		if l == "---" {
			break
		}
		yl = append(yl, l)
	}
	content := strings.Join(yl, "\n") + "\n"
	content = strings.ReplaceAll(content, "- no\n", "- \"no\"\n")
	content = strings.ReplaceAll(content, "\t", "  ")

	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(content), &doc); err != nil {
		return nil, fmt.Errorf("%s: front matter is not valid YAML: %w", path, err)
	}
	if doc.Kind == 0 { // empty document
		return newObject(), nil
	}
	budget := maxYAMLNodes
	v, err := yamlValue(&doc, &budget, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: front matter: %w", path, err)
	}
	if o, ok := v.(*object); ok {
		return o, nil
	}
	return newObject(), nil
}

// splitLinesPy is Python's str.splitlines.
func splitLinesPy(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			lines = append(lines, s[start:i])
			if r == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				n++
			}
			start = i + n
		}
		i += n
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

var yamlNulls = map[string]bool{"": true, "~": true, "null": true, "Null": true, "NULL": true}

// PyYAML (YAML 1.1) booleans.
var yamlBools = map[string]bool{
	"yes": true, "Yes": true, "YES": true, "true": true, "True": true, "TRUE": true, "on": true, "On": true, "ON": true,
	"no": false, "No": false, "NO": false, "false": false, "False": false, "FALSE": false, "off": false, "Off": false, "OFF": false,
}

// yamlValue converts a node into the JSON value model (nil, bool, string,
// numText, []any, *object), resolving plain scalars the way PyYAML does.
func yamlValue(n *yaml.Node, budget *int, depth int) (any, error) {
	*budget--
	if *budget < 0 {
		return nil, fmt.Errorf("more than %d values", maxYAMLNodes)
	}
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxJSONDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return yamlValue(n.Content[0], budget, depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, nil
		}
		return yamlValue(n.Alias, budget, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := yamlValue(c, budget, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		o := newObject()
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			for k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			v, err := yamlValue(n.Content[i+1], budget, depth+1)
			if err != nil {
				return nil, err
			}
			o.set(k.Value, v)
		}
		return o, nil
	case yaml.ScalarNode:
		return yamlScalar(n), nil
	}
	return nil, nil
}

func yamlScalar(n *yaml.Node) any {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value
	}
	tag := n.ShortTag()
	if n.Style&yaml.TaggedStyle == 0 {
		if yamlNulls[n.Value] {
			return nil
		}
		if b, ok := yamlBools[n.Value]; ok {
			return b
		}
	}
	switch tag {
	case "!!null":
		return nil
	case "!!bool":
		if b, ok := yamlBools[n.Value]; ok {
			return b
		}
	case "!!int", "!!float":
		return numText(n.Value)
	}
	return n.Value
}

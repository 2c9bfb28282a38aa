package profile

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/zqtool/zq/convert"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/quantize"
)

// isGGUF reports whether the file at path starts with the GGUF magic.
func isGGUF(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var b [4]byte
	if _, err := io.ReadFull(f, b[:]); err != nil {
		return false, nil
	}
	return bytes.Equal(b[:], []byte(gguf.Magic)), nil
}

// isCheckpoint reports whether dir is a Hugging Face checkpoint.
func isCheckpoint(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "config.json"))
	return err == nil
}

// collect resolves the inputs to GGUF files, converting and quantizing a
// checkpoint directory first when one is given.
func collect(ctx context.Context, o *Options) ([]string, error) {
	var files []string
	for _, in := range o.Inputs {
		st, err := os.Stat(in)
		if err != nil {
			return nil, err
		}
		switch {
		case !st.IsDir():
			ok, err := isGGUF(in)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("%s: not a GGUF file (no GGUF magic)", in)
			}
			files = append(files, in)
		case isCheckpoint(in):
			made, err := build(ctx, in, o)
			if err != nil {
				return nil, err
			}
			files = append(files, made...)
		default:
			found, err := filepath.Glob(filepath.Join(in, "*.gguf"))
			if err != nil {
				return nil, err
			}
			sort.Strings(found)
			var gg []string
			for _, f := range found {
				if ok, _ := isGGUF(f); ok {
					gg = append(gg, f)
				}
			}
			if len(gg) == 0 {
				return nil, fmt.Errorf("%s: no GGUF models in this directory (and no config.json of a checkpoint)", in)
			}
			files = append(files, gg...)
		}
	}
	return files, nil
}

// build converts the checkpoint to F16 and quantizes it to each requested
// type, reusing files that already exist in the output directory.
func build(ctx context.Context, dir string, o *Options) ([]string, error) {
	if len(o.Types) == 0 {
		return nil, fmt.Errorf("%s is a checkpoint: give the quantizations to make with --types (e.g. q4_k_m,q5_k_m,q8_0)", dir)
	}
	out := o.OutDir
	if out == "" {
		out = filepath.Join(dir, "zq-profile")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	name := filepath.Base(filepath.Clean(dir))
	f16 := filepath.Join(out, name+"-F16.gguf")
	if _, err := os.Stat(f16); err != nil {
		o.logf("converting %s to %s", dir, f16)
		if _, err := convert.Convert(ctx, dir, f16, convert.Options{OutType: "f16", Threads: o.Threads}, convert.ExecOptions{Progress: o.Progress}); err != nil {
			return nil, err
		}
	}
	files := []string{f16}
	for _, t := range o.Types {
		p, err := quantize.ParsePreset(t)
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(p.Name, "F16") {
			continue
		}
		dst := filepath.Join(out, name+"-"+p.Name+".gguf")
		files = append(files, dst)
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		if p.NeedsImatrix {
			return nil, fmt.Errorf("%s needs an importance matrix; make it with zq quantize --imatrix and pass the file instead", p.Name)
		}
		o.logf("quantizing %s to %s", f16, dst)
		src, err := quantize.OpenSource(f16)
		if err != nil {
			return nil, err
		}
		_, err = quantize.Run(ctx, src, dst, quantize.Options{Preset: p, Threads: o.Threads})
		src.Close()
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

package convert

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// checkModelDir explains what is wrong when path is not a model directory,
// naming what it is instead (a GGUF file, a safetensors file, …).
func checkModelDir(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() {
		return nil
	}
	var magic [4]byte
	if f, err := os.Open(path); err == nil {
		io.ReadFull(f, magic[:])
		f.Close()
	}
	switch {
	case bytes.Equal(magic[:], []byte("GGUF")):
		return fmt.Errorf("%s is a GGUF file; convert takes a Hugging Face model directory — did you mean `zq quantize %s OUT.gguf --type TYPE`?", path, path)
	case strings.HasSuffix(path, ".safetensors") || filepath.Base(path) == "config.json" || strings.HasSuffix(path, ".index.json"):
		return fmt.Errorf("%s is a file of a model; convert takes the Hugging Face model directory that holds it: `zq convert %s`", path, filepath.Dir(path))
	}
	return fmt.Errorf("%s is not a directory; convert takes a Hugging Face model directory (config.json, *.safetensors, tokenizer files)", path)
}

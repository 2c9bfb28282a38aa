package verify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/zqtool/zq/model"
	"github.com/zqtool/zq/tokenizer"
)

// CheckModelPath explains what is wrong when path, given to the command
// cmd ("verify", "generate"), is not a GGUF file: a missing file, a Hugging
// Face model directory (with how to make a GGUF of it), another format.
func CheckModelPath(path, cmd string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("model %s does not exist", path)
	case err != nil:
		return err
	case st.IsDir():
		return fmt.Errorf("%s is a directory (a Hugging Face model?); %s needs a GGUF file — make one with `zq convert %s -o model-f16.gguf`, or quantize it directly with `zq quantize %s model-Q8_0.gguf --type q8_0`", path, cmd, path, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil || !bytes.Equal(magic[:], []byte("GGUF")) {
		return fmt.Errorf("%s is not a GGUF file; %s needs a GGUF model (convert a Hugging Face checkpoint with `zq convert`)", path, cmd)
	}
	return nil
}

// Check validates everything RunMany needs before any model is evaluated:
// the options, every model and the base (each a loadable llama GGUF with a
// tokenizer, all with one vocabulary), the text and the saved statistics
// file, so that a mistake in the last argument is reported at once rather
// than after scoring the first models.
func Check(cfg Config, models []string) error {
	if len(models) == 0 {
		return errors.New("no model given")
	}
	c := cfg
	c.Model = models[0]
	if err := c.check(); err != nil {
		return err
	}
	paths := append([]string(nil), models...)
	if cfg.Base != "" {
		paths = append(paths, cfg.Base)
	}
	var vocab string
	for i, p := range paths {
		if err := CheckModelPath(p, "verify"); err != nil {
			return err
		}
		m, err := model.Open(p)
		if err != nil {
			return err
		}
		tok, err := tokenizer.FromMetadata(m.Metadata)
		nv := m.H.Vocab
		m.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if tok.NVocab() != nv {
			return fmt.Errorf("%s: the tokenizer has %d tokens but the model's vocabulary is %d", p, tok.NVocab(), nv)
		}
		if i == 0 {
			vocab = tok.Hash()
		} else if tok.Hash() != vocab {
			return fmt.Errorf("%s has a different vocabulary than %s; models compared with each other must share one", p, paths[0])
		}
	}
	for _, f := range []struct{ flag, path string }{{"--text", cfg.Text}, {"--load-base", cfg.LoadBase}} {
		if f.path == "" {
			continue
		}
		st, err := os.Stat(f.path)
		if err != nil {
			return fmt.Errorf("%s: %w", f.flag, err)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s %s is not a regular file", f.flag, f.path)
		}
	}
	return nil
}

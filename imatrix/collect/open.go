package collect

import (
	"context"
	"fmt"
	"os"

	"github.com/zqtool/zq/convert"
	"github.com/zqtool/zq/imatrix"
	"github.com/zqtool/zq/model"
	"github.com/zqtool/zq/tokenizer"
	"github.com/zqtool/zq/verify"
)

// Model is a model opened for collection, with its tokenizer.
type Model struct {
	*model.Model
	Tok *tokenizer.Tokenizer
	tmp string
}

// OpenModel opens a GGUF model, or converts a Hugging Face model directory
// to a temporary F16 GGUF file in tmpDir (removed again by Close, and
// unlinked at once where the system allows) and opens that.
func OpenModel(ctx context.Context, path, tmpDir string, threads int) (*Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	out := &Model{}
	file := path
	if st.IsDir() {
		f, err := os.CreateTemp(tmpDir, ".zq-imatrix-f16-*.gguf")
		if err != nil {
			return nil, fmt.Errorf("temporary F16 file for %s: %w", path, err)
		}
		f.Close()
		out.tmp, file = f.Name(), f.Name()
		if _, err := convert.Convert(ctx, path, file, convert.Options{OutType: "f16", Threads: threads},
			convert.ExecOptions{Threads: threads}); err != nil {
			os.Remove(file)
			return nil, err
		}
	}
	if out.Model, err = model.Open(file); err != nil {
		out.removeTmp()
		return nil, err
	}
	// The mapping stays valid once the name is gone (not on Windows,
	// where Close removes it).
	out.removeTmp()
	if out.Tok, err = tokenizer.FromMetadata(out.Metadata); err != nil {
		out.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if out.Tok.NVocab() != out.H.Vocab {
		out.Close()
		return nil, fmt.Errorf("%s: the tokenizer has %d tokens but the model's vocabulary is %d", path, out.Tok.NVocab(), out.H.Vocab)
	}
	return out, nil
}

func (m *Model) removeTmp() {
	if m.tmp != "" && os.Remove(m.tmp) == nil {
		m.tmp = ""
	}
}

// Close releases the model and removes its temporary file, if any.
func (m *Model) Close() error {
	var err error
	if m.Model != nil {
		err = m.Model.Close()
	}
	m.removeTmp()
	return err
}

// Calibrate accumulates into set (see Run) the activations of the model at
// modelPath (GGUF or Hugging Face directory; see OpenModel) on the text at
// textPath, with llama-imatrix's chunking as configured. The caller
// records textPath as the dataset when writing set.
func Calibrate(ctx context.Context, modelPath, textPath, tmpDir string, set *imatrix.Set, cfg Config) (*Result, error) {
	if _, err := cfg.normalize(); err != nil {
		return nil, err
	}
	text, _, err := verify.ReadText(textPath)
	if err != nil {
		return nil, err
	}
	m, err := OpenModel(ctx, modelPath, tmpDir, cfg.Threads)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	toks, err := Tokens(m.Tok, text, cfg.Ctx, cfg.FromChunk, cfg.ParseSpecial)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", textPath, err)
	}
	return Run(ctx, m.Model, m.Tok, toks, set, cfg)
}

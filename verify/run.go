package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/internal/progress"
	"github.com/zqtool/zq/kernels"
	"github.com/zqtool/zq/model"
	"github.com/zqtool/zq/tokenizer"
)

// DefaultCtx is llama-perplexity's default context size.
const DefaultCtx = 512

// Config selects what Run measures.
type Config struct {
	Model    string // GGUF model to evaluate (required)
	Base     string // GGUF base model to compare against (optional)
	Text     string // evaluation text (required unless LoadBase is set)
	Ctx      int    // tokens per chunk; 0: DefaultCtx, or the loaded base's
	Chunks   int    // at most this many chunks; 0: all
	Threads  int    // goroutines per forward pass; 0: GOMAXPROCS
	TopK     int    // base tokens kept per position; 0: DefaultTopK
	SaveBase string // write the base's statistics here (the model's own without Base)
	LoadBase string // compare against statistics saved earlier instead of Base
	Progress io.Writer
	Version  string // zq version for the provenance block
	// Forward selects the forward pass (fast by default, or the float32
	// reference) and the KV cache types; the base is evaluated the same way.
	Forward model.Options
}

// ModelResult is one model's perplexity.
type ModelResult struct {
	Path        string    `json:"path,omitempty"`
	PPL         float64   `json:"ppl"`
	Uncertainty float64   `json:"ppl_uncertainty"`
	MeanNLL     float64   `json:"mean_nll"`
	Tokens      int       `json:"tokens_scored"`
	Running     []float64 `json:"running_ppl"` // the estimate after each chunk

	// What the file holds; zero for a base known only from saved statistics.
	FileType      string  `json:"file_type,omitempty"`    // general.file_type, e.g. "Q4_K_M"
	FileTypeID    *uint32 `json:"file_type_id,omitempty"` // its numeric value
	SizeBytes     uint64  `json:"size_bytes,omitempty"`
	BitsPerWeight float64 `json:"bits_per_weight,omitempty"`
}

// describe records what the model file holds.
func (r *ModelResult) describe(m *model.Model) {
	if ft, err := m.Metadata.Uint32("general.file_type"); err == nil {
		r.FileType = ggml.FileType(ft).String()
		r.FileTypeID = &ft
	}
	r.SizeBytes = m.WeightBytes
	if m.Params > 0 {
		r.BitsPerWeight = 8 * float64(m.WeightBytes) / float64(m.Params)
	}
}

// Provenance identifies exactly what was measured.
type Provenance struct {
	ModelSHA256     string `json:"model_sha256"`
	BaseSHA256      string `json:"base_sha256,omitempty"`
	BaseStatsSHA256 string `json:"base_stats_sha256,omitempty"`
	TextSHA256      string `json:"text_sha256"`
	VocabHash       string `json:"vocab_hash"`
	TextTokens      int    `json:"text_tokens"`
	Ctx             int    `json:"ctx"`
	Chunks          int    `json:"chunks"`
	ScoredPerChunk  int    `json:"scored_per_chunk"`
	TopK            int    `json:"top_k,omitempty"`
	AddBOS          bool   `json:"add_bos"`
	ZQVersion       string `json:"zq_version"`
	// ForwardPath is "fast" (quantized activations, fused kernels) or
	// "reference" (float32); CacheK/CacheV the fast path's KV cache types.
	ForwardPath string `json:"forward_path"`
	CacheK      string `json:"cache_type_k,omitempty"`
	CacheV      string `json:"cache_type_v,omitempty"`
	// CPUFeatures are the SIMD extensions the kernels used (SIMD and
	// pure-Go kernels differ in the last bits).
	CPUFeatures string `json:"cpu_features"`
}

// Timing reports how long the evaluation took.
type Timing struct {
	Seconds         float64 `json:"elapsed_seconds"`
	ModelTokensPerS float64 `json:"model_tokens_per_second"`
}

// Report is the result of Run.
type Report struct {
	Model      ModelResult  `json:"model"`
	Base       *ModelResult `json:"base,omitempty"`
	Comparison *Comparison  `json:"comparison,omitempty"`
	Provenance Provenance   `json:"provenance"`
	Timing     Timing       `json:"timing"`
}

// check validates the option combination.
func (c *Config) check() error {
	switch {
	case c.Model == "":
		return errors.New("no model given")
	case c.Text == "" && c.LoadBase == "":
		return errors.New("no text given (--text is required unless --load-base is used)")
	case c.Base != "" && c.LoadBase != "":
		return errors.New("--base and --load-base are exclusive")
	case c.SaveBase != "" && c.LoadBase != "":
		return errors.New("--save-base and --load-base are exclusive")
	case c.Ctx < 0 || c.Chunks < 0 || c.Threads < 0:
		return errors.New("ctx, chunks and threads must not be negative")
	case c.TopK < 0 || c.TopK > MaxTopK:
		return fmt.Errorf("top-k %d out of range [1, %d]", c.TopK, MaxTopK)
	}
	if c.TopK == 0 {
		c.TopK = DefaultTopK
	}
	return nil
}

// loaded is a model with its tokenizer and file hash.
type loaded struct {
	m   *model.Model
	tok *tokenizer.Tokenizer
	sha string
}

// open loads a model file and its tokenizer.
func open(path string) (*loaded, error) {
	m, err := model.Open(path)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.FromMetadata(m.Metadata)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if tok.NVocab() != m.H.Vocab {
		m.Close()
		return nil, fmt.Errorf("%s: the tokenizer has %d tokens but the model's vocabulary is %d", path, tok.NVocab(), m.H.Vocab)
	}
	sha, err := FileSHA256(path)
	if err != nil {
		m.Close()
		return nil, err
	}
	return &loaded{m, tok, sha}, nil
}

// sameVocab errors unless a and b share their vocabulary.
func sameVocab(model string, a *loaded, base string, hash string, nVocab int) error {
	if a.tok.Hash() != hash || a.m.H.Vocab != nVocab {
		return fmt.Errorf("base %s has a different vocabulary than %s (%d tokens, hash %.12s… vs %d tokens, hash %.12s…)",
			base, model, nVocab, hash, a.m.H.Vocab, a.tok.Hash())
	}
	return nil
}

// Run measures the perplexity of cfg.Model and, with a base, how far its
// predictions are from the base's, the way llama-perplexity does.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	start := time.Now()
	mdl, err := open(cfg.Model)
	if err != nil {
		return nil, err
	}
	defer mdl.m.Close()
	rep := &Report{Model: ModelResult{Path: cfg.Model}}
	rep.Model.describe(mdl.m)
	pv := &rep.Provenance
	pv.ModelSHA256, pv.VocabHash, pv.ZQVersion = mdl.sha, mdl.tok.Hash(), cfg.Version
	pv.AddBOS = mdl.tok.AddBOS()
	pv.CPUFeatures = kernels.Features().String()
	if pv.ForwardPath = "fast"; cfg.Forward.Reference {
		pv.ForwardPath = "reference"
	} else {
		pv.CacheK, pv.CacheV = cfg.Forward.CacheK.String(), cfg.Forward.CacheV.String()
	}

	var (
		tokens  []int32
		nCtx    int
		nChunks int
		bf      *BaseFile
	)
	if cfg.LoadBase != "" {
		if bf, err = LoadBase(cfg.LoadBase); err != nil {
			return nil, err
		}
		if err := sameVocab(cfg.Model, mdl, cfg.LoadBase, bf.VocabHash, bf.NVocab); err != nil {
			return nil, err
		}
		if cfg.Ctx != 0 && cfg.Ctx != bf.NCtx {
			return nil, fmt.Errorf("--ctx %d differs from the base statistics' context size %d", cfg.Ctx, bf.NCtx)
		}
		if cfg.Text != "" {
			sha, err := FileSHA256(cfg.Text)
			if err != nil {
				return nil, err
			}
			if sha != bf.TextSHA {
				return nil, fmt.Errorf("text %s is not the text the base statistics %s were computed on", cfg.Text, cfg.LoadBase)
			}
		}
		tokens, nCtx, nChunks = bf.Tokens, bf.NCtx, bf.NChunks
		if cfg.Chunks > 0 {
			nChunks = min(nChunks, cfg.Chunks)
		}
		pv.BaseSHA256, pv.BaseStatsSHA256, pv.TextSHA256, pv.TopK = bf.ModelSHA, bf.SHA256, bf.TextSHA, bf.K
		if bf.AddBOS != mdl.tok.AddBOS() || bf.BOS != mdl.tok.BOS() {
			return nil, fmt.Errorf("base statistics %s used a different BOS convention", cfg.LoadBase)
		}
	} else {
		text, sha, err := ReadText(cfg.Text)
		if err != nil {
			return nil, err
		}
		pv.TextSHA256 = sha
		tokens = Tokenize(mdl.tok, text)
		nCtx = cfg.Ctx
		if nCtx == 0 {
			nCtx = DefaultCtx
		}
		if nChunks, err = Chunking(len(tokens), nCtx, cfg.Chunks); err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.Text, err)
		}
	}
	pv.TextTokens, pv.Ctx, pv.Chunks, pv.ScoredPerChunk = len(tokens), nCtx, nChunks, scored(nCtx)

	var base *loaded
	if cfg.Base != "" {
		if base, err = open(cfg.Base); err != nil {
			return nil, err
		}
		defer base.m.Close()
		if err := sameVocab(cfg.Model, mdl, cfg.Base, base.tok.Hash(), base.m.H.Vocab); err != nil {
			return nil, err
		}
		pv.BaseSHA256, pv.TopK = base.sha, cfg.TopK
	}

	var sw *BaseWriter
	if cfg.SaveBase != "" {
		src := mdl
		if base != nil {
			src = base
		}
		sw, err = CreateBase(cfg.SaveBase, BaseHeader{
			K: cfg.TopK, NCtx: nCtx, NVocab: src.m.H.Vocab, NChunks: nChunks,
			AddBOS: src.tok.AddBOS(), BOS: src.tok.BOS(),
			VocabHash: src.tok.Hash(), ModelSHA: src.sha, TextSHA: pv.TextSHA256,
			Tokens: tokens[:nChunks*nCtx],
		})
		if err != nil {
			return nil, err
		}
		defer sw.Abort()
	}

	e := &evaluator{cfg: cfg, nCtx: nCtx, tokens: tokens, bos: mdl.tok.BOS(), addBOS: mdl.tok.AddBOS(), bf: bf, sw: sw}
	if e.mc, err = mdl.m.NewContextWith(nCtx, cfg.Forward); err != nil {
		return nil, err
	}
	defer e.mc.Close()
	if base != nil {
		if e.bc, err = base.m.NewContextWith(nCtx, cfg.Forward); err != nil {
			return nil, err
		}
		defer e.bc.Close()
	}
	for _, c := range []*model.Context{e.mc, e.bc} {
		if c != nil && cfg.Threads > 0 {
			c.Threads = cfg.Threads
		}
		if c != nil {
			c.SetCancel(ctx)
		}
	}
	e.rb = recordBuilder{k: cfg.TopK}
	if bf != nil {
		e.rb.k = bf.K
	}

	out := cfg.Progress
	if out == nil {
		out = io.Discard
	}
	bar := progress.New(out, int64(nChunks), "perplexity")
	for k := 0; k < nChunks; k++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := e.chunk(k); err != nil {
			return nil, err
		}
		rep.Model.Running = append(rep.Model.Running, e.ppl.PPL())
		desc := fmt.Sprintf("PPL %.4f", e.ppl.PPL())
		if e.cmp != nil {
			desc += fmt.Sprintf(" KLD %.5f", e.cmp.kldSum/float64(e.cmp.q.N))
			if rep.Base == nil {
				rep.Base = &ModelResult{Path: cfg.Base}
				if bf != nil {
					rep.Base.Path = cfg.LoadBase
				} else {
					rep.Base.describe(base.m)
				}
			}
			rep.Base.Running = append(rep.Base.Running, e.cmp.base.PPL())
		}
		bar.Describe(desc)
		bar.Add(1)
	}
	bar.Finish()
	if sw != nil {
		if err := sw.Close(); err != nil {
			return nil, err
		}
	}
	fill := func(r *ModelResult, run Running) {
		r.PPL, r.Uncertainty, r.MeanNLL, r.Tokens = run.PPL(), run.PPLUncertainty(), run.Mean(), run.N
	}
	fill(&rep.Model, e.ppl)
	if e.cmp != nil {
		fill(rep.Base, e.cmp.base)
		c := e.cmp.result()
		rep.Comparison = &c
	}
	rep.Timing.Seconds = time.Since(start).Seconds()
	rep.Timing.ModelTokensPerS = float64(nChunks*nCtx) / e.modelTime.Seconds()
	return rep, nil
}

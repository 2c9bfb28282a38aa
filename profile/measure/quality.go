package measure

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/zqtool/zq/verify"
)

// QualityOptions are the verify settings of a quality measurement.
type QualityOptions struct {
	Base     string // F16 (or other reference) GGUF
	Text     string // evaluation text
	Ctx      int    // tokens per chunk
	Chunks   int    // at most this many chunks (0: all)
	Threads  int
	Version  string
	Progress io.Writer
}

// QualityKey is the cache key of a quality measurement of the file with
// sha256 fileSHA.
func QualityKey(fileSHA, textSHA, baseSHA string, o QualityOptions) Key {
	return Key{Kind: "quality", FileSHA256: fileSHA, TextSHA256: textSHA, Ctx: o.Ctx, Version: o.Version,
		Extra: fmt.Sprintf("base=%s chunks=%d", baseSHA, o.Chunks)}
}

// MeasureQuality returns each model's quality against o.Base on o.Text,
// from the cache where present. Missing ones are measured with package
// verify: the base once (its perplexity, and its statistics saved to a
// temporary file), then each model against those statistics. Every model's
// entry is saved as soon as it is finished, so an interruption keeps them.
func MeasureQuality(ctx context.Context, c *Cache, models []string, o QualityOptions, done func(path string)) (map[string]*Quality, error) {
	if o.Ctx <= 0 {
		o.Ctx = verify.DefaultCtx
	}
	_, textSHA, err := verify.ReadText(o.Text)
	if err != nil {
		return nil, err
	}
	baseSHA, err := c.FileSHA256(o.Base)
	if err != nil {
		return nil, err
	}
	out := map[string]*Quality{}
	keys := map[string]Key{}
	var missing []string
	for _, m := range models {
		sha, err := c.FileSHA256(m)
		if err != nil {
			return nil, err
		}
		k := QualityKey(sha, textSHA, baseSHA, o)
		keys[m] = k
		if e, ok := c.Get(k); ok && e.Quality != nil {
			out[m] = e.Quality
			continue
		}
		missing = append(missing, m)
	}
	if len(missing) == 0 {
		return out, nil
	}
	dir, err := os.MkdirTemp("", "zq-profile-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	stats := filepath.Join(dir, "base.zqb")
	cfg := verify.Config{Model: o.Base, Text: o.Text, Ctx: o.Ctx, Chunks: o.Chunks, Threads: o.Threads,
		SaveBase: stats, Progress: o.Progress, Version: o.Version}
	rep, err := verify.Run(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("evaluating the base %s: %w", o.Base, err)
	}
	baseQ := &Quality{PPL: rep.Model.PPL, PPLUnc: rep.Model.Uncertainty, SameTop1Pct: 100, Tokens: rep.Model.Tokens, IsBase: true}
	for _, m := range missing {
		var q *Quality
		if keys[m].FileSHA256 == baseSHA {
			q = baseQ
		} else {
			cfg := verify.Config{Model: m, LoadBase: stats, Threads: o.Threads, Progress: o.Progress, Version: o.Version, Chunks: o.Chunks}
			r, err := verify.Run(ctx, cfg)
			if err != nil {
				return out, fmt.Errorf("verifying %s: %w", m, err)
			}
			q = &Quality{PPL: r.Model.PPL, PPLUnc: r.Model.Uncertainty, Tokens: r.Model.Tokens}
			if cmp := r.Comparison; cmp != nil {
				q.DeltaPPL = cmp.DeltaPPL.Value
				q.DeltaPPLPct = 100 * (cmp.PPLRatio.Value - 1)
				q.KLD = cmp.KLD.Mean
				q.SameTop1Pct = 100 * cmp.SameTop1.Value
			}
		}
		if err := c.Put(Entry{Key: keys[m], Path: m, Measured: time.Now().UTC(), Quality: q}); err != nil {
			return out, err
		}
		out[m] = q
		if done != nil {
			done(m)
		}
	}
	return out, nil
}

// SpeedKey is the cache key of a speed measurement.
func SpeedKey(fileSHA, engine, version string, o SpeedOptions) Key {
	o = o.withDefaults()
	return Key{Kind: "speed:" + engine, FileSHA256: fileSHA, Version: version,
		Extra: fmt.Sprintf("p=%d n=%d r=%d t=%d", o.Prompt, o.Gen, o.Reps, o.Threads)}
}

// MeasureSpeed returns the engine's speed for the model, from the cache
// when present, and saves a new measurement before returning it.
func MeasureSpeed(ctx context.Context, c *Cache, e Engine, path, version string, o SpeedOptions) (*Speed, error) {
	sha, err := c.FileSHA256(path)
	if err != nil {
		return nil, err
	}
	k := SpeedKey(sha, e.Name(), version, o)
	if ent, ok := c.Get(k); ok && ent.Speed != nil {
		return ent.Speed, nil
	}
	s, err := e.Measure(ctx, path, o)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := c.Put(Entry{Key: k, Path: path, Measured: time.Now().UTC(), Speed: &s}); err != nil {
		return nil, err
	}
	return &s, nil
}

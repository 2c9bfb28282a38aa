package mix

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/zqtool/zq/imatrix"
	"github.com/zqtool/zq/internal/filehash"
	"github.com/zqtool/zq/internal/outfile"
	"github.com/zqtool/zq/model"
	"github.com/zqtool/zq/quantize"
)

// DefaultCacheDir is where measurements are kept unless told otherwise:
// zq/mix under the user's cache directory ("" when there is none).
func DefaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "zq", "mix")
}

// cacheKey identifies a measurement: the method's version, the model, the
// text, the settings and every weight's candidate types (which grow as
// codecs are added).
func cacheKey(in Input, s Settings, mats []*model.Weight) string {
	h := sha256.New()
	fmt.Fprintf(h, "zq mix v%d\nmodel %s\ntext %s\n", measureVersion, in.ModelSHA256, in.TextSHA256)
	b, _ := json.Marshal(s)
	h.Write(b)
	for _, w := range mats {
		fmt.Fprintf(h, "\n%s %d %d", w.Name, w.Rows, w.Cols)
		for _, t := range Candidates(w.Cols, true) {
			fmt.Fprintf(h, " %s", t)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func cachePaths(dir, key string) (meas, im string) {
	return filepath.Join(dir, key+".json"), filepath.Join(dir, key+".imatrix.gguf")
}

// loadCache reads the measurements and importance matrix stored under key.
func loadCache(dir, key string) (*Measurements, *quantize.Imatrix, error) {
	mp, ip := cachePaths(dir, key)
	b, err := os.ReadFile(mp)
	if err != nil {
		return nil, nil, err
	}
	ms := &Measurements{}
	if err := json.Unmarshal(b, ms); err != nil {
		return nil, nil, fmt.Errorf("cached measurements %s: %w", mp, err)
	}
	if ms.Version != measureVersion {
		return nil, nil, fmt.Errorf("cached measurements %s: version %d", mp, ms.Version)
	}
	f, err := imatrix.Read(ip)
	if err != nil {
		return nil, nil, err
	}
	ms.Cached = true
	return ms, quantize.FromFile(f), nil
}

// saveCache stores the measurements and the importance matrix under key.
func saveCache(dir, key string, ms *Measurements, set *imatrix.Set, textName string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("measurement cache: %w", err)
	}
	mp, ip := cachePaths(dir, key)
	if err := set.WriteGGUF(ip, textName); err != nil {
		return fmt.Errorf("measurement cache: %w", err)
	}
	b, err := json.MarshalIndent(ms, "", " ")
	if err != nil {
		return err
	}
	if err := outfile.WriteFile(mp, append(b, '\n')); err != nil {
		return fmt.Errorf("measurement cache: %w", err)
	}
	return nil
}

// InputSHA256 identifies a model input for the cache: the sha256 of a
// GGUF file, or for a Hugging Face directory the sha256 over its files'
// names and sha256s, in name order.
func InputSHA256(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return filehash.SHA256(path)
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, e := range ents { // ReadDir sorts by name
		p := filepath.Join(path, e.Name())
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		sum, err := filehash.SHA256(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %s\n", e.Name(), sum)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

package measure

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/zqtool/zq/internal/filehash"
)

// CacheFile is the name of the cache kept beside the models.
const CacheFile = "zq-profile-cache.json"

// CacheVersion is the layout version of the cache file.
const CacheVersion = 1

// Key identifies one measurement: what was measured (Kind: "quality" or
// "speed:<engine>"), of which file, on which text, at which context, by
// which zq version, with which remaining settings (Extra).
type Key struct {
	Kind       string `json:"kind"`
	FileSHA256 string `json:"file_sha256"`
	TextSHA256 string `json:"text_sha256,omitempty"`
	Ctx        int    `json:"ctx,omitempty"`
	Version    string `json:"zq_version"`
	Extra      string `json:"extra,omitempty"` // e.g. base sha and chunks, or prompt/gen/threads
}

// Quality is a model's quality against the base on a text.
type Quality struct {
	PPL         float64 `json:"ppl"`
	PPLUnc      float64 `json:"ppl_uncertainty"`
	DeltaPPL    float64 `json:"delta_ppl"`
	DeltaPPLPct float64 `json:"delta_ppl_pct"`
	KLD         float64 `json:"kld_mean"`
	SameTop1Pct float64 `json:"same_top1_pct"`
	Tokens      int     `json:"tokens_scored"`
	IsBase      bool    `json:"is_base,omitempty"`
}

// Entry is one finished measurement.
type Entry struct {
	Key      Key       `json:"key"`
	Path     string    `json:"path"` // where the file was when measured (informational)
	Measured time.Time `json:"measured"`
	Quality  *Quality  `json:"quality,omitempty"`
	Speed    *Speed    `json:"speed,omitempty"`
}

type hashEntry struct {
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time"`
	SHA256  string    `json:"sha256"`
}

// Cache is the JSON cache file. Every Put rewrites it through a temporary
// file and a rename, so an interrupted run leaves the previous complete
// file, never a half-written one.
type Cache struct {
	path string
	mu   sync.Mutex
	data struct {
		Version int                  `json:"version"`
		Entries []Entry              `json:"entries"`
		Hashes  map[string]hashEntry `json:"file_hashes"` // by absolute path
	}
}

// OpenCache reads the cache at path; a missing file is an empty cache.
func OpenCache(path string) (*Cache, error) {
	c := &Cache{path: path}
	c.data.Version = CacheVersion
	c.data.Hashes = map[string]hashEntry{}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &c.data); err != nil {
		return nil, fmt.Errorf("%s: not a zq profile cache (%v); remove it to start afresh", path, err)
	}
	if c.data.Version != CacheVersion {
		return nil, fmt.Errorf("%s: cache version %d, this zq writes %d; remove it to start afresh", path, c.data.Version, CacheVersion)
	}
	if c.data.Hashes == nil {
		c.data.Hashes = map[string]hashEntry{}
	}
	return c, nil
}

// Path is the cache file's path.
func (c *Cache) Path() string { return c.path }

// Get returns the entry with key k.
func (c *Cache) Get(k Key) (Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.data.Entries {
		if e.Key == k {
			return e, true
		}
	}
	return Entry{}, false
}

// Put adds or replaces an entry and saves the cache atomically.
func (c *Cache) Put(e Entry) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	replaced := false
	for i := range c.data.Entries {
		if c.data.Entries[i].Key == e.Key {
			c.data.Entries[i], replaced = e, true
		}
	}
	if !replaced {
		c.data.Entries = append(c.data.Entries, e)
	}
	return c.save()
}

func (c *Cache) save() error {
	b, err := json.MarshalIndent(&c.data, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(c.path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(c.path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, c.path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving %s: %w", c.path, err)
	}
	return nil
}

// FileSHA256 returns the sha256 of the file at path, reusing the cached
// hash while the file's size and modification time are unchanged.
func (c *Cache) FileSHA256(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	h, ok := c.data.Hashes[abs]
	c.mu.Unlock()
	if ok && h.Size == st.Size() && h.ModTime.Equal(st.ModTime()) {
		return h.SHA256, nil
	}
	sum, err := filehash.SHA256(abs)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.data.Hashes[abs] = hashEntry{Size: st.Size(), ModTime: st.ModTime(), SHA256: sum}
	c.mu.Unlock()
	return sum, nil
}

package safetensors

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zqtool/zq/internal/mmap"
	"github.com/zqtool/zq/internal/modeldir"
)

// IndexName is the file that maps tensor names to shards in a sharded model.
const IndexName = "model.safetensors.index.json"

// maxIndexSize bounds the index file; real ones are well under 1 MiB.
const maxIndexSize = 64 << 20

// openDir opens a model directory. Files are opened with OpenFile, so
// neither "../" nor a directory symlink can reach outside the directory,
// and a file may only link into the model tree.
func openDir(dir string) (*Model, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	weightMap, err := readIndex(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	if weightMap != nil {
		names, err = shardsFromIndex(weightMap, dir)
	} else {
		names, err = shardsFromListing(dir)
	}
	if err != nil {
		return nil, err
	}

	shards := make([]*shardFile, 0, len(names))
	closeAll := func() {
		for _, sh := range shards {
			sh.file.Close()
		}
	}
	for _, name := range names {
		sh, err := openShard(dir, name, weightMap)
		if err != nil {
			closeAll()
			return nil, err
		}
		shards = append(shards, sh)
	}
	m, err := newModel(dir, shards)
	if err != nil {
		return nil, err
	}
	if weightMap != nil {
		if err := checkAgainstIndex(m, weightMap); err != nil {
			m.Close()
			return nil, err
		}
	}
	return m, nil
}

// readIndex returns the weight_map of the directory's index, or nil if
// there is no index file.
func readIndex(dir string) (map[string]string, error) {
	path := filepath.Join(dir, IndexName)
	f, err := OpenFile(dir, IndexName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("safetensors: %s: not a regular file", path)
	}
	if fi.Size() > maxIndexSize {
		return nil, fmt.Errorf("safetensors: %s: index is %d bytes, over the %d-byte limit", path, fi.Size(), maxIndexSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxIndexSize+1))
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	if len(data) > maxIndexSize {
		return nil, fmt.Errorf("safetensors: %s: index is over the %d-byte limit", path, maxIndexSize)
	}
	var index struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(data, &index); err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	if len(index.WeightMap) == 0 {
		return nil, fmt.Errorf("safetensors: %s: missing or empty weight_map", path)
	}
	return index.WeightMap, nil
}

// shardsFromIndex returns the sorted distinct shard names of a weight map,
// rejecting names that would leave the model directory.
func shardsFromIndex(weightMap map[string]string, dir string) ([]string, error) {
	path := filepath.Join(dir, IndexName)
	seen := make(map[string]bool)
	for _, tensor := range slices.Sorted(maps.Keys(weightMap)) {
		shard := weightMap[tensor]
		if seen[shard] {
			continue
		}
		switch {
		case shard == "":
			return nil, fmt.Errorf("safetensors: %s: tensor %q: empty shard file name", path, tensor)
		case filepath.IsAbs(shard) || strings.HasPrefix(shard, "/") || strings.HasPrefix(shard, `\`):
			return nil, fmt.Errorf("safetensors: %s: tensor %q: shard %q is an absolute path; shards must be inside the model directory", path, tensor, shard)
		case !filepath.IsLocal(shard):
			return nil, fmt.Errorf("safetensors: %s: tensor %q: shard %q leaves the model directory", path, tensor, shard)
		}
		seen[shard] = true
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

// shardsFromListing returns the sorted names of the files in dir that start
// with "model" and end with ".safetensors", as llama.cpp's converter does
// when there is no index.
func shardsFromListing(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && strings.HasPrefix(n, "model") && strings.HasSuffix(n, ".safetensors") {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".bin") || strings.HasSuffix(e.Name(), ".pt") || strings.HasSuffix(e.Name(), ".pth") {
				return nil, fmt.Errorf("safetensors: %s: no safetensors weights, only %s: PyTorch pickle checkpoints are never loaded (pickle can run code); convert them to safetensors first", dir, e.Name())
			}
		}
		return nil, fmt.Errorf("safetensors: %s: no %s and no model*.safetensors files", dir, IndexName)
	}
	slices.Sort(names) // ReadDir sorts already; keep the contract explicit
	return names, nil
}

// openShard opens and parses one shard. weightMap, when not nil, is used
// to name a tensor in error messages.
func openShard(dir, name string, weightMap map[string]string) (*shardFile, error) {
	path := filepath.Join(dir, name)
	what := fmt.Sprintf("shard %s", path)
	if weightMap != nil {
		what = fmt.Sprintf("shard %s named in %s for tensor %q", path, IndexName, firstTensorOf(weightMap, name))
	}
	f, err := OpenFile(dir, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("safetensors: missing %s", what)
	}
	if err != nil {
		return nil, fmt.Errorf("safetensors: cannot open %s inside the model directory: %w", what, err)
	}
	mf, err := mmap.Map(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", what, err)
	}
	return newShard(name, path, mf)
}

// OpenFile opens the file name of the model directory dir, as every zq
// command does (see package internal/modeldir): the name stays inside dir,
// and the file may be a symbolic link only to a regular file inside the
// model tree (dir, or REPO for a hub-cache snapshot REPO/snapshots/REV,
// whose files link to REPO/blobs/SHA).
func OpenFile(dir, name string) (*os.File, error) { return modeldir.Open(dir, name) }

// firstTensorOf returns the smallest tensor name the weight map assigns to
// shard.
func firstTensorOf(weightMap map[string]string, shard string) string {
	first, found := "", false
	for tensor, s := range weightMap {
		if s == shard && (!found || tensor < first) {
			first, found = tensor, true
		}
	}
	return first
}

// checkAgainstIndex verifies that every tensor sits in the shard the index
// names for it and that every indexed tensor exists.
func checkAgainstIndex(m *Model, weightMap map[string]string) error {
	path := filepath.Join(m.dir, IndexName)
	for _, t := range m.tensors {
		want, ok := weightMap[t.Name]
		switch {
		case !ok:
			return fmt.Errorf("safetensors: %s: tensor %q in shard %q is not listed in %s", m.dir, t.Name, t.Shard, IndexName)
		case want != t.Shard:
			return fmt.Errorf("safetensors: %s: tensor %q is in shard %q but the index names shard %q", path, t.Name, t.Shard, want)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(weightMap)) {
		if _, ok := m.byName[name]; !ok {
			return fmt.Errorf("safetensors: %s: tensor %q is missing from shard %q named for it in the index", path, name, weightMap[name])
		}
	}
	return nil
}

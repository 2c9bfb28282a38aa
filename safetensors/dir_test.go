package safetensors

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shardA and shardB are the two shards of a small valid sharded model.
const (
	shardA = "model-00001-of-00002.safetensors"
	shardB = "model-00002-of-00002.safetensors"
)

// validSharded writes a two-shard model with an index into dir.
func validSharded(t *testing.T, dir string) {
	writeST(t, dir, shardA, map[string]spec{"a.0": f32Entry(0, 1), "a.1": f32Entry(4, 1)}, nil, le32(1, 2))
	writeST(t, dir, shardB, map[string]spec{"b.0": f32Entry(0, 2)}, nil, le32(3, 4))
	writeIndex(t, dir, map[string]string{"a.0": shardA, "a.1": shardA, "b.0": shardB})
}

func TestOpenShardedValid(t *testing.T) {
	dir := t.TempDir()
	validSharded(t, dir)
	m, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var got []string
	for _, ti := range m.Tensors() {
		got = append(got, ti.Shard+":"+ti.Name)
	}
	want := shardA + ":a.0 " + shardA + ":a.1 " + shardB + ":b.0"
	if strings.Join(got, " ") != want {
		t.Errorf("tensors = %v, want %s", got, want)
	}
	v, err := m.Float32("b.0", nil)
	if err != nil || len(v) != 2 || v[0] != 3 || v[1] != 4 {
		t.Errorf("Float32(b.0) = %v, %v", v, err)
	}

	// Opening the index file opens its directory.
	mi, err := Open(filepath.Join(dir, IndexName))
	if err != nil {
		t.Fatal(err)
	}
	defer mi.Close()
	if len(mi.Tensors()) != 3 || mi.Dir() != dir {
		t.Errorf("via index: %d tensors in %s", len(mi.Tensors()), mi.Dir())
	}
}

func TestOpenShardedSymlinkInsideDir(t *testing.T) {
	dir := t.TempDir()
	validSharded(t, dir)
	// Shard B is a link to a file in a subdirectory of the model directory.
	if err := os.Mkdir(filepath.Join(dir, "blobs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, shardB), filepath.Join(dir, "blobs", "b")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("blobs", "b"), filepath.Join(dir, shardB)); err != nil {
		t.Fatal(err)
	}
	m, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if ti, ok := m.Tensor("b.0"); !ok || ti.Shard != shardB {
		t.Errorf("Tensor(b.0) = %+v, %v", ti, ok)
	}
}

func TestOpenShardedMalformed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  []string
	}{
		{"index names a missing shard", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeIndex(t, dir, map[string]string{"a.0": shardA, "a.1": shardA, "b.0": shardB, "c.0": "model-00003-of-00003.safetensors"})
		}, []string{"missing shard", "model-00003-of-00003.safetensors", `"c.0"`}},
		{"index shard path with ../", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeIndex(t, dir, map[string]string{"a.0": shardA, "a.1": shardA, "b.0": "../" + shardB})
		}, []string{`"b.0"`, "../" + shardB, "leaves the model directory"}},
		{"index shard path with inner ../", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeIndex(t, dir, map[string]string{"a.0": shardA, "a.1": shardA, "b.0": "sub/../../x.safetensors"})
		}, []string{`"b.0"`, "leaves the model directory"}},
		{"index shard absolute path", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeIndex(t, dir, map[string]string{"a.0": shardA, "a.1": shardA, "b.0": filepath.Join(dir, shardB)})
		}, []string{`"b.0"`, "absolute path"}},
		{"index shard empty name", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeIndex(t, dir, map[string]string{"a.0": shardA, "a.1": shardA, "b.0": ""})
		}, []string{`"b.0"`, "empty shard"}},
		{"directory symlink leaving the dir", func(t *testing.T, dir string) {
			outside := t.TempDir()
			validSharded(t, outside)
			writeST(t, dir, shardA, map[string]spec{"a.0": f32Entry(0, 1), "a.1": f32Entry(4, 1)}, nil, le32(1, 2))
			writeIndex(t, dir, map[string]string{"a.0": shardA, "a.1": shardA, "b.0": "sub/" + shardB})
			if err := os.Symlink(outside, filepath.Join(dir, "sub")); err != nil {
				t.Fatal(err)
			}
		}, []string{"sub/" + shardB, "escapes"}},
		{"index tensor missing from its shard", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeIndex(t, dir, map[string]string{"a.0": shardA, "a.1": shardA, "a.2": shardA, "b.0": shardB})
		}, []string{`"a.2"`, "missing from shard", shardA}},
		{"shard tensor not in index", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeIndex(t, dir, map[string]string{"a.0": shardA, "b.0": shardB})
		}, []string{`"a.1"`, "not listed", shardA}},
		{"tensor in another shard than indexed", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeIndex(t, dir, map[string]string{"a.0": shardA, "a.1": shardB, "b.0": shardB})
		}, []string{`"a.1"`, "index names shard"}},
		{"duplicate tensor across shards", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeST(t, dir, shardB, map[string]spec{"a.1": f32Entry(0, 1), "b.0": f32Entry(4, 1)}, nil, le32(3, 4))
		}, []string{"duplicate tensor", `"a.1"`, shardA, shardB}},
		{"duplicate tensor across shards without index", func(t *testing.T, dir string) {
			writeST(t, dir, shardA, map[string]spec{"x": f32Entry(0, 1)}, nil, le32(1))
			writeST(t, dir, shardB, map[string]spec{"x": f32Entry(0, 1)}, nil, le32(1))
		}, []string{"duplicate tensor", `"x"`}},
		{"malformed shard", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeBytes(t, dir, shardB, rawFile(64, []byte(`{}`), nil))
		}, []string{filepath.Join("DIR", shardB), "truncated header"}},
		{"index not JSON", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeBytes(t, dir, IndexName, []byte(`{"weight_map": `))
		}, []string{IndexName}},
		{"index without weight_map", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeBytes(t, dir, IndexName, []byte(`{"metadata": {}}`))
		}, []string{IndexName, "weight_map"}},
		{"index weight_map value not a string", func(t *testing.T, dir string) {
			validSharded(t, dir)
			writeBytes(t, dir, IndexName, []byte(`{"weight_map": {"a.0": 1}}`))
		}, []string{IndexName, "string"}},
		{"no shards at all", func(t *testing.T, dir string) {
			writeBytes(t, dir, "config.json", []byte(`{}`))
		}, []string{"DIR", "no " + IndexName}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			m, err := Open(dir)
			if err == nil {
				m.Close()
				t.Fatal("no error")
			}
			t.Log(err)
			for _, w := range tc.want {
				w = strings.ReplaceAll(w, "DIR", dir)
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestHubCacheSymlinks opens a directory laid out like the Hugging Face hub
// cache: every file is a symbolic link to a blob outside the directory.
func TestHubCacheSymlinks(t *testing.T) {
	hub := t.TempDir()
	blobs := filepath.Join(hub, "blobs")
	snap := filepath.Join(hub, "snapshots", "rev")
	for _, d := range []string{blobs, snap} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	validSharded(t, blobs)
	for _, name := range []string{shardA, shardB, IndexName} {
		if err := os.Symlink(filepath.Join("..", "..", "blobs", name), filepath.Join(snap, name)); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Open(snap)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if n := len(m.Tensors()); n != 3 {
		t.Fatalf("%d tensors, want 3", n)
	}
	// A link to a directory is still refused.
	if err := os.Remove(filepath.Join(snap, shardB)); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(blobs, filepath.Join(snap, shardB)); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(snap); err == nil {
		t.Fatal("shard linked to a directory accepted")
	}
}

// TestPickleCheckpointRefused checks that a directory holding only a
// PyTorch pickle checkpoint gets an error saying so, and that it is not read.
func TestPickleCheckpointRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pytorch_model.bin"), []byte("\x80\x02not really pickle"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir)
	if err == nil || !strings.Contains(err.Error(), "pickle") || !strings.Contains(err.Error(), "pytorch_model.bin") {
		t.Fatalf("error %v does not explain that pickle checkpoints are refused", err)
	}
}

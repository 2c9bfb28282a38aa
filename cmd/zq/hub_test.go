package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hubSnapshot lays the micro checkpoint out exactly as huggingface_hub
// caches it: REPO/blobs/<sha256> holding the data, REPO/refs/main naming
// the revision, and REPO/snapshots/<rev>/<file> -> ../../blobs/<sha256>
// relative links for every file (config, tokenizer and shards alike). It
// returns the snapshot directory.
func hubSnapshot(t *testing.T, root string) string {
	t.Helper()
	const rev = "8ad8f3c1f25b4c3e0f6e7a1d2b3c4d5e6f708192"
	repo := filepath.Join(root, "models--zq--micro-mistral")
	snap := filepath.Join(repo, "snapshots", rev)
	for _, d := range []string{filepath.Join(repo, "blobs"), filepath.Join(repo, "refs"), snap} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "refs", "main"), []byte(rev), 0o644); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(microDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(microDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		blob := hex.EncodeToString(sum[:])
		if err := os.WriteFile(filepath.Join(repo, "blobs", blob), b, 0o444); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join("..", "..", "blobs", blob), filepath.Join(snap, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return snap
}

// TestHubCacheSnapshot converts, quantizes and inspects a hub-cache
// snapshot, and checks that the conversion equals that of a plain copy of
// the same directory (same name, since the name ends up in the metadata);
// a link that leaves the cached repository is refused by every command.
func TestHubCacheSnapshot(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	snap := hubSnapshot(t, filepath.Join(tmp, "hub"))
	plain := filepath.Join(tmp, "plain", filepath.Base(snap))
	if err := os.MkdirAll(plain, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(microDir)
	for _, e := range ents {
		copyFile(t, filepath.Join(microDir, e.Name()), filepath.Join(plain, e.Name()))
	}
	out := t.TempDir()

	for _, args := range [][]string{
		{"convert", snap, "--outtype", "f16", "-o", filepath.Join(out, "hub.gguf")},
		{"convert", plain, "--outtype", "f16", "-o", filepath.Join(out, "plain.gguf")},
		{"quantize", snap, filepath.Join(out, "hub-q8.gguf"), "--type", "q8_0"},
		{"quantize", plain, filepath.Join(out, "plain-q8.gguf"), "--type", "q8_0"},
		{"inspect", snap},
	} {
		if r := zq(t, ctx, args...); r.code != 0 {
			t.Fatalf("zq %v: exit %d: %s", args, r.code, r.stderr)
		}
	}
	for _, pair := range [][2]string{{"hub.gguf", "plain.gguf"}, {"hub-q8.gguf", "plain-q8.gguf"}} {
		if a, b := fileSHA256(t, filepath.Join(out, pair[0])), fileSHA256(t, filepath.Join(out, pair[1])); a != b {
			t.Errorf("%s (hub snapshot) differs from %s (plain directory)", pair[0], pair[1])
		}
	}

	// A shard (or config) linking outside the cached repository is refused.
	elsewhere := filepath.Join(tmp, "elsewhere")
	if err := os.Mkdir(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"model-00002-of-00002.safetensors", "config.json"} {
		t.Run("escaping "+name, func(t *testing.T) {
			target := filepath.Join(elsewhere, name)
			copyFile(t, filepath.Join(microDir, name), target)
			link := filepath.Join(snap, name)
			old, err := os.Readlink(link)
			if err != nil {
				t.Fatal(err)
			}
			os.Remove(link)
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			defer func() {
				os.Remove(link)
				os.Symlink(old, link)
			}()
			for _, args := range [][]string{
				{"convert", snap, "-o", filepath.Join(out, "x.gguf")},
				{"quantize", snap, filepath.Join(out, "x.gguf"), "--type", "q8_0"},
			} {
				r := zq(t, ctx, args...)
				if r.code == 0 || !strings.Contains(r.stderr, "outside the model tree") || !strings.Contains(r.stderr, name) {
					t.Errorf("zq %v: exit %d, stderr %q; want a refusal naming %s", args[:1], r.code, r.stderr, name)
				}
			}
			if _, err := os.Stat(filepath.Join(out, "x.gguf")); err == nil {
				t.Error("an output was written")
			}
		})
	}
}

package modeldir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hubLayout builds REPO/blobs/SHA and REPO/snapshots/REV/NAME -> ../../blobs/SHA
// and returns the snapshot directory and a folder outside the repo.
func hubLayout(t *testing.T) (snap, outside string) {
	t.Helper()
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "models--org--m")
	snap = filepath.Join(repo, "snapshots", "0123abcd")
	outside = filepath.Join(tmp, "elsewhere")
	for _, d := range []string{filepath.Join(repo, "blobs"), snap, outside, filepath.Join(snap, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, path string) {
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(repo, "blobs", "aaaa"), "blob")
	write(filepath.Join(outside, "secret"), "secret")
	write(filepath.Join(snap, "plain.json"), "plain")
	link("../../blobs/aaaa", filepath.Join(snap, "config.json"))
	link(filepath.Join(outside, "secret"), filepath.Join(snap, "escape.json"))
	link("../../../elsewhere/secret", filepath.Join(snap, "escape-rel.json"))
	link("../../blobs", filepath.Join(snap, "dirlink"))
	link("missing", filepath.Join(snap, "broken"))
	link(outside, filepath.Join(snap, "outdir"))
	return snap, outside
}

func TestOpen(t *testing.T) {
	snap, _ := hubLayout(t)
	for _, tc := range []struct {
		name, want, err string
	}{
		{"plain.json", "plain", ""},
		{"config.json", "blob", ""}, // hub link into REPO/blobs
		{"escape.json", "", "outside the model tree"},
		{"escape-rel.json", "", "outside the model tree"},
		{"dirlink", "", "not a regular file"},
		{"broken", "", "broken symbolic link"},
		{"outdir/secret", "", "escapes"}, // a directory on the way leaves dir
		{"../x", "", "leaves the model directory"},
		{"sub", "", "not a regular file"},
		{"absent.json", "", "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ReadFile(snap, tc.name, 1<<20)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || string(b) != tc.want {
				t.Fatalf("got %q, %v; want %q", b, err, tc.want)
			}
		})
	}
	if _, err := ReadFile(snap, "plain.json", 2); err == nil || !strings.Contains(err.Error(), "more than the 2 allowed") {
		t.Errorf("size limit not applied: %v", err)
	}
}

func TestTree(t *testing.T) {
	snap, outside := hubLayout(t)
	repo := filepath.Dir(filepath.Dir(snap))
	realRepo, _ := filepath.EvalSymlinks(repo)
	realOutside, _ := filepath.EvalSymlinks(outside)
	for _, tc := range []struct{ dir, want string }{
		{snap, realRepo},
		{outside, realOutside}, // not a snapshot: the directory itself
	} {
		if got, err := Tree(tc.dir); err != nil || got != tc.want {
			t.Errorf("Tree(%s) = %s, %v; want %s", tc.dir, got, err, tc.want)
		}
	}
}

package mmap

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f.bin")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenContents(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1000) // crosses page boundaries
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte{42}},
		{"multi page", big},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Open(writeTemp(t, tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if f.Len() != len(tc.data) {
				t.Errorf("Len = %d, want %d", f.Len(), len(tc.data))
			}
			if !bytes.Equal(f.Bytes(), tc.data) {
				t.Errorf("Bytes differ from file contents")
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if f.Len() != 0 {
				t.Errorf("Len after Close = %d", f.Len())
			}
		})
	}
}

func TestReadAt(t *testing.T) {
	data := []byte("hello, world")
	f, err := Open(writeTemp(t, data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct {
		name    string
		off     int64
		n       int
		want    string
		wantErr error
		anyErr  bool
	}{
		{name: "start", off: 0, n: 5, want: "hello"},
		{name: "middle", off: 7, n: 5, want: "world"},
		{name: "short at end", off: 7, n: 10, want: "world", wantErr: io.EOF},
		{name: "at end", off: 12, n: 1, want: "", wantErr: io.EOF},
		{name: "past end", off: 100, n: 1, want: "", wantErr: io.EOF},
		{name: "empty buffer past end", off: 100, n: 0, want: ""},
		{name: "negative", off: -1, n: 1, want: "", anyErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := make([]byte, tc.n)
			n, err := f.ReadAt(p, tc.off)
			if got := string(p[:n]); got != tc.want {
				t.Errorf("read %q, want %q", got, tc.want)
			}
			switch {
			case tc.anyErr:
				if err == nil {
					t.Errorf("want an error")
				}
			case !errors.Is(err, tc.wantErr):
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
	// io.SectionReader is the typical consumer of io.ReaderAt.
	got, err := io.ReadAll(io.NewSectionReader(f, 7, 5))
	if err != nil || string(got) != "world" {
		t.Errorf("SectionReader read %q, %v", got, err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing")); err == nil {
		t.Error("Open of a missing file succeeded")
	}
	if _, err := Open(dir); err == nil {
		t.Error("Open of a directory succeeded")
	}
}

func TestMapKeepsWorkingAfterFileClose(t *testing.T) {
	data := []byte("persistent")
	fd, err := os.Open(writeTemp(t, data))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Map(fd)
	if err != nil {
		t.Fatal(err)
	}
	fd.Close()
	defer m.Close()
	if !bytes.Equal(m.Bytes(), data) {
		t.Errorf("Bytes after closing the descriptor = %q", m.Bytes())
	}
}

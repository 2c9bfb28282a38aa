package synth

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zqtool/zq/gguf"
)

func TestWriteSparseMistral(t *testing.T) {
	dir := t.TempDir()
	if d := os.Getenv("ZQ_SYNTH_DIR"); d != "" {
		dir = d
	}
	for _, c := range []struct {
		s      Shape
		preset string
	}{{Mistral7B, "Q4_K_M"}, {Llama3_8B, "Q4_K_M"}, {Mistral7B, "Q4_0"}} {
		p := filepath.Join(dir, c.s.Name+"-"+c.preset+".gguf")
		size, err := Write(p, c.s, c.preset)
		if err != nil {
			t.Fatal(err)
		}
		f, err := gguf.OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if f.Size != size || len(f.Tensors) != 2+9*c.s.Layers+1 {
			t.Errorf("%s: size %d (want %d), %d tensors", p, f.Size, size, len(f.Tensors))
		}
		f.Close()
		t.Logf("%s: %.3f GB", p, float64(size)/1e9)
	}
}

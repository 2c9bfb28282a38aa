package model

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"testing"
)

const refDir = "../testdata/reference/"

// refLogits is one of llama.cpp's logits dumps (testdata/reference/README.md).
type refLogits struct {
	tokens []int32
	vocab  int
	logits []float32 // position-major
}

func readRefLogits(path string) (*refLogits, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 8 {
		return nil, fmt.Errorf("%s: too short", path)
	}
	n := int(int32(binary.LittleEndian.Uint32(b)))
	v := int(int32(binary.LittleEndian.Uint32(b[4:])))
	if n <= 0 || v <= 0 || len(b) != 8+4*n+4*n*v {
		return nil, fmt.Errorf("%s: bad header n=%d vocab=%d for %d bytes", path, n, v, len(b))
	}
	r := &refLogits{vocab: v, tokens: make([]int32, n), logits: make([]float32, n*v)}
	for i := range r.tokens {
		r.tokens[i] = int32(binary.LittleEndian.Uint32(b[8+4*i:]))
	}
	off := 8 + 4*n
	for i := range r.logits {
		r.logits[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[off+4*i:]))
	}
	return r, nil
}

// relRMS is sqrt(Σ(a−b)²/Σb²).
func relRMS(a, b []float32) float64 {
	var num, den float64
	for i := range b {
		d := float64(a[i]) - float64(b[i])
		num += d * d
		den += float64(b[i]) * float64(b[i])
	}
	return math.Sqrt(num / den)
}

func openModel(t testing.TB, name string) *Model {
	t.Helper()
	m, err := Open(refDir + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestLogitsMatchLlamaCpp(t *testing.T) {
	cases := []struct {
		model, logits string
		tol           float64
	}{
		{"convert-f16.gguf", "logits-F16.bin", 1e-3},
		{"quant-Q4_K_M.gguf", "logits-Q4_K_M.bin", 1e-2},
	}
	for _, tc := range cases {
		t.Run(tc.model, func(t *testing.T) {
			ref, err := readRefLogits(refDir + tc.logits)
			if err != nil {
				t.Fatal(err)
			}
			m := openModel(t, tc.model)
			if m.H.Vocab != ref.vocab {
				t.Fatalf("vocab %d, reference %d", m.H.Vocab, ref.vocab)
			}
			ctx, err := m.NewContext(len(ref.tokens))
			if err != nil {
				t.Fatal(err)
			}
			got := make([]float32, len(ref.logits))
			if err := ctx.Eval(ref.tokens, 0, got); err != nil {
				t.Fatal(err)
			}
			e := relRMS(got, ref.logits)
			t.Logf("%s: %d tokens, relative RMS difference %.3g", tc.model, len(ref.tokens), e)
			if !(e <= tc.tol) {
				t.Errorf("relative RMS difference %.3g exceeds %.g", e, tc.tol)
			}
		})
	}
}

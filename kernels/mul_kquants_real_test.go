package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
)

// TestMulKQuantsRealWeights multiplies the K-quant tensors of a file
// llama-quantize wrote (testdata/reference/quant-Q4_K_M.gguf, the
// micro-mistral Q4_K_M: Q4_K and Q6_K rows as ggml lays them out) with
// quantized random activations: every implementation against the float64
// yardstick, and against the pure-Go twin bit for bit.
func TestMulKQuantsRealWeights(t *testing.T) {
	f, err := gguf.Open("../testdata/reference/quant-Q4_K_M.gguf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases := map[ggml.Type]kqMulCase{}
	for _, c := range kqMulCases() {
		switch c.name {
		case "Q2_K":
			cases[ggml.TypeQ2_K] = c
		case "Q3_K":
			cases[ggml.TypeQ3_K] = c
		case "Q4_K":
			cases[ggml.TypeQ4_K] = c
		case "Q5_K":
			cases[ggml.TypeQ5_K] = c
		case "Q6_K":
			cases[ggml.TypeQ6_K] = c
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	seen := map[string]int{}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		c, ok := cases[ti.Type]
		if !ok || len(ti.Dims) != 2 {
			continue
		}
		data, err := f.TensorData(ti)
		if err != nil {
			t.Fatal(err)
		}
		n, rows := int(ti.Dims[0]), min(int(ti.Dims[1]), 9)
		wStride := n / kqBlock * c.bytes
		const toks = 9
		src := make([]float32, n*toks)
		for j := range src {
			src[j] = float32(rng.NormFloat64())
		}
		aStride := ActQ8_K.RowBytes(n)
		a := make([]byte, toks*aStride)
		for tk := 0; tk < toks; tk++ {
			ActQ8_K.Quantize(a[tk*aStride:(tk+1)*aStride], src[tk*n:(tk+1)*n])
		}
		twin := kqCheckMul(t, c, c.goK.mul, ti.Name+"/go", n, data, wStride, rows, a, aStride, toks)
		impls := map[string]MulFunc{"dispatched": c.mat.Mul}
		for _, v := range kqVariants(*c.goK) {
			impls[v.name] = v.mul
		}
		for name, mul := range impls {
			got := kqCheckMul(t, c, mul, ti.Name+"/"+name, n, data, wStride, rows, a, aStride, toks)
			for j := range got {
				if math.Float32bits(got[j]) != math.Float32bits(twin[j]) {
					t.Fatalf("%s %s: out[%d] = %g, pure-Go twin %g", ti.Name, name, j, got[j], twin[j])
				}
			}
		}
		seen[c.name]++
	}
	if seen["Q4_K"] == 0 || seen["Q6_K"] == 0 {
		t.Fatalf("the Q4_K_M file gave Q4_K/Q6_K tensors %v; want both", seen)
	}
	t.Logf("tensors checked per type: %v", seen)
}

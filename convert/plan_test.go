package convert

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/safetensors"
	"github.com/zqtool/zq/testdata/gencheckpoint/synth"
)

func TestPermuteRows(t *testing.T) {
	tests := []struct {
		d, rows int
		want    []byte // source row index for each output row
	}{
		{2, 2, []byte{0, 1}},
		{4, 4, []byte{0, 2, 1, 3}},
		{8, 8, []byte{0, 4, 1, 5, 2, 6, 3, 7}},
		{4, 8, []byte{0, 2, 1, 3, 4, 6, 5, 7}}, // two heads
	}
	for _, tc := range tests {
		for _, rowBytes := range []int{1, 3} {
			src := make([]byte, tc.rows*rowBytes)
			for i := range src {
				src[i] = byte(i / rowBytes)
			}
			dst := make([]byte, len(src))
			permuteRows(dst, src, tc.d, rowBytes)
			for r, w := range tc.want {
				for k := 0; k < rowBytes; k++ {
					if dst[r*rowBytes+k] != w {
						t.Fatalf("d=%d rows=%d rowBytes=%d: output row %d holds source row %d, want %d", tc.d, tc.rows, rowBytes, r, dst[r*rowBytes+k], w)
					}
				}
			}
		}
	}
}

func TestMapName(t *testing.T) {
	tests := []struct {
		hf, gguf string
		block    int
		ok       bool
	}{
		{"model.embed_tokens.weight", "token_embd.weight", -1, true},
		{"lm_head.weight", "output.weight", -1, true},
		{"model.norm.weight", "output_norm.weight", -1, true},
		{"model.layers.0.input_layernorm.weight", "blk.0.attn_norm.weight", 0, true},
		{"model.layers.31.self_attn.q_proj.weight", "blk.31.attn_q.weight", 31, true},
		{"model.layers.7.self_attn.k_proj.bias", "blk.7.attn_k.bias", 7, true},
		{"model.layers.10.mlp.down_proj.weight", "blk.10.ffn_down.weight", 10, true},
		{"language_model.model.layers.2.post_attention_layernorm.weight", "blk.2.ffn_norm.weight", 2, true},
		{"model.layers.1.input_layernorm.bias", "", 0, false}, // norms have no bias
		{"model.layers.01.mlp.up_proj.weight", "", 0, false},  // not a canonical index
		{"model.layers.x.mlp.up_proj.weight", "", 0, false},
		{"model.layers.0.mlp.up_proj", "", 0, false},
		{"model.layers.0.block_sparse_moe.gate.weight", "", 0, false},
		{"model.embed_tokens.bias", "", 0, false},
	}
	for _, tc := range tests {
		m, ok := llamaArch.mapName(tc.hf)
		if ok != tc.ok || (ok && (m.GGUF != tc.gguf || m.Block != tc.block)) {
			t.Errorf("mapName(%q) = %q block %d ok %v, want %q block %d ok %v", tc.hf, m.GGUF, m.Block, ok, tc.gguf, tc.block, tc.ok)
		}
	}
	if !llamaArch.ignored("model.layers.0.self_attn.rotary_emb.inv_freq") {
		t.Error("rotary_emb.inv_freq should be ignored")
	}
}

func TestLookupArch(t *testing.T) {
	for _, name := range []string{"LlamaForCausalLM", "MistralForCausalLM"} {
		if a, err := LookupArch(name); err != nil || a.Name != "llama" {
			t.Errorf("LookupArch(%q) = %v, %v", name, a, err)
		}
	}
	if _, err := LookupArch("MixtralForCausalLM"); err == nil {
		t.Error("MixtralForCausalLM accepted")
	}
}

func TestTensorType(t *testing.T) {
	tests := []struct {
		name     string
		ne       []uint64
		ft       ggml.FileType
		want     ggml.Type
		fallback bool
	}{
		{"blk.0.attn_norm.weight", []uint64{4096}, ggml.FileTypeMostlyF16, ggml.TypeF32, false},
		{"output_norm.weight", []uint64{4096}, ggml.FileTypeQ8_0, ggml.TypeF32, false},
		{"blk.0.attn_q.bias", []uint64{4096}, ggml.FileTypeMostlyBF16, ggml.TypeF32, false},
		{"token_embd.weight", []uint64{4096, 32000}, ggml.FileTypeMostlyBF16, ggml.TypeBF16, false},
		{"blk.0.ffn_down.weight", []uint64{14336, 4096}, ggml.FileTypeQ8_0, ggml.TypeQ8_0, false},
		{"blk.0.ffn_down.weight", []uint64{100, 4096}, ggml.FileTypeQ8_0, ggml.TypeF16, true},
		{"blk.0.attn_k.weight", []uint64{4096, 1024}, ggml.FileTypeAllF32, ggml.TypeF32, false},
		{"blk.0.attn_k.weight", []uint64{4096, 1024}, ggml.FileTypeMostlyF16, ggml.TypeF16, false},
	}
	for _, tc := range tests {
		got, fb := tensorType(tc.name, tc.ne, tc.ft)
		if got != tc.want || fb != tc.fallback {
			t.Errorf("tensorType(%s, %v, %s) = %s %v, want %s %v", tc.name, tc.ne, tc.ft, got, fb, tc.want, tc.fallback)
		}
	}
}

func TestResolveOutType(t *testing.T) {
	st := func(dt safetensors.DType, shape ...int64) safetensors.TensorInfo {
		return safetensors.TensorInfo{DType: dt, Shape: shape}
	}
	tests := []struct {
		out     string
		tensors []safetensors.TensorInfo
		want    ggml.FileType
	}{
		{"auto", []safetensors.TensorInfo{st(safetensors.BF16, 8, 8)}, ggml.FileTypeMostlyBF16},
		{"", []safetensors.TensorInfo{st(safetensors.F16, 8), st(safetensors.F32, 8, 8), st(safetensors.BF16, 8, 8)}, ggml.FileTypeMostlyBF16},
		{"auto", []safetensors.TensorInfo{st(safetensors.F16, 8, 8), st(safetensors.BF16, 8, 8)}, ggml.FileTypeMostlyF16},
		{"auto", []safetensors.TensorInfo{st(safetensors.F32, 8, 8)}, ggml.FileTypeMostlyF16},
		{"F32", nil, ggml.FileTypeAllF32},
		{"bf16", nil, ggml.FileTypeMostlyBF16},
		{"q8_0", nil, ggml.FileTypeQ8_0},
	}
	for _, tc := range tests {
		got, err := resolveOutType(tc.out, tc.tensors)
		if err != nil || got != tc.want {
			t.Errorf("resolveOutType(%q) = %s, %v, want %s", tc.out, got, err, tc.want)
		}
	}
	if _, err := resolveOutType("q4_0", nil); err == nil {
		t.Error("q4_0 accepted")
	}
}

// TestDeterministic converts the same checkpoint with 1 and 4 workers and
// through Data, which must all give the same bytes.
func TestDeterministic(t *testing.T) {
	dir := genMicro(t, nil)
	p, err := NewPlan(dir, Options{OutType: "q8_0", Threads: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var files [][]byte
	for _, threads := range []int{1, 4} {
		out := filepath.Join(t.TempDir(), "out.gguf")
		if _, err := Execute(context.Background(), p, out, ExecOptions{Threads: threads}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Fatal("1 and 4 workers wrote different files")
	}
	// The file's data section is the concatenation of Data(i), padded.
	var data bytes.Buffer
	for i, ti := range p.Tensors() {
		d, err := p.Data(i)
		if err != nil {
			t.Fatal(err)
		}
		data.Write(d)
		data.Write(make([]byte, (32-ti.Size()%32)%32))
	}
	if !bytes.HasSuffix(files[0], data.Bytes()) {
		t.Fatal("file data differs from Data(i)")
	}
}

// TestSourceDTypes converts F16 and F32 checkpoints: auto picks f16 for
// both, same-type tensors are copied verbatim and the Q/K rows permuted.
func TestSourceDTypes(t *testing.T) {
	for _, dt := range []string{"F16", "F32"} {
		t.Run(dt, func(t *testing.T) {
			dir := genMicro(t, func(s *synth.Spec) { s.DType = dt; s.Layers = 1 })
			outType := map[string]string{"F16": "auto", "F32": "f32"}[dt]
			p, err := NewPlan(dir, Options{OutType: outType})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			want := map[string]ggml.FileType{"F16": ggml.FileTypeMostlyF16, "F32": ggml.FileTypeAllF32}[dt]
			if p.FileType() != want {
				t.Fatalf("file type %s, want %s", p.FileType(), want)
			}
			m, err := safetensors.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			for i, s := range p.Steps() {
				got, err := p.Data(i)
				if err != nil {
					t.Fatal(err)
				}
				src, err := m.Bytes(s.Sources[0])
				if err != nil {
					t.Fatal(err)
				}
				if s.Permute > 0 {
					perm := make([]byte, len(src))
					rowBytes := len(src) / int(s.Dims[1])
					permuteRows(perm, src, int(s.Dims[1])/s.Permute, rowBytes)
					src = perm
				}
				if s.Type.String() == map[string]string{"F16": "f16", "F32": "f32"}[dt] && !bytes.Equal(got, src) {
					t.Errorf("%s: %s data is not the (permuted) source bytes", s.Name, s.Type)
				}
			}
		})
	}
}

// TestTiedEmbeddings converts a checkpoint without lm_head.weight: no
// output.weight is written.
func TestTiedEmbeddings(t *testing.T) {
	dir := genMicro(t, func(s *synth.Spec) { s.TieEmbeddings = true; s.Shards = 1 })
	p, err := NewPlan(dir, Options{OutType: "bf16"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var names []string
	for _, ti := range p.Tensors() {
		names = append(names, ti.Name)
	}
	if len(names) != 2*9+2 || names[0] != "token_embd.weight" || names[len(names)-1] != "output_norm.weight" {
		t.Errorf("tensors %v", names)
	}
}

func TestDefaultFileName(t *testing.T) {
	p, err := NewPlan(microDir, Options{OutType: "q8_0"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if got, want := p.DefaultFileName(), "Micro-Mistral-5.1M-Q8_0.gguf"; got != want {
		t.Errorf("DefaultFileName = %q, want %q", got, want)
	}
	got, err := p.OutputPath("")
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("../testdata/Micro-Mistral-5.1M-Q8_0.gguf")
	if got != abs {
		t.Errorf("OutputPath(\"\") = %q, want %q", got, abs)
	}
	dir := t.TempDir()
	if got, _ := p.OutputPath(dir); got != filepath.Join(dir, "Micro-Mistral-5.1M-Q8_0.gguf") {
		t.Errorf("OutputPath(dir) = %q", got)
	}
	if got, _ := p.OutputPath(filepath.Join(dir, "x.gguf")); got != filepath.Join(dir, "x.gguf") {
		t.Errorf("OutputPath(file) = %q", got)
	}
}

// TestGeneratorDeterministic checks the synthetic checkpoint generator:
// same seed, same bytes, whatever the worker count.
func TestGeneratorDeterministic(t *testing.T) {
	spec, _ := synth.Preset("micro")
	spec.Layers = 1
	hash := func(workers int, seed uint64) [32]byte {
		dir := t.TempDir()
		if err := synth.Generate(dir, spec, synth.Options{Seed: seed, Workers: workers}); err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		for _, f := range []string{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "config.json"} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			h.Write(b)
		}
		return [32]byte(h.Sum(nil))
	}
	a, b, c := hash(1, 3), hash(3, 3), hash(2, 4)
	if !reflect.DeepEqual(a, b) {
		t.Error("worker count changed the generated checkpoint")
	}
	if a == c {
		t.Error("seed did not change the generated checkpoint")
	}
}

// TestLlama3Rope adds llama3 RoPE scaling to the config: a rope_freqs
// tensor of head_dim/2 factors comes first, from 1 (high frequencies) to
// the scaling factor (low frequencies).
func TestLlama3Rope(t *testing.T) {
	dir := genMicro(t, func(s *synth.Spec) { s.Architecture, s.ModelType, s.Layers = "LlamaForCausalLM", "llama", 1 })
	editJSON(t, filepath.Join(dir, "config.json"), func(m map[string]any) {
		m["rope_scaling"] = map[string]any{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
			"high_freq_factor": 4.0, "original_max_position_embeddings": 8192}
	})
	p, err := NewPlan(dir, Options{OutType: "f16"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s := p.Steps()[0]
	if s.Name != "rope_freqs.weight" || s.Type != ggml.TypeF32 || !reflect.DeepEqual(s.Dims, []uint64{16}) || s.Generated == "" {
		t.Fatalf("first step %v", s)
	}
	b, err := p.Data(0)
	if err != nil {
		t.Fatal(err)
	}
	f := make([]float32, 16)
	for i := range f {
		f[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	for i := 1; i < len(f); i++ {
		if f[i] < f[i-1] {
			t.Fatalf("factors not increasing: %v", f)
		}
	}
	if f[0] != 1 || f[15] != 8 {
		t.Errorf("factors %v, want 1 … 8", f)
	}
	if _, ok := p.Metadata().Get("llama.rope.scaling.type"); ok {
		t.Error("llama3 scaling wrote llama.rope.scaling.type")
	}
}

// TestGeneratorDistribution checks that generated weight matrices are
// heavy-tailed (kurtosis well above a normal's 3) and have outlier columns.
func TestGeneratorDistribution(t *testing.T) {
	dir := genMicro(t, func(s *synth.Spec) { s.Layers = 1 })
	m, err := safetensors.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	name := "model.layers.0.mlp.gate_proj.weight" // [768, 256]
	x, err := m.Float32(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	var s2, s4 float64
	for _, v := range x {
		s2 += float64(v) * float64(v)
		s4 += math.Pow(float64(v), 4)
	}
	n := float64(len(x))
	k := (s4 / n) / math.Pow(s2/n, 2)
	t.Logf("%s: kurtosis %.2f", name, k)
	if k < 4 {
		t.Errorf("%s: kurtosis %.2f, want heavy tails (> 4)", name, k)
	}
	const rows, cols = 768, 256
	colMax := make([]float64, cols)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			colMax[c] = max(colMax[c], math.Abs(float64(x[r*cols+c])))
		}
	}
	sorted := append([]float64(nil), colMax...)
	slices.Sort(sorted)
	median := sorted[cols/2]
	t.Logf("%s: column max %.4f, median column max %.4f", name, sorted[cols-1], median)
	if sorted[cols-1] < 4*median {
		t.Errorf("%s: largest column max %.4f is not an outlier (median column max %.4f)", name, sorted[cols-1], median)
	}
}

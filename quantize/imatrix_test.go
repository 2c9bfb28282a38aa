package quantize

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
)

// imatrixData is raw calibration data: per entry the squared-activation
// sums (ne0 × n_mat) and the token counts (n_mat).
type imatrixData struct {
	sums   map[string][]float32
	counts map[string][]float32
}

func f32bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// writeImatrixGGUF writes d in llama-imatrix's GGUF layout.
func writeImatrixGGUF(t *testing.T, path string, d imatrixData, dims map[string][2]uint64) {
	t.Helper()
	md := gguf.Metadata{
		{Key: "general.type", Value: gguf.String("imatrix")},
		{Key: "imatrix.datasets", Value: gguf.Strings([]string{"calib.txt", "more.txt"})},
		{Key: "imatrix.chunk_count", Value: gguf.Uint32(31)},
		{Key: "imatrix.chunk_size", Value: gguf.Uint32(512)},
	}
	var names []string
	for n := range d.sums {
		names = append(names, n)
	}
	sort.Strings(names)
	var infos []gguf.TensorInfo
	var data [][]byte
	for _, n := range names {
		ne := dims[n]
		sumDims, cntDims := []uint64{ne[0], ne[1]}, []uint64{1, ne[1]}
		if ne[1] == 1 {
			sumDims, cntDims = []uint64{ne[0]}, []uint64{1}
		}
		infos = append(infos, gguf.TensorInfo{Name: n + ".in_sum2", Dims: sumDims, Type: ggml.TypeF32},
			gguf.TensorInfo{Name: n + ".counts", Dims: cntDims, Type: ggml.TypeF32})
		data = append(data, f32bytes(d.sums[n]), f32bytes(d.counts[n]))
	}
	w, err := gguf.Create(path, md, infos)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range data {
		if err := w.WriteTensor(i, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeImatrixDat writes entries in the legacy .dat layout with ncall calls:
// stored values are importance·ncall.
func writeImatrixDat(t *testing.T, path string, entries map[string][]float32, ncall int32, dataset string) {
	t.Helper()
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	var names []string
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	le(int32(len(names)))
	for _, n := range names {
		le(int32(len(n)))
		b.WriteString(n)
		le(ncall)
		le(int32(len(entries[n])))
		for _, v := range entries[n] {
			le(v * float32(ncall))
		}
	}
	if dataset != "" {
		le(int32(17))
		le(int32(len(dataset)))
		b.WriteString(dataset)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// randomImatrix makes calibration data for the micro model's attention and
// ffn weights (and an expert-like 2-matrix entry with one empty row).
func randomImatrix(seed uint64) (imatrixData, map[string][2]uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := imatrixData{sums: map[string][]float32{}, counts: map[string][]float32{}}
	dims := map[string][2]uint64{}
	add := func(name string, ne0, nmat int, counts ...float32) {
		s := make([]float32, ne0*nmat)
		for i := range s {
			s[i] = float32(rng.ExpFloat64()) * 300
		}
		d.sums[name], d.counts[name], dims[name] = s, counts, [2]uint64{uint64(ne0), uint64(nmat)}
	}
	for _, l := range []string{"0", "1", "2", "3"} {
		for _, w := range []string{"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up"} {
			add("blk."+l+"."+w+".weight", 256, 1, 3968)
		}
		add("blk."+l+".ffn_down.weight", 768, 1, 3968)
	}
	add("blk.0.ffn_down_exps.weight", 8, 2, 100, 0)
	return d, dims
}

func TestImatrixFormats(t *testing.T) {
	dir := t.TempDir()
	d, dims := randomImatrix(7)
	gp := filepath.Join(dir, "imatrix.gguf")
	writeImatrixGGUF(t, gp, d, dims)
	m, err := LoadImatrix(gp)
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != "gguf" || m.ChunkCount != 31 || m.ChunkSize != 512 || !reflect.DeepEqual(m.Datasets, []string{"calib.txt", "more.txt"}) {
		t.Errorf("gguf header: %+v", m)
	}
	if len(m.Entries) != len(d.sums) {
		t.Fatalf("%d entries, want %d", len(m.Entries), len(d.sums))
	}
	for name, sums := range d.sums {
		ne0 := int(dims[name][0])
		got := m.Entries[name]
		for i, s := range sums {
			c := d.counts[name][i/ne0]
			want := float32(1)
			if c > 0 {
				want = s / c
			}
			if got[i] != want {
				t.Fatalf("%s[%d] = %v, want %v", name, i, got[i], want)
			}
		}
	}

	dp := filepath.Join(dir, "imatrix.dat")
	writeImatrixDat(t, dp, m.Entries, 4, "calib.txt")
	md, err := LoadImatrix(dp)
	if err != nil {
		t.Fatal(err)
	}
	if md.Format != "dat" || md.ChunkCount != 17 || !reflect.DeepEqual(md.Datasets, []string{"calib.txt"}) {
		t.Errorf("dat header: %+v", md)
	}
	for name, want := range m.Entries {
		for i := range want {
			if w := want[i] * 4 / 4; md.Entries[name][i] != w {
				t.Fatalf("dat %s[%d] = %v, want %v", name, i, md.Entries[name][i], w)
			}
		}
	}

	// --include-weights / --exclude-weights.
	md.Filter(nil, []string{"ffn_", "blk.3."})
	if n := len(md.Entries); n != 12 {
		t.Errorf("after excluding ffn_ and blk.3.: %d entries, want 12 (%v)", n, md.Names())
	}
	md.Filter([]string{"attn_v", "attn_k"}, nil)
	if got := md.Names(); !reflect.DeepEqual(got, []string{"blk.0.attn_k.weight", "blk.0.attn_v.weight",
		"blk.1.attn_k.weight", "blk.1.attn_v.weight", "blk.2.attn_k.weight", "blk.2.attn_v.weight"}) {
		t.Errorf("after including attn_v, attn_k: %v", got)
	}

	// Corrupt and truncated files are errors naming the file, never panics.
	raw, _ := os.ReadFile(dp)
	for _, n := range []int{0, 3, 9, 40, len(raw) - 3} {
		p := filepath.Join(dir, "bad.dat")
		os.WriteFile(p, raw[:n], 0o644)
		if _, err := LoadImatrix(p); err == nil || !strings.Contains(err.Error(), "bad.dat") {
			t.Errorf("truncated to %d bytes: %v", n, err)
		}
	}
	bad := append([]byte(nil), raw...)
	binary.LittleEndian.PutUint32(bad[4:], 0x7fffffff) // absurd name length
	os.WriteFile(filepath.Join(dir, "bad2.dat"), bad, 0o644)
	if _, err := LoadImatrix(filepath.Join(dir, "bad2.dat")); err == nil {
		t.Error("absurd name length accepted")
	}
	// A GGUF without the imatrix keys is refused.
	if _, err := LoadImatrix(refF16); err == nil || !strings.Contains(err.Error(), "imatrix.") {
		t.Errorf("model GGUF as imatrix: %v", err)
	}
}

// TestRunWithImatrix checks that importance values reach the quantizer:
// the output differs from a plain run, equals a direct quantization with
// the same weights, and carries llama-quantize's quantize.imatrix.* keys.
func TestRunWithImatrix(t *testing.T) {
	dir := t.TempDir()
	d, dims := randomImatrix(11)
	gp := filepath.Join(dir, "imatrix.gguf")
	writeImatrixGGUF(t, gp, d, dims)
	m, err := LoadImatrix(gp)
	if err != nil {
		t.Fatal(err)
	}
	delete(m.Entries, "blk.0.ffn_down_exps.weight")
	src := openRef(t)
	p, _ := ParsePreset("Q3_K_S")
	out := filepath.Join(dir, "imat.gguf")
	sum, err := Run(context.Background(), src, out, Options{Preset: p, Imatrix: m, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if sum.ImatrixEntries != 28 {
		t.Errorf("summary imatrix entries %d", sum.ImatrixEntries)
	}
	checkAgainstReference(t, refF16, out, m.Entries)

	// Compared with llama-quantize's plain Q3_K_S: every tensor with
	// importance data changes, the others (token_embd, norms) do not.
	plain := loadDump(t, filepath.Join(refDir, "quant-Q3_K_S.json"))
	b, err := gguf.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i, rt := range plain.Tensors {
		data, _ := b.TensorData(&b.Tensors[i])
		h := sha256.Sum256(data)
		_, hasW := m.Entries[rt.Name]
		if differ := hex.EncodeToString(h[:]) != rt.SHA256; differ != hasW {
			t.Errorf("%s: differs from the plain quantization = %v, has importance data = %v", rt.Name, differ, hasW)
		}
	}
	n := len(b.Metadata)
	wantKeys := []string{"general.quantization_version", "general.file_type", "quantize.imatrix.file",
		"quantize.imatrix.dataset", "quantize.imatrix.entries_count", "quantize.imatrix.chunks_count"}
	var gotKeys []string
	for _, kv := range b.Metadata[n-6:] {
		gotKeys = append(gotKeys, kv.Key)
	}
	if !reflect.DeepEqual(gotKeys, wantKeys) {
		t.Errorf("trailing keys %v, want %v", gotKeys, wantKeys)
	}
	if s, _ := b.Metadata.String("quantize.imatrix.file"); s != gp {
		t.Errorf("quantize.imatrix.file = %q", s)
	}
	if s, _ := b.Metadata.String("quantize.imatrix.dataset"); s != "calib.txt" {
		t.Errorf("quantize.imatrix.dataset = %q", s)
	}
	if x, _ := b.Metadata.Uint32("quantize.imatrix.entries_count"); x != 28 {
		t.Errorf("entries_count = %d", x)
	}
	if x, _ := b.Metadata.Uint32("quantize.imatrix.chunks_count"); x != 31 {
		t.Errorf("chunks_count = %d", x)
	}

	// Q2_K_S needs importance data for every Q2_K tensor but token_embd.
	q2ks, _ := ParsePreset("Q2_K_S")
	delete(m.Entries, "blk.2.ffn_up.weight")
	if _, err := Run(context.Background(), src, filepath.Join(dir, "bad.gguf"), Options{Preset: q2ks, Imatrix: m}); err == nil || !strings.Contains(err.Error(), "blk.2.ffn_up.weight") {
		t.Errorf("Q2_K_S with a missing entry: %v", err)
	}

	// A wrongly sized entry is refused, naming the tensor.
	m.Entries["blk.1.attn_q.weight"] = m.Entries["blk.1.attn_q.weight"][:100]
	if _, err := Run(context.Background(), src, filepath.Join(dir, "bad.gguf"), Options{Preset: p, Imatrix: m}); err == nil || !strings.Contains(err.Error(), "blk.1.attn_q.weight") {
		t.Errorf("wrong imatrix size: %v", err)
	}
	m.Entries["blk.1.attn_q.weight"] = make([]float32, 256)
	m.Entries["blk.1.attn_q.weight"][3] = float32(math.NaN())
	if _, err := Run(context.Background(), src, filepath.Join(dir, "bad.gguf"), Options{Preset: p, Imatrix: m}); err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Errorf("NaN in imatrix: %v", err)
	}
}

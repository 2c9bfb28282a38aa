package safetensors

import (
	"bytes"
	"math"
	"runtime"
	"strings"
	"testing"
)

func TestParseFileMalformed(t *testing.T) {
	data16 := make([]byte, 16)
	ok := map[string]spec{"a": f32Entry(0, 2), "b": f32Entry(8, 2)}
	for _, tc := range []struct {
		name string
		file []byte
		want []string // substrings the error must contain
	}{
		{"empty file", nil, []string{"too short", "truncated header"}},
		{"truncated length field", []byte{1, 0, 0}, []string{"too short"}},
		{"truncated header", rawFile(100, []byte(`{"a":`), nil), []string{"header length 100", "truncated header"}},
		{"absurd header length", rawFile(1<<62, []byte(`{}`), nil), []string{"absurd header length"}},
		{"header length just over limit", rawFile(MaxHeaderSize+1, []byte(`{}`), nil), []string{"limit"}},
		{"header length too small", rawFile(1, []byte(`{`), nil), []string{"too small"}},
		{"header not JSON", stFile([]byte(`{"a": nope}`), nil), []string{"not JSON"}},
		{"header trailing garbage", stFile([]byte(`{} {}`), nil), []string{"not JSON"}},
		{"header null", stFile([]byte(`null`), nil), []string{"not a JSON object"}},
		{"header array", stFile([]byte(`[1, 2]`), nil), []string{"not a JSON object"}},
		{"header not UTF-8", stFile([]byte("{\"\xff\": 1}"), nil), []string{"UTF-8"}},
		{"entry not an object", stFile([]byte(`{"a": 5}`), nil), []string{`"a"`, "not a JSON object"}},
		{"metadata not an object", stFile([]byte(`{"__metadata__": "pt"}`), nil), []string{"__metadata__", "not a JSON object"}},
		{"truncated data", stFile(headerJSON(t, ok, nil), data16[:12]), []string{`"b"`, "out of range", "truncated data"}},
		{"offsets out of range", stFile(headerJSON(t, map[string]spec{"a": {"F32", []int{2}, []int64{1 << 40, 1<<40 + 8}}}, nil), data16),
			[]string{`"a"`, "out of range"}},
		{"offsets reversed", stFile(headerJSON(t, map[string]spec{"a": {"F32", []int{0}, []int{8, 0}}}, nil), data16),
			[]string{`"a"`, "end before they begin"}},
		{"overlapping offsets", stFile(headerJSON(t, map[string]spec{"a": f32Entry(0, 3), "b": f32Entry(8, 2)}, nil), data16),
			[]string{`"b"`, `"a"`, "overlaps"}},
		{"zero-size tensor inside another", stFile(headerJSON(t, map[string]spec{"a": f32Entry(0, 4), "z": {"F32", []int{0}, []int{8, 8}}}, nil), data16),
			[]string{`"z"`, "overlaps"}},
		{"hole between tensors", stFile(headerJSON(t, map[string]spec{"a": f32Entry(0, 1), "b": f32Entry(8, 2)}, nil), data16),
			[]string{"hole", `"b"`, "[4, 8)"}},
		{"hole at start", stFile(headerJSON(t, map[string]spec{"a": f32Entry(4, 3)}, nil), data16),
			[]string{"hole", `"a"`}},
		{"trailing bytes", stFile(headerJSON(t, map[string]spec{"a": f32Entry(0, 2)}, nil), data16),
			[]string{"hole", "trailing", "[8, 16)"}},
		{"shape/length mismatch", stFile(headerJSON(t, map[string]spec{"a": {"F32", []int{2, 3}, []int{0, 16}}}, nil), data16),
			[]string{`"a"`, "mismatch", "needs 24"}},
		{"dtype size mismatch", stFile(headerJSON(t, map[string]spec{"a": {"BF16", []int{4}, []int{0, 16}}}, nil), data16),
			[]string{`"a"`, "mismatch"}},
		{"unknown dtype", stFile(headerJSON(t, map[string]spec{"a": {"Q4_K", []int{4}, []int{0, 16}}}, nil), data16),
			[]string{`"a"`, "Q4_K"}},
		{"dtype not a string", stFile(headerJSON(t, map[string]spec{"a": {7, []int{4}, []int{0, 16}}}, nil), data16),
			[]string{`"a"`, "dtype"}},
		{"negative dim", stFile(headerJSON(t, map[string]spec{"a": {"F32", []int{-4}, []int{0, 16}}}, nil), data16),
			[]string{`"a"`, "shape"}},
		{"fractional dim", stFile(headerJSON(t, map[string]spec{"a": {"F32", []float64{1.5}, []int{0, 16}}}, nil), data16),
			[]string{`"a"`, "shape"}},
		{"dim over int64", stFile(headerJSON(t, map[string]spec{"a": {"U8", []uint64{math.MaxUint64}, []int{0, 16}}}, nil), data16),
			[]string{`"a"`, "overflows"}},
		{"dims product overflows", stFile(headerJSON(t, map[string]spec{"a": {"F32", []uint64{1 << 32, 1 << 32}, []int{0, 16}}}, nil), data16),
			[]string{`"a"`, "overflows"}},
		{"bytes overflow", stFile(headerJSON(t, map[string]spec{"a": {"F64", []uint64{1 << 61}, []int{0, 16}}}, nil), data16),
			[]string{`"a"`, "overflows"}},
		{"huge dims with a zero", stFile(headerJSON(t, map[string]spec{"a": {"F32", []uint64{0, 1 << 40, 1 << 40}, []int{0, 16}}}, nil), data16),
			[]string{`"a"`, "mismatch"}},
		{"negative offset", stFile(headerJSON(t, map[string]spec{"a": {"F32", []int{4}, []int{-16, 0}}}, nil), data16),
			[]string{`"a"`, "data_offsets"}},
		{"three offsets", stFile(headerJSON(t, map[string]spec{"a": {"F32", []int{4}, []int{0, 8, 16}}}, nil), data16),
			[]string{`"a"`, "data_offsets"}},
		{"missing shape", stFile([]byte(`{"a":{"dtype":"F32","data_offsets":[0,16],"x":1}}`), data16),
			[]string{`"a"`, "shape"}},
		{"extra key", stFile([]byte(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16],"x":1}}`), data16),
			[]string{`"a"`, "keys"}},
		{"metadata value not a string", stFile(headerJSON(t, nil, map[string]any{"format": 1}), nil),
			[]string{"__metadata__", "format"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			p, err := parseFile("x.safetensors", tc.file)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatalf("no error; parsed %+v", p.tensors)
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			// Lying lengths must not turn into allocations.
			if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
				t.Errorf("parsing a %d-byte file allocated %d bytes", len(tc.file), d)
			}
		})
	}
}

func TestParseFileValid(t *testing.T) {
	data := make([]byte, 40)
	for i := range data {
		data[i] = byte(i)
	}
	entries := map[string]spec{
		"w.b":    {"BF16", []int{2, 3}, []int{28, 40}},
		"w.a":    {"F32", []int{2, 2}, []int{0, 16}},
		"scalar": {"I32", []int{}, []int{16, 20}},
		"empty":  {"F16", []int{0, 5}, []int{20, 20}},
		"bytes":  {"U8", []int{8}, []int{20, 28}},
	}
	meta := map[string]any{"format": "pt"}
	hdr := headerJSON(t, entries, meta)
	padded := append(append([]byte{}, hdr...), bytes.Repeat([]byte{' '}, 8-len(hdr)%8)...)
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"unpadded", stFile(hdr, data)},
		{"space padded", stFile(padded, data)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseFile("s.safetensors", tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if p.metadata["format"] != "pt" || len(p.metadata) != 1 {
				t.Errorf("metadata = %v", p.metadata)
			}
			dataStart := int64(len(tc.file) - len(data))
			want := []TensorInfo{
				{Name: "bytes", DType: U8, Shape: []int64{8}, Offset: 20, Size: 8},
				{Name: "empty", DType: F16, Shape: []int64{0, 5}, Offset: 20, Size: 0},
				{Name: "scalar", DType: I32, Shape: []int64{}, Offset: 16, Size: 4},
				{Name: "w.a", DType: F32, Shape: []int64{2, 2}, Offset: 0, Size: 16},
				{Name: "w.b", DType: BF16, Shape: []int64{2, 3}, Offset: 28, Size: 12},
			}
			if len(p.tensors) != len(want) {
				t.Fatalf("got %d tensors, want %d", len(p.tensors), len(want))
			}
			for i, w := range want {
				g := p.tensors[i]
				w.Offset += dataStart
				w.Shard = "s.safetensors"
				if g.Name != w.Name || g.DType != w.DType || !equalInts(g.Shape, w.Shape) ||
					g.Shard != w.Shard || g.Offset != w.Offset || g.Size != w.Size {
					t.Errorf("tensor %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestParseFileEmptyHeader(t *testing.T) {
	p, err := parseFile("e", stFile([]byte(`{}      `), nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.tensors) != 0 || len(p.metadata) != 0 {
		t.Errorf("got %v %v", p.tensors, p.metadata)
	}
}

func TestNumElements(t *testing.T) {
	for _, tc := range []struct {
		shape []int64
		want  int64
	}{
		{nil, 1},
		{[]int64{7}, 7},
		{[]int64{2, 3, 4}, 24},
		{[]int64{5, 0}, 0},
	} {
		if got := (TensorInfo{Shape: tc.shape}).NumElements(); got != tc.want {
			t.Errorf("NumElements(%v) = %d, want %d", tc.shape, got, tc.want)
		}
	}
}

func TestDTypeSize(t *testing.T) {
	for _, tc := range []struct {
		d    DType
		want int
	}{
		{BOOL, 1}, {U8, 1}, {I8, 1}, {I16, 2}, {U16, 2}, {F16, 2}, {BF16, 2},
		{I32, 4}, {U32, 4}, {F32, 4}, {F64, 8}, {I64, 8}, {U64, 8}, {"Q4_K", 0}, {"", 0},
	} {
		if got := tc.d.Size(); got != tc.want {
			t.Errorf("%q.Size() = %d, want %d", tc.d, got, tc.want)
		}
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

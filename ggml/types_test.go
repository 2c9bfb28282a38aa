package ggml

import "testing"

func TestTypeTable(t *testing.T) {
	for _, c := range []struct {
		typ       Type
		name      string
		block, sz int
		bpw       float64
		quantized bool
	}{
		{TypeF32, "f32", 1, 4, 32, false},
		{TypeF16, "f16", 1, 2, 16, false},
		{TypeBF16, "bf16", 1, 2, 16, false},
		{TypeQ4_0, "q4_0", 32, 18, 4.5, true},
		{TypeQ8_0, "q8_0", 32, 34, 8.5, true},
		{TypeQ2_K, "q2_K", 256, 84, 2.625, true},
		{TypeQ4_K, "q4_K", 256, 144, 4.5, true},
		{TypeQ6_K, "q6_K", 256, 210, 6.5625, true},
		{TypeQ8_K, "q8_K", 256, 292, 9.125, true},
		{TypeIQ4_XS, "iq4_xs", 256, 136, 4.25, true},
		{TypeTQ1_0, "tq1_0", 256, 54, 1.6875, true},
		{TypeMXFP4, "mxfp4", 32, 17, 4.25, true},
	} {
		if !c.typ.Valid() || c.typ.String() != c.name || c.typ.BlockSize() != c.block ||
			c.typ.TypeSize() != c.sz || c.typ.BitsPerWeight() != c.bpw || c.typ.Traits().Quantized != c.quantized {
			t.Errorf("%d: got %+v", c.typ, c.typ.Traits())
		}
		if p, err := ParseType(c.name); err != nil || p != c.typ {
			t.Errorf("ParseType(%q) = %v, %v", c.name, p, err)
		}
	}
	for _, retired := range []Type{4, 5, 31, 32, 33, 36, 37, 38, 40, 1000} {
		if retired.Valid() {
			t.Errorf("type %d should be invalid", retired)
		}
		if _, err := retired.RowSize(32); err == nil {
			t.Errorf("RowSize of invalid type %d succeeded", retired)
		}
	}
	if n := len(Types()); n != 32 {
		t.Errorf("%d valid types, want 32", n)
	}
	if _, err := ParseType("Q4_K"); err != nil {
		t.Error("ParseType is not case-insensitive")
	}
	if _, err := ParseType("q4_k_m"); err == nil {
		t.Error("a preset name parsed as a tensor type")
	}
}

func TestRowSize(t *testing.T) {
	if n, err := TypeQ4_K.RowSize(4096); err != nil || n != 16*144 {
		t.Errorf("RowSize = %d, %v", n, err)
	}
	if _, err := TypeQ4_K.RowSize(1000); err == nil {
		t.Error("row of 1000 accepted for q4_K")
	}
}

func TestFileTypeNames(t *testing.T) {
	for ft, want := range map[FileType]string{FileTypeMostlyF16: "F16", FileTypeQ4_K_M: "Q4_K_M",
		FileTypeMostlyBF16: "BF16", FileTypeTQ2_0: "TQ2_0", 4: "ftype(4)"} {
		if got := ft.String(); got != want {
			t.Errorf("FileType(%d) = %s, want %s", ft, got, want)
		}
	}
	if FileType(5).Known() || !FileTypeQ8_0.Known() {
		t.Error("Known is wrong")
	}
}

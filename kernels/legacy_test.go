package kernels

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestQ8_1MatchesQ8_0 checks that Q8_1 carries Q8_0's scale and codes plus
// s = fp16(d·Σq) with the unrounded d (there is no golden file for Q8_1).
func TestQ8_1MatchesQ8_0(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x := make([]float32, 4*32)
	for i := range x {
		x[i] = float32(rng.NormFloat64()) * 3
	}
	x[40] = 0 // a zero inside a block
	q0 := make([]byte, 4*blockQ8_0)
	q1 := make([]byte, 4*blockQ8_1)
	QuantizeQ8_0(q0, x)
	QuantizeQ8_1(q1, x)
	for ib := range 4 {
		b0, b1 := q0[ib*blockQ8_0:], q1[ib*blockQ8_1:]
		if !bytes.Equal(b0[:2], b1[:2]) || !bytes.Equal(b0[2:34], b1[4:36]) {
			t.Fatalf("block %d: Q8_1 scale/codes differ from Q8_0", ib)
		}
		var amax float32
		var sum int
		for j := range 32 {
			amax = max(amax, absC(x[ib*32+j]))
			sum += int(int8(b1[4+j]))
		}
		if got, want := binary.LittleEndian.Uint16(b1[2:]), F32ToF16(float32(sum)*(amax/127)); got != want {
			t.Fatalf("block %d: s = %#04x, want %#04x", ib, got, want)
		}
	}
}

// TestLegacyZeroBlocks pins the documented all-zero encodings: Q4_0 and
// Q5_0 store d = −0 (0x8000) with mid codes.
func TestLegacyZeroBlocks(t *testing.T) {
	x := make([]float32, 32)
	q4 := make([]byte, blockQ4_0)
	QuantizeQ4_0(q4, x, nil)
	if binary.LittleEndian.Uint16(q4) != 0x8000 || q4[2] != 0x88 || q4[17] != 0x88 {
		t.Errorf("Q4_0 of zeros = % x", q4)
	}
	q5 := make([]byte, blockQ5_0)
	QuantizeQ5_0(q5, x, nil)
	if binary.LittleEndian.Uint16(q5) != 0x8000 || binary.LittleEndian.Uint32(q5[2:]) != 0xffffffff || q5[6] != 0 {
		t.Errorf("Q5_0 of zeros = % x", q5)
	}
}

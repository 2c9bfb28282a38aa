package kernels

import "testing"

// TestTritPacking encodes every five-trit group and decodes each position.
func TestTritPacking(t *testing.T) {
	for v := 0; v < 243; v++ {
		var tr [5]uint8
		for n, r := 4, v; n >= 0; n-- {
			tr[n] = uint8(r % 3)
			r /= 3
		}
		b := packTrits(tr[:]...)
		for n := range 5 {
			if got := tritAt(b, n) + 1; got != float32(tr[n]) {
				t.Fatalf("v=%d: byte %#02x position %d decodes to %v, want %d", v, b, n, got, tr[n])
			}
		}
	}
}

// TestTernaryWorkedBlocks checks the documented all-zero and all-0.5 blocks.
func TestTernaryWorkedBlocks(t *testing.T) {
	for _, c := range []struct {
		val         float32
		qs, qh, tq2 byte
		dLo, dHi    byte
	}{{0, 0x80, 0x7f, 0x55, 0x00, 0x00}, {0.5, 0xff, 0xfd, 0xaa, 0x00, 0x38}} {
		x := make([]float32, 256)
		for i := range x {
			x[i] = c.val
		}
		b1 := make([]byte, blockTQ1)
		QuantizeTQ1_0(b1, x)
		for i := range 48 {
			if b1[i] != c.qs {
				t.Fatalf("TQ1_0 of %v: qs[%d] = %#02x, want %#02x", c.val, i, b1[i], c.qs)
			}
		}
		for i := 48; i < 52; i++ {
			if b1[i] != c.qh {
				t.Fatalf("TQ1_0 of %v: qh[%d] = %#02x, want %#02x", c.val, i-48, b1[i], c.qh)
			}
		}
		if b1[52] != c.dLo || b1[53] != c.dHi {
			t.Fatalf("TQ1_0 of %v: d = %#02x%02x", c.val, b1[53], b1[52])
		}
		b2 := make([]byte, blockTQ2)
		QuantizeTQ2_0(b2, x)
		for i := range 64 {
			if b2[i] != c.tq2 {
				t.Fatalf("TQ2_0 of %v: qs[%d] = %#02x, want %#02x", c.val, i, b2[i], c.tq2)
			}
		}
		if b2[64] != c.dLo || b2[65] != c.dHi {
			t.Fatalf("TQ2_0 of %v: d = %#02x%02x", c.val, b2[65], b2[64])
		}
	}
}

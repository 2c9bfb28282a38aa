package kernels

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAttendF16MatchesTwin checks AttendF16 (the assembly where the CPU
// has it) against its pure-Go twin bit for bit: head sizes with and
// without whole groups of eight, one to many positions, a fresh and a
// continued state, and scores that rise at every position (a rescale
// each time), stay equal, fall far below the maximum (weights of 0) or
// are −Inf.
func TestAttendF16MatchesTwin(t *testing.T) {
	patterns := []string{"random", "rising", "equal", "spread", "neginf"}
	for _, hd := range []int{8, 64, 72, 128, 5} {
		for _, cnt := range []int{1, 7, 64, 4096} {
			for _, pat := range patterns {
				for _, fresh := range []bool{true, false} {
					name := fmt.Sprintf("hd%d/cnt%d/%s/fresh=%v", hd, cnt, pat, fresh)
					r := rand.New(rand.NewPCG(uint64(hd*1000+cnt), uint64(len(pat))))
					vStride := 2*hd + 6
					v := make([]byte, (cnt-1)*vStride+2*hd)
					fillF16(r, v, 4)
					scores := make([]float32, cnt)
					for i := range scores {
						switch pat {
						case "random":
							scores[i] = float32(r.NormFloat64() * 3)
						case "rising":
							scores[i] = float32(i)*0.37 - 2
						case "equal":
							scores[i] = 1.25
						case "spread":
							scores[i] = float32(r.NormFloat64() * 400)
						case "neginf":
							scores[i] = float32(math.Inf(-1))
							if i%3 == 1 {
								scores[i] = float32(r.NormFloat64())
							}
						}
					}
					acc := make([]byte, 2*hd)
					st := [2]float32{float32(math.Inf(-1)), 0}
					if !fresh {
						fillF16(r, acc, 1)
						st = [2]float32{0.5, 3.25}
					}
					acc2, st2 := bytes.Clone(acc), st
					const scale = 0.125
					AttendF16(acc, v, vStride, scores, scale, &st)
					attendF16Go(acc2, v, vStride, scores, scale, &st2)
					if !bytes.Equal(acc, acc2) {
						t.Fatalf("%s: accumulator differs from the twin", name)
					}
					if math.Float32bits(st[0]) != math.Float32bits(st2[0]) || math.Float32bits(st[1]) != math.Float32bits(st2[1]) {
						t.Fatalf("%s: state %v, twin %v", name, st, st2)
					}
				}
			}
		}
	}
}

// TestAttendF16Exponentials checks every exponential AttendF16 forms
// against Expf: one score at or below the running maximum with a zero
// sum leaves exactly e^(s−max) in the sum; one above it, with sum 1,
// leaves e^(max−s)+1 computed as the twin does.
func TestAttendF16Exponentials(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	acc, v := make([]byte, 16), make([]byte, 16)
	for i := 0; i < 200000; i++ {
		s := -float32(r.ExpFloat64() * 20)
		if i%10 == 0 {
			s = -float32(r.Float64() * 0.05)
		}
		st := [2]float32{0, 0}
		AttendF16(acc, v, 16, []float32{s}, 1, &st)
		if want := Expf(s); math.Float32bits(st[1]) != math.Float32bits(want) {
			t.Fatalf("weight of score %v below the maximum: %v, Expf %v", s, st[1], want)
		}
		st = [2]float32{s, 1}
		st2 := st
		AttendF16(acc, v, 16, []float32{0}, 1, &st)
		attendF16Go(make([]byte, 16), v, 16, []float32{0}, 1, &st2)
		if math.Float32bits(st[1]) != math.Float32bits(st2[1]) {
			t.Fatalf("rescale from maximum %v: sum %v, twin %v", s, st[1], st2[1])
		}
	}
}

// fillF16 fills b with float16 values drawn from a normal distribution of
// standard deviation sigma.
func fillF16(r *rand.Rand, b []byte, sigma float64) {
	for i := 0; i+1 < len(b); i += 2 {
		h := F32ToF16(float32(r.NormFloat64() * sigma))
		b[i], b[i+1] = byte(h), byte(h>>8)
	}
}

package kernels

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAttendF16GroupMatchesHeads checks AttendF16Group (four heads at a
// time in assembly where the CPU has it) against the Go twin run head by
// head, bit for bit: group sizes with and without whole fours, head sizes
// with and without whole sixteens, one to many positions, fresh and
// continued states, and scores that rise at every position, stay equal,
// spread far (weights of 0) or mix per head.
func TestAttendF16GroupMatchesHeads(t *testing.T) {
	for _, g := range []int{1, 3, 4, 5, 8} {
		for _, hd := range []int{16, 64, 128, 8, 72, 256, 272} {
			for _, cnt := range []int{1, 7, 64, 300} {
				for _, pat := range []string{"random", "rising", "equal", "spread", "mixed"} {
					for _, fresh := range []bool{true, false} {
						name := fmt.Sprintf("g%d/hd%d/cnt%d/%s/fresh=%v", g, hd, cnt, pat, fresh)
						checkAttendGroup(t, name, g, hd, cnt, pat, fresh)
					}
				}
			}
		}
	}
}

func checkAttendGroup(t *testing.T, name string, g, hd, cnt int, pat string, fresh bool) {
	r := rand.New(rand.NewPCG(uint64(g*100000+hd*1000+cnt), uint64(len(pat))))
	hb, vStride, sStride := 2*hd, 2*hd+10, cnt+3
	v := make([]byte, (cnt-1)*vStride+hb)
	fillF16(r, v, 4)
	scores := make([]float32, (g-1)*sStride+cnt)
	for i := range scores {
		h, p := i/sStride, i%sStride
		switch pat {
		case "random":
			scores[i] = float32(r.NormFloat64() * 3)
		case "rising":
			scores[i] = float32(p)*0.37 - 2
		case "equal":
			scores[i] = 1.25
		case "spread":
			scores[i] = float32(r.NormFloat64() * 400)
		case "mixed": // head h rises at every h+1-th position
			scores[i] = float32(r.NormFloat64())
			if p%(h+1) == 0 {
				scores[i] = float32(p) * 0.5
			}
		}
	}
	acc := make([]byte, g*hb)
	m, s := make([]float32, g), make([]float32, g)
	for i := range m {
		m[i] = float32(math.Inf(-1))
	}
	if !fresh {
		fillF16(r, acc, 1)
		for i := range m {
			m[i], s[i] = float32(i)*0.25, 3.25+float32(i)
		}
	}
	acc2, m2, s2 := bytes.Clone(acc), append([]float32(nil), m...), append([]float32(nil), s...)
	const scale = 0.125
	AttendF16Group(acc, hb, v, vStride, scores, sStride, cnt, scale, m, s)
	for i := 0; i < g; i++ {
		st := [2]float32{m2[i], s2[i]}
		attendF16Go(acc2[i*hb:(i+1)*hb], v, vStride, scores[i*sStride:i*sStride+cnt], scale, &st)
		m2[i], s2[i] = st[0], st[1]
	}
	if !bytes.Equal(acc, acc2) {
		t.Fatalf("%s: accumulators differ from the twin", name)
	}
	for i := range m {
		if math.Float32bits(m[i]) != math.Float32bits(m2[i]) || math.Float32bits(s[i]) != math.Float32bits(s2[i]) {
			t.Fatalf("%s: head %d state (%v, %v), twin (%v, %v)", name, i, m[i], s[i], m2[i], s2[i])
		}
	}
}

func BenchmarkAttendF16Group(b *testing.B) {
	const g, hd, cnt = 4, 64, 64
	r := rand.New(rand.NewPCG(1, 2))
	v := make([]byte, cnt*2*hd)
	fillF16(r, v, 1)
	scores := make([]float32, g*cnt)
	for i := range scores {
		scores[i] = float32(r.NormFloat64() * 3)
	}
	acc := make([]byte, g*2*hd)
	m, s := make([]float32, g), make([]float32, g)
	b.Run("group", func(b *testing.B) {
		for b.Loop() {
			for i := range m {
				m[i], s[i] = float32(math.Inf(-1)), 0
			}
			AttendF16Group(acc, 2*hd, v, 2*hd, scores, cnt, cnt, 0.125, m, s)
		}
	})
	b.Run("heads", func(b *testing.B) {
		for b.Loop() {
			for i := 0; i < g; i++ {
				st := [2]float32{float32(math.Inf(-1)), 0}
				AttendF16(acc[i*2*hd:(i+1)*2*hd], v, 2*hd, scores[i*cnt:(i+1)*cnt], 0.125, &st)
			}
		}
	})
}

package parallel

import (
	"sync/atomic"
	"testing"
)

func TestForCoversEveryIndexOnce(t *testing.T) {
	for _, tc := range []struct{ n, grain, workers int }{{0, 1, 4}, {1, 1, 4}, {10, 3, 1}, {10, 3, 4}, {1000, 7, 8}, {5, 100, 3}} {
		hits := make([]atomic.Int32, tc.n)
		For(tc.n, tc.grain, tc.workers, func(lo, hi int) {
			if hi-lo > max(tc.grain, 1) && tc.workers > 1 {
				t.Errorf("%+v: range [%d,%d) longer than the grain", tc, lo, hi)
			}
			for i := lo; i < hi; i++ {
				hits[i].Add(1)
			}
		})
		for i := range hits {
			if h := hits[i].Load(); h != 1 {
				t.Fatalf("%+v: index %d run %d times", tc, i, h)
			}
		}
	}
}

func TestPoolRunsEveryTaskOnceWithValidWorkers(t *testing.T) {
	for _, workers := range []int{1, 2, 3, 8} {
		p := NewPool(workers)
		for round := 0; round < 200; round++ {
			tasks := round%17 + 1
			hits := make([]atomic.Int32, tasks)
			var bad atomic.Bool
			p.Run(tasks, func(w, task int) {
				if w < 0 || w >= p.Workers() {
					bad.Store(true)
				}
				hits[task].Add(1)
			})
			if bad.Load() {
				t.Fatalf("workers=%d: worker index out of range", workers)
			}
			for i := range hits {
				if h := hits[i].Load(); h != 1 {
					t.Fatalf("workers=%d round %d: task %d run %d times", workers, round, i, h)
				}
			}
		}
		p.Close()
		p.Close()
		n := 0
		p.Run(5, func(w, task int) { n++ })
		if n != 5 {
			t.Fatalf("a closed pool ran %d of 5 tasks", n)
		}
	}
}

// BenchmarkPoolDispatch is the cost of one Run of a few trivial tasks: the
// scheduling overhead each matrix product pays.
func BenchmarkPoolDispatch(b *testing.B) {
	p := NewPool(2)
	defer p.Close()
	var sink atomic.Int64
	for b.Loop() {
		p.Run(8, func(w, task int) { sink.Add(1) })
	}
}

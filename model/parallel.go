package model

import (
	"sync"
	"sync/atomic"
)

// parallelFor splits [0, n) into pieces of grain items and runs fn on them
// from up to workers goroutines (worker is 0 … workers−1, so fn can use
// per-worker scratch). Pieces are handed out dynamically; the first error
// stops further pieces and is returned.
func parallelFor(n, grain, workers int, fn func(worker, lo, hi int) error) error {
	if n <= 0 {
		return nil
	}
	if grain < 1 {
		grain = 1
	}
	pieces := (n + grain - 1) / grain
	workers = max(1, min(workers, pieces))
	if workers == 1 {
		for lo := 0; lo < n; lo += grain {
			if err := fn(0, lo, min(lo+grain, n)); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		next    atomic.Int64
		failed  atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for !failed.Load() {
				p := int(next.Add(1)) - 1
				if p >= pieces {
					return
				}
				lo := p * grain
				if err := fn(w, lo, min(lo+grain, n)); err != nil {
					errOnce.Do(func() { first = err })
					failed.Store(true)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	return first
}

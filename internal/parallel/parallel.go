// Package parallel runs loops over independent tasks on several goroutines:
// For for one-off work (a goroutine per worker per call) and Pool, a set of
// persistent workers whose dispatch costs microseconds, for the forward
// pass's many small matrix products.
//
// Tasks are handed out from a shared counter, so which worker runs a task
// varies from run to run; callers make each task's result depend on the
// task alone (fixed task boundaries), which keeps outputs identical for any
// worker count.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// For calls fn on consecutive ranges [lo, hi) covering 0…n, each at most
// grain long, from up to workers goroutines (<= 0: GOMAXPROCS).
func For(n, grain, workers int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	grain = max(1, grain)
	chunks := (n + grain - 1) / grain
	workers = min(workers, chunks)
	if workers <= 1 {
		fn(0, n)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1)) - 1
				if c >= chunks {
					return
				}
				fn(c*grain, min(n, (c+1)*grain))
			}
		}()
	}
	wg.Wait()
}

// spinFor is how long an idle worker (or a caller waiting for the last
// task) polls before parking: long enough to bridge the gap between two
// products of one token, short enough not to steal a shared core.
const spinFor = 50 * time.Microsecond

// job is one Run call; a fresh one per call, so a worker that wakes late
// only ever sees a finished job's exhausted counter.
type job struct {
	fn        func(worker, task int)
	tasks     int64
	next      atomic.Int64
	completed atomic.Int64
	state     atomic.Int32 // 0 running, 1 finished, 2 caller parked
}

// Pool is a fixed set of worker goroutines that run Run's tasks together
// with the calling goroutine. Run is not safe for concurrent use; Close
// stops the workers.
type Pool struct {
	workers int
	mu      sync.Mutex
	cond    *sync.Cond
	gen     atomic.Uint64 // incremented per Run; 0 never names a job
	cur     atomic.Pointer[job]
	done    chan struct{} // the caller's wake-up when it parked
	closed  atomic.Bool
}

// NewPool starts a pool of workers goroutines in all (the caller of Run
// counts as one, so workers−1 are started; <= 0: GOMAXPROCS).
func NewPool(workers int) *Pool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &Pool{workers: workers, done: make(chan struct{}, 1)}
	p.cond = sync.NewCond(&p.mu)
	for w := 1; w < workers; w++ {
		go p.work(w)
	}
	return p
}

// Workers is the number of goroutines (the caller included) that run tasks.
func (p *Pool) Workers() int { return p.workers }

// Run calls fn(worker, task) for every task in 0…tasks−1 and returns when
// all have returned. worker (0 … Workers()−1) identifies the goroutine, so
// fn can use per-worker scratch; the caller is worker 0.
func (p *Pool) Run(tasks int, fn func(worker, task int)) {
	if tasks <= 0 {
		return
	}
	if p.workers == 1 || tasks == 1 || p.closed.Load() {
		for t := 0; t < tasks; t++ {
			fn(0, t)
		}
		return
	}
	j := &job{fn: fn, tasks: int64(tasks)}
	p.cur.Store(j)
	p.mu.Lock()
	p.gen.Add(1)
	p.cond.Broadcast()
	p.mu.Unlock()
	p.runTasks(j, 0)
	if j.completed.Load() == j.tasks {
		return
	}
	deadline := time.Now().Add(spinFor)
	for i := 0; j.completed.Load() < j.tasks; i++ {
		if i&127 == 127 {
			if time.Now().After(deadline) {
				if j.state.CompareAndSwap(0, 2) {
					<-p.done
				}
				return
			}
			runtime.Gosched()
		}
	}
}

// runTasks takes tasks of j until none is left.
func (p *Pool) runTasks(j *job, w int) {
	for {
		t := j.next.Add(1) - 1
		if t >= j.tasks {
			return
		}
		j.fn(w, int(t))
		if j.completed.Add(1) == j.tasks && j.state.Swap(1) == 2 {
			p.done <- struct{}{}
		}
	}
}

// work is worker w's loop: wait for the next generation, run its tasks.
func (p *Pool) work(w int) {
	var seen uint64
	for {
		g := p.gen.Load()
		if g == seen {
			deadline := time.Now().Add(spinFor)
			for i := 0; g == seen; i++ {
				if i&127 == 127 {
					if time.Now().After(deadline) {
						p.mu.Lock()
						for p.gen.Load() == seen && !p.closed.Load() {
							p.cond.Wait()
						}
						p.mu.Unlock()
					} else {
						runtime.Gosched()
					}
				}
				if p.closed.Load() {
					return
				}
				g = p.gen.Load()
			}
		}
		seen = g
		if p.closed.Load() {
			return
		}
		if j := p.cur.Load(); j != nil {
			p.runTasks(j, w)
		}
	}
}

// Close stops the workers; a later Run runs its tasks on the caller alone.
// Close may be called more than once.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed.Store(true)
	p.cond.Broadcast()
	p.mu.Unlock()
}

package mix

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/zqtool/zq/ggml"
)

// bruteForce returns the least total damage within budget over every
// combination of options (+Inf when none fits).
func bruteForce(items [][]Option, budget uint64) float64 {
	best := math.Inf(1)
	var rec func(i int, bytes uint64, damage float64)
	rec = func(i int, bytes uint64, damage float64) {
		if bytes > budget {
			return
		}
		if i == len(items) {
			best = min(best, damage)
			return
		}
		for _, o := range items[i] {
			rec(i+1, bytes+o.Bytes, damage+o.Damage)
		}
	}
	rec(0, 0, 0)
	return best
}

// randomItems makes n tensors with k options each, damage falling with
// size roughly as quantization error does (with noise, so that some
// options are dominated and hulls are not trivial).
func randomItems(r *rand.Rand, n, k int) [][]Option {
	items := make([][]Option, n)
	for i := range items {
		scale := 0.1 + r.Float64()*10
		elems := uint64(256 * (1 + r.IntN(64)))
		for j := range k {
			bits := 2 + 6*r.Float64()
			items[i] = append(items[i], Option{
				Type:   ggml.Type(j),
				Bytes:  uint64(bits * float64(elems) / 8),
				Damage: scale * math.Exp2(-bits) * (0.7 + 0.6*r.Float64()),
			})
		}
	}
	return items
}

// TestAllocateAgainstBruteForce checks on small random instances that
// Allocate (here exact by dynamic programming) finds the optimum, and that
// the greedy allocation used for large models fits the budget, adds up,
// and has a lower bound that is one.
func TestAllocateAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		items := randomItems(r, 2+r.IntN(5), 2+r.IntN(4))
		var lo, hi uint64
		for _, it := range items {
			mn, mx := it[0].Bytes, it[0].Bytes
			for _, o := range it {
				mn, mx = min(mn, o.Bytes), max(mx, o.Bytes)
			}
			lo, hi = lo+mn, hi+mx
		}
		budget := lo + uint64(r.Float64()*float64(hi-lo+1))
		opt := bruteForce(items, budget)
		exact, err := Allocate(items, budget)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if math.Abs(exact.Damage-opt) > 1e-9*opt || exact.Bytes > budget {
			t.Fatalf("trial %d: Allocate gives %g in %d bytes, the optimum is %g within %d", trial, exact.Damage, exact.Bytes, opt, budget)
		}
		sol, err := greedy(items, budget)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		var bytes uint64
		var dmg float64
		for i, c := range sol.Choice {
			bytes += items[i][c].Bytes
			dmg += items[i][c].Damage
		}
		if bytes != sol.Bytes || math.Abs(dmg-sol.Damage) > 1e-9*max(1, dmg) {
			t.Fatalf("trial %d: totals %d/%g, choices add up to %d/%g", trial, sol.Bytes, sol.Damage, bytes, dmg)
		}
		if sol.Bytes > budget {
			t.Fatalf("trial %d: %d bytes over the budget %d", trial, sol.Bytes, budget)
		}
		if sol.LowerBound > opt+1e-9*max(1, opt) {
			t.Fatalf("trial %d: lower bound %g above the optimum %g", trial, sol.LowerBound, opt)
		}
		if sol.Damage < opt-1e-9*max(1, opt) {
			t.Fatalf("trial %d: damage %g below the optimum %g", trial, sol.Damage, opt)
		}
	}
}

// TestGreedyNearOptimalOnManyItems checks the greedy allocation on
// instances the size of real models: its damage is within 1 % of its own
// LP lower bound.
func TestGreedyNearOptimalOnManyItems(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 20 {
		items := randomItems(r, 200, 12)
		var lo, hi uint64
		for _, it := range items {
			mn, mx := it[0].Bytes, it[0].Bytes
			for _, o := range it {
				mn, mx = min(mn, o.Bytes), max(mx, o.Bytes)
			}
			lo, hi = lo+mn, hi+mx
		}
		budget := lo + (hi-lo)/uint64(2+trial%5)
		sol, err := greedy(items, budget)
		if err != nil {
			t.Fatal(err)
		}
		if sol.Bytes > budget || sol.Damage > 1.01*sol.LowerBound {
			t.Errorf("trial %d: %d bytes (budget %d), damage %g, lower bound %g", trial, sol.Bytes, budget, sol.Damage, sol.LowerBound)
		}
	}
}

// TestAllocateEdges covers an unaffordable budget, an unlimited one and
// ties, which must resolve the same way every time.
func TestAllocateEdges(t *testing.T) {
	items := [][]Option{
		{{Type: 1, Bytes: 10, Damage: 5}, {Type: 2, Bytes: 20, Damage: 1}},
		{{Type: 1, Bytes: 10, Damage: 5}, {Type: 2, Bytes: 20, Damage: 1}},
	}
	if _, err := Allocate(items, 19); err == nil {
		t.Error("budget below the smallest size accepted")
	}
	sol, err := Allocate(items, 1000)
	if err != nil || sol.Choice[0] != 1 || sol.Choice[1] != 1 || sol.Damage != 2 || sol.LowerBound != 2 {
		t.Errorf("unlimited budget: %+v, %v", sol, err)
	}
	// Room for one upgrade: equal gains go to the first item.
	sol, err = Allocate(items, 30)
	if err != nil || sol.Choice[0] != 1 || sol.Choice[1] != 0 || sol.Bytes != 30 {
		t.Errorf("tie: %+v, %v", sol, err)
	}
	// A dominated option (larger and worse) is never chosen.
	items = [][]Option{{{Type: 1, Bytes: 10, Damage: 5}, {Type: 2, Bytes: 30, Damage: 6}, {Type: 3, Bytes: 20, Damage: 2}}}
	sol, err = Allocate(items, 30)
	if err != nil || sol.Choice[0] != 2 {
		t.Errorf("dominated option: %+v, %v", sol, err)
	}
}

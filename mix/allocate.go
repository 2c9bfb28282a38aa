package mix

import (
	"fmt"
	"math"
	"sort"

	"github.com/zqtool/zq/ggml"
)

// Option is one way to store a tensor: its type, its exact size and the
// damage predicted for it.
type Option struct {
	Type   ggml.Type
	Bytes  uint64
	Damage float64
}

// Solution is one chosen option per tensor.
type Solution struct {
	Choice []int   // index into each item's options
	Bytes  uint64  // total size of the chosen options
	Damage float64 // total predicted damage
	// LowerBound is the optimum of the LP relaxation: no choice within the
	// budget has less total damage, so Damage − LowerBound bounds how far
	// the solution can be from the best one.
	LowerBound float64
}

// pareto returns the options of one item that are worth considering, by
// increasing size: each is strictly better than every smaller one. Ties
// go to the smaller size, then the lower type id.
func pareto(opts []Option) []int {
	idx := make([]int, len(opts))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		oa, ob := opts[idx[a]], opts[idx[b]]
		if oa.Bytes != ob.Bytes {
			return oa.Bytes < ob.Bytes
		}
		if oa.Damage != ob.Damage {
			return oa.Damage < ob.Damage
		}
		return oa.Type < ob.Type
	})
	var out []int
	for _, i := range idx {
		if len(out) == 0 || opts[i].Damage < opts[out[len(out)-1]].Damage {
			out = append(out, i)
		}
	}
	return out
}

// hull returns the lower convex hull of the pareto options p (indices into
// opts): the options an exchange rate λ between bytes and damage can
// select. Collinear middle points are dropped, so gains strictly decrease.
func hull(opts []Option, p []int) []int {
	var h []int
	for _, i := range p {
		for len(h) >= 2 {
			a, b := opts[h[len(h)-2]], opts[h[len(h)-1]]
			c := opts[i]
			// b lies on or above the segment a–c: drop it.
			lhs := (b.Damage - a.Damage) * float64(c.Bytes-a.Bytes)
			rhs := (c.Damage - a.Damage) * float64(b.Bytes-a.Bytes)
			if lhs >= rhs {
				h = h[:len(h)-1]
				continue
			}
			break
		}
		h = append(h, i)
	}
	return h
}

// Allocate chooses one option per item to minimise the summed damage with
// the summed bytes at most budget (a multiple-choice knapsack). When the
// sizes' common divisor leaves few enough distinct budgets it solves the
// problem exactly by dynamic programming; otherwise it takes the upgrades
// along each item's convex hull in order of damage saved per byte while
// they fit (the Lagrangian solution, which also gives the LP bound), then
// spends what is left on the best single changes. The result depends only
// on the inputs (ties: lower item, then smaller option).
func Allocate(items [][]Option, budget uint64) (*Solution, error) {
	sol, err := greedy(items, budget)
	if err != nil {
		return nil, err
	}
	if exact := exactDP(items, budget); exact != nil {
		return exact, nil
	}
	return sol, nil
}

// greedy is the convex-hull allocation with its LP bound.
func greedy(items [][]Option, budget uint64) (*Solution, error) {
	n := len(items)
	sol := &Solution{Choice: make([]int, n)}
	hulls := make([][]int, n)
	for i, opts := range items {
		if len(opts) == 0 {
			return nil, fmt.Errorf("item %d has no options", i)
		}
		hulls[i] = hull(opts, pareto(opts))
		c := opts[hulls[i][0]]
		sol.Choice[i] = hulls[i][0]
		sol.Bytes += c.Bytes
		sol.Damage += c.Damage
	}
	if sol.Bytes > budget {
		return nil, fmt.Errorf("the budget of %d bytes is below the smallest possible size, %d bytes", budget, sol.Bytes)
	}
	type segment struct {
		gain       float64
		item, step int
	}
	var segs []segment
	for i, h := range hulls {
		for k := 1; k < len(h); k++ {
			a, b := items[i][h[k-1]], items[i][h[k]]
			segs = append(segs, segment{(a.Damage - b.Damage) / float64(b.Bytes-a.Bytes), i, k})
		}
	}
	sort.Slice(segs, func(a, b int) bool {
		sa, sb := segs[a], segs[b]
		if sa.gain != sb.gain {
			return sa.gain > sb.gain
		}
		if sa.item != sb.item {
			return sa.item < sb.item
		}
		return sa.step < sb.step
	})
	blocked := make([]bool, n)
	broken := false
	sol.LowerBound = -1
	for _, s := range segs {
		if blocked[s.item] {
			continue
		}
		a, b := items[s.item][hulls[s.item][s.step-1]], items[s.item][hulls[s.item][s.step]]
		if sol.Bytes+(b.Bytes-a.Bytes) > budget {
			if !broken {
				broken = true
				sol.LowerBound = sol.Damage - float64(budget-sol.Bytes)*s.gain
			}
			blocked[s.item] = true
			continue
		}
		sol.Bytes += b.Bytes - a.Bytes
		sol.Damage += b.Damage - a.Damage
		sol.Choice[s.item] = hulls[s.item][s.step]
	}
	if !broken {
		sol.LowerBound = sol.Damage
	}
	improve(items, sol, budget)
	sol.LowerBound = min(sol.LowerBound, sol.Damage)
	return sol, nil
}

// improve repeatedly applies the single change of one item's option that
// saves the most damage and still fits the budget.
func improve(items [][]Option, sol *Solution, budget uint64) {
	for {
		bestItem, bestOpt, bestGain := -1, -1, 0.0
		for i, opts := range items {
			cur := opts[sol.Choice[i]]
			for k, o := range opts {
				if o.Damage >= cur.Damage || sol.Bytes-cur.Bytes+o.Bytes > budget {
					continue
				}
				if g := cur.Damage - o.Damage; g > bestGain {
					bestItem, bestOpt, bestGain = i, k, g
				}
			}
		}
		if bestItem < 0 {
			return
		}
		cur := items[bestItem][sol.Choice[bestItem]]
		o := items[bestItem][bestOpt]
		sol.Bytes = sol.Bytes - cur.Bytes + o.Bytes
		sol.Damage -= bestGain
		sol.Choice[bestItem] = bestOpt
	}
}

// DP limits: at most maxStates distinct budgets, and the choice table
// (items × states bytes) and work within these bounds.
const (
	maxStates = 1 << 20
	maxTable  = 64 << 20
	maxWork   = 400 << 20
)

// exactDP solves the knapsack exactly over budgets in units of the
// greatest common divisor of all sizes (aligned tensor sizes share at
// least the alignment), or returns nil when that is too large a problem.
func exactDP(items [][]Option, budget uint64) *Solution {
	g := uint64(0)
	work := uint64(0)
	for _, opts := range items {
		for _, o := range opts {
			g = gcd(g, o.Bytes)
		}
		work += uint64(len(opts))
	}
	if g == 0 {
		return nil
	}
	states := budget/g + 1
	if states > maxStates || uint64(len(items))*states > maxTable || work*states > maxWork {
		return nil
	}
	S := int(states)
	inf := math.Inf(1)
	dp := make([]float64, S) // least damage of the items so far within s units
	next := make([]float64, S)
	choice := make([][]uint8, len(items))
	for i, opts := range items {
		if len(opts) > 255 {
			return nil
		}
		choice[i] = make([]uint8, S)
		for s := range next {
			next[s] = inf
		}
		for k, o := range opts {
			c := int(o.Bytes / g)
			for s := c; s < S; s++ {
				prev := 0.0
				if i > 0 {
					prev = dp[s-c]
				}
				if v := prev + o.Damage; v < next[s] {
					next[s], choice[i][s] = v, uint8(k)
				}
			}
		}
		dp, next = next, dp
	}
	best := S - 1 // dp is non-increasing in s: the full budget is best
	if math.IsInf(dp[best], 1) {
		return nil
	}
	sol := &Solution{Choice: make([]int, len(items))}
	s := best
	for i := len(items) - 1; i >= 0; i-- {
		k := int(choice[i][s])
		o := items[i][k]
		sol.Choice[i] = k
		sol.Bytes += o.Bytes
		s -= int(o.Bytes / g)
	}
	for i, k := range sol.Choice {
		sol.Damage += items[i][k].Damage
	}
	sol.LowerBound = sol.Damage
	return sol
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

package catalog

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// fillers are words that never decide between devices.
var fillers = map[string]bool{
	"nvidia": true, "geforce": true, "apple": true, "amd": true, "radeon": true,
	"gpu": true, "core": true, "cores": true, "graphics": true, "card": true,
	"gb": true, "gib": true, "g": true, "memory": true, "with": true, "the": true,
	"silicon": true, "macbook": true, "mac": true, "studio": true, "mini": true,
}

// tokens lowercases s and splits it into words and numbers: "RTX3060 12GB"
// gives rtx, 3060, 12, gb; "m2max" gives m2, max. A letter run of two or
// more letters followed by digits is split ("rtx3060"), a single letter is
// kept with its digits ("m2", "a100").
func tokens(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	letters := 0 // length of the letter run just before a digit
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r):
			if len(cur) > 0 && unicode.IsDigit(cur[len(cur)-1]) {
				flush()
			}
			cur = append(cur, r)
			letters++
		case unicode.IsDigit(r):
			if len(cur) > 0 && unicode.IsLetter(cur[len(cur)-1]) && letters >= 2 {
				flush()
			}
			cur = append(cur, r)
			letters = 0
		default:
			flush()
			letters = 0
		}
	}
	flush()
	return out
}

// nameTokens are the tokens of a device name that identify it: fillers and
// memory sizes ("12GB") dropped.
func nameTokens(name string) []string {
	var out []string
	ts := tokens(name)
	for i, t := range ts {
		if fillers[t] {
			continue
		}
		if i+1 < len(ts) && (ts[i+1] == "gb" || ts[i+1] == "gib") {
			continue
		}
		out = append(out, t)
	}
	return out
}

// matches reports whether every query token names d, and how many of d's
// name tokens the query left out.
func (d Device) matches(query []string) (bool, int) {
	have := map[string]bool{}
	for _, q := range query {
		ok := false
		for _, n := range d.nameTokens {
			if q == n {
				ok, have[n] = true, true
			}
		}
		if !ok {
			if g, err := strconv.Atoi(q); err == nil && g == d.memGiB {
				ok = true
			}
		}
		if !ok {
			return false, 0
		}
	}
	return true, len(d.nameTokens) - len(have)
}

// MatchError is returned by Find when a name is ambiguous or unknown; it
// lists the candidates or the closest names.
type MatchError struct {
	Query      string
	Ambiguous  bool
	Candidates []string
}

func (e *MatchError) Error() string {
	if e.Ambiguous {
		return fmt.Sprintf("target %q is ambiguous; candidates: %s", e.Query, strings.Join(e.Candidates, ", "))
	}
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("unknown target %q (see zq profile --list-targets, or describe it with --vram and --bandwidth)", e.Query)
	}
	return fmt.Sprintf("unknown target %q; did you mean: %s? (see zq profile --list-targets, or use --vram and --bandwidth)", e.Query, strings.Join(e.Candidates, ", "))
}

// Find resolves a device name forgivingly: case, spaces, vendor words and
// the order of words do not matter ("3060", "RTX3060 12GB", "m2 max 96").
// Among devices the query fits, the one it leaves least unsaid wins; a tie
// goes to the entry marked as the usual variant, else is an ambiguity.
func Find(query string) (Device, error) {
	ds, err := load()
	if err != nil {
		return Device{}, err
	}
	q := nameTokensQuery(query)
	if len(q) == 0 {
		return Device{}, &MatchError{Query: query}
	}
	best, bestExtra := []Device(nil), 1<<30
	for _, d := range ds {
		ok, extra := d.matches(q)
		switch {
		case !ok:
		case extra < bestExtra:
			best, bestExtra = []Device{d}, extra
		case extra == bestExtra:
			best = append(best, d)
		}
	}
	if len(best) == 1 {
		return best[0], nil
	}
	if len(best) > 1 {
		var defs []Device
		for _, d := range best {
			if d.isDefault {
				defs = append(defs, d)
			}
		}
		if len(defs) == 1 {
			return defs[0], nil
		}
		e := &MatchError{Query: query, Ambiguous: true}
		for _, d := range best {
			e.Candidates = append(e.Candidates, d.Name)
		}
		return Device{}, e
	}
	return Device{}, &MatchError{Query: query, Candidates: suggest(ds, q)}
}

// nameTokensQuery tokenizes a query, dropping fillers but keeping numbers
// (a number may be a model number or a memory size).
func nameTokensQuery(s string) []string {
	var out []string
	for _, t := range tokens(s) {
		if !fillers[t] {
			out = append(out, t)
		}
	}
	return out
}

// suggest ranks devices by shared tokens, then by edit distance between the
// joined token strings, and returns up to three distinct names.
func suggest(ds []Device, q []string) []string {
	type cand struct {
		name         string
		shared, dist int
	}
	qs := strings.Join(q, "")
	seen := map[string]bool{}
	var cs []cand
	for _, d := range ds {
		base := strings.Join(d.nameTokens, "")
		if seen[base] {
			continue
		}
		seen[base] = true
		shared := 0
		for _, t := range q {
			for _, n := range d.nameTokens {
				if t == n || (len(t) >= 3 && strings.Contains(n, t)) {
					shared++
					break
				}
			}
		}
		dist := levenshtein(qs, base)
		if shared == 0 && dist > max(2, len(qs)/3) {
			continue
		}
		name := d.Name
		if d.memGiB > 0 && strings.HasSuffix(name, fmt.Sprintf(" %dGB", d.memGiB)) && !strings.Contains(strings.ToLower(base), "gb") {
			name = strings.TrimSuffix(name, fmt.Sprintf(" %dGB", d.memGiB))
		}
		cs = append(cs, cand{name, shared, dist})
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].shared != cs[j].shared {
			return cs[i].shared > cs[j].shared
		}
		return cs[i].dist < cs[j].dist
	})
	var out []string
	for _, c := range cs {
		if len(out) == 3 {
			break
		}
		out = append(out, c.name)
	}
	return out
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

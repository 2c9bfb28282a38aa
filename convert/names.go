package convert

import (
	"strconv"
	"strings"
)

// match is the result of mapping one Hugging Face tensor name.
type match struct {
	Rule   *TensorRule
	Block  int    // block index, -1 for global tensors
	Suffix string // ".weight" or ".bias"
	GGUF   string // full GGUF tensor name
}

// IsBias reports whether the tensor is a bias vector.
func (m match) IsBias() bool { return m.Suffix == ".bias" }

// ignored reports whether name is dropped silently (rotary caches and the
// like, which the converter never writes).
func (a *Arch) ignored(name string) bool {
	for _, s := range a.Ignore {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// mapName maps a Hugging Face tensor name to its rule, block and GGUF
// name. ok is false for names the architecture does not know.
func (a *Arch) mapName(name string) (m match, ok bool) {
	for _, p := range a.StripPrefixes {
		name = strings.TrimPrefix(name, p)
	}
	base, suffix, ok := splitSuffix(name)
	if !ok {
		return match{}, false
	}
	for i := range a.Global {
		r := &a.Global[i]
		if base == r.HF && (suffix == ".weight" || r.Bias) {
			return match{r, -1, suffix, r.GGUF + suffix}, true
		}
	}
	for i := range a.Block {
		r := &a.Block[i]
		if suffix == ".bias" && !r.Bias {
			continue
		}
		if bid, ok := matchBlock(r.HF, base); ok {
			g := strings.Replace(r.GGUF, "{bid}", strconv.Itoa(bid), 1)
			return match{r, bid, suffix, g + suffix}, true
		}
	}
	return match{}, false
}

// splitSuffix splits "x.weight" / "x.bias" into the base and suffix.
func splitSuffix(name string) (base, suffix string, ok bool) {
	for _, s := range []string{".weight", ".bias"} {
		if b, found := strings.CutSuffix(name, s); found && b != "" {
			return b, s, true
		}
	}
	return "", "", false
}

// matchBlock matches name against a pattern containing "{bid}" and returns
// the block index (a plain decimal number without sign or leading zeros).
func matchBlock(pattern, name string) (int, bool) {
	pre, post, found := strings.Cut(pattern, "{bid}")
	if !found || !strings.HasPrefix(name, pre) || !strings.HasSuffix(name, post) || len(name) <= len(pre)+len(post) {
		return 0, false
	}
	digits := name[len(pre) : len(name)-len(post)]
	if len(digits) > 9 || (len(digits) > 1 && digits[0] == '0') {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

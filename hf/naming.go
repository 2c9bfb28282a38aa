package hf

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// ModelID holds the components llama.cpp's name heuristics
// (gguf-py Metadata.get_model_id_components) derive from a model id such as
// "mistralai/Mistral-7B-Instruct-v0.2". Absent components are nil.
type ModelID struct {
	Name         *string // the part after the organization, as given
	Organization *string
	Basename     *string
	Finetune     *string
	Version      *string
	SizeLabel    *string
}

// Python's \d and \w are Unicode-aware; so are these classes.
var (
	reVersion   = regexp.MustCompile(`(?i)^(?:v|iter)?\p{Nd}+(?:\.\p{Nd}+)*$`)
	reQuantType = regexp.MustCompile(`(?i)^(?:i?q\p{Nd}(?:_[\p{L}\p{N}_])*|b?fp?(?:16|32))$`)
	reSizeLabel = regexp.MustCompile(`(?i)^(?:(?:A|\p{Nd}+x)?\p{Nd}+(?:[._]\p{Nd}+)?[KMBT]\p{Nd}?|small|mini|medium|large|x?xl)$`)
	reFinetune  = regexp.MustCompile(`(?i)^(?:chat|instruct|vision|lora)$`)
	reTitleKeep = regexp.MustCompile(`^(?:v\p{Nd}+(?:\.\p{Nd}+)*|\p{Nd}.*)$`)
)

type nameMark uint8

const (
	markBasename nameMark = 1 << iota
	markSizeLabel
	markFinetune
	markVersion
	markType
)

func strp(s string) *string { return &s }

func isDecimal(r rune) bool { return unicode.Is(unicode.Nd, r) }

// ParseModelID splits a model id into name components with the same
// heuristics as llama.cpp. totalParams (0 = unknown) decides whether a size
// such as "32k" is a size label or, being far from the real size, part of
// the finetune.
func ParseModelID(id string, totalParams uint64) ModelID {
	if strings.Contains(id, " ") {
		return ModelID{Name: strp(id)}
	}
	var out ModelID
	full := id
	if i := strings.IndexByte(id, '/'); i >= 0 {
		org := id[:i]
		full = id[i+1:]
		if !strings.HasPrefix(org, ".") {
			out.Organization = strp(org)
		}
	}
	out.Name = strp(full)

	var parts []string
	for _, p := range strings.Split(full, "-") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	marks := make([]nameMark, len(parts))
	for i, part := range parts {
		switch {
		case reVersion.MatchString(part):
			marks[i] |= markVersion
		case reQuantType.MatchString(part):
			marks[i] |= markType
			parts[i] = strings.ToUpper(part)
		case i > 0 && reSizeLabel.MatchString(part):
			part, marks[i] = sizePart(part, totalParams)
			parts[i] = part
		case i > 0 && reFinetune.MatchString(part):
			marks[i] |= markFinetune
		}
	}

	// Word-only size labels lose the mark when a numeric one is present.
	numeric := false
	for i, p := range parts {
		if marks[i]&markSizeLabel != 0 && strings.IndexFunc(p, isDecimal) >= 0 {
			numeric = true
		}
	}
	if numeric {
		for i, p := range parts {
			if marks[i]&markSizeLabel != 0 && allLetters(p) {
				marks[i] &^= markSizeLabel
			}
		}
	}

	atStart := true
	for i, p := range parts {
		first, _ := firstRune(p)
		if atStart && ((marks[i] == 0 && unicode.IsLetter(first)) || marks[i]&markVersion != 0) {
			marks[i] |= markBasename
			continue
		}
		atStart = false
		if marks[i] == 0 {
			marks[i] |= markFinetune
		}
	}
	for i := len(parts) - 1; i >= 0; i-- {
		if marks[i]&markBasename != 0 && marks[i] != markBasename {
			marks[i] &^= markBasename
			continue
		}
		break
	}

	join := func(keep func(nameMark) bool, dedupe bool) *string {
		var sel []string
		seen := map[string]bool{}
		for i, p := range parts {
			if !keep(marks[i]) || (dedupe && seen[p]) {
				continue
			}
			seen[p] = true
			sel = append(sel, p)
		}
		if len(sel) == 0 {
			return nil
		}
		return strp(strings.Join(sel, "-"))
	}
	out.Basename = join(func(m nameMark) bool { return m&markBasename != 0 }, false)
	out.SizeLabel = join(func(m nameMark) bool { return m&markSizeLabel != 0 }, true)
	out.Finetune = join(func(m nameMark) bool { return m&markFinetune != 0 }, false)
	out.Version = join(func(m nameMark) bool { return m&markVersion != 0 && m&markBasename == 0 }, false)
	if out.SizeLabel == nil && out.Finetune == nil && out.Version == nil {
		out.Basename = nil
	}
	return out
}

// sizePart normalizes a size-label part ("7b1" → "7.1B") and decides
// whether it is a size label or, being far from totalParams, a finetune.
func sizePart(part string, totalParams uint64) (string, nameMark) {
	r := []rune(strings.ReplaceAll(part, "_", "."))
	if n := len(r); isDecimal(r[n-1]) { // bloom-7b1 notation
		r = append(append(append([]rune{}, r[:n-2]...), '.', r[n-1]), r[n-2])
	}
	if n := len(r); n > 1 && isDecimal(r[n-2]) && strings.ContainsRune("kmbt", r[n-1]) {
		r[n-1] = unicode.ToUpper(r[n-1])
	}
	var mark nameMark
	if totalParams != 0 {
		n := len(r)
		if num, err := strconv.ParseFloat(string(r[:n-1]), 64); err == nil && isPlainDecimal(string(r[:n-1])) {
			label := num * math.Pow(1000, float64(strings.IndexRune(" KMBT", r[n-1])))
			total := float64(totalParams)
			if math.Abs(label-total) > float64(7*totalParams/8) {
				mark |= markFinetune
				r[n-1] = unicode.ToLower(r[n-1])
			}
		}
	}
	if mark == 0 {
		mark = markSizeLabel
	}
	return string(r), mark
}

// isPlainDecimal reports whether s is digits with at most one dot, the only
// shapes Python's float() accepts among size-label prefixes.
func isPlainDecimal(s string) bool {
	if s == "" || s == "." {
		return false
	}
	dots := 0
	for _, c := range s {
		switch {
		case c == '.':
			dots++
		case c < '0' || c > '9':
			return false
		}
	}
	return dots <= 1
}

func allLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

func firstRune(s string) (rune, bool) {
	for _, r := range s {
		return r, true
	}
	return 0, false
}

// Title is llama.cpp's Metadata.id_to_title: dashes become spaces and every
// all-lower-case word that is not a version or does not start with a digit
// goes through Python's str.title ("zephyr-7b-beta" → "Zephyr 7b Beta").
func Title(s string) string {
	words := strings.Fields(strings.ReplaceAll(strings.TrimSpace(s), "-", " "))
	for i, w := range words {
		if isLowerPy(w) && !reTitleKeep.MatchString(w) {
			words[i] = titlePy(w)
		}
	}
	return strings.Join(words, " ")
}

// isLowerPy is Python's str.islower: at least one cased rune, none upper or title case.
func isLowerPy(s string) bool {
	cased := false
	for _, r := range s {
		if unicode.IsUpper(r) || unicode.IsTitle(r) {
			return false
		}
		if unicode.IsLower(r) {
			cased = true
		}
	}
	return cased
}

// titlePy is Python's str.title: a rune after a cased rune is lower-cased,
// any other rune title-cased.
func titlePy(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		if prevCased {
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(unicode.ToTitle(r))
		}
		prevCased = unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
	}
	return b.String()
}

// SizeLabel is llama.cpp's parameter-count label (gguf-py utility.py
// model_weight_count_rounded_notation with two significant digits):
// 7,241,732,096 → "7.2B", 5,112,064 → "5.1M", 115,008 → "115K".
func SizeLabel(params uint64) string {
	n := float64(params)
	var scaled float64
	var suffix string
	switch {
	case n > 1e12:
		scaled, suffix = n*1e-12, "T"
	case n > 1e9:
		scaled, suffix = n*1e-9, "B"
	case n > 1e6:
		scaled, suffix = n*1e-6, "M"
	default:
		scaled, suffix = n*1e-3, "K"
	}
	digits := strings.TrimLeft(strconv.FormatFloat(math.RoundToEven(scaled), 'f', 0, 64), "0")
	fix := 2 - len(digits)
	if fix < 0 {
		fix = 0
	}
	return strconv.FormatFloat(scaled, 'f', fix, 64) + suffix
}

// pathName is Python's pathlib Path(p).name: the last component, ignoring
// "." components and trailing slashes ("" for "." or "/").
func pathName(p string) string {
	parts := strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == os.PathSeparator })
	for i := len(parts) - 1; i >= 0; i-- {
		if parts[i] != "." {
			return parts[i]
		}
	}
	return ""
}

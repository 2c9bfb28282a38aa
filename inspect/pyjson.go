package inspect

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pyJSON renders a GGUF array the way Python's json.dumps does with
// ensure_ascii=False and default separators, so that its sha256 can be
// compared with dumps made by llama.cpp's gguf-py tooling.
func pyJSON(items any) string {
	var b strings.Builder
	b.WriteByte('[')
	n := 0
	sep := func() {
		if n > 0 {
			b.WriteString(", ")
		}
		n++
	}
	switch s := items.(type) {
	case []string:
		for _, x := range s {
			sep()
			pyString(&b, x)
		}
	case []float32:
		for _, x := range s {
			sep()
			b.WriteString(pyFloat(float64(x)))
		}
	case []float64:
		for _, x := range s {
			sep()
			b.WriteString(pyFloat(x))
		}
	case []bool:
		for _, x := range s {
			sep()
			b.WriteString(strconv.FormatBool(x))
		}
	default:
		// integer slices
		str := fmt.Sprint(items) // "[1 2 3]"
		str = strings.TrimSuffix(strings.TrimPrefix(str, "["), "]")
		if str != "" {
			b.WriteString(strings.ReplaceAll(str, " ", ", "))
		}
	}
	b.WriteByte(']')
	return b.String()
}

// pyFloat formats x like Python's float repr (and json.dumps).
func pyFloat(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	}
	e := strconv.FormatFloat(x, 'e', -1, 64) // d.ddddde±XX
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

func pyString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

package testutil

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// VocabCase is one text and the token ids llama.cpp gave it.
type VocabCase struct {
	Text string
	IDs  []int32
}

// ReadVocabTests parses llama.cpp's base.inp/base.out test-vector pair the
// way tests/test-tokenizer-0.cpp does: inputs separated by
// "\n__ggml_vocab_test__\n", one line of ids per input.
func ReadVocabTests(t testing.TB, base string) []VocabCase {
	t.Helper()
	inp, err := os.ReadFile(base + ".inp")
	if err != nil {
		t.Fatal(err)
	}
	outb, err := os.ReadFile(base + ".out")
	if err != nil {
		t.Fatal(err)
	}
	const sep = "\n__ggml_vocab_test__\n"
	var texts []string
	raw := string(inp)
	for pos := 0; pos < len(raw); {
		k := strings.Index(raw[pos:], sep)
		if k < 0 {
			texts = append(texts, raw[pos:])
			break
		}
		texts = append(texts, raw[pos:pos+k])
		pos += k + len(sep)
	}
	lines := strings.Split(strings.TrimSuffix(string(outb), "\n"), "\n")
	if len(lines) != len(texts) {
		t.Fatalf("%s: %d inputs but %d outputs", base, len(texts), len(lines))
	}
	cases := make([]VocabCase, len(texts))
	for i, s := range texts {
		cases[i].Text = s
		cases[i].IDs = []int32{}
		for _, f := range strings.Fields(lines[i]) {
			id, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("%s.out line %d: %v", base, i+1, err)
			}
			cases[i].IDs = append(cases[i].IDs, int32(id))
		}
	}
	return cases
}

// ReadTokenizeJSONL reads llama-tokenize outputs, one {"text", "ids"}
// object per line.
func ReadTokenizeJSONL(t testing.TB, path string) []VocabCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []VocabCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec struct {
			Text string  `json:"text"`
			IDs  []int32 `json:"ids"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("%s line %d: %v", path, len(cases)+1, err)
		}
		cases = append(cases, VocabCase{rec.Text, rec.IDs})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("%s: no cases", path)
	}
	return cases
}

// CheckEncodings runs encode on every case and reports the first few
// mismatches with their text, then how many differ.
func CheckEncodings(t testing.TB, encode func(string) []int32, cases []VocabCase) {
	t.Helper()
	bad := 0
	for i, c := range cases {
		got := encode(c.Text)
		if slices.Equal(got, c.IDs) {
			continue
		}
		bad++
		if bad <= 5 {
			t.Errorf("case %d %q:\n got  %v\n want %v", i, c.Text, got, c.IDs)
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d cases differ from llama.cpp", bad, len(cases))
	}
}

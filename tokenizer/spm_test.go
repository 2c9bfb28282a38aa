package tokenizer

import (
	"slices"
	"strings"
	"testing"
)

// TestSegmentedMergeEqualsWhole checks that merging the text in segments
// ending at separator bytes gives exactly what one global merge queue gives.
func TestSegmentedMergeEqualsWhole(t *testing.T) {
	text := readDevText(t)
	if len(text) > 64<<10 {
		text = text[:64<<10]
	}
	text += "\n\xE2\n tail \xF0\n\n" // broken UTF-8 swallowing newlines
	for _, path := range []string{microModelPath, llamaSPMPath} {
		tok := loadTokenizer(t, path)
		nsep := 0
		for _, b := range tok.sep {
			if b {
				nsep++
			}
		}
		if !tok.sep['\n'] {
			t.Errorf("%s: newline should be a separator byte", path)
		}
		got := tok.Encode(text, false, false) // the segmented path
		whole := spmSession{t: tok, whole: true}
		var esc strings.Builder
		esc.WriteString(spaceMarker)
		writeEscaped(&esc, text)
		want := whole.tokenize(esc.String(), nil)
		if !slices.Equal(got, want) {
			t.Errorf("%s: segmented merge gives %d tokens, whole-text merge %d", path, len(got), len(want))
		}
		t.Logf("%s: %d separator bytes, %d tokens", path, nsep, len(want))
	}
}

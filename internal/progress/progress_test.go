package progress

import (
	"bytes"
	"testing"
)

// TestSilentWhenPiped checks that nothing is drawn on a non-terminal and
// that every method is safe on silent and nil bars.
func TestSilentWhenPiped(t *testing.T) {
	var buf bytes.Buffer
	if IsTerminal(&buf) {
		t.Fatal("a buffer is not a terminal")
	}
	for _, b := range []*Bar{New(&buf, 10, "x"), NewBytes(&buf, 10, "y"), nil} {
		b.Describe("step")
		b.Add(3)
		b.Finish()
	}
	if buf.Len() != 0 {
		t.Fatalf("drew %q on a non-terminal", buf.String())
	}
}

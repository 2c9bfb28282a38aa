// Package progress draws a progress bar on a terminal and stays silent when
// the output is piped or redirected.
package progress

import (
	"io"
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Bar is a progress bar; every method is safe on a nil or silent Bar.
type Bar struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// New returns a bar counting items to total drawn on w, or a silent bar when
// w is not a terminal.
func New(w io.Writer, total int64, desc string) *Bar { return newBar(w, total, desc, false) }

// NewBytes is New for a total measured in bytes.
func NewBytes(w io.Writer, total int64, desc string) *Bar { return newBar(w, total, desc, true) }

func newBar(w io.Writer, total int64, desc string, bytes bool) *Bar {
	if !IsTerminal(w) {
		return &Bar{}
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	}
	if bytes {
		opts = append(opts, progressbar.OptionShowBytes(true))
	}
	return &Bar{bar: progressbar.NewOptions64(total, opts...)}
}

// Add advances the bar by n.
func (b *Bar) Add(n int64) {
	if b == nil || b.bar == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.bar.Add64(n)
}

// Describe changes the text shown before the bar.
func (b *Bar) Describe(s string) {
	if b == nil || b.bar == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bar.Describe(s)
}

// Finish completes and clears the bar.
func (b *Bar) Finish() {
	if b == nil || b.bar == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.bar.Finish()
}

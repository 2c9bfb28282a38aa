//go:build linux

package convert

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/zqtool/zq/testdata/gencheckpoint/synth"
)

// BenchmarkConvert converts a generated checkpoint (preset from
// ZQ_BENCH_PRESET, default "1b"; ~2.2 GB of BF16 written to a temp dir
// first) to BF16 and Q8_0 and reports throughput in output MB/s and the
// process's peak RSS. Run with:
//
//	go test ./convert -run '^$' -bench Convert -benchtime 1x
func BenchmarkConvert(b *testing.B) {
	preset := os.Getenv("ZQ_BENCH_PRESET")
	if preset == "" {
		preset = "1b"
	}
	spec, err := synth.Preset(preset)
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), preset)
	if err := synth.Generate(dir, spec, synth.Options{Seed: 1, TokenizerDir: microDir}); err != nil {
		b.Fatal(err)
	}
	for _, ot := range []string{"bf16", "q8_0"} {
		b.Run(ot, func(b *testing.B) {
			p, err := NewPlan(dir, Options{OutType: ot})
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			out := filepath.Join(b.TempDir(), "out.gguf")
			var bytes int64
			for _, t := range p.Tensors() {
				bytes += int64(t.Size())
			}
			b.SetBytes(bytes)
			b.ResetTimer()
			for range b.N {
				if _, err := Execute(context.Background(), p, out, ExecOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			os.Remove(out)
			var ru syscall.Rusage
			if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
				b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
			}
		})
	}
}

// Package llamacheck runs llama.cpp's own dry-run allocation
// (llama-fit-params -v: the model is loaded with no_alloc, nothing is
// allocated) and reads its memory breakdown, so zq's estimate can be shown
// beside llama.cpp's figures.
package llamacheck

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Program is the llama.cpp tool used.
const Program = "llama-fit-params"

// Settings are the llama.cpp options of the dry run.
type Settings struct {
	Ctx, UBatch  int
	FlashAttn    bool
	KType, VType string
}

// Args returns the llama-fit-params arguments for the model at path.
func (s Settings) Args(path string) []string {
	fa := "off"
	if s.FlashAttn {
		fa = "on"
	}
	return []string{"-m", path, "-c", strconv.Itoa(s.Ctx), "-ub", strconv.Itoa(s.UBatch), "-fa", fa,
		"-ctk", s.KType, "-ctv", s.VType, "--no-repack", "-v"}
}

// Row is one device line of llama.cpp's memory breakdown, in MiB.
type Row struct {
	Device  string  `json:"device"`
	SelfMiB float64 `json:"self_mib"`
	Model   float64 `json:"model_mib"`
	Context float64 `json:"context_mib"`
	Compute float64 `json:"compute_mib"`
}

// Result is what llama.cpp printed.
type Result struct {
	Command    string  `json:"command"`
	Rows       []Row   `json:"breakdown"`
	KVMiB      float64 `json:"kv_cache_mib"`
	ComputeMiB float64 `json:"compute_mib"` // sum of "compute buffer size" lines
	OutputMiB  float64 `json:"output_buffer_mib"`
}

var (
	reRow     = regexp.MustCompile(`memory_breakdown_print: \|\s+-\s+(.+?)\s+\|.*?([\d.]+)\s+=\s+([\d.]+)\s+\+\s+([\d.]+)\s+\+\s+([\d.]+)`)
	reKV      = regexp.MustCompile(`llama_kv_cache: size =\s+([\d.]+) MiB`)
	reCompute = regexp.MustCompile(`compute buffer size =\s+([\d.]+) MiB`)
	reOutput  = regexp.MustCompile(`output buffer size =\s+([\d.]+) MiB`)
)

// Parse reads llama-fit-params -v output (stderr and stdout together).
func Parse(out string) (*Result, error) {
	r := &Result{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	for sc.Scan() {
		l := sc.Text()
		if m := reRow.FindStringSubmatch(l); m != nil {
			r.Rows = append(r.Rows, Row{Device: m[1], SelfMiB: f(m[2]), Model: f(m[3]), Context: f(m[4]), Compute: f(m[5])})
		} else if m := reKV.FindStringSubmatch(l); m != nil {
			r.KVMiB += f(m[1])
		} else if m := reCompute.FindStringSubmatch(l); m != nil {
			r.ComputeMiB += f(m[1])
		} else if m := reOutput.FindStringSubmatch(l); m != nil {
			r.OutputMiB += f(m[1])
		}
	}
	if len(r.Rows) == 0 {
		return nil, errors.New("no memory breakdown in llama.cpp's output")
	}
	return r, nil
}

// Run finds llama-fit-params on PATH and runs the dry run.
func Run(ctx context.Context, path string, s Settings) (*Result, error) {
	bin, err := exec.LookPath(Program)
	if err != nil {
		return nil, fmt.Errorf("--check-llama: %s is not on PATH (build llama.cpp and add its bin directory)", Program)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	args := s.Args(path)
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v\n%s", Program, strings.Join(args, " "), err, tail(string(out), 800))
	}
	r, err := Parse(string(out))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Program, err)
	}
	r.Command = Program + " " + strings.Join(args, " ")
	return r, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

package hw

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// NvidiaQuery is the nvidia-smi field list Detect asks for (memory in MiB,
// clocks in MHz with nounits).
const NvidiaQuery = "index,name,uuid,memory.total,memory.free,memory.used,driver_version,compute_cap,clocks.max.memory"

// errNotFound marks a tool that is not on PATH.
var errNotFound = errors.New("not on PATH")

// runTool runs a program found on PATH with a timeout.
func runTool(ctx context.Context, name string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, errNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, path, args...).Output()
}

// queryNvidia runs nvidia-smi when present. Its absence is not an error.
func queryNvidia(ctx context.Context, run func(context.Context, string, ...string) ([]byte, error)) ([]GPU, error) {
	out, err := run(ctx, "nvidia-smi", "--query-gpu="+NvidiaQuery, "--format=csv,noheader,nounits")
	if errors.Is(err, errNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("nvidia-smi is on PATH but failed (no driver?): %v", err)
	}
	return ParseNvidiaSMI(strings.NewReader(string(out)))
}

// ParseNvidiaSMI reads the CSV nvidia-smi prints for NvidiaQuery with
// --format=csv,noheader,nounits: one line per GPU. Fields nvidia-smi cannot
// report ("[N/A]", "[Not Supported]") are left empty.
func ParseNvidiaSMI(r io.Reader) ([]GPU, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	var gpus []GPU
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return gpus, nil
		}
		if err != nil {
			return nil, fmt.Errorf("nvidia-smi output line %d: %w", line, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) < 9 {
			return nil, fmt.Errorf("nvidia-smi output line %d: %d fields, expected 9 (%s)", line, len(rec), NvidiaQuery)
		}
		f := func(i int) string {
			s := strings.TrimSpace(rec[i])
			if strings.HasPrefix(s, "[") {
				return ""
			}
			return s
		}
		mib := func(i int) uint64 {
			v, _ := strconv.ParseFloat(f(i), 64)
			return uint64(v * (1 << 20))
		}
		g := GPU{Vendor: "NVIDIA", Name: f(1), VRAMTotalBytes: mib(3), VRAMFreeBytes: mib(4),
			Driver: f(6), ComputeCap: f(7), Source: "nvidia-smi"}
		g.Index, _ = strconv.Atoi(f(0))
		g.MaxMemClockMHz, _ = strconv.Atoi(f(8))
		if g.Name == "" {
			return nil, fmt.Errorf("nvidia-smi output line %d: empty GPU name", line)
		}
		gpus = append(gpus, g)
	}
}

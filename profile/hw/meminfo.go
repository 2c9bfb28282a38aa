package hw

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ParseMeminfo reads MemTotal and MemAvailable (kB lines) from a
// /proc/meminfo listing and returns them in bytes. MemAvailable falls back
// to MemFree+Buffers+Cached on kernels that lack it.
func ParseMeminfo(r io.Reader) (total, avail uint64, err error) {
	vals := map[string]uint64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fs := strings.Fields(v)
		if len(fs) == 0 {
			continue
		}
		n, err := strconv.ParseUint(fs[0], 10, 64)
		if err != nil {
			continue
		}
		if len(fs) > 1 && fs[1] == "kB" {
			n *= 1024
		}
		vals[k] = n
	}
	if err := sc.Err(); err != nil {
		return 0, 0, err
	}
	total, ok := vals["MemTotal"]
	if !ok || total == 0 {
		return 0, 0, fmt.Errorf("no MemTotal line")
	}
	avail, ok = vals["MemAvailable"]
	if !ok {
		avail = vals["MemFree"] + vals["Buffers"] + vals["Cached"]
	}
	return total, avail, nil
}

func readMeminfo(path string) (uint64, uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	t, a, err := ParseMeminfo(f)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	return t, a, nil
}

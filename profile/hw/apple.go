package hw

import (
	"fmt"
	"strconv"
	"strings"
)

// AppleSysctlKeys are the sysctl names ParseAppleSysctl reads.
var AppleSysctlKeys = []string{"machdep.cpu.brand_string", "hw.memsize", "hw.perflevel0.physicalcpu", "hw.perflevel1.physicalcpu", "iogpu.wired_limit_mb"}

// ParseAppleSysctl builds the Apple Silicon description from sysctl
// values (as `sysctl -n` prints them). It returns nil when the brand
// string is not an Apple chip.
func ParseAppleSysctl(v map[string]string) (*Apple, error) {
	chip := strings.TrimSpace(v["machdep.cpu.brand_string"])
	if !strings.HasPrefix(chip, "Apple ") {
		return nil, nil
	}
	u := func(k string) (uint64, error) {
		s := strings.TrimSpace(v[k])
		if s == "" {
			return 0, nil
		}
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("sysctl %s = %q: not a number", k, s)
		}
		return n, nil
	}
	a := &Apple{Chip: chip}
	var err error
	if a.MemoryBytes, err = u("hw.memsize"); err != nil {
		return nil, err
	}
	if a.MemoryBytes == 0 {
		return nil, fmt.Errorf("sysctl hw.memsize is missing")
	}
	p, err := u("hw.perflevel0.physicalcpu")
	if err != nil {
		return nil, err
	}
	e, err := u("hw.perflevel1.physicalcpu")
	if err != nil {
		return nil, err
	}
	a.PCores, a.ECores = int(p), int(e)
	if a.WiredLimitMiB, err = u("iogpu.wired_limit_mb"); err != nil {
		return nil, err
	}
	a.WorkingSetBytes = DefaultWorkingSet(a.MemoryBytes)
	if a.WiredLimitMiB > 0 {
		a.WorkingSetBytes = a.WiredLimitMiB << 20
	}
	return a, nil
}

// DefaultWorkingSet is the conservative GPU working set of an Apple
// Silicon Mac with mem bytes of RAM (profile-notes §3.2).
func DefaultWorkingSet(mem uint64) uint64 {
	if mem <= 24<<30 {
		return mem * 67 / 100
	}
	return mem * 3 / 4
}

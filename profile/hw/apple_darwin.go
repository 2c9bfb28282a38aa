//go:build darwin

package hw

import (
	"context"
	"strconv"

	"golang.org/x/sys/unix"
)

// detectApple reads the chip, cores and memory through sysctl (no cgo).
func detectApple(_ context.Context, info *Info, _ Sources) {
	v := map[string]string{}
	for _, k := range AppleSysctlKeys {
		if s, err := unix.Sysctl(k); err == nil {
			v[k] = s
			continue
		}
		if n, err := unix.SysctlUint64(k); err == nil {
			v[k] = strconv.FormatUint(n, 10)
			continue
		}
		if n, err := unix.SysctlUint32(k); err == nil {
			v[k] = strconv.FormatUint(uint64(n), 10)
		}
	}
	a, err := ParseAppleSysctl(v)
	if err != nil {
		info.Notes = append(info.Notes, err.Error())
		return
	}
	if a == nil {
		return
	}
	info.Apple = a
	if info.Memory.TotalBytes == 0 {
		info.Memory.TotalBytes = a.MemoryBytes
	}
	if info.CPU.Model == "" {
		info.CPU.Model = a.Chip
	}
	info.GPUs = append(info.GPUs, GPU{Vendor: "Apple", Name: a.Chip, VRAMTotalBytes: a.WorkingSetBytes, Source: "sysctl"})
}

// Package hw describes the machine zq runs on: CPU, RAM and GPUs with their
// memory, gathered without cgo (github.com/jaypipes/ghw, nvidia-smi's CSV
// interface, amdgpu's sysfs files, /proc/meminfo and, on macOS, sysctl).
// Missing pieces (no GPU, no driver, a container without /sys/class/drm)
// are reported as notes, never as errors.
package hw

import (
	"context"
	"runtime"
)

// Info is what Detect found.
type Info struct {
	OS     string   `json:"os"`
	Arch   string   `json:"arch"`
	CPU    CPU      `json:"cpu"`
	Memory Memory   `json:"memory"`
	GPUs   []GPU    `json:"gpus"`
	Apple  *Apple   `json:"apple,omitempty"`
	NoGPU  bool     `json:"no_gpu"`
	Notes  []string `json:"notes,omitempty"`
}

// CPU is the processor.
type CPU struct {
	Model    string   `json:"model"`
	Vendor   string   `json:"vendor,omitempty"`
	Cores    int      `json:"cores"`
	Threads  int      `json:"threads"`
	Features string   `json:"simd_features"` // what zq's kernels use, e.g. "AVX2 FMA F16C"
	Flags    []string `json:"-"`
}

// Memory is system RAM.
type Memory struct {
	TotalBytes     uint64 `json:"total_bytes"`
	AvailableBytes uint64 `json:"available_bytes,omitempty"`
}

// GPU is one graphics or accelerator device.
type GPU struct {
	Index          int     `json:"index"`
	Vendor         string  `json:"vendor"`
	Name           string  `json:"name"`
	VRAMTotalBytes uint64  `json:"vram_total_bytes,omitempty"`
	VRAMFreeBytes  uint64  `json:"vram_free_bytes,omitempty"`
	Driver         string  `json:"driver,omitempty"`
	ComputeCap     string  `json:"compute_capability,omitempty"`
	MaxMemClockMHz int     `json:"max_memory_clock_mhz,omitempty"`
	BandwidthGBs   float64 `json:"bandwidth_gbs,omitempty"` // from the device catalog when the name is known
	Class          string  `json:"device_class,omitempty"`  // the catalog's efficiency class
	CatalogName    string  `json:"catalog_name,omitempty"`  // the catalog entry matched
	Source         string  `json:"source"`                  // nvidia-smi, sysfs, ghw, sysctl
	PCIAddress     string  `json:"pci_address,omitempty"`
}

// Apple is Apple Silicon's chip and unified-memory facts.
type Apple struct {
	Chip          string `json:"chip"`
	PCores        int    `json:"performance_cores"`
	ECores        int    `json:"efficiency_cores"`
	MemoryBytes   uint64 `json:"memory_bytes"`
	WiredLimitMiB uint64 `json:"wired_limit_mib"` // iogpu.wired_limit_mb; 0 = macOS default
	// WorkingSetBytes is the GPU working set assumed: the wired limit when
	// set, else 0.67 x RAM up to 24 GB and 0.75 x RAM above (conservative).
	WorkingSetBytes uint64 `json:"gpu_working_set_bytes"`
}

// Sources lets tests point detection at recorded data.
type Sources struct {
	Meminfo string                                                                 // default /proc/meminfo
	DRMRoot string                                                                 // default /sys/class/drm
	Run     func(ctx context.Context, name string, args ...string) ([]byte, error) // default: exec when on PATH
	SkipGHW bool
}

// Detect gathers Info. It never fails: what cannot be read becomes a note.
func Detect(ctx context.Context, src Sources) Info {
	if src.Meminfo == "" {
		src.Meminfo = "/proc/meminfo"
	}
	if src.DRMRoot == "" {
		src.DRMRoot = "/sys/class/drm"
	}
	if src.Run == nil {
		src.Run = runTool
	}
	info := Info{OS: runtime.GOOS, Arch: runtime.GOARCH}
	if !src.SkipGHW {
		ghwCPU(&info)
		ghwMemory(&info)
	}
	cpuFallback(&info)
	if runtime.GOOS == "linux" {
		if total, avail, err := readMeminfo(src.Meminfo); err == nil {
			if info.Memory.TotalBytes == 0 {
				info.Memory.TotalBytes = total
			}
			info.Memory.AvailableBytes = avail
		} else {
			info.Notes = append(info.Notes, "memory: "+err.Error())
		}
	}
	detectApple(ctx, &info, src)
	nv, err := queryNvidia(ctx, src.Run)
	if err != nil {
		info.Notes = append(info.Notes, err.Error())
	}
	info.GPUs = append(info.GPUs, nv...)
	if runtime.GOOS == "linux" {
		amd, err := ReadAMDSysfs(src.DRMRoot)
		if err != nil {
			info.Notes = append(info.Notes, err.Error())
		}
		info.GPUs = append(info.GPUs, amd...)
	}
	if !src.SkipGHW {
		ghwGPUs(&info)
	}
	for i := range info.GPUs {
		g := &info.GPUs[i]
		g.Index = i
		memGiB := 0
		if g.Vendor == "Apple" && info.Apple != nil {
			memGiB = int(info.Apple.MemoryBytes >> 30)
		}
		if d, ok := catalogDevice(*g, memGiB); ok {
			g.BandwidthGBs, g.Class, g.CatalogName = d.BandwidthGBs, d.ClassName, d.Name
		}
	}
	if info.GPUs == nil {
		info.GPUs = []GPU{} // JSON: "gpus": [] rather than null
	}
	info.NoGPU = len(info.GPUs) == 0 && info.Apple == nil
	if info.NoGPU {
		info.Notes = append(info.Notes, "no GPU found: llama.cpp would run on the CPU")
	}
	return info
}

// Package catalog is zq profile's table of target devices (NVIDIA and AMD
// GPUs, Apple Silicon), kept as an embedded data file: memory, bandwidth and
// a speed-efficiency class per device, with forgiving name matching.
package catalog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/zqtool/zq/profile/memory"
)

//go:embed devices.json
var devicesJSON []byte

// Class is a family of devices sharing runtime behaviour: the fraction of
// theoretical bandwidth llama.cpp reaches when decoding (eta, lower for
// K-quants and i-quants), the runtime's own memory overhead and whether
// memory is unified with the host.
type Class struct {
	Name       string  `json:"-"`
	Eta        float64 `json:"eta"`
	EtaKQuant  float64 `json:"eta_kquant"`
	ReserveMiB float64 `json:"reserve_mib"`
	PPEta      float64 `json:"pp_eta"`
	MinTokenMS float64 `json:"min_token_ms"` // fixed per-token cost: decode never beats 1000/MinTokenMS tok/s
	Backend    string  `json:"backend"`
	Unified    bool    `json:"unified"`
}

// Device is one target: a product with one memory size.
type Device struct {
	Name         string  `json:"name"` // e.g. "RTX 3060 12GB", "M2 Max 96GB"
	Vendor       string  `json:"vendor"`
	Class        Class   `json:"class"`
	ClassName    string  `json:"class_name"`
	MemoryBytes  uint64  `json:"memory_bytes"`
	BandwidthGBs float64 `json:"bandwidth_gbs"`
	FP16TFLOPS   float64 `json:"fp16_tflops,omitempty"`
	GPUCores     string  `json:"gpu_cores,omitempty"`
	Custom       bool    `json:"custom,omitempty"`

	nameTokens []string
	memGiB     int
	isDefault  bool
}

type fileEntry struct {
	Name      string  `json:"name"`
	Vendor    string  `json:"vendor"`
	Class     string  `json:"class"`
	MemoryGiB []int   `json:"memory_gib"`
	Bandwidth float64 `json:"bandwidth_gbs"`
	TFLOPS    float64 `json:"fp16_tflops"`
	GPUCores  string  `json:"gpu_cores"`
	Default   bool    `json:"default"`
}

type file struct {
	Classes map[string]Class `json:"classes"`
	Devices []fileEntry      `json:"devices"`
}

var (
	loadOnce sync.Once
	devices  []Device
	classes  map[string]Class
	loadErr  error
)

func load() ([]Device, error) {
	loadOnce.Do(func() {
		var f file
		if err := json.Unmarshal(devicesJSON, &f); err != nil {
			loadErr = fmt.Errorf("catalog: devices.json: %w", err)
			return
		}
		classes = f.Classes
		for name, c := range classes {
			c.Name = name
			classes[name] = c
		}
		for _, e := range f.Devices {
			c, ok := classes[e.Class]
			if !ok || len(e.MemoryGiB) == 0 || e.Bandwidth <= 0 {
				loadErr = fmt.Errorf("catalog: device %q: unknown class %q or missing memory/bandwidth", e.Name, e.Class)
				return
			}
			for _, gib := range e.MemoryGiB {
				d := Device{
					Name: e.Name, Vendor: e.Vendor, Class: c, ClassName: e.Class,
					MemoryBytes: uint64(gib) * memory.GiB, BandwidthGBs: e.Bandwidth,
					FP16TFLOPS: e.TFLOPS, GPUCores: e.GPUCores,
					nameTokens: nameTokens(e.Name), memGiB: gib, isDefault: e.Default,
				}
				if len(e.MemoryGiB) > 1 {
					d.Name = fmt.Sprintf("%s %dGB", e.Name, gib)
				}
				devices = append(devices, d)
			}
		}
	})
	return devices, loadErr
}

// All returns every catalog device, in file order.
func All() ([]Device, error) {
	ds, err := load()
	return append([]Device(nil), ds...), err
}

// ClassByName returns a device class ("nvidia-geforce", "apple-max", "cpu", ...).
func ClassByName(name string) (Class, error) {
	if _, err := load(); err != nil {
		return Class{}, err
	}
	c, ok := classes[name]
	if !ok {
		names := make([]string, 0, len(classes))
		for n := range classes {
			names = append(names, n)
		}
		sort.Strings(names)
		return Class{}, fmt.Errorf("unknown device class %q (known: %v)", name, names)
	}
	return c, nil
}

// UsableBytes is the memory llama.cpp may use on the device: all VRAM on a
// discrete GPU; on Apple Silicon Metal's default GPU working set, taken
// conservatively as 0.67 x RAM up to 24 GB and 0.75 x RAM above
// (profile-notes §3.2; newer macOS versions allow somewhat more).
func (d Device) UsableBytes() uint64 {
	if d.ClassName == "cpu" || !d.Class.Unified {
		return d.MemoryBytes
	}
	if d.MemoryBytes <= 24*memory.GiB {
		return d.MemoryBytes * 67 / 100
	}
	return d.MemoryBytes * 3 / 4
}

// Budget is the memory budget a model gets on the device.
func (d Device) Budget() memory.Budget {
	return memory.Budget{
		Usable:  d.UsableBytes(),
		Reserve: uint64(d.Class.ReserveMiB * memory.MiB),
		Unified: d.Class.Unified,
	}
}

// Custom describes a device outside the catalog from its memory size and
// bandwidth; class picks the efficiency class (default nvidia-geforce).
func Custom(memBytes uint64, bandwidthGBs float64, className string) (Device, error) {
	if className == "" {
		className = "nvidia-geforce"
	}
	c, err := ClassByName(className)
	if err != nil {
		return Device{}, err
	}
	if memBytes == 0 || bandwidthGBs <= 0 {
		return Device{}, fmt.Errorf("a custom device needs both --vram and --bandwidth")
	}
	return Device{
		Name:   fmt.Sprintf("custom %.3g GiB %.4g GB/s", float64(memBytes)/memory.GiB, bandwidthGBs),
		Vendor: "custom", Class: c, ClassName: className,
		MemoryBytes: memBytes, BandwidthGBs: bandwidthGBs, Custom: true,
	}, nil
}

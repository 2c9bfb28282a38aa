package hw

import (
	"runtime"
	"strconv"
	"strings"

	"github.com/jaypipes/ghw"
	"github.com/zqtool/zq/kernels"
	"github.com/zqtool/zq/profile/catalog"
)

func quiet() []any {
	return []any{ghw.WithDisableWarnings()}
}

// ghwCPU fills the CPU from ghw (on macOS only the deprecated totals are set).
func ghwCPU(info *Info) {
	c, err := ghw.CPU(quiet()...)
	if err != nil {
		info.Notes = append(info.Notes, "cpu: "+err.Error())
		return
	}
	info.CPU.Cores = int(c.TotalCores)
	info.CPU.Threads = int(max(c.TotalHardwareThreads, c.TotalThreads))
	if len(c.Processors) > 0 {
		p := c.Processors[0]
		info.CPU.Model, info.CPU.Vendor = p.Model, p.Vendor
		if info.CPU.Cores == 0 {
			for _, p := range c.Processors {
				info.CPU.Cores += int(max(p.TotalCores, p.NumCores))
			}
		}
	}
}

// ghwMemory fills total RAM from ghw.
func ghwMemory(info *Info) {
	m, err := ghw.Memory(quiet()...)
	if err != nil {
		if runtime.GOOS != "darwin" { // not implemented there; sysctl fills it
			info.Notes = append(info.Notes, "memory: "+err.Error())
		}
		return
	}
	if m.TotalUsableBytes > 0 {
		info.Memory.TotalBytes = uint64(m.TotalUsableBytes)
	}
}

// ghwGPUs adds graphics cards ghw sees that the vendor tools did not
// report (e.g. an NVIDIA card without a driver), without memory sizes.
func ghwGPUs(info *Info) {
	g, err := ghw.GPU(quiet()...)
	if err != nil || g == nil {
		return
	}
	for _, c := range g.GraphicsCards {
		if c.DeviceInfo == nil {
			continue
		}
		if hasPCI(info.GPUs, c.Address) {
			continue
		}
		vendor, name := "", ""
		if c.DeviceInfo.Vendor != nil {
			vendor = c.DeviceInfo.Vendor.Name
		}
		if c.DeviceInfo.Product != nil {
			name = c.DeviceInfo.Product.Name
		}
		// Vendor tools already described the vendor's cards.
		lv := strings.ToLower(vendor)
		isAMD := strings.Contains(lv, "amd") || strings.Contains(lv, "ati ")
		if (strings.Contains(lv, "nvidia") && hasVendor(info.GPUs, "NVIDIA")) || (isAMD && hasVendor(info.GPUs, "AMD")) {
			continue
		}
		info.GPUs = append(info.GPUs, GPU{Vendor: vendor, Name: name, Driver: c.DeviceInfo.Driver, Source: "ghw", PCIAddress: c.Address})
	}
}

func hasPCI(gs []GPU, addr string) bool {
	for _, g := range gs {
		if addr != "" && g.PCIAddress == addr {
			return true
		}
	}
	return false
}

func hasVendor(gs []GPU, v string) bool {
	for _, g := range gs {
		if g.Vendor == v {
			return true
		}
	}
	return false
}

// cpuFallback fills what ghw could not, and the SIMD features zq uses.
func cpuFallback(info *Info) {
	if info.CPU.Threads == 0 {
		info.CPU.Threads = runtime.NumCPU()
	}
	if info.CPU.Cores == 0 {
		info.CPU.Cores = info.CPU.Threads
	}
	info.CPU.Features = kernels.Features().String()
}

// catalogDevice looks the GPU up in the device catalog by name and memory
// size (VRAM; for Apple Silicon the Mac's RAM, memGiB).
func catalogDevice(g GPU, memGiB int) (catalog.Device, bool) {
	if memGiB == 0 && g.VRAMTotalBytes > 0 {
		memGiB = int((g.VRAMTotalBytes + (1 << 29)) >> 30)
	}
	if memGiB > 0 {
		if d, err := catalog.Find(g.Name + " " + strconv.Itoa(memGiB)); err == nil {
			return d, true
		}
	}
	d, err := catalog.Find(g.Name)
	return d, err == nil
}

// catalogBandwidth is the catalog bandwidth of a GPU, 0 when unknown.
func catalogBandwidth(g GPU) float64 {
	d, ok := catalogDevice(g, 0)
	if !ok {
		return 0
	}
	return d.BandwidthGBs
}

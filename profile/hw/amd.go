package hw

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ReadAMDSysfs lists amdgpu devices under root (normally /sys/class/drm):
// every cardN whose device/vendor is 0x1002 and that has
// device/mem_info_vram_total (bytes). A missing root is not an error.
func ReadAMDSysfs(root string) ([]GPU, error) {
	cards, err := filepath.Glob(filepath.Join(root, "card[0-9]*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(cards)
	var gpus []GPU
	for _, c := range cards {
		if strings.Contains(filepath.Base(c), "-") { // connectors: card0-DP-1
			continue
		}
		dev := filepath.Join(c, "device")
		vendor := readTrim(filepath.Join(dev, "vendor"))
		if vendor != "0x1002" {
			continue
		}
		totalS := readTrim(filepath.Join(dev, "mem_info_vram_total"))
		if totalS == "" {
			continue
		}
		total, err := strconv.ParseUint(totalS, 10, 64)
		if err != nil {
			return gpus, fmt.Errorf("%s: %q is not a byte count", filepath.Join(dev, "mem_info_vram_total"), totalS)
		}
		g := GPU{Vendor: "AMD", VRAMTotalBytes: total, Source: "sysfs", Driver: "amdgpu"}
		if used, err := strconv.ParseUint(readTrim(filepath.Join(dev, "mem_info_vram_used")), 10, 64); err == nil && used <= total {
			g.VRAMFreeBytes = total - used
		}
		g.Name = readTrim(filepath.Join(dev, "product_name"))
		if g.Name == "" {
			g.Name = "AMD GPU (PCI device " + readTrim(filepath.Join(dev, "device")) + ")"
		}
		if l, err := os.Readlink(dev); err == nil {
			g.PCIAddress = filepath.Base(l)
		}
		gpus = append(gpus, g)
	}
	return gpus, nil
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

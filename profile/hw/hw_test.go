package hw

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseNvidiaSMI(t *testing.T) {
	cases := []struct {
		file  string
		names []string
		total []uint64
		bw    []float64
	}{
		{"nvidia-smi-1gpu.csv", []string{"NVIDIA GeForce RTX 3060"}, []uint64{12288 << 20}, []float64{360}},
		{"nvidia-smi-2gpu.csv", []string{"NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 3090"}, []uint64{24564 << 20, 24576 << 20}, []float64{1008, 936}},
	}
	for _, c := range cases {
		f, err := os.Open(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		gs, err := ParseNvidiaSMI(f)
		f.Close()
		if err != nil || len(gs) != len(c.names) {
			t.Fatalf("%s: %d GPUs, %v", c.file, len(gs), err)
		}
		for i, g := range gs {
			if g.Index != i || g.Name != c.names[i] || g.VRAMTotalBytes != c.total[i] || g.Vendor != "NVIDIA" || g.Driver != "560.35.03" && i > 0 {
				t.Errorf("%s gpu %d: %+v", c.file, i, g)
			}
			if bw := catalogBandwidth(g); bw != c.bw[i] {
				t.Errorf("%s gpu %d: catalog bandwidth %v, want %v", c.file, i, bw, c.bw[i])
			}
		}
	}
	// [N/A] clock becomes 0; free memory parsed.
	gs, _ := ParseNvidiaSMI(strings.NewReader("1, NVIDIA GeForce RTX 3090, GPU-x, 24576, 24268, 308, 560.35.03, 8.6, [N/A]\n"))
	if gs[0].MaxMemClockMHz != 0 || gs[0].VRAMFreeBytes != 24268<<20 || gs[0].ComputeCap != "8.6" {
		t.Errorf("N/A handling: %+v", gs[0])
	}
	if _, err := ParseNvidiaSMI(strings.NewReader("0, only, three\n")); err == nil {
		t.Error("short line accepted")
	}
}

func TestQueryNvidiaAbsentOrBroken(t *testing.T) {
	absent := func(context.Context, string, ...string) ([]byte, error) { return nil, errNotFound }
	if gs, err := queryNvidia(context.Background(), absent); gs != nil || err != nil {
		t.Errorf("absent: %v %v", gs, err)
	}
	broken := func(context.Context, string, ...string) ([]byte, error) { return nil, errors.New("exit status 9") }
	if _, err := queryNvidia(context.Background(), broken); err == nil || !strings.Contains(err.Error(), "nvidia-smi") {
		t.Errorf("broken: %v", err)
	}
}

// writeTree writes files (path -> content) under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	for p, c := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadAMDSysfs(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"card0/device/vendor":              "0x1002",
		"card0/device/device":              "0x744c",
		"card0/device/mem_info_vram_total": "25753026560",
		"card0/device/mem_info_vram_used":  "1073741824",
		"card0/device/product_name":        "AMD Radeon RX 7900 XTX",
		"card0-DP-1/status":                "connected",
		"card1/device/vendor":              "0x8086", // integrated Intel: skipped
		"card2/device/vendor":              "0x1002", // amdgpu without VRAM info: skipped
		"card3/device/vendor":              "0x1002",
		"card3/device/device":              "0x73bf",
		"card3/device/mem_info_vram_total": "17163091968",
	})
	gs, err := ReadAMDSysfs(root)
	if err != nil || len(gs) != 2 {
		t.Fatalf("%d GPUs, %v", len(gs), err)
	}
	if gs[0].Name != "AMD Radeon RX 7900 XTX" || gs[0].VRAMTotalBytes != 25753026560 || gs[0].VRAMFreeBytes != 25753026560-1073741824 {
		t.Errorf("card0: %+v", gs[0])
	}
	if catalogBandwidth(gs[0]) != 960 {
		t.Errorf("RX 7900 XTX bandwidth %v", catalogBandwidth(gs[0]))
	}
	if gs[1].Name != "AMD GPU (PCI device 0x73bf)" || gs[1].VRAMFreeBytes != 0 {
		t.Errorf("card3: %+v", gs[1])
	}
	if gs, err := ReadAMDSysfs(filepath.Join(root, "nope")); err != nil || len(gs) != 0 {
		t.Errorf("missing root: %v %v", gs, err)
	}
	writeTree(t, root, map[string]string{"card4/device/vendor": "0x1002", "card4/device/mem_info_vram_total": "lots"})
	if _, err := ReadAMDSysfs(root); err == nil || !strings.Contains(err.Error(), "mem_info_vram_total") {
		t.Errorf("bad size: %v", err)
	}
}

func TestParseMeminfo(t *testing.T) {
	for _, c := range []struct {
		file         string
		total, avail uint64
	}{
		{"meminfo.txt", 65748292 * 1024, 52345678 * 1024},
		{"meminfo-old.txt", 8000000 * 1024, 3100000 * 1024},
	} {
		tot, av, err := readMeminfo(filepath.Join("testdata", c.file))
		if err != nil || tot != c.total || av != c.avail {
			t.Errorf("%s: %d %d %v", c.file, tot, av, err)
		}
	}
	if _, _, err := ParseMeminfo(strings.NewReader("Foo: 1 kB\n")); err == nil {
		t.Error("no MemTotal accepted")
	}
}

func readSysctl(t *testing.T, file string) map[string]string {
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, val, _ := strings.Cut(sc.Text(), ":")
		v[k] = strings.TrimSpace(val)
	}
	return v
}

func TestParseAppleSysctl(t *testing.T) {
	a, err := ParseAppleSysctl(readSysctl(t, "sysctl-m2-max.txt"))
	if err != nil || a == nil {
		t.Fatal(err)
	}
	if a.Chip != "Apple M2 Max" || a.PCores != 8 || a.ECores != 4 || a.MemoryBytes != 96<<30 || a.WorkingSetBytes != 72<<30 {
		t.Errorf("M2 Max: %+v", a)
	}
	a, err = ParseAppleSysctl(readSysctl(t, "sysctl-m3-pro-wired.txt"))
	if err != nil || a.WiredLimitMiB != 15360 || a.WorkingSetBytes != 15360<<20 {
		t.Errorf("M3 Pro with wired limit: %+v %v", a, err)
	}
	if a, err := ParseAppleSysctl(map[string]string{"machdep.cpu.brand_string": "Intel(R) Core(TM) i9"}); a != nil || err != nil {
		t.Errorf("Intel Mac: %+v %v", a, err)
	}
	if _, err := ParseAppleSysctl(map[string]string{"machdep.cpu.brand_string": "Apple M1", "hw.memsize": "x"}); err == nil {
		t.Error("bad memsize accepted")
	}
	if DefaultWorkingSet(16<<30) != (16<<30)*67/100 {
		t.Error("16 GB working set")
	}
}

func TestDetectHere(t *testing.T) {
	absent := func(context.Context, string, ...string) ([]byte, error) { return nil, errNotFound }
	info := Detect(context.Background(), Sources{Run: absent, DRMRoot: t.TempDir()})
	if info.CPU.Threads < 1 || info.CPU.Cores < 1 {
		t.Errorf("cpu: %+v", info.CPU)
	}
	if info.OS == "linux" && info.Memory.TotalBytes == 0 {
		t.Errorf("memory: %+v (notes %v)", info.Memory, info.Notes)
	}
	// With the vendor tools absent, only ghw can add a GPU; a machine
	// without one must say so plainly.
	if len(info.GPUs) == 0 && info.Apple == nil && !info.NoGPU {
		t.Error("no GPU but NoGPU unset")
	}
	if js, err := json.Marshal(info); err != nil || !strings.Contains(string(js), `"gpus":[`) {
		t.Errorf("JSON must list gpus as an array, even empty: %s (%v)", js, err)
	}
	recorded := func(_ context.Context, name string, _ ...string) ([]byte, error) {
		return os.ReadFile("testdata/nvidia-smi-2gpu.csv")
	}
	info = Detect(context.Background(), Sources{Run: recorded, DRMRoot: t.TempDir(), SkipGHW: true})
	if len(info.GPUs) != 2 || info.NoGPU || info.GPUs[1].BandwidthGBs != 936 || info.GPUs[0].Class != "nvidia-geforce" || info.GPUs[0].CatalogName != "RTX 4090" {
		t.Errorf("recorded nvidia-smi: %+v", info.GPUs)
	}
}

func TestCatalogDeviceApple(t *testing.T) {
	a, _ := ParseAppleSysctl(readSysctl(t, "sysctl-m2-max.txt"))
	g := GPU{Vendor: "Apple", Name: a.Chip, VRAMTotalBytes: a.WorkingSetBytes, Source: "sysctl"}
	d, ok := catalogDevice(g, int(a.MemoryBytes>>30))
	if !ok || d.Name != "M2 Max 96GB" || d.ClassName != "apple-max" || d.BandwidthGBs != 400 {
		t.Errorf("Apple M2 Max 96GB: %+v %v", d, ok)
	}
	// Without the RAM size the chip alone is ambiguous.
	if _, ok := catalogDevice(GPU{Vendor: "Apple", Name: "Apple M2 Max"}, 0); ok {
		t.Error("M2 Max matched without a memory size")
	}
}

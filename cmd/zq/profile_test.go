package main

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/profile/synth"
)

func TestProfileHardwareJSON(t *testing.T) {
	out, err := runZQ(t, "profile", "--hardware", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		CPU struct {
			Model          string
			Cores, Threads int
		}
		Memory struct {
			TotalBytes uint64 `json:"total_bytes"`
		}
		NoGPU bool `json:"no_gpu"`
		GPUs  []any
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info.CPU.Threads < 1 || info.CPU.Cores < 1 {
		t.Errorf("cpu: %+v", info.CPU)
	}
	if _, err := exec.LookPath("nvidia-smi"); err != nil && len(info.GPUs) == 0 && !info.NoGPU {
		t.Error("no GPU found but no_gpu is false")
	}
	if out, err := runZQ(t, "profile", "--hardware"); err != nil || !strings.Contains(out, "cpu:") {
		t.Errorf("text: %v\n%s", err, out)
	}
}

func TestProfileTargets(t *testing.T) {
	out, err := runZQ(t, "profile", "--list-targets")
	if err != nil || !strings.Contains(out, "RTX 3060 12GB") || !strings.Contains(out, "M2 Max 96GB") {
		t.Errorf("%v\n%s", err, out)
	}
	_, err = runZQ(t, "profile", "../../testdata/reference/quant-Q4_K_M.gguf", "--target", "rtx 3066")
	if err == nil || !strings.Contains(err.Error(), "did you mean") || !strings.Contains(err.Error(), "RTX 3060") {
		t.Errorf("unknown target: %v", err)
	}
	_, err = runZQ(t, "profile", "../../testdata/reference/quant-Q4_K_M.gguf", "--target", "m2 max")
	if err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("ambiguous target: %v", err)
	}
}

// TestProfileMemoryMistral7B is the acceptance check: a Mistral-7B-shaped
// Q4_K_M file (sparse, no weights) at 4096 and 32768, FA on and off,
// against llama.cpp's dry-run figures (llama-fit-params -v --no-repack:
// model + KV + compute MiB).
func TestProfileMemoryMistral7B(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mistral-7b-Q4_K_M.gguf")
	if _, err := synth.Write(p, synth.Mistral7B, "Q4_K_M"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ctx      string
		fa       string
		kvMiB    float64
		llamaSum float64
	}{
		{"4096", "false", 512, 4165 + 512 + 300},
		{"4096", "true", 512, 4165 + 512 + 112},
		{"32768", "false", 4096, 4165 + 4096 + 2148},
		{"32768", "true", 4096, 4165 + 4096 + 156},
	} {
		out, err := runZQ(t, "profile", p, "--ctx", c.ctx, "--flash-attn="+c.fa, "--json")
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Breakdown map[string]any     `json:"breakdown"`
			MiB       map[string]float64 `json:"mib"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"weights_device_bytes", "weights_host_bytes", "kv_cache_bytes", "compute_bytes", "output_buffer_bytes", "reserve_bytes", "device_total_bytes", "total_bytes"} {
			if _, ok := rep.Breakdown[k]; !ok {
				t.Errorf("breakdown lacks %s", k)
			}
		}
		if rep.MiB["kv_cache_mib"] != c.kvMiB {
			t.Errorf("ctx %s: KV %.1f MiB, want %.0f", c.ctx, rep.MiB["kv_cache_mib"], c.kvMiB)
		}
		sum := rep.MiB["weights_device_mib"] + rep.MiB["weights_host_mib"] + rep.MiB["kv_cache_mib"] + rep.MiB["compute_mib"]
		if rel := math.Abs(sum/c.llamaSum - 1); rel > 0.10 {
			t.Errorf("ctx %s fa %s: weights+KV+compute %.0f MiB, llama.cpp %.0f", c.ctx, c.fa, sum, c.llamaSum)
		}
		if rep.MiB["total_mib"] < sum {
			t.Errorf("total %.0f below its parts %.0f", rep.MiB["total_mib"], sum)
		}
	}
	out, err := runZQ(t, "profile", p, "--ctx", "8192", "--target", "rtx 3060")
	if err != nil || !strings.Contains(out, "KV cache") || !strings.Contains(out, "target RTX 3060 12GB") || !strings.Contains(out, "predicted") {
		t.Errorf("%v\n%s", err, out)
	}
}

func TestProfileBadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "x.gguf")
	os.WriteFile(bad, []byte("not a gguf at all"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"profile", bad}, "x.gguf"},
		{[]string{"profile", "../../testdata/reference/quant-Q4_K_M.gguf", "--ctx", "0"}, "at least 1 token"},
		{[]string{"profile", t.TempDir(), "--engine", "none"}, "no GGUF models"},
		{[]string{"profile", "../../testdata/reference/quant-Q4_K_M.gguf", "--vram", "12GiB"}, "--bandwidth"},
		{[]string{"profile", "../../testdata/reference/quant-Q4_K_M.gguf", "--vram", "lots", "--bandwidth", "360GB/s"}, "--vram"},
		{[]string{"profile"}, "give a GGUF file"},
		{[]string{"profile", "../../testdata/reference/quant-Q4_K_M.gguf", "--format", "xml"}, "--format"},
	} {
		_, err := runZQ(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v (want %q)", c.args, err, c.want)
		}
	}
}

func TestParseUnits(t *testing.T) {
	for s, want := range map[string]uint64{"12GiB": 12 << 30, "12": 12 << 30, "12GB": 12e9, "12288MiB": 12 << 30, "0.5 TiB": 1 << 39} {
		if got, err := parseBytes(s); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v", s, got, err)
		}
	}
	for s, want := range map[string]float64{"360GB/s": 360, "360": 360, "1.5TB/s": 1500, "900 GB/s": 900} {
		if got, err := parseBandwidth(s); err != nil || got != want {
			t.Errorf("parseBandwidth(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "x", "-3GB", "12XB"} {
		if _, err := parseBytes(s); err == nil {
			t.Errorf("parseBytes(%q) accepted", s)
		}
	}
}

// TestProfileCheckLlama compares zq's estimate with llama.cpp's own dry run
// when llama-fit-params is on PATH (skipped otherwise).
func TestProfileCheckLlama(t *testing.T) {
	if _, err := exec.LookPath("llama-fit-params"); err != nil {
		t.Skip("llama-fit-params not on PATH")
	}
	p := filepath.Join(t.TempDir(), "mistral-7b-Q4_K_M.gguf")
	if _, err := synth.Write(p, synth.Mistral7B, "Q4_K_M"); err != nil {
		t.Fatal(err)
	}
	for _, fa := range []string{"true", "false"} {
		out, err := runZQ(t, "profile", p, "--ctx", "8192", "--flash-attn="+fa, "--check-llama", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			MiB   map[string]float64 `json:"mib"`
			Llama struct {
				KV      float64 `json:"kv_cache_mib"`
				Compute float64 `json:"compute_mib"`
				Rows    []struct {
					Model float64 `json:"model_mib"`
				} `json:"breakdown"`
			} `json:"llama_cpp"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Llama.KV != rep.MiB["kv_cache_mib"] {
			t.Errorf("fa %s: KV zq %.1f, llama.cpp %.1f", fa, rep.MiB["kv_cache_mib"], rep.Llama.KV)
		}
		if rel := math.Abs(rep.MiB["compute_mib"]/rep.Llama.Compute - 1); rel > 0.10 {
			t.Errorf("fa %s: compute zq %.1f, llama.cpp %.1f", fa, rep.MiB["compute_mib"], rep.Llama.Compute)
		}
		var model float64
		for _, r := range rep.Llama.Rows {
			model += r.Model
		}
		if w := rep.MiB["weights_device_mib"] + rep.MiB["weights_host_mib"]; math.Abs(w-model) > 1 {
			t.Errorf("fa %s: weights zq %.1f, llama.cpp %.0f", fa, w, model)
		}
	}
}

func TestProfileGPULayers(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.gguf")
	if _, err := synth.Write(p, synth.Mistral7B, "Q4_K_M"); err != nil {
		t.Fatal(err)
	}
	get := func(ngl string) map[string]float64 {
		out, err := runZQ(t, "profile", p, "--ctx", "4096", "--gpu-layers", ngl, "--json")
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			MiB map[string]float64 `json:"mib"`
		}
		json.Unmarshal([]byte(out), &rep)
		return rep.MiB
	}
	all, half, none := get("-1"), get("17"), get("0")
	if !(all["device_total_mib"] > half["device_total_mib"] && half["device_total_mib"] > none["device_total_mib"]) || none["device_total_mib"] != 0 {
		t.Errorf("device totals: all %.0f, 17 layers %.0f, none %.0f", all["device_total_mib"], half["device_total_mib"], none["device_total_mib"])
	}
	if math.Abs(all["total_mib"]-half["total_mib"]) > 0.01 || math.Abs(half["total_mib"]-none["total_mib"]) > 0.01 {
		t.Errorf("offload moved memory but changed the total: %.1f %.1f %.1f", all["total_mib"], half["total_mib"], none["total_mib"])
	}
}

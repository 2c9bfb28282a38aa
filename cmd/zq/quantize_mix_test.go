package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/internal/filehash"
)

// mixOut is the JSON of a mix run.
type mixOut struct {
	Plan struct {
		Target    string  `json:"target"`
		FileSize  int64   `json:"file_size_bytes"`
		LikeBytes int64   `json:"like_file_size_bytes"`
		KLD       float64 `json:"predicted_kld"`
		FileType  string  `json:"file_type"`
		Tensors   []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"tensors"`
	} `json:"plan"`
	Measurements struct {
		Cached bool `json:"cached"`
	} `json:"measurements"`
}

func runMixJSON(t *testing.T, args ...string) mixOut {
	t.Helper()
	out, err := runZQ(t, args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	var m mixOut
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v: %v in %q", args, err, out)
	}
	return m
}

// TestQuantizeMix makes a Q4_K_M-sized mix of the micro model with small
// measurement settings: the same bytes for 1 and 2 threads, a cached
// dry run with the same plan, a Hugging Face directory input with the same
// plan, the recipe in the metadata, and clear errors for bad flags.
func TestQuantizeMix(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	f16, hf := filepath.Join(wd, f16GGUF), filepath.Join(wd, microDir)
	b, err := os.ReadFile(devText)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if err := os.WriteFile("cal.txt", b[:20000], 0o644); err != nil {
		t.Fatal(err)
	}
	small := []string{"--calibration", "cal.txt", "--calibration-ctx", "128", "--calibration-chunks", "4",
		"--measure-tokens", "256", "--measure-values", "4096", "--measure-groups", "block", "--measure-probes", "1", "--json"}
	mixArgs := func(in, out string, extra ...string) []string {
		return append(append([]string{"quantize", in, out, "--like", "q4_k_m"}, small...), extra...)
	}
	a := runMixJSON(t, mixArgs(f16, "a.gguf", "-t", "1", "--measure-cache", "c1")...)
	runMixJSON(t, mixArgs(f16, "b.gguf", "-t", "2", "--measure-cache", "c2")...)
	if fileSHA256(t, "a.gguf") != fileSHA256(t, "b.gguf") {
		t.Error("1 and 2 threads wrote different mixes")
	}
	st, _ := os.Stat("a.gguf")
	if a.Plan.FileSize != st.Size() || st.Size() > a.Plan.LikeBytes || a.Plan.FileType != "Q4_K_M" || len(a.Plan.Tensors) != 30 {
		t.Errorf("mix: %d bytes (plan %d, preset %d), file type %s, %d tensors", st.Size(), a.Plan.FileSize, a.Plan.LikeBytes, a.Plan.FileType, len(a.Plan.Tensors))
	}
	dry := runMixJSON(t, mixArgs(f16, "dry.gguf", "--dry-run", "--measure-cache", "c1")...)
	if !dry.Measurements.Cached || !reflect.DeepEqual(dry.Plan, a.Plan) {
		t.Errorf("cached dry run: cached %v, same plan %v", dry.Measurements.Cached, reflect.DeepEqual(dry.Plan, a.Plan))
	}
	if _, err := os.Stat("dry.gguf"); err == nil {
		t.Error("--dry-run wrote its output")
	}
	kq := runMixJSON(t, mixArgs(f16, "k.gguf", "--dry-run", "--measure-cache", "c1", "--mix-types", "q4_K,q5_K,q6_K")...)
	for _, pt := range kq.Plan.Tensors {
		if pt.Type != "q4_K" && pt.Type != "q5_K" && pt.Type != "q6_K" {
			t.Errorf("--mix-types q4_K,q5_K,q6_K: %s is %s", pt.Name, pt.Type)
		}
	}
	if kq.Plan.KLD < a.Plan.KLD {
		t.Errorf("fewer types predict less damage: %g < %g", kq.Plan.KLD, a.Plan.KLD)
	}
	fromDir := runMixJSON(t, mixArgs(hf, "d.gguf", "--dry-run", "--no-measure-cache")...)
	if !reflect.DeepEqual(fromDir.Plan.Tensors, a.Plan.Tensors) {
		t.Error("the Hugging Face directory gives another plan than its F16 conversion")
	}

	f, err := gguf.OpenFile("a.gguf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	textSHA, _ := filehash.SHA256("cal.txt")
	ft, _ := f.Metadata.Uint32("general.file_type")
	target, _ := f.Metadata.String("zq.mix.target")
	sha, _ := f.Metadata.String("zq.mix.calibration_sha256")
	kld, _ := f.Metadata.Float32("zq.mix.predicted_kld")
	if ft != 15 || target != "like Q4_K_M" || sha != textSHA || kld != float32(a.Plan.KLD) {
		t.Errorf("metadata: file type %d, target %q, text sha256 %s, predicted KLD %g (plan %g)", ft, target, sha, kld, a.Plan.KLD)
	}
	for _, pt := range a.Plan.Tensors {
		ti, ok := f.Lookup(pt.Name)
		if !ok || ti.Type.String() != pt.Type {
			t.Errorf("%s: stored as %v, planned %s", pt.Name, ti, pt.Type)
		}
	}
	// zq profile lists the mix as a row of its own, named by its target.
	if out, err := runZQ(t, "profile", "a.gguf", f16, "--target", "rtx 3060", "--json"); err != nil || !strings.Contains(out, `"name": "mix like Q4_K_M"`) {
		t.Errorf("zq profile: %v; no row named \"mix like Q4_K_M\"", err)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--like", "q4_k_m", "--type", "q4_k_m", "--calibration", "cal.txt"}, "--type cannot be used"},
		{[]string{"--like", "q4_k_m"}, "needs a calibration text"},
		{[]string{"--like", "q4_k_m", "--target-bpw", "4", "--calibration", "cal.txt"}, "give one of"},
		{[]string{"--target-size", "3 parsecs", "--calibration", "cal.txt"}, "unknown or missing unit"},
		{[]string{"--like", "f16", "--calibration", "cal.txt"}, "not a quantized preset"},
		{[]string{"--target-bpw", "40", "--calibration", "cal.txt"}, "--target-bpw 40"},
		{[]string{"--target-bpw", "1", "--measure-cache", "c1", "--calibration", "cal.txt", "--calibration-ctx", "128",
			"--calibration-chunks", "4", "--measure-tokens", "256", "--measure-values", "4096", "--measure-groups", "block", "--measure-probes", "1"}, "smallest possible size"},
		{[]string{"--like", "q4_k_m", "--calibration", "cal.txt", "--measure-groups", "layer"}, "expected auto, tensor or block"},
		{[]string{"--like", "q4_k_m", "--calibration", "cal.txt", "--mix-types", "q4_K,q9_K"}, "--mix-types"},
	} {
		args := append([]string{"quantize", f16, "bad.gguf"}, tc.args...)
		if _, err := runZQ(t, args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	if _, err := os.Stat("bad.gguf"); err == nil {
		t.Error("a refused run wrote its output")
	}
}

package kernels

import (
	"runtime"
	"strings"

	"golang.org/x/sys/cpu"
)

// CPUFeatures are the instruction-set extensions zq's kernels can use,
// read once at start-up. PureGo is set when the build (-tags purego) or the
// architecture compiles every assembly twin out; the other fields then
// still describe the CPU but no kernel uses them.
type CPUFeatures struct {
	AVX2, FMA, F16C     bool // x86-64: 256-bit integer and float SIMD
	AVX512F, AVX512BW   bool // x86-64: 512-bit SIMD
	AVX512VL            bool // x86-64: EVEX forms on 128/256-bit registers
	AVX512VNNI, AVXVNNI bool // x86-64: VPDPBUSD on 512/256-bit registers
	ASIMDDot            bool // arm64: SDOT/UDOT
	PureGo              bool // assembly compiled out
}

// features is the one copy of the CPU's features; kernels read it when
// their dispatch variables are initialised.
var features = detectFeatures()

// Features returns the CPU features detected at start-up.
func Features() CPUFeatures { return features }

func detectFeatures() CPUFeatures {
	return CPUFeatures{
		AVX2:       cpu.X86.HasAVX2,
		FMA:        cpu.X86.HasFMA,
		F16C:       cpu.X86.HasAVX && cpu.X86.HasF16C,
		AVX512F:    cpu.X86.HasAVX512F,
		AVX512BW:   cpu.X86.HasAVX512BW,
		AVX512VL:   cpu.X86.HasAVX512VL,
		AVX512VNNI: cpu.X86.HasAVX512VNNI,
		AVXVNNI:    cpu.X86.HasAVXVNNI,
		ASIMDDot:   runtime.GOARCH == "arm64" && cpu.ARM64.HasASIMDDP,
		PureGo:     pureGo,
	}
}

// String lists the features in use, e.g. "avx2 fma f16c avx512vnni", or
// "purego" when the assembly is compiled out.
func (f CPUFeatures) String() string {
	if f.PureGo {
		return "purego"
	}
	var s []string
	for _, x := range []struct {
		on   bool
		name string
	}{
		{f.AVX2, "avx2"}, {f.FMA, "fma"}, {f.F16C, "f16c"},
		{f.AVX512F, "avx512f"}, {f.AVX512BW, "avx512bw"}, {f.AVX512VL, "avx512vl"},
		{f.AVX512VNNI, "avx512vnni"}, {f.AVXVNNI, "avxvnni"}, {f.ASIMDDot, "asimddot"},
	} {
		if x.on {
			s = append(s, x.name)
		}
	}
	if len(s) == 0 {
		return "scalar"
	}
	return strings.Join(s, " ")
}

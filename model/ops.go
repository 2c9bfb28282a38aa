package model

import (
	"math"

	"github.com/zqtool/zq/kernels"
)

// rmsNorm writes x·(1/sqrt(mean(x²)+eps))·w to dst, as ggml's rms_norm
// followed by the weight multiply: the sum of squares is accumulated in
// float64, the mean rounded to float32.
func rmsNorm(dst, x, w []float32, eps float32) {
	var sum float64
	for _, v := range x {
		sum += float64(v * v)
	}
	mean := float32(sum / float64(len(x)))
	scale := 1 / float32(math.Sqrt(float64(mean+eps)))
	w = w[:len(x)]
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = (v * scale) * w[i]
	}
}

// ropeTable returns cos/sin pairs for position pos in ggml's layout
// (GGML_ROPE_TYPE_NORMAL): entry i rotates elements 2i and 2i+1 by
// θ_i = scale·pos·base^(−2i/dims)/freqs[i]. θ is built by repeated float32
// multiplication, as ggml_rope_cache_init does.
func ropeTable(dst []float32, pos int, dims int, base, scale float32, freqs []float32) {
	thetaScale := float32(math.Pow(float64(base), float64(-2/float32(dims))))
	theta := float32(pos)
	for i := 0; i < dims/2; i++ {
		t := theta
		if freqs != nil {
			t /= freqs[i]
		}
		t *= scale
		dst[2*i] = float32(math.Cos(float64(t)))
		dst[2*i+1] = float32(math.Sin(float64(t)))
		theta *= thetaScale
	}
}

// rope rotates consecutive pairs of every head in x (heads·dims floats) by
// the angles in table, each rotated value computed as rotate turns it.
func rope(x []float32, heads, dims int, table []float32) {
	for h := 0; h < heads; h++ {
		v := x[h*dims : (h+1)*dims]
		for i := 0; i+1 < dims; i += 2 {
			v[i], v[i+1] = rotate(v[i], v[i+1], table[i], table[i+1])
		}
	}
}

// rotate returns (x0·c − x1·s, x0·s + x1·c) as ggml's rotate_pairs does
// when built by GCC, which contracts each into one fused multiply-add of
// x0 and the other product rounded: fma(x0, c, −x1·s), fma(x0, s, x1·c).
func rotate(x0, x1, c, s float32) (float32, float32) {
	return kernels.FMA32(x0, c, -float32(x1*s)), kernels.FMA32(x0, s, float32(x1*c))
}

// ropeNeoX rotates the pairs (i, i+dims/2) of every head in x by the
// angles in table (GGML_ROPE_TYPE_NEOX, used by qwen2 and gemma2).
func ropeNeoX(x []float32, heads, dims int, table []float32) {
	half := dims / 2
	for h := 0; h < heads; h++ {
		v := x[h*dims : (h+1)*dims]
		for i := 0; i < half; i++ {
			v[i], v[i+half] = rotate(v[i], v[i+half], table[2*i], table[2*i+1])
		}
	}
}

// gelu is ggml's CPU GELU (tanh approximation) as its geglu uses it: the
// input rounded to float16, looked up in a float16 table, so the result is
// float16-rounded too; 0 below −10 and the identity above 10.
func gelu(x float32) float32 {
	switch {
	case x <= -10:
		return 0
	case x >= 10:
		return x
	}
	const sqrt2OverPi, coefA = 0.79788456080286535587989211986876, 0.044715
	v := kernels.F16ToF32(kernels.F32ToF16(x))
	// 1 + a·v·v as one fused multiply-add, as GCC contracts ggml_gelu_f32
	// (with it, all 65536 entries of ggml's float16 table agree; without,
	// one differs).
	inner := float32(math.FMA(float64(float32(coefA)*v), float64(v), 1))
	g := 0.5 * v * (1 + tanhf(float32(float32(sqrt2OverPi)*v)*inner))
	return kernels.F16ToF32(kernels.F32ToF16(g))
}

// geglu overwrites g with gelu(g)·u.
func geglu(g, u []float32) {
	u = u[:len(g)]
	for i, v := range g {
		g[i] = gelu(v) * u[i]
	}
}

// softcap applies c·tanh(x/c) to every element, as ggml_scale, ggml_tanh,
// ggml_scale do (c > 0).
func softcap(x []float32, c float32) {
	inv := 1 / c
	for i, v := range x {
		x[i] = tanhf(v*inv) * c
	}
}

// silu returns x/(1+e^−x) in float32, as ggml_silu_f32.
func silu(x float32) float32 {
	return x / (1 + float32(math.Exp(float64(-x))))
}

// swigluChunk is how many values one task of the fast path's SwiGLU takes.
const swigluChunk = 1 << 14

// swiglu overwrites g with silu(g)·u: on the fast path with kernels.SwiGLU
// (Expf, SIMD) split across the workers, on the reference path with
// swigluExact.
func (c *Context) swiglu(g, u []float32) {
	if c.opts.Reference {
		swigluExact(g, u)
		return
	}
	if len(g) <= swigluChunk {
		kernels.SwiGLU(g, u)
		return
	}
	c.run((len(g)+swigluChunk-1)/swigluChunk, func(_, task int) {
		i0, i1 := task*swigluChunk, min(len(g), (task+1)*swigluChunk)
		kernels.SwiGLU(g[i0:i1], u[i0:i1])
	})
}

// swigluExact overwrites g with silu(g)·u, silu through math.Exp.
func swigluExact(g, u []float32) {
	u = u[:len(g)]
	for i, v := range g {
		g[i] = silu(v) * u[i]
	}
}

// addTo adds src to dst element-wise.
func addTo(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}

// addBias adds b to each of the n rows of x (row length len(b)); a nil b
// does nothing.
func addBias(x []float32, n int, b []float32) {
	if b == nil {
		return
	}
	for t := 0; t < n; t++ {
		addTo(x[t*len(b):(t+1)*len(b)], b)
	}
}

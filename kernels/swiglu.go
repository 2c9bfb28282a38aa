package kernels

// SiLU returns x/(1+e^−x) in float32 with Expf, as ggml_silu_f32 does
// with the C library's expf.
func SiLU(x float32) float32 {
	return x / (1 + Expf(-x))
}

// SwiGLU overwrites g with SiLU(g)·u element by element (ggml's swiglu,
// the gated feed-forward of Llama-family models); len(u) ≥ len(g). With
// AVX2 an assembly twin computes four values at a time with Expf's exact
// float64 operations, so both give the same bits.
func SwiGLU(g, u []float32) {
	u = u[:len(g)]
	m := swigluBulk(g, u)
	swigluGo(g[m:], u[m:])
}

// swigluGo is SwiGLU's pure-Go twin.
func swigluGo(g, u []float32) {
	u = u[:len(g)]
	for i, v := range g {
		g[i] = SiLU(v) * u[i]
	}
}

// Package model is zq's forward pass for llama-architecture GGUF models
// (Llama, Mistral): token embedding, RMSNorm, RoPE in ggml's "normal"
// layout, grouped-query causal attention with an optional sliding window,
// SwiGLU feed-forward, output norm and head, with a KV cache for
// incremental decoding and batched prompt evaluation.
//
// Weights stay encoded (quantized, memory-mapped). The default fast path
// computes as llama.cpp's CPU backend does: each matrix product quantizes
// its activation rows once to the type ggml pairs with the weight type and
// runs the fused kernels of package kernels on a persistent worker pool;
// the KV cache is F16 (or Q8_0/F32) and attention streams over it with an
// online softmax, as ggml's flash attention. Options.Reference selects the
// reference path instead: weight rows decoded to float32, float32
// activations and cache, exact softmax. Either way the output does not
// depend on the thread count.
package model

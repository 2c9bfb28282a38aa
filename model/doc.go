// Package model is zq's reference forward pass for llama-architecture GGUF
// models (Llama, Mistral): token embedding, RMSNorm, RoPE in ggml's
// "normal" layout, grouped-query causal attention with an optional sliding
// window, SwiGLU feed-forward, output norm and head, with a float32 KV cache
// for incremental decoding and batched prompt evaluation.
//
// Weights stay encoded (quantized, memory-mapped) and are decoded a few
// rows at a time while a matrix product uses them; all arithmetic is
// float32. Results therefore differ slightly from llama.cpp, which
// multiplies quantized weights with activations quantized to a partner
// type and keeps an F16 KV cache by default.
package model

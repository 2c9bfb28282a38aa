package memory

import (
	"fmt"

	"github.com/zqtool/zq/ggml"
)

// Defaults of llama.cpp (common_params, Dec 2025).
const (
	DefaultBatch  = 2048 // -b
	DefaultUBatch = 512  // -ub
	CtxPad        = 256  // n_ctx is rounded up to a multiple of this
)

// Options are the run settings that change memory use.
type Options struct {
	Ctx       int    // requested context (tokens); padded to CtxPad
	UBatch    int    // physical batch (default 512)
	Batch     int    // logical batch (default 2048)
	FlashAttn bool   // flash attention on
	KType     string // K cache type, a ggml type name (default "f16")
	VType     string // V cache type (default "f16"); a quantized V needs FlashAttn
	Seqs      int    // parallel sequences sharing the cache (default 1)
	// Layers offloaded to the device, counting the output layer as the
	// highest one as llama.cpp does; -1 (or more than Layers+1) means all.
	GPULayers int
}

// withDefaults fills zero fields with llama.cpp's defaults.
func (o Options) withDefaults() Options {
	if o.UBatch <= 0 {
		o.UBatch = DefaultUBatch
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.KType == "" {
		o.KType = "f16"
	}
	if o.VType == "" {
		o.VType = "f16"
	}
	if o.Seqs <= 0 {
		o.Seqs = 1
	}
	return o
}

// Breakdown is the memory an estimate assigns to each component, in bytes.
// "Device" is where offloaded layers live (a GPU, or the same RAM for a CPU
// or unified-memory run); "host" is system RAM outside the device.
type Breakdown struct {
	Ctx          int    `json:"ctx"`        // requested
	CtxPadded    int    `json:"ctx_padded"` // cells allocated
	UBatch       int    `json:"ubatch"`     // effective physical batch
	FlashAttn    bool   `json:"flash_attn"`
	KType        string `json:"k_type"`
	VType        string `json:"v_type"`
	LayersOnDev  int    `json:"layers_on_device"` // repeating blocks offloaded
	OutputOnDev  bool   `json:"output_on_device"`
	WeightsDev   uint64 `json:"weights_device_bytes"`
	WeightsHost  uint64 `json:"weights_host_bytes"`
	KCache       uint64 `json:"k_cache_bytes"`
	VCache       uint64 `json:"v_cache_bytes"`
	KVCache      uint64 `json:"kv_cache_bytes"`
	KVDev        uint64 `json:"kv_cache_device_bytes"`
	Compute      uint64 `json:"compute_bytes"`
	OutputBuffer uint64 `json:"output_buffer_bytes"` // logits, on the host
	Reserve      uint64 `json:"reserve_bytes"`       // runtime overhead on the device (driver, context)
	DeviceTotal  uint64 `json:"device_total_bytes"`  // weights_device + kv_device + compute + reserve
	HostTotal    uint64 `json:"host_total_bytes"`    // weights_host + host KV + output buffer
	Total        uint64 `json:"total_bytes"`         // device_total + host_total
}

// MiB returns the byte fields of b in MiB, keyed "<name>_mib".
func (b Breakdown) MiB() map[string]float64 {
	r := func(x uint64) float64 { return float64(x) / MiB }
	return map[string]float64{
		"weights_device_mib": r(b.WeightsDev), "weights_host_mib": r(b.WeightsHost),
		"k_cache_mib": r(b.KCache), "v_cache_mib": r(b.VCache), "kv_cache_mib": r(b.KVCache),
		"compute_mib": r(b.Compute), "output_buffer_mib": r(b.OutputBuffer), "reserve_mib": r(b.Reserve),
		"device_total_mib": r(b.DeviceTotal), "host_total_mib": r(b.HostTotal), "total_mib": r(b.Total),
	}
}

// kvCells is the KV cache size of layer il at padded context ctx: all of
// it, or for a sliding-window layer what llama.cpp's iSWA cache allocates
// (window + ubatch, padded to 256, at most ctx; one sequence).
func (m *Model) kvCells(il, ctx, ubatch int) int {
	if il >= len(m.Window) || m.Window[il] <= 0 {
		return ctx
	}
	return PadCtx(min(ctx, m.Window[il]+ubatch))
}

// PadCtx rounds n up to llama.cpp's context padding.
func PadCtx(n int) int { return (n + CtxPad - 1) / CtxPad * CtxPad }

// Estimate computes the memory for one run of m with options o; reserve is
// the device's runtime overhead (0 for a CPU run).
func (m *Model) Estimate(o Options, reserve uint64) (Breakdown, error) {
	o = o.withDefaults()
	if o.Ctx <= 0 {
		return Breakdown{}, fmt.Errorf("context %d: must be at least 1 token", o.Ctx)
	}
	kt, err := ParseCacheType(o.KType)
	if err != nil {
		return Breakdown{}, fmt.Errorf("K cache: %w", err)
	}
	vt, err := ParseCacheType(o.VType)
	if err != nil {
		return Breakdown{}, fmt.Errorf("V cache: %w", err)
	}
	if vt.BlockSize() > 1 && !o.FlashAttn {
		return Breakdown{}, fmt.Errorf("a quantized V cache (%s) needs flash attention, as in llama.cpp", vt)
	}
	kvdim := int64(m.KVHeads * m.HeadDim)
	kRow, err := kt.RowSize(kvdim)
	if err != nil {
		return Breakdown{}, fmt.Errorf("K cache: %w", err)
	}
	vRow, err := vt.RowSize(kvdim)
	if err != nil {
		return Breakdown{}, fmt.Errorf("V cache: %w", err)
	}
	ctx := PadCtx(o.Ctx)
	b := Breakdown{
		Ctx: o.Ctx, CtxPadded: ctx, FlashAttn: o.FlashAttn,
		KType: kt.String(), VType: vt.String(),
		UBatch: min(o.UBatch, o.Batch, ctx),
	}
	cells := make([]uint64, m.Layers) // KV cells of each layer
	for il := range cells {
		cells[il] = uint64(m.kvCells(il, ctx, b.UBatch))
		b.KCache += cells[il] * uint64(kRow)
		b.VCache += cells[il] * uint64(vRow)
	}
	b.KVCache = b.KCache + b.VCache

	// Offload: the output layer is llama.cpp's highest "layer" and goes
	// first; then repeating blocks from the last one down.
	ngl := o.GPULayers
	if ngl < 0 || ngl > m.Layers+1 {
		ngl = m.Layers + 1
	}
	b.OutputOnDev = ngl > 0
	b.LayersOnDev = max(0, ngl-1)
	b.WeightsHost = m.TokEmbd
	if b.OutputOnDev {
		b.WeightsDev += m.Output + m.Other
	} else {
		b.WeightsHost += m.Output + m.Other
	}
	for i := m.Layers - 1; i >= 0; i-- {
		if m.Layers-i <= b.LayersOnDev {
			b.WeightsDev += m.LayerBytes[i]
		} else {
			b.WeightsHost += m.LayerBytes[i]
		}
	}
	for il := m.Layers - b.LayersOnDev; il < m.Layers; il++ {
		b.KVDev += cells[il] * uint64(kRow+vRow)
	}
	b.Compute = m.ComputeBytes(ctx, b.UBatch, o.FlashAttn)
	b.OutputBuffer = uint64(o.Seqs) * uint64(m.Vocab) * 4
	if ngl > 0 {
		b.Reserve = reserve
	}
	b.DeviceTotal = b.WeightsDev + b.KVDev + b.Compute + b.Reserve
	b.HostTotal = b.WeightsHost + (b.KVCache - b.KVDev) + b.OutputBuffer
	if ngl == 0 {
		// Nothing offloaded: the compute buffer lives on the host.
		b.DeviceTotal -= b.Compute
		b.HostTotal += b.Compute
	}
	b.Total = b.DeviceTotal + b.HostTotal
	return b, nil
}

// ComputeBytes is the size of llama.cpp's compute (graph) buffer for a
// context of ctx cells and a physical batch of ub tokens. The allocator
// reuses memory layer to layer, so the buffer is the largest of three
// phases (all f32 activations, 4 bytes per value):
//
//   - attention without flash attention: the score matrix and its mask,
//     ub·ctx·(heads+1), plus Q, K, V of the batch, the attention output and
//     the residual rows (4·n_embd + 2·n_embd_kv);
//   - the feed-forward block: gate, up and their product (3·n_ff) and three
//     residual-width rows, plus the flash-attention mask, which llama.cpp
//     builds in f32 and casts to f16 (fitted at 3.5 bytes per cell against
//     c9ced49's dry runs: the allocator overlaps part of the two);
//   - the output head: ub·(n_vocab + n_embd), the logits dominating for
//     large vocabularies.
func (m *Model) ComputeBytes(ctx, ub int, flashAttn bool) uint64 {
	u, c := uint64(ub), uint64(ctx)
	ff, e := uint64(m.FF), uint64(m.Embd)
	out := u * 4 * (uint64(m.Vocab) + e)
	ffn := u * 4 * (3*ff + 3*e)
	if flashAttn {
		return max(out, ffn+u*c*7/2)
	}
	kv := uint64(m.KVHeads * m.HeadDim)
	attn := u * 4 * (c*(uint64(m.Heads)+1) + 4*e + 2*kv)
	return max(out, ffn+u*c*4, attn)
}

// CacheTypes are the KV cache types llama.cpp accepts for -ctk/-ctv.
var CacheTypes = []ggml.Type{ggml.TypeF32, ggml.TypeF16, ggml.TypeBF16, ggml.TypeQ8_0, ggml.TypeQ4_0, ggml.TypeQ4_1, ggml.TypeIQ4_NL, ggml.TypeQ5_0, ggml.TypeQ5_1}

// ParseCacheType resolves a -ctk/-ctv name ("f16", "q8_0", ...).
func ParseCacheType(name string) (ggml.Type, error) {
	t, err := ggml.ParseType(name)
	if err == nil {
		for _, c := range CacheTypes {
			if c == t {
				return t, nil
			}
		}
	}
	return 0, fmt.Errorf("cache type %q: llama.cpp accepts f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1", name)
}

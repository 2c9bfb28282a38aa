// Package predict says, for a GGUF model and a target device, whether each
// context and KV cache type fits (fits / tight / no, with the largest
// context that fits and the layers that fit when the model does not) and
// roughly how fast llama.cpp would decode: a bandwidth roofline scaled by the
// device class's measured efficiency (docs/profile-notes.md §4). Every
// number here is a prediction, not a measurement.
package predict

import (
	"strings"

	"github.com/zqtool/zq/profile/catalog"
	"github.com/zqtool/zq/profile/memory"
)

// HostBandwidthGBs is the system-RAM bandwidth assumed for layers left on
// the host of a target machine (dual-channel DDR4/DDR5 class).
const HostBandwidthGBs = 50.0

// Calibration is an efficiency measured on this machine: when the target
// has the same device class, it replaces the class prior.
type Calibration struct {
	Class  string  `json:"class"`
	Eta    float64 `json:"eta"`
	Engine string  `json:"engine"`
}

// Options are the settings predictions are made for.
type Options struct {
	Ctxs      []int    // contexts to judge (default 4096, 8192, 32768)
	KVTypes   []string // cache types (default f16, q8_0, q4_0)
	FlashAttn bool
	UBatch    int
	Calib     *Calibration
}

// DefaultCtxs are the contexts judged when none are given.
var DefaultCtxs = []int{4096, 8192, 32768}

// DefaultKVTypes are the cache types judged when none are given.
var DefaultKVTypes = []string{"f16", "q8_0", "q4_0"}

// Cell is the prediction for one context and cache type.
type Cell struct {
	Ctx        int              `json:"ctx"`
	KVType     string           `json:"kv_type"`
	Verdict    memory.Verdict   `json:"verdict"`
	NeedBytes  uint64           `json:"need_bytes"`
	Breakdown  memory.Breakdown `json:"breakdown"`
	GPULayers  int              `json:"gpu_layers"` // layers offloaded (all + output when it fits)
	GenTPS     float64          `json:"gen_tps_predicted"`
	PromptTPS  float64          `json:"prompt_tps_predicted"`
	Note       string           `json:"note,omitempty"`
	BeyondCtx  bool             `json:"beyond_trained_ctx,omitempty"`
	Incomplete bool             `json:"-"`
}

// Prediction is everything predicted for one model on one device.
type Prediction struct {
	Device      string         `json:"device"`
	UsableBytes uint64         `json:"usable_bytes"`
	Eta         float64        `json:"eta"`
	EtaSource   string         `json:"eta_source"`
	Cells       []Cell         `json:"cells"`
	MaxCtx      map[string]int `json:"max_ctx"` // per KV type, full offload
	Label       string         `json:"label"`
}

// quantFast lists file types with llama.cpp's fastest GPU kernels; other
// (K- and i-quant) files get the class's lower K-quant efficiency.
var quantFast = map[string]bool{"Q4_0": true, "Q8_0": true, "Q4_1": true, "Q5_0": true, "Q5_1": true, "F16": true, "BF16": true, "F32": true, "ALL_F32": true, "MOSTLY_F16": true}

// Eta is the decode efficiency assumed for a model of fileType on d, and
// where it came from.
func Eta(d catalog.Device, fileType string, c *Calibration) (float64, string) {
	if c != nil && c.Eta > 0 && c.Class == d.ClassName {
		return c.Eta, "measured on this machine (" + c.Engine + ")"
	}
	if quantFast[strings.ToUpper(fileType)] {
		return d.Class.Eta, "class prior " + d.ClassName
	}
	return d.Class.EtaKQuant, "class prior " + d.ClassName + " (K/i-quant kernels)"
}

// Run predicts m on d.
func Run(m *memory.Model, d catalog.Device, o Options) (*Prediction, error) {
	if len(o.Ctxs) == 0 {
		o.Ctxs = DefaultCtxs
	}
	if len(o.KVTypes) == 0 {
		o.KVTypes = DefaultKVTypes
	}
	bud := d.Budget()
	eta, src := Eta(d, m.FileType, o.Calib)
	p := &Prediction{
		Device: d.Name, UsableBytes: bud.Usable, Eta: eta, EtaSource: src, MaxCtx: map[string]int{},
		Label: "predicted: memory from llama.cpp's allocation rules, speed from a bandwidth roofline x device-class efficiency",
	}
	limit := m.CtxLimit()
	for _, kv := range o.KVTypes {
		mo := memory.Options{UBatch: o.UBatch, FlashAttn: o.FlashAttn || kv != "f16", KType: kv, VType: kv}
		mc, err := m.MaxCtx(mo, bud, limit)
		if err != nil {
			return nil, err
		}
		p.MaxCtx[kv] = mc
		for _, ctx := range o.Ctxs {
			mo.Ctx = ctx
			c, err := cell(m, d, bud, mo, eta)
			if err != nil {
				return nil, err
			}
			c.BeyondCtx = m.CtxTrain > 0 && ctx > m.CtxTrain
			p.Cells = append(p.Cells, c)
		}
	}
	return p, nil
}

func cell(m *memory.Model, d catalog.Device, bud memory.Budget, mo memory.Options, eta float64) (Cell, error) {
	b, v, err := m.Fit(mo, bud)
	if err != nil {
		return Cell{}, err
	}
	c := Cell{Ctx: mo.Ctx, KVType: mo.KType, Verdict: v, NeedBytes: bud.Need(b), Breakdown: b, GPULayers: m.Layers + 1}
	if v == memory.NoFit && !bud.Unified {
		n, pb, err := m.MaxLayers(mo, bud)
		if err != nil {
			return Cell{}, err
		}
		c.GPULayers, c.Breakdown = n, pb
		c.Note = "partial offload"
	}
	c.GenTPS = GenTPS(m, d, c.Breakdown, eta, mo.Ctx)
	c.PromptTPS = PromptTPS(m, d)
	if v == memory.NoFit && bud.Unified {
		c.GenTPS, c.PromptTPS = 0, 0
		c.Note = "does not fit in the GPU working set"
	}
	return c, nil
}

// GenTPS is the decode roofline: per token, the device streams its share
// of weights and of the KV cache at nPast positions at eta x bandwidth,
// and the host streams the rest at HostBandwidthGBs x 0.65; no token takes
// less than the class's fixed per-token cost.
func GenTPS(m *memory.Model, d catalog.Device, b memory.Breakdown, eta float64, nPast int) float64 {
	if eta <= 0 || d.BandwidthGBs <= 0 {
		return 0
	}
	layers := float64(m.Layers)
	kvTok := float64(b.KVCache) / float64(max(1, b.CtxPadded)) * float64(nPast)
	devFrac := float64(b.LayersOnDev) / layers
	devBytes := float64(b.WeightsDev) + kvTok*devFrac
	hostBytes := float64(m.StreamedPerToken()) - float64(b.WeightsDev) + kvTok*(1-devFrac)
	if hostBytes < 0 {
		hostBytes = 0
	}
	t := devBytes / (eta * d.BandwidthGBs * 1e9)
	if hostBytes > 0 {
		t += hostBytes / (0.65 * HostBandwidthGBs * 1e9)
	}
	// A per-token fixed cost (kernel launches, synchronisation) bounds
	// small models; 7B-class models are far above it.
	t = max(t, d.Class.MinTokenMS/1000)
	return 1 / t
}

// PromptTPS is a rough prompt-processing estimate: two FLOPs per parameter
// per token at the class's fraction of the device's FP16 peak.
func PromptTPS(m *memory.Model, d catalog.Device) float64 {
	if d.FP16TFLOPS <= 0 || m.Params == 0 {
		return 0
	}
	return d.Class.PPEta * d.FP16TFLOPS * 1e12 / (2 * float64(m.Params))
}

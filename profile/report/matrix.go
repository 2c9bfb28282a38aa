// Package report assembles zq profile's matrix, one row per quantization
// (size, memory at each context, fit on the target, quality, measured and
// predicted speed), picks the recommendation and renders it as a terminal
// table, Markdown, CSV or JSON.
package report

import (
	"github.com/zqtool/zq/profile/measure"
	"github.com/zqtool/zq/profile/memory"
)

// Target describes the device predictions are made for.
type Target struct {
	Name         string  `json:"name"`
	Class        string  `json:"class"`
	MemoryBytes  uint64  `json:"memory_bytes"`
	UsableBytes  uint64  `json:"usable_bytes"`
	BandwidthGBs float64 `json:"bandwidth_gbs"`
	Eta          float64 `json:"eta"`
	EtaSource    string  `json:"eta_source"`
	ThisMachine  bool    `json:"this_machine,omitempty"`
}

// MemAt is a row's memory need on the target at one context.
type MemAt struct {
	Ctx       int            `json:"ctx"`
	NeedBytes uint64         `json:"need_bytes"`
	NeedGiB   float64        `json:"need_gib"`
	Verdict   memory.Verdict `json:"verdict"`
	GPULayers int            `json:"gpu_layers"`
	PredTPS   float64        `json:"gen_tps_predicted"`
}

// Row is one quantization.
type Row struct {
	Name          string           `json:"name"` // file type, e.g. "Q4_K_M"
	Path          string           `json:"path"`
	SizeBytes     int64            `json:"size_bytes"`
	BitsPerWeight float64          `json:"bits_per_weight"`
	Memory        []MemAt          `json:"memory"`
	Verdict       memory.Verdict   `json:"verdict"` // at the requested context
	MaxCtx        map[string]int   `json:"max_ctx"` // per KV type on the target
	Quality       *measure.Quality `json:"quality,omitempty"`
	Speed         *measure.Speed   `json:"speed_measured_here,omitempty"`
	PredGenTPS    float64          `json:"gen_tps_predicted"`
	PredPromptTPS float64          `json:"prompt_tps_predicted"`
}

// Recommendation is the closing verdict.
type Recommendation struct {
	Best     string `json:"best"`
	RunnerUp string `json:"runner_up,omitempty"`
	Reason   string `json:"reason"`
	By       string `json:"ranked_by"` // kld, delta_ppl or bits_per_weight
}

// Matrix is the whole report.
type Matrix struct {
	Target         Target          `json:"target"`
	Ctxs           []int           `json:"ctxs"`
	Ctx            int             `json:"ctx"` // the context the verdict and recommendation use
	KVType         string          `json:"kv_type"`
	FlashAttn      bool            `json:"flash_attn"`
	MinTPS         float64         `json:"min_tps,omitempty"`
	Engine         string          `json:"engine_measured_here,omitempty"`
	Rows           []Row           `json:"rows"`
	Recommendation *Recommendation `json:"recommendation,omitempty"`
	Notes          []string        `json:"notes,omitempty"`
	PredictedLabel string          `json:"predicted_label"`
}

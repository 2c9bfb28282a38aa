// Package convert turns a Hugging Face Llama/Mistral checkpoint into a GGUF
// file identical to the one llama.cpp's convert_hf_to_gguf.py writes.
//
// Conversion is planned first and executed second. [NewPlan] reads
// config.json and the safetensors headers and decides everything — output
// names, shapes, types, metadata, the source and transform of every tensor
// — as plain data ([Plan.Steps]); [Execute] then streams the tensors through
// that plan into a GGUF writer, a chunk at a time, so memory stays bounded
// by a few chunk buffers per worker whatever the model size.
package convert

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/hf"
	"github.com/zqtool/zq/safetensors"
)

// Options configure a conversion plan.
type Options struct {
	OutType string // "f32", "f16", "bf16", "q8_0" or "auto" ("" means auto)
	Threads int    // workers for Data and Execute; <= 0 means GOMAXPROCS
}

// Step is the plan for one output tensor, as printable plain data.
type Step struct {
	Name        string    `json:"name"`                // GGUF tensor name
	Dims        []uint64  `json:"ne"`                  // GGUF dimensions, innermost first
	Type        ggml.Type `json:"-"`                   // output tensor type
	TypeName    string    `json:"type"`                // Type.String()
	Sources     []string  `json:"sources,omitempty"`   // Hugging Face tensors read
	SourceDType string    `json:"source_dtype"`        // their safetensors dtype ("F32" for generated tensors)
	Permute     int       `json:"permute,omitempty"`   // > 0: rows un-permuted for llama RoPE in this many head groups
	Fallback    bool      `json:"fallback,omitempty"`  // the file type's type did not fit the row length; F16 used
	Generated   string    `json:"generated,omitempty"` // how a tensor without sources is computed
	Shift       float32   `json:"shift,omitempty"`     // added to every value in the source precision (Gemma norms)
}

// String formats the step on one line.
func (s Step) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-28s %-6s ne=%v", s.Name, s.TypeName, s.Dims)
	if len(s.Sources) > 0 {
		fmt.Fprintf(&b, " ← %s (%s)", strings.Join(s.Sources, ", "), s.SourceDType)
	}
	if s.Generated != "" {
		fmt.Fprintf(&b, " ← generated: %s", s.Generated)
	}
	if s.Permute > 0 {
		fmt.Fprintf(&b, " permute(%d heads)", s.Permute)
	}
	if s.Fallback {
		b.WriteString(" [F16 fallback]")
	}
	return b.String()
}

// Plan is a fully decided conversion: metadata, tensor infos and per-tensor
// steps, plus the open checkpoint the data is read from.
type Plan struct {
	dir     string
	arch    *Arch
	cfg     *modelConfig
	hfcfg   *hf.Config
	model   *safetensors.Model
	ftype   ggml.FileType
	md      gguf.Metadata
	steps   []Step
	infos   []gguf.TensorInfo
	srcs    []sourceInfo        // per step
	files   map[string]*os.File // open shards, by name relative to dir
	threads int
}

// sourceInfo is what Data needs about a step's input.
type sourceInfo struct {
	tensor    safetensors.TensorInfo // zero for generated tensors
	values    []float32              // generated values
	units     int                    // extent of HF dimension 0 (1 for scalars)
	unitElems int                    // elements per dimension-0 slice
	group     int                    // permutation group in units (head_dim), 0 = none
	shift     float32                // added to every value, in the source precision
}

// NewPlan opens the checkpoint in dir, loads its config and builds the
// conversion plan, validating every tensor against the config.
func NewPlan(dir string, opts Options) (*Plan, error) {
	if err := checkModelDir(dir); err != nil {
		return nil, err
	}
	cfg, hfcfg, err := loadConfig(dir)
	if err != nil {
		return nil, err
	}
	arch, err := LookupArch(cfg.Architecture)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := checkRopeType(arch, cfg); err != nil {
		return nil, err
	}
	if err := checkRunnable(arch, cfg, hfcfg); err != nil {
		return nil, err
	}
	model, err := safetensors.Open(dir)
	if err != nil {
		return nil, err
	}
	p := &Plan{dir: dir, arch: arch, cfg: cfg, hfcfg: hfcfg, model: model, threads: opts.Threads}
	if p.threads <= 0 {
		p.threads = runtime.GOMAXPROCS(0)
	}
	if err := p.openShards(); err != nil {
		p.Close()
		return nil, err
	}
	if err := p.build(opts); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// openShards opens every shard for reading. Tensor data is read with
// pread into small buffers rather than through the memory map, so the
// checkpoint's pages never count toward this process's resident set.
func (p *Plan) openShards() error {
	p.files = map[string]*os.File{}
	for _, sh := range p.model.Shards() {
		f, err := safetensors.OpenFile(p.model.Dir(), sh)
		if err != nil {
			return err
		}
		p.files[sh] = f
	}
	return nil
}

// build fills in everything after the checkpoint is open.
func (p *Plan) build(opts Options) error {
	tensors := p.model.Tensors()
	ft, err := resolveOutType(opts.OutType, tensors)
	if err != nil {
		return err
	}
	p.ftype = ft
	if err := p.planGenerated(); err != nil {
		return err
	}
	if err := p.planTensors(tensors); err != nil {
		return err
	}
	return p.buildMetadata()
}

// addStep appends a step with its tensor info.
func (p *Plan) addStep(s Step, src sourceInfo) {
	s.TypeName = s.Type.String()
	p.steps = append(p.steps, s)
	p.infos = append(p.infos, gguf.TensorInfo{Name: s.Name, Dims: append([]uint64(nil), s.Dims...), Type: s.Type})
	p.srcs = append(p.srcs, src)
}

// Metadata returns every KV pair in file order.
func (p *Plan) Metadata() gguf.Metadata { return append(gguf.Metadata(nil), p.md...) }

// Tensors returns the output tensor infos in file order (offsets unset).
func (p *Plan) Tensors() []gguf.TensorInfo {
	out := make([]gguf.TensorInfo, len(p.infos))
	for i, t := range p.infos {
		t.Dims = append([]uint64(nil), t.Dims...)
		out[i] = t
	}
	return out
}

// Steps returns the per-tensor plan.
func (p *Plan) Steps() []Step {
	out := make([]Step, len(p.steps))
	for i, s := range p.steps {
		s.Dims = append([]uint64(nil), s.Dims...)
		s.Sources = append([]string(nil), s.Sources...)
		out[i] = s
	}
	return out
}

// FileType is the resolved output file type (general.file_type).
func (p *Plan) FileType() ggml.FileType { return p.ftype }

// Dir is the checkpoint directory.
func (p *Plan) Dir() string { return p.dir }

// ParameterCount is the number of weights in the output tensors.
func (p *Plan) ParameterCount() uint64 {
	var n uint64
	for _, t := range p.infos {
		n += t.NumElements()
	}
	return n
}

// Close releases the checkpoint.
func (p *Plan) Close() error {
	var errs []error
	for _, f := range p.files {
		errs = append(errs, f.Close())
	}
	p.files = nil
	errs = append(errs, p.model.Close())
	return errors.Join(errs...)
}

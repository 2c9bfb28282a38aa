package quantize

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
)

// PlannedTensor is the decision for one tensor of the output file.
type PlannedTensor struct {
	Source   int        // index in the source's tensor list
	Name     string     // tensor name
	Dims     []uint64   // ne, innermost first, trailing 1s dropped (as ggml writes them)
	From     ggml.Type  // type in the source
	To       ggml.Type  // type in the output
	Quantize bool       // converted (false: copied byte for byte)
	Role     TensorRole // what the type rules saw (Kind, counter)
	Rules    bool       // the mixture rules ran for this tensor
	Fallback bool       // a fallback type replaced the rules' choice
}

// Plan is the complete, data-only description of a quantization: the
// output order, every tensor's type and the model facts the choices came
// from. It is computed before any tensor data is touched.
type Plan struct {
	Preset      Preset
	Shape       ModelShape
	Policy      PolicyOptions
	Tensors     []PlannedTensor // in output order
	NFallback   int             // tensors that needed a fallback type
	NKQuantized int             // tensors the rules ran for without a fallback
}

// Quantizable reports whether llama-quantize considers the tensor for
// quantization at all: a name ending in "weight", at least two dimensions
// (trailing 1s do not count), not a norm, not output.weight under
// leaveOutput, and none of llama.cpp's special exclusions. Everything else
// is copied unchanged.
func Quantizable(name string, dims []uint64, leaveOutput bool) bool {
	if !strings.HasSuffix(name, "weight") || len(trimDims(dims)) < 2 {
		return false
	}
	if strings.Contains(name, "_norm.weight") || (leaveOutput && name == "output.weight") {
		return false
	}
	if name == "position_embd.weight" || name == "token_types.weight" {
		return false
	}
	for _, s := range excludedSubstrings {
		if strings.Contains(name, s) {
			return false
		}
	}
	return true
}

// excludedSubstrings are llama-quantize's never-quantize name fragments
// (expert gates, small recurrent/multimodal weights).
var excludedSubstrings = []string{
	"ffn_gate_inp.weight", "altup", "laurel", "per_layer_model_proj",
	"ssm_conv1d.weight", "shortconv.conv.weight",
	"time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight",
	"time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight",
	"time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight",
	"time_mix_g1.weight", "time_mix_g2.weight",
	"time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight",
	"attn_rel_b.weight", ".position_embd.",
}

// trimDims drops trailing dimensions of size 1, keeping at least one.
func trimDims(dims []uint64) []uint64 {
	n := len(dims)
	for n > 1 && dims[n-1] == 1 {
		n--
	}
	if n == 0 {
		return []uint64{1}
	}
	return append([]uint64(nil), dims[:n]...)
}

// PlanOptions are the choices that shape a plan.
type PlanOptions struct {
	Preset            Preset
	Policy            PolicyOptions
	LeaveOutputTensor bool
	AllowRequantize   bool
	// TensorTypes overrides the rules' choice for the named tensors (exact
	// names of quantizable tensors), as llama-quantize's --tensor-type
	// does; the forced token-embedding and output types still win.
	TensorTypes map[string]ggml.Type
}

// NewPlan decides the output order and the type of every tensor, as
// llama-quantize would for a model with this metadata and these tensors.
func NewPlan(md gguf.Metadata, tensors []gguf.TensorInfo, o PlanOptions) (*Plan, error) {
	shape, err := ShapeFromModel(md, tensors)
	if err != nil {
		return nil, err
	}
	p := &Plan{Preset: o.Preset, Shape: shape, Policy: o.Policy}
	order := make([]int, len(tensors))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return loaderLess(tensors[order[a]].Name, tensors[order[b]].Name) })

	rules := !o.Policy.Pure && o.Preset.Quantized()
	counters := map[Kind]int{}
	overridden := 0
	for _, idx := range order {
		t := tensors[idx]
		pt := PlannedTensor{Source: idx, Name: t.Name, Dims: trimDims(t.Dims), From: t.Type, To: t.Type}
		if Quantizable(t.Name, t.Dims, o.LeaveOutputTensor) {
			role := TensorRole{Name: t.Name, Kind: Classify(t.Name, shape.HasOutput), Ne: [4]int64{1, 1, 1, 1}}
			for j, d := range pt.Dims {
				role.Ne[j] = int64(d)
			}
			if rules && role.Kind.Counted() {
				role.Index = counters[role.Kind]
				counters[role.Kind]++
			}
			d, err := TensorType(o.Preset, role, shape, o.Policy)
			if err != nil {
				return nil, err
			}
			pt.Role, pt.To, pt.Rules, pt.Fallback = role, d.Type, d.Rules, d.Fallback
			if typ, ok := o.TensorTypes[t.Name]; ok {
				pt.To, pt.Fallback = overrideType(typ, d.Type, t.Name, o.Policy), false
				overridden++
			}
			if d.Rules {
				if d.Fallback {
					p.NFallback++
				} else {
					p.NKQuantized++
				}
			}
			pt.Quantize = pt.To != pt.From
			if pt.Quantize {
				if err := checkConvertible(pt, o.AllowRequantize); err != nil {
					return nil, err
				}
			}
		}
		p.Tensors = append(p.Tensors, pt)
	}
	if overridden != len(o.TensorTypes) {
		for _, name := range sortedKeys(o.TensorTypes) {
			if !slices.ContainsFunc(p.Tensors, func(pt PlannedTensor) bool { return pt.Name == name && pt.Role.Name != "" }) {
				return nil, fmt.Errorf("tensor type override for %q: the model has no quantizable tensor of that name", name)
			}
		}
	}
	return p, nil
}

// overrideType is the type an override gives a tensor: the forced
// token-embedding and output types win over it, as in llama-quantize.
func overrideType(typ, rules ggml.Type, name string, o PolicyOptions) ggml.Type {
	if (o.TokenEmbeddingType != nil && name == "token_embd.weight") || (o.OutputTensorType != nil && name == "output.weight") {
		return rules
	}
	return typ
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkConvertible reports tensors whose source cannot be turned into float
// or whose row length does not fit the target type.
func checkConvertible(pt PlannedTensor, allowRequantize bool) error {
	switch {
	case pt.From == ggml.TypeF32 || pt.From == ggml.TypeF16 || pt.From == ggml.TypeBF16:
	case pt.From.Traits().Quantized:
		if !allowRequantize {
			return fmt.Errorf("tensor %q: requantizing from type %s is disabled (pass --allow-requantize)", pt.Name, pt.From)
		}
	default:
		return fmt.Errorf("tensor %q: cannot convert tensor type %s", pt.Name, pt.From)
	}
	if _, err := pt.To.RowSize(int64(pt.Dims[0])); err != nil {
		return fmt.Errorf("tensor %q: cannot store it as %s: %w", pt.Name, pt.To, err)
	}
	return nil
}

// Unsupported lists, in plan order, the output types the plan needs that
// package codec cannot encode (yet), with the first tensor needing each.
func (p *Plan) Unsupported() (types []ggml.Type, first []string) {
	seen := map[ggml.Type]bool{}
	for _, pt := range p.Tensors {
		if pt.Quantize && !codec.Supports(pt.To) && !seen[pt.To] {
			seen[pt.To] = true
			types = append(types, pt.To)
			first = append(first, pt.Name)
		}
	}
	return types, first
}

// checkSupported returns an error naming every type the plan needs that zq
// cannot encode.
func (p *Plan) checkSupported() error {
	types, first := p.Unsupported()
	if len(types) == 0 {
		return nil
	}
	var parts []string
	for i, t := range types {
		parts = append(parts, fmt.Sprintf("%s (first needed by %s)", t, first[i]))
	}
	return fmt.Errorf("preset %s needs tensor types zq cannot quantize to yet: %s", p.Preset.Name, strings.Join(parts, ", "))
}

// Print writes the plan as a table: one line per tensor.
func (p *Plan) Print(w io.Writer) {
	fmt.Fprintf(w, "preset %s (ftype %d), arch %s, %d layers, n_head %d, n_head_kv %d, n_expert %d, attn_v tensors %d, output %v\n",
		p.Preset.Name, p.Preset.FileType, p.Shape.Arch, p.Shape.NLayer, p.Shape.NHead, p.Shape.NHeadKV,
		p.Shape.NExpert, p.Shape.NAttentionWV, p.Shape.HasOutput)
	for _, t := range p.Tensors {
		action := "copy"
		if t.Quantize {
			action = "quantize"
		}
		extra := ""
		if t.Rules && t.Role.Kind.Counted() {
			extra = fmt.Sprintf(" %s#%d", t.Role.Kind, t.Role.Index)
		}
		if t.Fallback {
			extra += " fallback"
		}
		if t.Quantize && !codec.Supports(t.To) {
			extra += " (no zq codec)"
		}
		fmt.Fprintf(w, "%-36s %-16s %-7s -> %-7s %s%s\n", t.Name, fmt.Sprint(t.Dims), t.From, t.To, action, extra)
	}
}

// MarshalJSON writes the plan with type names instead of type ids.
func (p *Plan) MarshalJSON() ([]byte, error) {
	type tensor struct {
		Name     string   `json:"name"`
		Ne       []uint64 `json:"ne"`
		From     string   `json:"type_from"`
		To       string   `json:"type_to"`
		Quantize bool     `json:"quantize"`
		Kind     string   `json:"kind,omitempty"`
		Index    *int     `json:"counter,omitempty"`
		Fallback bool     `json:"fallback,omitempty"`
		NoCodec  bool     `json:"no_codec,omitempty"` // zq cannot quantize to type_to yet
	}
	out := struct {
		Preset      string     `json:"preset"`
		FileType    string     `json:"file_type"`
		FileTypeID  uint32     `json:"file_type_id"`
		Shape       ModelShape `json:"shape"`
		Tensors     []tensor   `json:"tensors"`
		NFallback   int        `json:"fallback_tensors"`
		NKQuantized int        `json:"k_quantized_tensors"`
	}{Preset: p.Preset.Name, FileType: p.Preset.FileType.String(), FileTypeID: uint32(p.Preset.FileType), Shape: p.Shape, NFallback: p.NFallback, NKQuantized: p.NKQuantized}
	for _, t := range p.Tensors {
		jt := tensor{Name: t.Name, Ne: t.Dims, From: t.From.String(), To: t.To.String(), Quantize: t.Quantize, Fallback: t.Fallback,
			NoCodec: t.Quantize && !codec.Supports(t.To)}
		if t.Rules {
			jt.Kind = t.Role.Kind.String()
			if t.Role.Kind.Counted() {
				i := t.Role.Index
				jt.Index = &i
			}
		}
		out.Tensors = append(out.Tensors, jt)
	}
	return json.Marshal(out)
}

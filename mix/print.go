package mix

import (
	"encoding/json"
	"fmt"
	"io"
)

// MarshalJSON writes the type by its ggml name.
func (t PlanTensor) MarshalJSON() ([]byte, error) {
	type plain PlanTensor
	return json.Marshal(struct {
		plain
		Type string `json:"type"`
	}{plain(t), t.Type.String()})
}

// MarshalJSON adds the file type to the plan's fields.
func (p *Plan) MarshalJSON() ([]byte, error) {
	type plain Plan
	return json.Marshal(struct {
		*plain
		FileType   string `json:"file_type"`
		FileTypeID uint32 `json:"file_type_id"`
	}{(*plain)(p), p.Preset.FileType.String(), uint32(p.Preset.FileType)})
}

// Print writes the plan as a table, one line per measured tensor, and
// the totals.
func (p *Plan) Print(w io.Writer) {
	fmt.Fprintf(w, "%-28s %-8s %12s %14s\n", "tensor", "type", "bytes", "predicted KLD")
	for _, t := range p.Tensors {
		fmt.Fprintf(w, "%-28s %-8s %12d %14.6f\n", t.Name, t.Type, t.Bytes, t.Damage)
	}
	fmt.Fprintf(w, "target          %s\n", p.Target)
	if p.LikeBytes > 0 {
		fmt.Fprintf(w, "preset size     %d bytes", p.LikeBytes)
		if p.LikeKLD != nil {
			fmt.Fprintf(w, " (its predicted KLD %.6f)", *p.LikeKLD)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "file size       %d bytes (%.2f MiB), %.4f bits per weight, file type %s\n",
		p.FileSize, float64(p.FileSize)/(1<<20), p.BPW, p.Preset.FileType)
	fmt.Fprintf(w, "predicted KLD   %.6f (lower bound %.6f)\n", p.PredictedKLD, p.LowerBound)
}

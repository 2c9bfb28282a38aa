package mix

import (
	"math"
	"strings"

	"github.com/zqtool/zq/model"
)

// Calibration groups. The proxy is the error of a tensor's own output; how
// much of it reaches the predictions depends strongly on the tensor's kind
// (an attention query's error passes a softmax, an output projection's
// enters the residual stream) and less on its layer. Calibrating every
// tensor alone is exact but costs 7 passes per layer; "block" calibrates
// every tensor of a few probe layers alone, which gives each kind its
// typical scale, and the other layers one pass per attention and
// feed-forward half, which corrects those scales for the half.

// groupTensors assigns each of m's weights (in Matrices order) a
// calibration group: its own, or with "block" outside the probe layers
// one per layer half. "auto" is "tensor" for models of up to
// maxTensorGroups weights.
func groupTensors(m *model.Model, mode string, probes int) []int {
	mats := m.Matrices()
	if mode == "auto" {
		mode = "tensor"
		if len(mats) > maxTensorGroups {
			mode = "block"
		}
	}
	probe := probeLayers(len(m.Layers), probes)
	out := make([]int, len(mats))
	ids := map[string]int{}
	for i, w := range mats {
		key := w.Name
		if l := layerOf(m, w); mode == "block" && l >= 0 && l < len(m.Layers) && !probe[l] {
			key = blockHalf(w.Name)
		}
		id, ok := ids[key]
		if !ok {
			id = len(ids)
			ids[key] = id
		}
		out[i] = id
	}
	return out
}

// probeLayers picks n layers of nLayers evenly, the first and the last
// among them.
func probeLayers(nLayers, n int) map[int]bool {
	out := map[int]bool{}
	switch {
	case n <= 0 || nLayers == 0:
	case n == 1:
		out[0] = true
	default:
		for i := range n {
			out[int(math.Round(float64(i)*float64(nLayers-1)/float64(n-1)))] = true
		}
	}
	return out
}

// blockHalf names the part of a layer a weight belongs to: "blk.N.attn"
// or "blk.N.ffn".
func blockHalf(name string) string {
	rest := strings.TrimPrefix(name, "blk.")
	n, _, _ := strings.Cut(rest, ".")
	if strings.Contains(name, ".ffn_") {
		return "blk." + n + ".ffn"
	}
	return "blk." + n + ".attn"
}

// kindOf is a weight's name without its layer: "attn_q.weight".
func kindOf(name string) string {
	if rest, ok := strings.CutPrefix(name, "blk."); ok {
		if _, k, ok := strings.Cut(rest, "."); ok {
			return k
		}
	}
	return name
}

// layerOf is the layer whose input w changes: −1 for the token
// embedding, len(Layers) for the output head.
func layerOf(m *model.Model, w *model.Weight) int {
	if w == m.TokEmbd {
		return -1
	}
	for i := range m.Layers {
		l := &m.Layers[i]
		for _, x := range []*model.Weight{l.Q, l.K, l.V, l.O, l.Gate, l.Up, l.Down} {
			if x == w {
				return i
			}
		}
	}
	return len(m.Layers)
}

// fitScales sets every tensor's scale from the passes. A tensor calibrated
// alone gets its own: KLD / proxy at the reference type. In a group of
// several, each kind keeps its typical scale (the geometric mean over the
// tensors of that kind calibrated alone; 1 without any) times one factor
// for the group that makes the group's predicted KLD its measured one.
func fitScales(ms *Measurements) {
	size := make([]int, len(ms.Groups))
	for _, t := range ms.Tensors {
		size[t.Group]++
	}
	logSum, count := map[string]float64{}, map[string]int{}
	for _, t := range ms.Tensors {
		g := ms.Groups[t.Group]
		if size[t.Group] == 1 && g.Scale > 0 && strings.HasPrefix(t.Name, "blk.") {
			logSum[kindOf(t.Name)] += math.Log(g.Scale)
			count[kindOf(t.Name)]++
		}
	}
	typical := func(name string) float64 {
		if n := count[kindOf(name)]; n > 0 {
			return math.Exp(logSum[kindOf(name)] / float64(n))
		}
		return 1
	}
	weighted := make([]float64, len(ms.Groups)) // Σ typical × proxy at the reference type
	for _, t := range ms.Tensors {
		weighted[t.Group] += typical(t.Name) * t.Proxy[indexOf(t.Types, t.Ref)]
	}
	for i := range ms.Tensors {
		t := &ms.Tensors[i]
		g := ms.Groups[t.Group]
		switch {
		case size[t.Group] == 1:
			t.Scale = g.Scale
		case weighted[t.Group] > 0:
			t.Scale = typical(t.Name) * g.KLD / weighted[t.Group]
		}
	}
}

func groupSize(ms *Measurements, g int) int {
	n := 0
	for _, t := range ms.Tensors {
		if t.Group == g {
			n++
		}
	}
	return n
}

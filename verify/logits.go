package verify

import (
	"container/heap"
	"math"
)

// softmaxStats returns the largest logit m, the first index holding it and
// lse = log Σ_i exp(logit_i − m), each exp taken in float32 (as expf) and
// summed in float64, as llama-perplexity does.
func softmaxStats(logits []float32) (m float32, imax int, lse float64) {
	m = logits[0]
	for i, v := range logits {
		if v > m {
			m, imax = v, i
		}
	}
	var s float64
	for _, v := range logits {
		s += float64(float32(math.Exp(float64(v - m))))
	}
	return m, imax, math.Log(s)
}

// nll is −log p(tok) = lse − (logit_tok − m), the difference taken in
// float32 first, as llama-perplexity's log_softmax.
func nll(logits []float32, tok int32, m float32, lse float64) float64 {
	return lse - float64(logits[tok]-m)
}

// topEntry is one candidate of a top-k selection.
type topEntry struct {
	id    int32
	logit float32
}

// minHeap keeps the k best entries with the worst at the root; "worse"
// means a lower logit or, for equal logits, a higher id.
type minHeap []topEntry

func (h minHeap) Len() int { return len(h) }
func (h minHeap) Less(i, j int) bool {
	if h[i].logit != h[j].logit {
		return h[i].logit < h[j].logit
	}
	return h[i].id > h[j].id
}
func (h minHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)   { *h = append(*h, x.(topEntry)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// topK writes the k largest logits' ids to ids (len k), best first, ties
// broken by the lower id; h is reusable scratch.
func topK(logits []float32, ids []int32, h *minHeap) {
	k := len(ids)
	*h = (*h)[:0]
	for i, v := range logits {
		e := topEntry{int32(i), v}
		if len(*h) < k {
			heap.Push(h, e)
			continue
		}
		root := (*h)[0]
		if v > root.logit || (v == root.logit && e.id < root.id) {
			(*h)[0] = e
			heap.Fix(h, 0)
		}
	}
	for i := len(*h) - 1; i >= 0; i-- {
		ids[i] = heap.Pop(h).(topEntry).id
	}
}

// TokenNLL is −log p(tok) under logits, computed as llama-perplexity and
// llama-imatrix do.
func TokenNLL(logits []float32, tok int32) float64 {
	m, _, lse := softmaxStats(logits)
	return nll(logits, tok, m, lse)
}

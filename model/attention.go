package model

import (
	"math"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/internal/llamahp"
	"github.com/zqtool/zq/kernels"
)

// attnBlock is how many cached positions meet a query in one kernel call
// of the streaming attention: the scores of one block are all it keeps.
const attnBlock = 64

// attnChunk is how many (token, head) pairs one task of the reference
// attention takes.
const attnChunk = 4

// window returns the first cached position query position p attends to
// in layer il (llama.cpp masks p0 when p − p0 ≥ window).
func (c *Context) window(il, p int) int {
	if w := llamahp.Hparams(c.m.H).SlidingWindow(il); w > 0 {
		return max(0, p-w+1)
	}
	return 0
}

// score turns a raw query·key product into the softmax input: the
// attention scale, then soft-capping c·tanh(s/c) when the model has it
// (ggml's flash attention folds 1/c into the scale).
func (c *Context) score(raw float32) float32 {
	h := &c.m.H
	if h.AttnSoftcap > 0 {
		return h.AttnSoftcap * tanhf(raw*(h.AttnScale/h.AttnSoftcap))
	}
	return raw * h.AttnScale
}

// attention computes causal (optionally sliding-window) grouped-query
// attention of the n queries in c.q against layer il's cache, writing
// c.att: on the fast path streaming, as ggml's CPU flash attention does,
// one task per (token, KV head) so the query heads sharing a KV head share
// its decoded rows.
func (c *Context) attention(il, n, pos int) {
	if c.opts.Reference {
		c.attentionRef(il, n, pos)
		return
	}
	h := c.m.H
	c.run(n*h.KVHeads, func(wk, u int) {
		c.attendGroup(&c.work[wk], il, pos+u/h.KVHeads, u/h.KVHeads, u%h.KVHeads, n == 1)
	})
}

// attendGroup computes the query heads of KV head kvh for one query
// (position p, batch index t) with an online softmax over the cached
// positions, following ggml_compute_forward_flash_attn_ext_f16 per head:
// the query is converted to the K cache's activation format (F16 for an
// F16 cache), each score is a kernel product scaled afterwards, and with
// an F16 V cache the running sum of values is kept in F16 precision
// (rounded after every update). The heads' scores of a block of positions
// come from one multi-token kernel call (bit-identical to one at a time).
// An F32 V cache takes llama.cpp's order without flash attention instead
// (attendGGML; single: the batch is one token).
func (c *Context) attendGroup(s *workerScratch, il, p, t, kvh int, single bool) {
	h := c.m.H
	hd, qd := h.HeadDim, h.QDim()
	g := h.Heads / h.KVHeads
	ks, vs := &c.kv.k, &c.kv.v
	qrb := ks.kern.Act.RowBytes(hd)
	qa := s.q[:g*qrb]
	h0 := kvh * g // first query head
	for i := 0; i < g; i++ {
		o := t*qd + (h0+i)*hd
		ks.kern.Act.Quantize(qa[i*qrb:(i+1)*qrb], c.q[o:o+hd])
	}
	if vs.typ == ggml.TypeF16 {
		c.attendHalf(s, il, p, t, kvh, g, qa, qrb)
		return
	}
	if vs.typ == ggml.TypeF32 {
		c.attendGGML(s, il, p, t, kvh, g, qa, qrb, single)
		return
	}
	acc := s.acc[:g*hd]
	clear(acc)
	M, S := s.m[:g], s.s[:g]
	for i := range M {
		M[i], S[i] = float32(math.Inf(-1)), 0
	}
	kl := ks.layers[il]
	for j0 := c.window(il, p); j0 <= p; j0 += attnBlock {
		cnt := min(attnBlock, p+1-j0)
		ks.kern.Mul(hd, kl[j0*ks.rowBytes+kvh*ks.headBytes:], ks.rowBytes, cnt, qa, qrb, g, s.scores, attnBlock)
		vb := s.vrow[:cnt*hd]
		for r := 0; r < cnt; r++ {
			vs.decode(vb[r*hd:(r+1)*hd], vs.row(il, j0+r, kvh))
		}
		for i := 0; i < g; i++ {
			a := acc[i*hd : (i+1)*hd]
			m, sum := M[i], S[i]
			for r, raw := range s.scores[i*attnBlock : i*attnBlock+cnt] {
				sv := c.score(raw)
				ms, ev := float32(1), float32(1)
				if sv > m {
					ms = kernels.Expf(m - sv)
					m = sv
					kernels.ScaleF32(a, ms)
				} else {
					ev = kernels.Expf(sv - m)
				}
				kernels.AxpyF32(ev, vb[r*hd:(r+1)*hd], a)
				sum = sum*ms + ev
			}
			M[i], S[i] = m, sum
		}
	}
	c.attendOut(t, kvh, g, acc, S)
}

// attendHalf is attendGroup's loop for an F16 V cache: each head's
// accumulator is a row of float16 values updated straight from the cached
// F16 rows (kernels.MadF16, ggml_vec_mad_f16) and rescaled in F16
// precision when the maximum grows (ggml_vec_scale_f16).
func (c *Context) attendHalf(s *workerScratch, il, p, t, kvh, g int, qa []byte, qrb int) {
	h := c.m.H
	hd := h.HeadDim
	ks, vs := &c.kv.k, &c.kv.v
	acc16 := s.half[:2*g*hd]
	clear(acc16)
	M, S := s.m[:g], s.s[:g]
	for i := range M {
		M[i], S[i] = float32(math.Inf(-1)), 0
	}
	kl, vl := ks.layers[il], vs.layers[il]
	for j0 := c.window(il, p); j0 <= p; j0 += attnBlock {
		cnt := min(attnBlock, p+1-j0)
		ks.kern.Mul(hd, kl[j0*ks.rowBytes+kvh*ks.headBytes:], ks.rowBytes, cnt, qa, qrb, g, s.scores, attnBlock)
		if h.AttnSoftcap == 0 { // the score is raw·AttnScale: one kernel call for the group
			v0 := j0*vs.rowBytes + kvh*vs.headBytes
			vrows := vl[v0 : v0+(cnt-1)*vs.rowBytes+vs.headBytes]
			kernels.AttendF16Group(acc16, 2*hd, vrows, vs.rowBytes, s.scores, attnBlock, cnt, h.AttnScale, M, S)
			continue
		}
		for i := 0; i < g; i++ {
			a := acc16[2*i*hd : 2*(i+1)*hd]
			m, sum := M[i], S[i]
			for r, raw := range s.scores[i*attnBlock : i*attnBlock+cnt] {
				sv := c.score(raw)
				ms, ev := float32(1), float32(1)
				if sv > m {
					ms = kernels.Expf(m - sv)
					m = sv
					scaleF16(a, ms, s.vrow[:hd])
				} else {
					ev = kernels.Expf(sv - m)
				}
				o := (j0+r)*vs.rowBytes + kvh*vs.headBytes
				kernels.MadF16(a, vl[o:o+vs.headBytes], ev)
				sum = float32(sum*ms) + ev
			}
			M[i], S[i] = m, sum
		}
	}
	acc := s.acc[:g*hd]
	kernels.F16ToF32Row(acc, acc16)
	c.attendOut(t, kvh, g, acc, S)
}

// attendOut writes the g heads of KV head kvh for batch index t: each
// accumulator divided by its softmax sum.
func (c *Context) attendOut(t, kvh, g int, acc, S []float32) {
	h := c.m.H
	hd, qd := h.HeadDim, h.QDim()
	for i := 0; i < g; i++ {
		o := t*qd + (kvh*g+i)*hd
		out := c.att[o : o+hd]
		inv := float32(0)
		if S[i] != 0 {
			inv = 1 / S[i]
		}
		for d, v := range acc[i*hd : (i+1)*hd] {
			out[d] = v * inv
		}
	}
}

// scaleF16 multiplies a row of float16 values by v, rounding each product
// to float16 (tmp: len(a)/2 floats of scratch).
func scaleF16(a []byte, v float32, tmp []float32) {
	kernels.F16ToF32Row(tmp, a)
	kernels.ScaleF32(tmp, v)
	kernels.ActF16.Quantize(a, tmp)
}

// attentionRef is the reference path's exact attention: all scores of a
// query, then a two-pass softmax in float32 with a float64 sum.
func (c *Context) attentionRef(il, n, pos int) {
	h := c.m.H
	hd, qd, kvd := h.HeadDim, h.QDim(), h.KVDim()
	group := h.Heads / h.KVHeads
	kc, vc := c.ref.k[il], c.ref.v[il]
	units := n * h.Heads
	c.run((units+attnChunk-1)/attnChunk, func(wk, task int) {
		sc := c.work[wk].scores
		for u := task * attnChunk; u < min(units, (task+1)*attnChunk); u++ {
			t, head := u/h.Heads, u%h.Heads
			p := pos + t
			kvOff := (head / group) * hd
			q := c.q[t*qd+head*hd : t*qd+(head+1)*hd]
			j0 := c.window(il, p)
			mx := float32(math.Inf(-1))
			for j := j0; j <= p; j++ {
				s := c.score(kernels.DotF32(q, kc[j*kvd+kvOff:j*kvd+kvOff+hd]))
				sc[j] = s
				mx = max(mx, s)
			}
			var sum float64
			for j := j0; j <= p; j++ {
				e := float32(math.Exp(float64(sc[j] - mx)))
				sc[j] = e
				sum += float64(e)
			}
			out := c.att[t*qd+head*hd : t*qd+(head+1)*hd]
			clear(out)
			for j := j0; j <= p; j++ {
				kernels.AxpyF32(sc[j], vc[j*kvd+kvOff:j*kvd+kvOff+hd], out)
			}
			kernels.ScaleF32(out, float32(1/sum))
		}
	})
}

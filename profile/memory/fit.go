package memory

// DefaultMargin is the memory llama.cpp's fitter keeps free on each device
// (--fit-target, 1024 MiB); a run needing less than the device holds but
// more than that minus the margin is "tight".
const DefaultMargin = 1 * GiB

// Budget is the memory a device offers a model.
type Budget struct {
	Usable  uint64 // bytes the runtime may use (VRAM, or the GPU share of unified memory)
	Reserve uint64 // runtime overhead llama.cpp does not see (CUDA context, ...)
	Unified bool   // host and device share the memory: everything counts
	Margin  uint64 // free memory wanted for a comfortable fit (default DefaultMargin)
}

// Verdict says whether a run fits a budget.
type Verdict string

// Verdicts, from best to worst.
const (
	Fits  Verdict = "fits"
	Tight Verdict = "tight"
	NoFit Verdict = "no"
)

// Need is the memory b charges against a budget: the device total, plus the
// host parts when memory is unified.
func (bud Budget) Need(b Breakdown) uint64 {
	if bud.Unified {
		return b.Total
	}
	return b.DeviceTotal
}

// Judge classifies a breakdown against the budget.
func (bud Budget) Judge(b Breakdown) Verdict {
	need, margin := bud.Need(b), bud.Margin
	if margin == 0 {
		margin = DefaultMargin
	}
	switch {
	case need+margin <= bud.Usable:
		return Fits
	case need <= bud.Usable:
		return Tight
	}
	return NoFit
}

// Fit estimates a full offload with options o and judges it.
func (m *Model) Fit(o Options, bud Budget) (Breakdown, Verdict, error) {
	o.GPULayers = -1
	b, err := m.Estimate(o, bud.Reserve)
	if err != nil {
		return b, NoFit, err
	}
	return b, bud.Judge(b), nil
}

// MaxCtx is the largest context (a multiple of CtxPad, at most limit) whose
// full offload needs no more than the budget's usable memory; 0 when even
// CtxPad does not fit.
func (m *Model) MaxCtx(o Options, bud Budget, limit int) (int, error) {
	fits := func(ctx int) (bool, error) {
		o.Ctx = ctx
		o.GPULayers = -1
		b, err := m.Estimate(o, bud.Reserve)
		return err == nil && bud.Need(b) <= bud.Usable, err
	}
	lo, hi := 0, limit/CtxPad // lo fits (0 trivially), find the largest
	if ok, err := fits(hi * CtxPad); err != nil || ok {
		return hi * CtxPad, err
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		ok, err := fits(mid * CtxPad)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo * CtxPad, nil
}

// MaxLayers is the partial offload for when the whole model does not fit:
// the most layers (the output layer counted as llama.cpp's highest one) whose
// device total stays within the budget, with that breakdown.
func (m *Model) MaxLayers(o Options, bud Budget) (int, Breakdown, error) {
	best, bestB := 0, Breakdown{}
	for n := 0; n <= m.Layers+1; n++ {
		o.GPULayers = n
		b, err := m.Estimate(o, bud.Reserve)
		if err != nil {
			return 0, b, err
		}
		if n > 0 && b.DeviceTotal > bud.Usable {
			break
		}
		best, bestB = n, b
	}
	return best, bestB, nil
}

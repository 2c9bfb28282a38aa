package kernels

// makeQxQuantsWeighted is ggml's make_qx_quants with rmse_type 1 and
// explicit weights w (the only way the legacy importance-weighted paths call
// it): symmetric codes L in [0, 2·nmax−1], returning the signed scale.
func makeQxQuantsWeighted(nmax int, x, w []float32, L []uint8) float32 {
	L = L[:len(x)]
	w = w[:len(x)]
	max, amax := absMaxSigned(x)
	if amax < groupMaxEps {
		clear(L)
		return 0
	}
	fnmax := float32(nmax)
	lo, hi := int32(-nmax), int32(nmax-1)
	sums := func(iscale float32) (sumlx, suml2 float32) {
		for i, v := range x {
			l := float32(clampI32(nearestIntC(float32(iscale*v)), lo, hi))
			sumlx += float32(float32(w[i]*v) * l)
			suml2 += float32(float32(w[i]*l) * l)
		}
		return sumlx, suml2
	}
	assign := func(iscale float32) {
		for i, v := range x {
			L[i] = uint8(clampI32(nearestIntC(float32(iscale*v)), lo, hi) + int32(nmax))
		}
	}
	iscale := -fnmax / max
	assign(iscale)
	sumlx, suml2 := sums(iscale)
	var scale float32
	if suml2 != 0 {
		scale = sumlx / suml2
	}
	best := scale * sumlx
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -(fnmax + float32(float32(0.1)*float32(is))) / max
		sumlx, suml2 = sums(iscale)
		if suml2 > 0 && float32(sumlx*sumlx) > float32(best*suml2) {
			assign(iscale)
			scale = sumlx / suml2
			best = scale * sumlx
		}
	}
	return scale
}

// makeQkx3QuantsWeighted is ggml's make_qkx3_quants with explicit weights,
// the squared-error criterion and the legacy search (rmin −0.9, step 0.05,
// 36 steps): asymmetric codes L in [0, nmax]. It returns the scale and the
// non-negative offset theMin (value ≈ scale·L − theMin). Laux is scratch.
func makeQkx3QuantsWeighted(nmax int, x, w []float32, L, Laux []uint8) (scale, theMin float32) {
	n := len(x)
	L, Laux, w = L[:n], Laux[:n], w[:n]
	mn, mx := x[0], x[0]
	sumW := w[0]
	sumX := float32(sumW * x[0])
	for i := 1; i < n; i++ {
		if x[i] < mn {
			mn = x[i]
		}
		if x[i] > mx {
			mx = x[i]
		}
		sumW += w[i]
		sumX += float32(w[i] * x[i])
	}
	if mn > 0 {
		mn = 0
	}
	if mx <= mn {
		clear(L)
		return 0, -mn
	}
	fnmax := float32(nmax)
	hi := int32(nmax)
	iscale := fnmax / (mx - mn)
	scale = 1 / iscale
	var bestErr float32
	for i, v := range x {
		l := clampI32(nearestIntC(float32(iscale*float32(v-mn))), 0, hi)
		L[i] = uint8(l)
		diff := float32(float32(scale*float32(l))+mn) - v
		bestErr += float32(w[i] * float32(diff*diff))
	}
	for is := 0; is <= legacyNStp; is++ {
		iscale = float32(float32(legacyRMin+float32(legacyRDel*float32(is)))+fnmax) / (mx - mn)
		var sumL, sumL2, sumXL float32
		for i, v := range x {
			l := clampI32(nearestIntC(float32(iscale*float32(v-mn))), 0, hi)
			Laux[i] = uint8(l)
			fl := float32(l)
			wl := float32(w[i] * fl)
			sumL += wl
			sumL2 += float32(wl * fl)
			sumXL += float32(wl * v)
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if D > 0 {
			thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
			thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
			if thisMin > 0 {
				thisMin = 0
				thisScale = sumXL / sumL2
			}
			var e float32
			for i, v := range x {
				diff := float32(float32(thisScale*float32(Laux[i]))+thisMin) - v
				e += float32(w[i] * float32(diff*diff))
			}
			if e < bestErr {
				copy(L, Laux)
				bestErr = e
				scale = thisScale
				mn = thisMin
			}
		}
	}
	return scale, -mn
}

// clampI32 limits v to [lo, hi].
func clampI32(v, lo, hi int32) int32 { return max(lo, min(hi, v)) }

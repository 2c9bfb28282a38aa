package model

import "math"

// tanhf is the float32 tanh of the C library llama.cpp is usually built
// against on Linux: glibc's (through 2.40) port of fdlibm's s_tanhf.c and
// s_expm1f.c (Sun Microsystems, 1993: "Permission to use, copy, modify, and
// distribute this software is freely granted, provided that this notice is
// preserved"), evaluated in float32 step by step. It is not correctly
// rounded (about a third of small arguments differ from float32(math.Tanh)
// in the last bit), and ggml's soft-capping (Gemma 2's attention and final
// logits) goes through it, so the last bit matters where a later float16
// rounding can amplify it.
func tanhf(x float32) float32 {
	const one, two, tiny = float32(1), float32(2), float32(1e-30)
	jx := math.Float32bits(x)
	ix := jx & 0x7fffffff
	switch {
	case ix >= 0x7f800000: // Inf or NaN
		if jx>>31 == 0 {
			return one/x + one
		}
		return one/x - one
	case ix >= 0x41b00000: // |x| >= 22
		z := one - tiny
		if jx>>31 != 0 {
			return -z
		}
		return z
	case ix == 0:
		return x
	case ix < 0x24000000: // |x| < 2^-55
		return x * (one + x)
	}
	ax := math.Float32frombits(ix)
	var z float32
	if ix >= 0x3f800000 { // |x| >= 1
		t := expm1f(two * ax)
		z = one - two/(t+two)
	} else {
		t := expm1f(-two * ax)
		z = -t / (t + two)
	}
	if jx>>31 != 0 {
		return -z
	}
	return z
}

// expm1f is fdlibm's float32 expm1 (see tanhf).
func expm1f(x float32) float32 {
	const (
		one        = float32(1)
		huge       = float32(1e30)
		tiny       = float32(1e-30)
		oThreshold = float32(8.8721679688e+01)
		ln2Hi      = float32(6.9313812256e-01)
		ln2Lo      = float32(9.0580006145e-06)
		invln2     = float32(1.4426950216e+00)
		q1         = float32(-3.3333335072e-02)
		q2         = float32(1.5873016091e-03)
		q3         = float32(-7.9365076090e-05)
		q4         = float32(4.0082177293e-06)
		q5         = float32(-2.0109921195e-07)
	)
	hx := math.Float32bits(x)
	neg := hx>>31 != 0
	hx &= 0x7fffffff
	if hx >= 0x4195b844 { // |x| >= 27·ln2
		if hx >= 0x42b17218 { // |x| >= 88.72
			if hx > 0x7f800000 {
				return x + x
			}
			if hx == 0x7f800000 {
				if neg {
					return -1
				}
				return x
			}
			if x > oThreshold {
				return float32(math.Inf(1))
			}
		}
		if neg && x+tiny < 0 {
			return tiny - one
		}
	}
	var hi, lo, c float32
	var k int32
	switch {
	case hx > 0x3eb17218: // |x| > 0.5·ln2
		if hx < 0x3f851592 { // |x| < 1.5·ln2
			if !neg {
				hi, lo, k = x-ln2Hi, ln2Lo, 1
			} else {
				hi, lo, k = x+ln2Hi, -ln2Lo, -1
			}
		} else {
			half := float32(0.5)
			if neg {
				half = -0.5
			}
			k = int32(float32(invln2*x) + half)
			t := float32(k)
			hi = x - float32(t*ln2Hi)
			lo = float32(t * ln2Lo)
		}
		x = hi - lo
		c = (hi - x) - lo
	case hx < 0x33000000: // |x| < 2^-25
		t := huge + x
		return x - (t - (huge + x))
	}
	hfx := float32(0.5) * x
	hxs := float32(x * hfx)
	r1 := one + float32(hxs*(q1+float32(hxs*(q2+float32(hxs*(q3+float32(hxs*(q4+float32(hxs*q5)))))))))
	t := float32(3) - float32(r1*hfx)
	e := float32(hxs * ((r1 - t) / (float32(6) - float32(x*t))))
	if k == 0 {
		return x - (float32(x*e) - hxs)
	}
	e = float32(x*(e-c)) - c
	e -= hxs
	switch {
	case k == -1:
		return float32(0.5)*(x-e) - float32(0.5)
	case k == 1:
		if x < -0.25 {
			return float32(-2) * (e - (x + float32(0.5)))
		}
		return one + float32(2)*(x-e)
	case k <= -2 || k > 56: // exp(x) − 1 ≈ exp(x)
		y := one - (e - x)
		if k == 128 {
			y = y * 2 * float32(math.Ldexp(1, 127))
		} else {
			y = math.Float32frombits(math.Float32bits(y) + uint32(k)<<23)
		}
		return y - one
	case k < 23:
		t := math.Float32frombits(0x3f800000 - (0x1000000 >> uint(k))) // 1 − 2^−k
		y := t - (e - x)
		return math.Float32frombits(math.Float32bits(y) + uint32(k)<<23)
	default:
		t := math.Float32frombits(uint32(0x7f-k) << 23) // 2^−k
		y := x - (e + t)
		y += one
		return math.Float32frombits(math.Float32bits(y) + uint32(k)<<23)
	}
}

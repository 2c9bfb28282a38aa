package codec

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/zqtool/zq/ggml"
)

// roundTripTypical is the relative RMSE (RMSE/RMS) that ggml's algorithms
// reach on this test's seeded inputs — gauss, heavy-tailed, outliers — taking
// the larger of the runs with and without an importance vector. The test
// allows roundTripSlack times that, so a broken search, a lost bit or a wrong
// scale shows up while harmless reseeding does not.
var roundTripTypical = map[ggml.Type][3]float64{
	ggml.TypeF32:    {0, 0, 0},
	ggml.TypeF16:    {0.00020, 0.00020, 0.00023},
	ggml.TypeBF16:   {0.00166, 0.00161, 0.00155},
	ggml.TypeQ8_0:   {0.00547, 0.01121, 0.01178},
	ggml.TypeQ8_1:   {0.00532, 0.01110, 0.01218},
	ggml.TypeQ8_K:   {0.00678, 0.02954, 0.03148},
	ggml.TypeQ6_K:   {0.01842, 0.03203, 0.03322},
	ggml.TypeQ5_0:   {0.04253, 0.07667, 0.06684},
	ggml.TypeQ5_1:   {0.03767, 0.05393, 0.05152},
	ggml.TypeQ5_K:   {0.03668, 0.05232, 0.05029},
	ggml.TypeQ4_0:   {0.08824, 0.14093, 0.09871},
	ggml.TypeQ4_1:   {0.07806, 0.11181, 0.12293},
	ggml.TypeQ4_K:   {0.07392, 0.04875, 0.07529},
	ggml.TypeIQ4_NL: {0.07719, 0.05999, 0.08873},
	ggml.TypeIQ4_XS: {0.07717, 0.10721, 0.10103},
	ggml.TypeQ3_K:   {0.15117, 0.18579, 0.10813},
	ggml.TypeQ2_K:   {0.29368, 0.32468, 0.22268},
	ggml.TypeTQ1_0:  {0.80744, 0.56885, 0.35825},
	ggml.TypeTQ2_0:  {0.79146, 0.68690, 0.31772},
}

// roundTripSlack is the allowed factor over roundTripTypical.
const roundTripSlack = 1.15

// randomRows returns rows×cols values of one distribution: 0 gauss, 1 heavy
// tails (Student-t with 2 degrees of freedom), 2 small gauss with 0.5% of
// values ×50.
func randomRows(rng *rand.Rand, kind, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch kind {
		case 0:
			x[i] = float32(rng.NormFloat64())
		case 1:
			g := rng.NormFloat64()
			v := rng.ExpFloat64() // χ²(2)/2, so g/sqrt(v) is Student-t(2)
			x[i] = float32(g / math.Sqrt(v))
		default:
			v := 0.02 * rng.NormFloat64()
			if rng.IntN(200) == 0 {
				v *= 50
			}
			x[i] = float32(v)
		}
	}
	return x
}

// relRMSE is sqrt(Σ(a−b)²/Σa²).
func relRMSE(a, b []float32) float64 {
	var num, den float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		num += d * d
		den += float64(a[i]) * float64(a[i])
	}
	return math.Sqrt(num / den)
}

// TestRoundTripError quantizes seeded random rows of three distributions,
// with and without an importance vector, and bounds the relative RMSE.
func TestRoundTripError(t *testing.T) {
	const rows, cols = 8, 1024
	for typ, typical := range roundTripTypical {
		if !Supports(typ) {
			t.Errorf("%s: has an error bound but is not supported", typ)
			continue
		}
		for kind, typ0 := range typical {
			bound := typ0 * roundTripSlack
			for _, withIM := range []bool{false, true} {
				rng := rand.New(rand.NewPCG(uint64(typ), uint64(kind)))
				x := randomRows(rng, kind, rows*cols)
				var im []float32
				if withIM {
					im = make([]float32, cols)
					for i := range im {
						im[i] = float32(rng.ExpFloat64())
					}
				}
				rs, _ := rowSize(typ, cols)
				q := make([]byte, rows*rs)
				if err := Quantize(typ, q, x, cols, im, 2); err != nil {
					t.Fatal(err)
				}
				y := make([]float32, len(x))
				if err := Dequantize(typ, y, q, 2); err != nil {
					t.Fatal(err)
				}
				e := relRMSE(x, y)
				if !(e <= bound) {
					t.Errorf("%s kind %d imatrix %v: relative RMSE %.5f above bound %.5f", typ, kind, withIM, e, bound)
				}
			}
		}
	}
}

package codec

import (
	"strings"
	"testing"

	"github.com/zqtool/zq/ggml"
)

// TestGoldenIQ2 checks the IQ2_XXS, IQ2_XS and IQ2_S outputs of the lattice
// golden set (IQ2_XXS and IQ2_XS with importance weights only, as ggml
// makes them; IQ2_S with and without).
func TestGoldenIQ2(t *testing.T) {
	runGoldenIQ(t, 4, ggml.TypeIQ2_XXS, ggml.TypeIQ2_XS, ggml.TypeIQ2_S)
}

// TestIQ2RequiresIMatrix checks that IQ2_XXS and IQ2_XS refuse to quantize
// without an importance matrix, naming the type, while IQ2_S does not.
func TestIQ2RequiresIMatrix(t *testing.T) {
	src := make([]float32, 256)
	for i := range src {
		src[i] = float32(i%7) - 3
	}
	for _, c := range []struct {
		typ  ggml.Type
		need bool
	}{{ggml.TypeIQ2_XXS, true}, {ggml.TypeIQ2_XS, true}, {ggml.TypeIQ2_S, false}, {ggml.TypeIQ3_XXS, false}} {
		if got := RequiresIMatrix(c.typ); got != c.need {
			t.Errorf("RequiresIMatrix(%s) = %v, want %v", c.typ, got, c.need)
		}
		dst := make([]byte, c.typ.TypeSize())
		errRow := QuantizeRow(c.typ, dst, src, nil)
		errAll := Quantize(c.typ, dst, src, 256, nil, 2)
		for _, err := range []error{errRow, errAll} {
			if c.need && (err == nil || !strings.Contains(err.Error(), c.typ.String()) || !strings.Contains(err.Error(), "importance matrix")) {
				t.Errorf("%s without importance matrix: error %v, want one naming the type and the missing matrix", c.typ, err)
			}
			if !c.need && err != nil {
				t.Errorf("%s without importance matrix: %v", c.typ, err)
			}
		}
		if c.need {
			im := make([]float32, 256)
			for i := range im {
				im[i] = 1
			}
			if err := QuantizeRow(c.typ, dst, src, im); err != nil {
				t.Errorf("%s with importance matrix: %v", c.typ, err)
			}
		}
	}
}

package finite

import (
	"errors"
	"math"
	"strings"
	"testing"
)

const f16Model = "../../testdata/reference/convert-f16.gguf"

func TestFirstBadTensorOfAFiniteModel(t *testing.T) {
	bad, err := FirstBadTensor(f16Model)
	if err != nil || bad != nil {
		t.Fatalf("FirstBadTensor = %v, %v; want nil, nil", bad, err)
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		logits []float32
		want   string
	}{
		{"finite", []float32{1, -2, 3}, ""},
		{"NaN", []float32{1, float32(math.NaN()), 3}, "non-finite logits (NaN) in chunk 2"},
		{"+Inf", []float32{float32(math.Inf(1))}, "(+Inf)"},
	} {
		err := Check(tc.logits, f16Model, "chunk 2")
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var le *LogitsError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), f16Model) ||
			!strings.Contains(err.Error(), "weights are all finite") {
			t.Errorf("%s: error %v", tc.name, err)
		}
	}
}

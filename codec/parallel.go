package codec

import (
	"fmt"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/internal/parallel"
)

// Quantize quantizes a tensor of len(src)/rowLen rows of rowLen values (src
// row-major) into dst, in parallel over rows with `workers` goroutines
// (<= 0 means GOMAXPROCS). imatrix (nil or rowLen entries) is applied to
// every row. Rows are independent, so the output is identical for any worker
// count. On NaN/Inf the error names the first offending row.
func Quantize(t ggml.Type, dst []byte, src []float32, rowLen int, imatrix []float32, workers int) error {
	e, err := entryFor(t)
	if err != nil {
		return err
	}
	if rowLen <= 0 {
		return fmt.Errorf("%s: row length %d, expected a positive number", t, rowLen)
	}
	if len(src)%rowLen != 0 {
		return fmt.Errorf("%s: %d values is not a whole number of rows of %d", t, len(src), rowLen)
	}
	size, err := rowSize(t, rowLen)
	if err != nil {
		return err
	}
	rows := len(src) / rowLen
	if len(dst) != rows*size {
		return fmt.Errorf("%s: destination holds %d bytes, expected %d for %d rows of %d values", t, len(dst), rows*size, rows, rowLen)
	}
	if err := checkIMatrix(t, imatrix, rowLen); err != nil {
		return err
	}
	errs := make([]error, rows)
	parallel.For(rows, 1, workers, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			x := src[r*rowLen : (r+1)*rowLen]
			if errs[r] = checkFinite(t, x, r); errs[r] == nil {
				errs[r] = quantizeRow(t, e, dst[r*size:(r+1)*size], x, imatrix, src[:r*rowLen])
				if errs[r] != nil {
					errs[r] = fmt.Errorf("row %d: %w", r, errs[r])
				}
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Dequantize decodes src, any whole number of t's blocks, into dst (exactly
// their values), in parallel with `workers` goroutines (<= 0: GOMAXPROCS).
func Dequantize(t ggml.Type, dst []float32, src []byte, workers int) error {
	e, err := entryFor(t)
	if err != nil {
		return err
	}
	if err := checkBlocks(t, len(dst), len(src)); err != nil {
		return err
	}
	bs, ts := t.BlockSize(), t.TypeSize()
	// Scalar types have one-value "blocks"; hand them out in larger pieces.
	grain := max(1, 4096/bs)
	parallel.For(len(src)/ts, grain, workers, func(b0, b1 int) {
		e.dequantize(dst[b0*bs:b1*bs], src[b0*ts:b1*ts])
	})
	return nil
}

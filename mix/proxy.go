package mix

import (
	"context"
	"fmt"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/internal/parallel"
)

// Source is one weight matrix to measure: Rows rows of Cols values.
type Source struct {
	Name       string
	Rows, Cols int
	// Row decodes row r into dst (len Cols). It is called from several
	// goroutines at once.
	Row func(r int, dst []float32) error
	// Importance is the tensor's importance vector (one mean squared
	// activation per column), passed to the quantizers and weighting the
	// error; nil quantizes without one and weights every column 1.
	Importance []float32
	// RowWeight, when set, weights each row's error (the token embedding:
	// how often each token occurs in the calibration text); rows of weight
	// 0 are skipped and the rest sampled evenly. Without it all rows are
	// sampled evenly.
	RowWeight []float64
}

// rowsPerTask is how many sampled rows one proxy task quantizes.
const rowsPerTask = 8

// sample returns the rows whose error is measured and the factor that
// scales their weighted sum to the whole tensor.
func (s *Source) sample(values int) (rows []int, weights []float64) {
	maxRows := 0
	if values > 0 {
		maxRows = max(1, values/s.Cols)
	}
	if s.RowWeight != nil {
		var used []int
		for r, w := range s.RowWeight {
			if w > 0 {
				used = append(used, r)
			}
		}
		// Every step-th used row, its weight normalised over the sample:
		// the weighted mean error per row used.
		step := 1
		if maxRows > 0 && len(used) > maxRows {
			step = (len(used) + maxRows - 1) / maxRows
		}
		total := 0.0
		for k := 0; k < len(used); k += step {
			rows = append(rows, used[k])
			total += s.RowWeight[used[k]]
		}
		for _, r := range rows {
			weights = append(weights, s.RowWeight[r]/total)
		}
		return rows, weights
	}
	step := 1
	if maxRows > 0 && s.Rows > maxRows {
		step = (s.Rows + maxRows - 1) / maxRows
	}
	for r := 0; r < s.Rows; r += step {
		rows = append(rows, r)
	}
	w := float64(s.Rows) / float64(len(rows))
	weights = make([]float64, len(rows))
	for i := range weights {
		weights[i] = w
	}
	return rows, weights
}

// ProxyErrors measures, for each source and each of its candidate types
// (types[i] for srcs[i]), the importance-weighted squared quantization
// error summed over the tensor's rows (estimated from evenly spaced rows
// holding at most values values, at least one row; all when values ≤ 0): the expected squared error of
// the tensor's output per token. Each row is quantized exactly as the
// file will store it (same importance vector). The result does not depend
// on threads.
func ProxyErrors(ctx context.Context, srcs []Source, types [][]ggml.Type, values, threads int) ([][]float64, error) {
	type task struct {
		src    int
		rows   []int
		weight []float64
	}
	var tasks []task
	for i := range srcs {
		rows, w := srcs[i].sample(values)
		for k := 0; k < len(rows); k += rowsPerTask {
			e := min(len(rows), k+rowsPerTask)
			tasks = append(tasks, task{i, rows[k:e], w[k:e]})
		}
	}
	partial := make([][]float64, len(tasks))
	errs := make([]error, len(tasks))
	parallel.For(len(tasks), 1, threads, func(lo, hi int) {
		var x, y []float32
		var q []byte
		for ti := lo; ti < hi; ti++ {
			if ctx.Err() != nil {
				errs[ti] = ctx.Err()
				return
			}
			tk := tasks[ti]
			s := &srcs[tk.src]
			if cap(x) < s.Cols {
				x, y = make([]float32, s.Cols), make([]float32, s.Cols)
			}
			x, y = x[:s.Cols], y[:s.Cols]
			sums := make([]float64, len(types[tk.src]))
			for k, r := range tk.rows {
				if err := s.Row(r, x); err != nil {
					errs[ti] = err
					return
				}
				for j, t := range types[tk.src] {
					rb, err := t.RowSize(int64(s.Cols))
					if err != nil {
						errs[ti] = fmt.Errorf("tensor %q: %w", s.Name, err)
						return
					}
					if cap(q) < int(rb) {
						q = make([]byte, rb)
					}
					if err := codec.QuantizeRow(t, q[:rb], x, s.Importance); err != nil {
						errs[ti] = fmt.Errorf("tensor %q row %d: %w", s.Name, r, err)
						return
					}
					if err := codec.DequantizeRow(t, y, q[:rb]); err != nil {
						errs[ti] = fmt.Errorf("tensor %q row %d: %w", s.Name, r, err)
						return
					}
					sums[j] += tk.weight[k] * rowError(x, y, s.Importance)
				}
			}
			partial[ti] = sums
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	out := make([][]float64, len(srcs))
	for i := range srcs {
		out[i] = make([]float64, len(types[i]))
	}
	for ti, tk := range tasks {
		for j, v := range partial[ti] {
			out[tk.src][j] += v
		}
	}
	return out, nil
}

// rowError is Σ imp_j (x_j − y_j)² (imp_j = 1 without importance), in
// float64.
func rowError(x, y, imp []float32) float64 {
	var s float64
	for j := range x {
		d := float64(x[j]) - float64(y[j])
		if imp != nil {
			s += float64(imp[j]) * d * d
		} else {
			s += d * d
		}
	}
	return s
}

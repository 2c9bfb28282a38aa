package imatrix

import "math"

// Summary describes an importance matrix file for zq inspect.
type Summary struct {
	Format     string       `json:"format"`
	Datasets   []string     `json:"datasets"`
	ChunkCount int          `json:"chunk_count"`
	ChunkSize  int          `json:"tokens_per_chunk,omitempty"`
	Entries    []EntryStats `json:"entries"`
}

// EntryStats summarizes one weight's importance values (the mean squared
// activation of each input column: in_sum2 / count).
type EntryStats struct {
	Name     string  `json:"name"`
	Values   int     `json:"values"`          // columns × matrices
	Matrices int     `json:"matrices"`        // 1 for a dense weight
	Count    float64 `json:"count"`           // tokens seen (the largest per-matrix count); .dat: chunks
	Mean     float64 `json:"mean"`            // of in_sum2/count
	Min      float64 `json:"min"`             //
	Max      float64 `json:"max"`             //
	StdDev   float64 `json:"stddev"`          //
	Active   float64 `json:"active_fraction"` // share of values above 1e-5, as llama-imatrix counts them
}

// Summarize computes the statistics of every entry, in name order.
func (f *File) Summarize() *Summary {
	s := &Summary{Format: f.Format, Datasets: f.Datasets, ChunkCount: f.ChunkCount, ChunkSize: f.ChunkSize,
		Entries: []EntryStats{}}
	for _, name := range f.Names() {
		e := f.Entries[name]
		v := e.Importance()
		st := EntryStats{Name: name, Values: len(v), Matrices: e.Mats, Count: float64(e.NCall)}
		for _, c := range e.Counts {
			st.Count = max(st.Count, float64(c))
		}
		if len(v) > 0 {
			st.Min, st.Max = math.Inf(1), math.Inf(-1)
		}
		var sum, sum2 float64
		active := 0
		for _, x := range v {
			d := float64(x)
			sum += d
			sum2 += d * d
			st.Min, st.Max = min(st.Min, d), max(st.Max, d)
			if math.Abs(d) > 1e-5 {
				active++
			}
		}
		if n := float64(len(v)); n > 0 {
			st.Mean = sum / n
			st.StdDev = math.Sqrt(max(0, sum2/n-st.Mean*st.Mean))
			st.Active = float64(active) / n
		}
		s.Entries = append(s.Entries, st)
	}
	return s
}

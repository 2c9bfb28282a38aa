package imatrix

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/internal/outfile"
)

// WriteGGUF writes the set in llama-imatrix's GGUF format: general.type,
// the datasets (the merged files' and then text, when not empty), the
// chunk count and size, and per weight in name order its sums (Cols ×
// matrices) and counts (1 × matrices) as f32. The file appears at path only
// once complete.
func (s *Set) WriteGGUF(path, text string) error {
	md := gguf.Metadata{
		{Key: "general.type", Value: gguf.String("imatrix")},
		{Key: KeyDatasets, Value: gguf.Strings(s.datasets(text))},
		{Key: KeyChunkCount, Value: gguf.Uint32(uint32(s.LastChunk))},
		{Key: KeyChunkSize, Value: gguf.Uint32(uint32(s.ChunkSize))},
	}
	var tensors []gguf.TensorInfo
	var data [][]byte
	for _, name := range s.Names() {
		st := s.Stats[name]
		nm := len(st.Counts)
		if len(st.Sums) == 0 || nm == 0 {
			continue
		}
		sd, cd := []uint64{uint64(len(st.Sums) / nm)}, []uint64{1}
		if nm > 1 {
			sd, cd = append(sd, uint64(nm)), append(cd, uint64(nm))
		}
		counts := make([]float32, nm)
		for j, c := range st.Counts {
			counts[j] = float32(c)
		}
		tensors = append(tensors,
			gguf.TensorInfo{Name: name + SuffixSums, Dims: sd, Type: ggml.TypeF32},
			gguf.TensorInfo{Name: name + SuffixCounts, Dims: cd, Type: ggml.TypeF32})
		data = append(data, f32Bytes(nil, st.Sums), f32Bytes(nil, counts))
	}
	w, err := gguf.Create(path, md, tensors)
	if err != nil {
		return err
	}
	defer w.Abort()
	for i, b := range data {
		if err := w.WriteTensor(i, b); err != nil {
			return err
		}
	}
	return w.Close()
}

// WriteDat writes the set in the legacy .dat format as llama-imatrix
// does: entries with data, in name order, each as its mean squared
// activations times its chunk count (rounded up); then the last chunk and
// the dataset (text, or the last merged dataset when text is empty).
func (s *Set) WriteDat(path, text string) error {
	var names []string
	for _, name := range s.Names() {
		st := s.Stats[name]
		zeros := 0
		for _, c := range st.Counts {
			if c == 0 {
				zeros++
			}
		}
		if len(st.Counts) > 0 && zeros < len(st.Counts) {
			names = append(names, name)
		}
	}
	if s.ChunkSize <= 0 {
		return fmt.Errorf("imatrix %s: chunk size %d", path, s.ChunkSize)
	}
	cs := int64(s.ChunkSize)
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(names)))
	for _, name := range names {
		st := s.Stats[name]
		b = binary.LittleEndian.AppendUint32(b, uint32(len(name)))
		b = append(b, name...)
		var most int64
		for _, c := range st.Counts {
			most = max(most, c)
		}
		ncall := int32((most + cs - 1) / cs)
		b = binary.LittleEndian.AppendUint32(b, uint32(ncall))
		nval, nmat := len(st.Sums), len(st.Counts)
		b = binary.LittleEndian.AppendUint32(b, uint32(nval))
		vals := make([]float32, nval)
		for i := range vals {
			count := float32(st.Counts[i/(nval/nmat)])
			v := st.Sums[i]
			if count == 0 {
				v, count = 1, 1
			}
			vals[i] = (v / count) * float32(ncall)
		}
		b = f32Bytes(b, vals)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(int32(s.LastChunk)))
	ds := text
	if ds == "" && len(s.Datasets) > 0 {
		ds = s.Datasets[len(s.Datasets)-1]
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(ds)))
	b = append(b, ds...)
	return outfile.WriteFile(path, b)
}

// f32Bytes appends little-endian float32s to b.
func f32Bytes(b []byte, v []float32) []byte {
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

package synth

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

// Options control Generate beyond the shape.
type Options struct {
	Seed         uint64 // weight seed; the same seed gives the same bytes
	TokenizerDir string // directory whose tokenizer files are copied; "" copies none
	Workers      int    // goroutines generating values; 0 = GOMAXPROCS
	NameOrPath   string // config.json _name_or_path; "" omits it
}

// tokenizerFiles are copied from Options.TokenizerDir when present there.
var tokenizerFiles = []string{
	"tokenizer.model", "tokenizer.json", "tokenizer_config.json",
	"special_tokens_map.json", "generation_config.json",
}

// Generate writes a synthetic checkpoint of the given shape into dir
// (created if needed). Memory use is a few megabytes whatever the size.
func Generate(dir string, s Spec, o Options) error {
	if s.DType == "" {
		s.DType = "BF16"
	}
	if err := s.validate(); err != nil {
		return err
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeJSONFile(filepath.Join(dir, "config.json"), s.config(o)); err != nil {
		return err
	}
	es, _ := dtypeSize(s.DType)
	shards := s.shardTensors(s.tensorList(), es)
	weightMap := map[string]string{}
	var total int64
	for i, ts := range shards {
		name := "model.safetensors"
		if len(shards) > 1 {
			name = fmt.Sprintf("model-%05d-of-%05d.safetensors", i+1, len(shards))
		}
		n, err := writeShard(filepath.Join(dir, name), ts, s.DType, o)
		if err != nil {
			return err
		}
		total += n
		for _, t := range ts {
			weightMap[t.Name] = name
		}
	}
	if len(shards) > 1 {
		idx := map[string]any{"metadata": map[string]any{"total_size": total}, "weight_map": weightMap}
		if err := writeJSONFile(filepath.Join(dir, "model.safetensors.index.json"), idx); err != nil {
			return err
		}
	}
	if o.TokenizerDir != "" {
		for _, f := range tokenizerFiles {
			if err := copyFile(filepath.Join(o.TokenizerDir, f), filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	return nil
}

// config returns config.json's contents.
func (s Spec) config(o Options) map[string]any {
	torch := map[string]string{"BF16": "bfloat16", "F16": "float16", "F32": "float32"}[s.DType]
	c := map[string]any{
		"architectures":           []string{s.Architecture},
		"model_type":              s.ModelType,
		"bos_token_id":            1,
		"eos_token_id":            2,
		"hidden_act":              "silu",
		"hidden_size":             s.Hidden,
		"initializer_range":       0.02,
		"intermediate_size":       s.FFN,
		"max_position_embeddings": s.MaxPos,
		"num_attention_heads":     s.Heads,
		"num_hidden_layers":       s.Layers,
		"num_key_value_heads":     s.KVHeads,
		"rms_norm_eps":            s.RMSNormEps,
		"rope_theta":              s.RopeTheta,
		"tie_word_embeddings":     s.TieEmbeddings,
		"torch_dtype":             torch,
		"transformers_version":    "4.35.0",
		"use_cache":               true,
		"vocab_size":              s.Vocab,
	}
	if s.ModelType == "mistral" {
		c["sliding_window"] = 4096
	}
	if s.HeadDim > 0 {
		c["head_dim"] = s.HeadDim
	}
	if o.NameOrPath != "" {
		c["_name_or_path"] = o.NameOrPath
	}
	return c
}

type headerEntry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// writeShard writes one safetensors file holding ts, data in byte-wise
// name order, and returns its data size.
func writeShard(path string, ts []tensorSpec, dtype string, o Options) (int64, error) {
	es, _ := dtypeSize(dtype)
	sorted := append([]tensorSpec(nil), ts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var off int64
	for _, t := range sorted {
		n := t.elements() * int64(es)
		header[t.Name] = headerEntry{dtype, t.Shape, [2]int64{off, off + n}}
		off += n
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return 0, err
	}
	for (8+len(hj))%8 != 0 {
		hj = append(hj, ' ')
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(hj)))
	bw.Write(lenBuf[:])
	bw.Write(hj)
	for _, t := range sorted {
		if err := writeTensor(bw, t, dtype, o); err != nil {
			f.Close()
			return 0, fmt.Errorf("%s: %s: %w", path, t.Name, err)
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	return off, f.Close()
}

// writeTensor generates t's values batch by batch, rows in parallel, and
// writes them in dtype.
func writeTensor(w io.Writer, t tensorSpec, dtype string, o Options) error {
	es, _ := dtypeSize(dtype)
	g := newValueGen(o.Seed, t)
	rows, cols := t.rows(), t.cols()
	batch := max(1, (4<<20)/(cols*es)) // rows per ~4 MiB batch
	buf := make([]byte, batch*cols*es)
	vals := make([][]float32, o.Workers)
	for i := range vals {
		vals[i] = make([]float32, cols)
	}
	for r0 := 0; r0 < rows; r0 += batch {
		n := min(batch, rows-r0)
		var wg sync.WaitGroup
		for w := 0; w < o.Workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				v := vals[w]
				for r := w; r < n; r += o.Workers {
					g.fillRow(v, r0+r)
					encodeRow(buf[r*cols*es:(r+1)*cols*es], v, dtype)
				}
			}(w)
		}
		wg.Wait()
		if _, err := w.Write(buf[:n*cols*es]); err != nil {
			return err
		}
	}
	return nil
}

func encodeRow(dst []byte, v []float32, dtype string) {
	switch dtype {
	case "BF16":
		for i, x := range v {
			binary.LittleEndian.PutUint16(dst[2*i:], bf16(x))
		}
	case "F16":
		for i, x := range v {
			binary.LittleEndian.PutUint16(dst[2*i:], f16(x))
		}
	default:
		for i, x := range v {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(x))
		}
	}
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

package llamacheck

import "testing"

// recorded is llama-fit-params -v (llama.cpp c9ced49 tree, CPU build) on a
// sparse Mistral-7B-shaped Q4_K_M file at -c 4096 -fa on --no-repack,
// trimmed to the lines Parse reads plus a few neighbours.
const recorded = `load_tensors:          CPU model buffer size =     0.00 MiB
llama_context:        CPU  output buffer size =     0.12 MiB
llama_kv_cache: size =  512.00 MiB (  4096 cells,  32 layers,  1/1 seqs), K (f16):  256.00 MiB, V (f16):  256.00 MiB
llama_context:        CPU compute buffer size =   112.01 MiB
llama_context: graph nodes  = 1158
llama_memory_breakdown_print: | memory breakdown [MiB] | total   free    self   model   context   compute    unaccounted |
llama_memory_breakdown_print: |   - Host               |                 4789 =  4165 +     512 +     112                |
llama_params_fit_impl: no devices with dedicated memory found
`

// recordedCUDA is the shape of the same table on a CUDA build (from
// llama.cpp's tools/fit-params README).
const recordedCUDA = `llama_memory_breakdown_print: | memory breakdown [MiB] | total    free     self   model   context   compute    unaccounted |
llama_memory_breakdown_print: |   - CUDA0 (RTX 4090)   | 24077 =  945 + (19187 = 17904 +     384 +     898) +        3945 |
llama_memory_breakdown_print: |   - Host               |                  1234 =  1100 +       0 +     134                |
`

func TestParse(t *testing.T) {
	r, err := Parse(recorded)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 1 || r.Rows[0] != (Row{"Host", 4789, 4165, 512, 112}) || r.KVMiB != 512 || r.ComputeMiB != 112.01 || r.OutputMiB != 0.12 {
		t.Errorf("%+v", r)
	}
	r, err = Parse(recordedCUDA)
	if err != nil || len(r.Rows) != 2 || r.Rows[0] != (Row{"CUDA0 (RTX 4090)", 19187, 17904, 384, 898}) || r.Rows[1].Model != 1100 {
		t.Errorf("cuda: %+v %v", r, err)
	}
	if _, err := Parse("nothing here"); err == nil {
		t.Error("output without a breakdown accepted")
	}
}

func TestArgs(t *testing.T) {
	a := Settings{Ctx: 8192, UBatch: 512, FlashAttn: true, KType: "q8_0", VType: "q8_0"}.Args("m.gguf")
	want := "-m m.gguf -c 8192 -ub 512 -fa on -ctk q8_0 -ctv q8_0 --no-repack -v"
	if got := join(a); got != want {
		t.Errorf("%s", got)
	}
}

func join(a []string) string {
	s := ""
	for i, x := range a {
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s
}

package hf

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/internal/testutil"
)

const (
	microDir      = "../testdata/micro-mistral"
	referenceGGUF = "../testdata/reference/convert-f16.gguf"
)

// referenceSections splits llama.cpp's metadata for micro-mistral into the
// parts Authorship, HyperParameters and Tokenizer produce, and returns the
// parameter count of its tensors.
func referenceSections(t *testing.T) (auth, hparams, tok gguf.Metadata, params uint64) {
	t.Helper()
	f, err := gguf.OpenFile(referenceGGUF)
	if err != nil {
		t.Fatalf("reference file: %v", err)
	}
	defer f.Close()
	md := f.Metadata
	idx := func(key string) int {
		i := md.Index(key)
		if i < 0 {
			t.Fatalf("reference has no %s", key)
		}
		return i
	}
	auth = md[idx("general.type")+1 : idx("llama.block_count")]
	hparams = md[idx("llama.block_count"):idx("general.file_type")]
	tok = md[idx("tokenizer.ggml.model"):]
	for _, ti := range f.Tensors {
		params += ti.NumElements()
	}
	return auth, hparams, tok, params
}

// valueEqual compares two GGUF values exactly: same type, same elements,
// floats by bit pattern.
func valueEqual(a, b gguf.Value) error {
	if a.Type != b.Type {
		return fmt.Errorf("type %s, want %s", a.Describe(), b.Describe())
	}
	aa, aok := a.AsArray()
	ba, bok := b.AsArray()
	if aok != bok {
		return fmt.Errorf("array mismatch")
	}
	if !aok {
		x, y := a.Any(), b.Any()
		if fx, ok := x.(float32); ok {
			if math.Float32bits(fx) != math.Float32bits(y.(float32)) {
				return fmt.Errorf("value %v, want %v", x, y)
			}
			return nil
		}
		if !reflect.DeepEqual(x, y) {
			return fmt.Errorf("value %#v, want %#v", x, y)
		}
		return nil
	}
	if aa.Elem != ba.Elem || aa.Len() != ba.Len() {
		return fmt.Errorf("array %s of %d, want %s of %d", a.Describe(), aa.Len(), b.Describe(), ba.Len())
	}
	if fx, ok := aa.Items.([]float32); ok {
		fy := ba.Items.([]float32)
		for i := range fx {
			if math.Float32bits(fx[i]) != math.Float32bits(fy[i]) {
				return fmt.Errorf("element %d = %v (%#x), want %v (%#x)", i, fx[i], math.Float32bits(fx[i]), fy[i], math.Float32bits(fy[i]))
			}
		}
		return nil
	}
	xv, yv := reflect.ValueOf(aa.Items), reflect.ValueOf(ba.Items)
	for i := 0; i < xv.Len(); i++ {
		if !reflect.DeepEqual(xv.Index(i).Interface(), yv.Index(i).Interface()) {
			return fmt.Errorf("element %d = %#v, want %#v", i, xv.Index(i).Interface(), yv.Index(i).Interface())
		}
	}
	return nil
}

// sameMetadata fails the test unless got has exactly want's keys, order,
// types and values.
func sameMetadata(t *testing.T, what string, got, want gguf.Metadata) {
	t.Helper()
	n := len(got)
	if len(want) > n {
		n = len(want)
	}
	for i := 0; i < n; i++ {
		switch {
		case i >= len(got):
			t.Errorf("%s: missing key %d %s", what, i, want[i].Key)
		case i >= len(want):
			t.Errorf("%s: extra key %d %s", what, i, got[i].Key)
		case got[i].Key != want[i].Key:
			t.Errorf("%s: key %d is %s, want %s", what, i, got[i].Key, want[i].Key)
		default:
			if err := valueEqual(got[i].Value, want[i].Value); err != nil {
				t.Errorf("%s: %s: %v", what, got[i].Key, err)
			}
		}
	}
}

func TestMicroMistralMatchesLlamaCpp(t *testing.T) {
	wantAuth, wantHP, wantTok, params := referenceSections(t)
	if params == 0 {
		t.Fatal("reference file has no tensors")
	}
	cfg, err := LoadConfig(microDir)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := Authorship(microDir, cfg, params)
	if err != nil {
		t.Fatal(err)
	}
	sameMetadata(t, "authorship", auth, wantAuth)
	hp, err := HyperParameters(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sameMetadata(t, "hyperparameters", hp, wantHP)
	tok, err := Tokenizer(microDir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sameMetadata(t, "tokenizer", tok, wantTok)
	if got := RopeDimensionCount(cfg); got != 32 {
		t.Errorf("RopeDimensionCount = %d, want 32", got)
	}
}

// Without tokenizer.model llama.cpp reads tokenizer.json; for this model
// the only difference is that every score becomes −1000.
func TestMicroMistralTokenizerJSONFallback(t *testing.T) {
	_, _, wantTok, _ := referenceSections(t)
	dir := testutil.CopyDir(t, microDir, "tokenizer.model")
	cfg, err := LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Tokenizer(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := make(gguf.Metadata, len(wantTok))
	copy(want, wantTok)
	i := want.Index("tokenizer.ggml.scores")
	if i < 0 {
		t.Fatal("reference has no scores")
	}
	scores := make([]float32, 4096)
	for j := range scores {
		scores[j] = -1000
	}
	want[i].Value = gguf.Float32s(scores)
	sameMetadata(t, "tokenizer.json fallback", tok, want)

	// The arrays other than scores must be the reference's, unchanged.
	orig, _ := wantTok.Get("tokenizer.ggml.scores")
	if err := valueEqual(want[i].Value, orig); err == nil {
		t.Fatal("reference scores are already all -1000: the test would not notice a wrong path")
	}
}

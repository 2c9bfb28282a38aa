package sentencepiece

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// builder helpers for hand-made ModelProto messages.
func pieceMsg(text string, score float32, typ int64) []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendString(b, text)
	b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
	b = protowire.AppendFixed32(b, math.Float32bits(score))
	if typ != 0 {
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(typ))
	}
	return b
}

func embed(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

func varintField(b []byte, num protowire.Number, v int64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func sampleModel() []byte {
	var m []byte
	m = embed(m, 1, pieceMsg("<unk>", 0, 2))
	m = embed(m, 1, pieceMsg("<s>", 0, 3))
	m = embed(m, 1, pieceMsg("▁a", float32(math.Copysign(0, -1)), 0))
	m = embed(m, 1, pieceMsg("<0x0A>", 0, 6))
	m = embed(m, 1, pieceMsg("x", -3.5, 99)) // unknown enum value: stays NORMAL
	var ts []byte
	ts = varintField(ts, 3, 2)
	ts = varintField(ts, 4, 5)
	ts = varintField(ts, 35, 1)
	ts = varintField(ts, 43, -1)
	ts = varintField(ts, 41, 7)
	ts = protowire.AppendTag(ts, 30, protowire.BytesType)
	ts = protowire.AppendString(ts, "<ctl>")
	ts = protowire.AppendTag(ts, 999, protowire.Fixed64Type) // unknown field, skipped
	ts = protowire.AppendFixed64(ts, 1)
	m = embed(m, 2, ts)
	var ns []byte
	ns = protowire.AppendTag(ns, 1, protowire.BytesType)
	ns = protowire.AppendString(ns, "identity")
	ns = varintField(ns, 3, 0)
	m = embed(m, 3, ns)
	return m
}

func TestParseSample(t *testing.T) {
	m, err := Parse(sampleModel())
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		text string
		bits uint32
		typ  PieceType
	}{
		{"<unk>", 0, Unknown},
		{"<s>", 0, Control},
		{"▁a", 0x80000000, Normal},
		{"<0x0A>", 0, Byte},
		{"x", math.Float32bits(-3.5), Normal},
	}
	if len(m.Pieces) != len(want) {
		t.Fatalf("got %d pieces, want %d", len(m.Pieces), len(want))
	}
	for i, w := range want {
		p := m.Pieces[i]
		if p.Text != w.text || p.ScoreBits != w.bits || p.Type != w.typ {
			t.Errorf("piece %d = %+v, want %+v", i, p, w)
		}
	}
	tr := m.Trainer
	if tr.ModelType != ModelBPE || tr.VocabSize != 5 || !tr.ByteFallback || tr.PadID != -1 || tr.BosID != 7 ||
		tr.UnkID != 0 || tr.EosID != 2 || tr.UnkPiece != "<unk>" || len(tr.ControlSymbols) != 1 || tr.ControlSymbols[0] != "<ctl>" {
		t.Errorf("trainer spec = %+v", tr)
	}
	n := m.Normalizer
	if n.Name != "identity" || n.AddDummyPrefix || !n.RemoveExtraWhitespaces || !n.EscapeWhitespaces {
		t.Errorf("normalizer spec = %+v", n)
	}
	if err := m.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	good := sampleModel()
	badWire := protowire.AppendTag(nil, 1, protowire.VarintType)
	badWire = protowire.AppendVarint(badWire, 3)
	group := protowire.AppendTag(nil, 9, protowire.StartGroupType)
	hugeLen := protowire.AppendTag(nil, 1, protowire.BytesType)
	hugeLen = protowire.AppendVarint(hugeLen, 1<<40)
	badScore := embed(nil, 1, protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), 1))
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:len(good)-3], "truncated"},
		{"wrong wire type for pieces", badWire, "pieces"},
		{"group", group, "wire type"},
		{"length past end", hugeLen, "truncated"},
		{"wrong wire type for score", badScore, "score"},
		{"wire type 7", []byte{0x0f}, "wire type 7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.data)
			if err == nil {
				t.Fatalf("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		pieces []Piece
		want   string
	}{
		{"empty model", nil, "no pieces"},
		{"empty piece", []Piece{{Text: "<unk>", Type: Unknown}, {Text: ""}}, "empty"},
		{"duplicate", []Piece{{Text: "<unk>", Type: Unknown}, {Text: "a"}, {Text: "a"}}, "duplicates"},
		{"no unknown", []Piece{{Text: "a", Type: Normal}}, "UNKNOWN"},
		{"two unknown", []Piece{{Text: "a", Type: Unknown}, {Text: "b", Type: Unknown}}, "UNKNOWN"},
	}
	for _, c := range cases {
		err := (&Model{Pieces: c.pieces}).Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

func TestLoadMicroMistral(t *testing.T) {
	m, err := Load("../testdata/micro-mistral/tokenizer.model")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Pieces) != 4096 {
		t.Fatalf("got %d pieces, want 4096", len(m.Pieces))
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		id   int
		text string
		typ  PieceType
	}{{0, "<unk>", Unknown}, {1, "<s>", Control}, {2, "</s>", Control}, {3, "<0x00>", Byte}, {258, "<0xFF>", Byte}, {259, "▁t", Normal}}
	for _, c := range checks {
		if p := m.Pieces[c.id]; p.Text != c.text || p.Type != c.typ {
			t.Errorf("piece %d = %+v, want %q %v", c.id, p, c.text, c.typ)
		}
	}
	// SentencePiece BPE stores -0.0 for the first merge; the bits must survive.
	if m.Pieces[259].ScoreBits != 0x80000000 {
		t.Errorf("piece 259 score bits %#x, want 0x80000000", m.Pieces[259].ScoreBits)
	}
	if m.Trainer.ModelType != ModelBPE || !m.Trainer.ByteFallback || m.Trainer.VocabSize != 4096 {
		t.Errorf("trainer spec %+v", m.Trainer)
	}
}

func TestLoadErrorsNameFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokenizer.model")
	if err := os.WriteFile(path, []byte{0x0a, 0x05, 0x01}, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v does not name %s", err, path)
	}
	if _, err := Load(filepath.Join(dir, "missing.model")); err == nil {
		t.Fatal("no error for a missing file")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sampleModel())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		_ = m.Validate()
		for _, p := range m.Pieces {
			if p.Type < Normal || p.Type > Byte {
				t.Fatalf("piece type %d out of range", p.Type)
			}
		}
	})
}

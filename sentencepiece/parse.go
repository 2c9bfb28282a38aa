package sentencepiece

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

func float32frombits(b uint32) float32 { return math.Float32frombits(b) }

// field is one decoded protobuf field.
type field struct {
	num  protowire.Number
	typ  protowire.Type
	v    uint64 // varint, fixed32 and fixed64 payloads
	data []byte // bytes payload
}

// fields walks the protobuf message in b, calling fn for every field. Groups
// and undefined wire types are rejected.
func fields(b []byte, msg string, fn func(f field) error) error {
	off := 0
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%s: bad field tag at byte %d: %v", msg, off, protowire.ParseError(n))
		}
		b, off = b[n:], off+n
		f := field{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var x uint32
			x, n = protowire.ConsumeFixed32(b)
			f.v = uint64(x)
		case protowire.Fixed64Type:
			f.v, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			f.data, n = protowire.ConsumeBytes(b)
		default:
			return fmt.Errorf("%s: field %d at byte %d has unsupported wire type %d", msg, num, off, typ)
		}
		if n < 0 {
			return fmt.Errorf("%s: field %d at byte %d is truncated or malformed: %v", msg, num, off, protowire.ParseError(n))
		}
		b, off = b[n:], off+n
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

func want(f field, t protowire.Type, msg, name string) error {
	if f.typ != t {
		return fmt.Errorf("%s.%s (field %d) has wire type %d, expected %d", msg, name, f.num, f.typ, t)
	}
	return nil
}

// Parse decodes a serialized ModelProto. Repeated occurrences of the
// trainer or normalizer spec are merged, as protobuf does.
func Parse(b []byte) (*Model, error) {
	m := &Model{Trainer: defaultTrainerSpec(), Normalizer: defaultNormalizerSpec()}
	err := fields(b, "ModelProto", func(f field) error {
		switch f.num {
		case 1:
			if err := want(f, protowire.BytesType, "ModelProto", "pieces"); err != nil {
				return err
			}
			if len(m.Pieces) >= MaxPieces {
				return fmt.Errorf("ModelProto has more than %d pieces", MaxPieces)
			}
			p, err := parsePiece(f.data, len(m.Pieces))
			if err != nil {
				return err
			}
			m.Pieces = append(m.Pieces, p)
		case 2:
			if err := want(f, protowire.BytesType, "ModelProto", "trainer_spec"); err != nil {
				return err
			}
			return parseTrainer(f.data, &m.Trainer)
		case 3:
			if err := want(f, protowire.BytesType, "ModelProto", "normalizer_spec"); err != nil {
				return err
			}
			return parseNormalizer(f.data, &m.Normalizer)
		}
		return nil // self_test_data, denormalizer_spec and unknown fields
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func parsePiece(b []byte, id int) (Piece, error) {
	p := Piece{Type: Normal}
	msg := fmt.Sprintf("SentencePiece %d", id)
	err := fields(b, msg, func(f field) error {
		switch f.num {
		case 1:
			if err := want(f, protowire.BytesType, msg, "piece"); err != nil {
				return err
			}
			p.Text = string(f.data)
		case 2:
			if err := want(f, protowire.Fixed32Type, msg, "score"); err != nil {
				return err
			}
			p.ScoreBits = uint32(f.v)
		case 3:
			if err := want(f, protowire.VarintType, msg, "type"); err != nil {
				return err
			}
			// proto2 enums are closed: an unknown value leaves the default.
			if t := PieceType(int32(f.v)); t >= Normal && t <= Byte {
				p.Type = t
			}
		}
		return nil
	})
	return p, err
}

func parseTrainer(b []byte, t *TrainerSpec) error {
	const msg = "TrainerSpec"
	i32 := func(f field, name string, dst *int32) error {
		if err := want(f, protowire.VarintType, msg, name); err != nil {
			return err
		}
		*dst = int32(f.v)
		return nil
	}
	str := func(f field, name string, dst *string) error {
		if err := want(f, protowire.BytesType, msg, name); err != nil {
			return err
		}
		*dst = string(f.data)
		return nil
	}
	return fields(b, msg, func(f field) error {
		switch f.num {
		case 3:
			return i32(f, "model_type", &t.ModelType)
		case 4:
			return i32(f, "vocab_size", &t.VocabSize)
		case 30, 31:
			var s string
			if err := str(f, "control_symbols/user_defined_symbols", &s); err != nil {
				return err
			}
			if len(t.ControlSymbols)+len(t.UserDefinedSymbols) >= MaxPieces {
				return fmt.Errorf("%s has more than %d symbols", msg, MaxPieces)
			}
			if f.num == 30 {
				t.ControlSymbols = append(t.ControlSymbols, s)
			} else {
				t.UserDefinedSymbols = append(t.UserDefinedSymbols, s)
			}
		case 35:
			if err := want(f, protowire.VarintType, msg, "byte_fallback"); err != nil {
				return err
			}
			t.ByteFallback = f.v != 0
		case 40:
			return i32(f, "unk_id", &t.UnkID)
		case 41:
			return i32(f, "bos_id", &t.BosID)
		case 42:
			return i32(f, "eos_id", &t.EosID)
		case 43:
			return i32(f, "pad_id", &t.PadID)
		case 45:
			return str(f, "unk_piece", &t.UnkPiece)
		case 46:
			return str(f, "bos_piece", &t.BosPiece)
		case 47:
			return str(f, "eos_piece", &t.EosPiece)
		case 48:
			return str(f, "pad_piece", &t.PadPiece)
		}
		return nil
	})
}

func parseNormalizer(b []byte, n *NormalizerSpec) error {
	const msg = "NormalizerSpec"
	flag := func(f field, name string, dst *bool) error {
		if err := want(f, protowire.VarintType, msg, name); err != nil {
			return err
		}
		*dst = f.v != 0
		return nil
	}
	return fields(b, msg, func(f field) error {
		switch f.num {
		case 1:
			if err := want(f, protowire.BytesType, msg, "name"); err != nil {
				return err
			}
			n.Name = string(f.data)
		case 2:
			if err := want(f, protowire.BytesType, msg, "precompiled_charsmap"); err != nil {
				return err
			}
			n.PrecompiledCharsmap = append([]byte(nil), f.data...)
		case 3:
			return flag(f, "add_dummy_prefix", &n.AddDummyPrefix)
		case 4:
			return flag(f, "remove_extra_whitespaces", &n.RemoveExtraWhitespaces)
		case 5:
			return flag(f, "escape_whitespaces", &n.EscapeWhitespaces)
		}
		return nil
	})
}

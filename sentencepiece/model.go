// Package sentencepiece reads SentencePiece tokenizer.model files (a
// serialized sentencepiece.ModelProto) without generated protobuf code: the
// pieces with their exact score bits and types, the TrainerSpec fields that
// describe special ids, and the basic NormalizerSpec flags. Input is treated
// as untrusted: every length is bounded and malformed data is an error.
package sentencepiece

import (
	"fmt"
	"os"
)

// PieceType is a SentencePiece piece type; the numbers equal GGUF token types.
type PieceType int32

// Piece types (sentencepiece_model.proto SentencePiece.Type).
const (
	Normal      PieceType = 1
	Unknown     PieceType = 2
	Control     PieceType = 3
	UserDefined PieceType = 4
	Unused      PieceType = 5
	Byte        PieceType = 6
)

// String returns the proto enum name.
func (t PieceType) String() string {
	switch t {
	case Normal:
		return "NORMAL"
	case Unknown:
		return "UNKNOWN"
	case Control:
		return "CONTROL"
	case UserDefined:
		return "USER_DEFINED"
	case Unused:
		return "UNUSED"
	case Byte:
		return "BYTE"
	}
	return fmt.Sprintf("PieceType(%d)", int32(t))
}

// Piece is one vocabulary entry; its id is its position in Model.Pieces.
type Piece struct {
	Text      string    // UTF-8 text, spaces shown as U+2581
	ScoreBits uint32    // IEEE-754 bits of the float score, kept exactly (e.g. -0.0)
	Type      PieceType // NORMAL when absent or not a known enum value
}

// Score returns the piece score as a float32.
func (p Piece) Score() float32 { return float32frombits(p.ScoreBits) }

// Model types (TrainerSpec.ModelType).
const (
	ModelUnigram = 1
	ModelBPE     = 2
	ModelWord    = 3
	ModelChar    = 4
)

// TrainerSpec holds the TrainerSpec fields that matter to converters.
type TrainerSpec struct {
	ModelType          int32
	VocabSize          int32
	ControlSymbols     []string
	UserDefinedSymbols []string
	ByteFallback       bool
	UnkID, BosID       int32
	EosID, PadID       int32
	UnkPiece, BosPiece string
	EosPiece, PadPiece string
}

// NormalizerSpec holds the basic NormalizerSpec fields.
type NormalizerSpec struct {
	Name                   string
	PrecompiledCharsmap    []byte
	AddDummyPrefix         bool
	RemoveExtraWhitespaces bool
	EscapeWhitespaces      bool
}

// Model is a parsed tokenizer.model.
type Model struct {
	Pieces     []Piece
	Trainer    TrainerSpec
	Normalizer NormalizerSpec
}

// Limits applied while parsing untrusted input.
const (
	// MaxFileSize bounds the size of a tokenizer.model file.
	MaxFileSize = 512 << 20
	// MaxPieces bounds the number of pieces.
	MaxPieces = 1 << 22
)

func defaultTrainerSpec() TrainerSpec {
	return TrainerSpec{
		ModelType: ModelUnigram, UnkID: 0, BosID: 1, EosID: 2, PadID: -1,
		UnkPiece: "<unk>", BosPiece: "<s>", EosPiece: "</s>", PadPiece: "<pad>",
	}
}

func defaultNormalizerSpec() NormalizerSpec {
	return NormalizerSpec{AddDummyPrefix: true, RemoveExtraWhitespaces: true, EscapeWhitespaces: true}
}

// Load reads and parses the tokenizer.model at path; errors name the file.
func Load(path string) (*Model, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s: file is %d bytes, more than the %d a tokenizer model may have", path, st.Size(), MaxFileSize)
	}
	data := make([]byte, st.Size())
	if _, err := fh.ReadAt(data, 0); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Validate applies the checks SentencePiece's own loader makes before a
// model can be used: no empty or duplicate pieces and exactly one UNKNOWN piece.
func (m *Model) Validate() error {
	if len(m.Pieces) == 0 {
		return fmt.Errorf("model has no pieces")
	}
	seen := make(map[string]int, len(m.Pieces))
	unk := -1
	for i, p := range m.Pieces {
		if p.Text == "" {
			return fmt.Errorf("piece %d is empty", i)
		}
		if j, dup := seen[p.Text]; dup {
			return fmt.Errorf("piece %d %q duplicates piece %d", i, p.Text, j)
		}
		seen[p.Text] = i
		if p.Type == Unknown {
			if unk >= 0 {
				return fmt.Errorf("pieces %d and %d are both UNKNOWN", unk, i)
			}
			unk = i
		}
	}
	if unk < 0 {
		return fmt.Errorf("model has no UNKNOWN piece")
	}
	return nil
}

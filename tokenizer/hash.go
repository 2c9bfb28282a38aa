package tokenizer

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
)

// vocabHash hashes the vocabulary as given: for every token its byte length
// (uint32 LE) and bytes, then every score's float32 bits (uint32 LE), then
// every type (int32 LE). Missing scores/types hash as llama.cpp's defaults
// (0 and NORMAL), so a vocabulary hashes the same whichever way it was given.
// A BPE vocabulary adds its model and pre-tokenizer names and its merges.
func vocabHash(v Vocab) string {
	h := sha256.New()
	var b [4]byte
	put := func(x uint32) {
		binary.LittleEndian.PutUint32(b[:], x)
		h.Write(b[:])
	}
	put(uint32(len(v.Tokens)))
	for _, s := range v.Tokens {
		put(uint32(len(s)))
		h.Write([]byte(s))
	}
	for i := range v.Tokens {
		var s float32
		if v.Scores != nil {
			s = v.Scores[i]
		}
		put(math.Float32bits(s))
	}
	for i := range v.Tokens {
		ty := TypeNormal
		if v.Types != nil {
			ty = v.Types[i]
		}
		put(uint32(ty))
	}
	if v.Model == "gpt2" { // SentencePiece vocabularies keep their old hash
		for _, s := range []string{v.Model, v.Pre} {
			put(uint32(len(s)))
			h.Write([]byte(s))
		}
		put(uint32(len(v.Merges)))
		for _, s := range v.Merges {
			put(uint32(len(s)))
			h.Write([]byte(s))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/zqtool/zq/internal/filehash"
	"github.com/zqtool/zq/tokenizer"
)

// ReadText reads the evaluation text as llama-perplexity does (the whole
// file, exactly one trailing "\n" removed) and returns it with the file's
// sha256.
func ReadText(path string) (text, sha string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256(b)
	return strings.TrimSuffix(string(b), "\n"), hex.EncodeToString(sum[:]), nil
}

// Tokenize tokenizes the whole text once, BOS added when the vocabulary
// asks for it, special-token text not parsed (llama-perplexity).
func Tokenize(tok *tokenizer.Tokenizer, text string) []int32 {
	return tok.Encode(text, true, false)
}

// Chunking returns how many chunks of nCtx tokens the text gives: at most
// limit (0: no limit), and an error when the text has fewer than 2·nCtx
// tokens.
func Chunking(nTokens, nCtx, limit int) (int, error) {
	if nCtx < 4 {
		return 0, fmt.Errorf("context size %d is too small (at least 4)", nCtx)
	}
	if nTokens < 2*nCtx {
		return 0, fmt.Errorf("the text has %d tokens; at least 2·ctx = %d are needed", nTokens, 2*nCtx)
	}
	n := nTokens / nCtx
	if limit > 0 {
		n = min(n, limit)
	}
	return n, nil
}

// FileSHA256 returns the hex sha256 of a file's contents.
func FileSHA256(path string) (string, error) { return filehash.SHA256(path) }

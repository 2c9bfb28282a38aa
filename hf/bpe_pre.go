package hf

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zqtool/zq/tokenizer"
)

// preByHash is the part of llama.cpp's get_vocab_base_pre table whose
// pre-tokenizer regexes zq implements: sha256 of the check text's token
// ids → tokenizer.ggml.pre.
var preByHash = map[string]string{
	"0ef9807a4087ebef797fc749390439009c3b9eda9ad1a097abbe738f486c01e5": "llama-bpe",        // meta-llama/Meta-Llama-3-8B
	"c136ed14d01c2745d4f60a9596ae66800e2b61fa45643e72436041855ad4089d": "smaug-bpe",        // abacusai/Smaug-Llama-3-70B-Instruct
	"a8594e3edff7c29c003940395316294b2c623e09894deebbc65f33f1515df79e": "dbrx",             // databricks/dbrx-base
	"9d032fcbd5501f4a38150912590928bfb36091efb5df11b8e2124b0390e3fb1e": "falcon3",          // tiiuae/Falcon3-7B-Base
	"a6b57017d60e6edb4d88ecc2845188e0eb333a70357e45dcc9b53964a73bbae6": "falcon-h1",        // tiiuae/Falcon-H1-0.5B-Base
	"60476e1243776c4fb1b993dbd7a5f15ac22f83c80afdf425fa5ae01c8d44ef86": "falcon-h1",        // tiiuae/Falcon-H1-1B-Base
	"3eda48b4c4dc7de733d1a8b3e3b4a85243dbbf704da2ee9d42c6beced8897896": "falcon-h1",        // tiiuae/Falcon-H1-7B-Base
	"48f8e02c0359c0bbdd82f26909171fac1c18a457bb47573ed1fe3bbb2c1cfd4b": "falcon-h1",        // tiiuae/Falcon-H1-34B-Base
	"0e9433cbbb161f89e264eb32e8e64bfe69e834973ffca5d41d3948a604a3e2a3": "pixtral",          // mistral-community/pixtral-12b
	"f6791d196f87ce6b56a7d234be618e0d58f8cda3549416635b2bebcd22cd95c4": "midm-2.0",         // K-intelligence/Midm-2.0-Base-Instruct
	"169bf0296a13c4d9b7672313f749eb36501d931022de052aad6e36f2bf34dd51": "lfm2",             // LiquidAI/LFM2-Tokenizer
	"e636dc30a262dcc0d8c323492e32ae2b70728f4df7dfe9737d9f920a282b8aea": "qwen2",            // Qwen/Qwen1.5-7B
	"d4540891389ea895b53b399da6ac824becc30f2fba0e9ddbb98f92e55ca0e97c": "qwen2",            // Qwen/Qwen3-Embedding-0.6B
	"b3f499bb4255f8ca19fccd664443283318f2fd2414d5e0b040fbdd0cc195d6c5": "deepseek-r1-qwen", // deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B
	"4a2e2abae11ca2b86d570fc5b44be4d5eb5e72cc8f22dd136a94b37da83ab665": "kormo",            // KORMo-Team/KORMo-tokenizer
	"7e57df22b1fe23a7b1e1c7f3dc4e3f96d43a4eb0836d0c6bdc3436d7b2f1c664": "hunyuan",          // tencent/Hunyuan-A13B-Instruct
	"d4c8f286ea6b520b3d495c4455483cfa2302c0cfcd4be05d781b6a8a0a7cdaf1": "megrez",           // Infinigence/Megrez-3B-Instruct
	"32d85c31273f8019248f2559fed492d929ea28b17e51d81d3bb36fff23ca72b3": "stablelm2",        // stabilityai/stablelm-2-zephyr-1_6b
}

// vocabBasePre is get_vocab_base_pre: tokenize the check text as
// transformers' tokenizer.encode does (normalizer, pre-tokenizer regex,
// byte-level BPE, added tokens, then the post-processor's special tokens),
// hash str(ids) and look the hash up.
func vocabBasePre(dir string, tj *object, path string, v *bpeVocab, merges []string) (string, error) {
	if err := checkNormalizer(objGet(tj, "normalizer"), path); err != nil {
		return "", err
	}
	pattern, err := splitPattern(objGet(tj, "pre_tokenizer"), path)
	if err != nil {
		return "", err
	}
	splitAs, ok := tokenizer.PreForRegex(pattern)
	if !ok {
		return "", fmt.Errorf("%s: key %q: Split regex %q is not a pre-tokenizer zq implements (supported: the Llama 3 and Qwen2 regexes)", path, "pre_tokenizer", pattern)
	}
	// The emulated tokenizer: every added token is matched in the raw text
	// (transformers splits them out first), everything else is NORMAL.
	types := make([]int32, len(v.tokens))
	for i, t := range v.types {
		types[i] = tokenizer.TypeNormal
		if t == TokenControl || t == TokenUserDefined {
			types[i] = tokenizer.TypeControl
		}
	}
	tok, err := tokenizer.New(tokenizer.Vocab{Model: "gpt2", Pre: splitAs, Tokens: v.tokens, Types: types, Merges: merges,
		IgnoreMerges: truthy(objGet(objGet(tj, "model"), "ignore_merges")), BOS: -1, EOS: -1, UNK: -1, PAD: -1, EOT: -1})
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	ids := tok.Encode(chkText, false, true)
	if ids, err = addSpecialTokens(dir, objGet(tj, "post_processor"), path, ids, tok); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(int(id)))
	}
	b.WriteByte(']')
	sum := sha256.Sum256([]byte(b.String()))
	hash := hex.EncodeToString(sum[:])
	pre, ok := preByHash[hash]
	if !ok {
		return "", fmt.Errorf("%s: BPE pre-tokenizer not recognized: chkhsh %s is not in zq's table (llama.cpp's get_vocab_base_pre entries for the Llama 3 and Qwen2 regexes)", path, hash)
	}
	return pre, nil
}

// checkNormalizer accepts no normalizer or NFC (the check text is already
// in NFC, so NFC changes nothing zq tokenizes at conversion).
func checkNormalizer(n any, path string) error {
	switch objGet(n, "type") {
	case nil:
		if n == nil {
			return nil
		}
	case "NFC":
		return nil
	case "Sequence":
		list, _ := objGet(n, "normalizers").([]any)
		for _, e := range list {
			if err := checkNormalizer(e, path); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%s: key %q: normalizer %s is not supported for byte-level BPE (only none or NFC)", path, "normalizer", describeValue(objGet(n, "type")))
}

// splitPattern returns the regex of a Sequence[Split(Regex, Isolated),
// ByteLevel(no prefix space, no regex)] pre-tokenizer, the form of every
// tokenizer.json zq can name.
func splitPattern(p any, path string) (string, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: key %q: %s", path, "pre_tokenizer", fmt.Sprintf(format, args...))
	}
	if objGet(p, "type") != "Sequence" {
		return "", bad("type %s is not supported (expected a Sequence of a regex Split and a ByteLevel)", describeValue(objGet(p, "type")))
	}
	list, _ := objGet(p, "pretokenizers").([]any)
	if len(list) != 2 || objGet(list[0], "type") != "Split" || objGet(list[1], "type") != "ByteLevel" {
		return "", bad("expected a Sequence of a regex Split and a ByteLevel")
	}
	split, bl := list[0], list[1]
	pattern, ok := objGet(objGet(split, "pattern"), "Regex").(string)
	if !ok {
		return "", bad("the Split has no Regex pattern")
	}
	if objGet(split, "behavior") != "Isolated" || truthy(objGet(split, "invert")) {
		return "", bad("the Split must be behavior Isolated, not inverted")
	}
	if truthy(objGet(bl, "add_prefix_space")) || truthy(objGet(bl, "use_regex")) {
		return "", bad("the ByteLevel must have add_prefix_space and use_regex off")
	}
	return pattern, nil
}

// addSpecialTokens applies the post-processor of tokenizer.encode with
// add_special_tokens=True to a single sequence. transformers rebuilds it
// for the Llama tokenizer classes from add_bos_token/add_eos_token.
func addSpecialTokens(dir string, pp any, path string, ids []int32, tok *tokenizer.Tokenizer) ([]int32, error) {
	tc, err := optionalJSONObject(filepath.Join(dir, "tokenizer_config.json"))
	if err != nil {
		return nil, err
	}
	if class, _ := objGet(tc, "tokenizer_class").(string); llamaTokenizerClasses[class] {
		return llamaPostProcess(tc, ids, tok, path)
	}
	return postProcess(pp, path, ids)
}

func llamaPostProcess(tc *object, ids []int32, tok *tokenizer.Tokenizer, path string) ([]int32, error) {
	flag := func(key string, def bool) bool {
		if v, ok := tc.get(key); ok {
			return truthy(v)
		}
		return def
	}
	id := func(key, def string) (int32, error) {
		c := def
		if v, ok := tc.get(key); ok {
			c, _ = tokenContent(v)
		}
		t, ok := tok.ID(c)
		if !ok {
			return 0, fmt.Errorf("%s: %s %q is not in the vocabulary", path, key, c)
		}
		return t, nil
	}
	var out []int32
	if flag("add_bos_token", true) {
		b, err := id("bos_token", "<s>")
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	out = append(out, ids...)
	if flag("add_eos_token", false) {
		e, err := id("eos_token", "</s>")
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// postProcess is the tokenizers post-processor for one sequence.
func postProcess(pp any, path string, ids []int32) ([]int32, error) {
	bad := func(format string, args ...any) ([]int32, error) {
		return nil, fmt.Errorf("%s: key %q: %s", path, "post_processor", fmt.Sprintf(format, args...))
	}
	tokenID := func(v any) (int32, bool) {
		i, ok := asPyInt(v)
		return int32(i.v), ok && !i.big && i.v >= 0 && i.v < 1<<31
	}
	switch objGet(pp, "type") {
	case nil:
		if pp == nil {
			return ids, nil
		}
	case "ByteLevel":
		return ids, nil
	case "Sequence":
		list, _ := objGet(pp, "processors").([]any)
		var err error
		for _, p := range list {
			if ids, err = postProcess(p, path, ids); err != nil {
				return nil, err
			}
		}
		return ids, nil
	case "TemplateProcessing":
		single, _ := objGet(pp, "single").([]any)
		var out []int32
		for _, item := range single {
			if name, ok := objGet(objGet(item, "SpecialToken"), "id").(string); ok {
				list, _ := objGet(objGet(objGet(pp, "special_tokens"), name), "ids").([]any)
				if list == nil {
					return bad("special token %q of the template has no ids", name)
				}
				for _, x := range list {
					id, ok := tokenID(x)
					if !ok {
						return bad("special token %q has id %s", name, describeValue(x))
					}
					out = append(out, id)
				}
				continue
			}
			if objGet(objGet(item, "Sequence"), "id") == "A" {
				out = append(out, ids...)
			}
		}
		return out, nil
	case "RobertaProcessing", "BertProcessing":
		cls, _ := objGet(pp, "cls").([]any)
		sep, _ := objGet(pp, "sep").([]any)
		if len(cls) != 2 || len(sep) != 2 {
			return bad("cls and sep must be [token, id] pairs")
		}
		c, ok1 := tokenID(cls[1])
		s, ok2 := tokenID(sep[1])
		if !ok1 || !ok2 {
			return bad("cls and sep ids must be token ids")
		}
		return append(append([]int32{c}, ids...), s), nil
	}
	return bad("type %s is not supported", describeValue(objGet(pp, "type")))
}

package hf

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/zqtool/zq/gguf"
)

// specialVocab mirrors gguf-py's SpecialVocab (load_merges=False): special
// token ids, add_*_token flags and the chat template, each kept in the
// order llama.cpp discovers them.
type specialVocab struct {
	dir    string
	tj     *tokenizerJSON
	types  []string
	nVocab int // -1: no range check

	ids     []string // discovery order
	idOf    map[string]int64
	flags   []string
	flagOf  map[string]bool
	tmpl    any // nil, string or []any of *object{name, template}
	hasTmpl bool
	merges  []string // BPE merges (load_merges=True), written first
}

// defaultSpecialTypes is SpecialVocab's default type list.
var defaultSpecialTypes = []string{"bos", "eos", "unk", "sep", "pad", "cls", "mask"}

// specialIDKeys and specialFlagKeys are the GGUF writer's handlers; types
// without one (cls, prefix, …) are dropped as llama.cpp drops them.
var specialIDKeys = map[string]string{
	"bos": "tokenizer.ggml.bos_token_id", "eos": "tokenizer.ggml.eos_token_id",
	"unk": "tokenizer.ggml.unknown_token_id", "sep": "tokenizer.ggml.seperator_token_id",
	"pad": "tokenizer.ggml.padding_token_id", "mask": "tokenizer.ggml.mask_token_id",
	"eot": "tokenizer.ggml.eot_token_id", "eom": "tokenizer.ggml.eom_token_id",
}

var specialFlagKeys = map[string]string{
	"bos": "tokenizer.ggml.add_bos_token", "eos": "tokenizer.ggml.add_eos_token", "sep": "tokenizer.ggml.add_sep_token",
}

func newSpecialVocab(tj *tokenizerJSON, types []string, nVocab int) (*specialVocab, error) {
	sv := &specialVocab{dir: tj.dir, tj: tj, types: append([]string(nil), types...), nVocab: nVocab,
		idOf: map[string]int64{}, flagOf: map[string]bool{}}
	if err := sv.loadTokenizerFiles(); err != nil {
		return nil, err
	}
	if err := sv.loadConfigJSON(); err != nil {
		return nil, err
	}
	return sv, nil
}

func (sv *specialVocab) setFlag(typ string, v bool) {
	if _, ok := sv.flagOf[typ]; !ok {
		sv.flags = append(sv.flags, typ)
	}
	sv.flagOf[typ] = v
}

// setID records the first valid id for typ (gguf-py _set_special_token).
func (sv *specialVocab) setID(typ string, v any, src string) error {
	id, ok := asPyInt(v)
	if !ok {
		return nil
	}
	if id.v < 0 {
		return fmt.Errorf("%s: invalid value for special token type %s: %s", src, typ, describeValue(v))
	}
	if sv.nVocab >= 0 && (id.big || id.v >= int64(sv.nVocab)) {
		return nil // out of range: llama.cpp skips it with a warning
	}
	if _, dup := sv.idOf[typ]; dup {
		return nil
	}
	if id.big || id.v > math.MaxUint32 {
		return fmt.Errorf("%s: special token type %s: id %s does not fit a uint32", src, typ, describeValue(v))
	}
	sv.ids = append(sv.ids, typ)
	sv.idOf[typ] = id.v
	return nil
}

func (sv *specialVocab) hasType(t string) bool {
	for _, x := range sv.types {
		if x == t {
			return true
		}
	}
	return false
}

// optionalJSONObject reads path when it exists; absent gives nil.
func optionalJSONObject(path string) (*object, error) {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && !st.Mode().IsRegular()) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return readJSONObject(path)
}

// objGet is Python's d.get(key) when d may not be a dict.
func objGet(v any, key string) any {
	o, ok := v.(*object)
	if !ok {
		return nil
	}
	x, _ := o.get(key)
	return x
}

// specialTokenID is item.get('SpecialToken', {}).get('id').
func specialTokenID(item any) any { return objGet(objGet(item, "SpecialToken"), "id") }

func pyIn(v any, choices ...any) bool {
	for _, c := range choices {
		if pyEqual(v, c) {
			return true
		}
	}
	return false
}

// pySlice is Python's list[start:stop] for start ≥ 0 and stop ∈ {len, -1}.
func pySlice(a []any, start int, dropLast bool) []any {
	stop := len(a)
	if dropLast {
		stop--
	}
	if start > len(a) {
		start = len(a)
	}
	if stop < start {
		return nil
	}
	return a[start:stop]
}

func (sv *specialVocab) loadTokenizerFiles() error {
	tjPath := sv.tj.path
	tj, err := sv.tj.get()
	if err != nil {
		return err
	}
	var added []any
	if tj != nil {
		if v, ok := tj.get("added_tokens"); ok && v != nil {
			list, ok := v.([]any)
			if !ok {
				return fmt.Errorf("%s: key %q: is %s, expected an array", tjPath, "added_tokens", describe(v))
			}
			added = list
		}
	}
	tcPath := filepath.Join(sv.dir, "tokenizer_config.json")
	tcOrig, err := optionalJSONObject(tcPath)
	if err != nil {
		return err
	}
	// The converter edits its copy of tokenizer_config in place.
	var tc *object
	if tcOrig != nil {
		tc = newObject()
		for _, k := range tcOrig.keys {
			tc.set(k, tcOrig.vals[k])
		}
	}
	tcTruthy := tc != nil && len(tc.keys) > 0
	tcGet := func(k string) any { v, _ := tc.get(k); return v }

	if tj != nil && len(tj.keys) > 0 {
		bos, cls, eos, sep := tcGet("bos_token"), tcGet("cls_token"), tcGet("eos_token"), tcGet("sep_token")
		if !truthy(bos) && truthy(cls) && tcTruthy {
			bos = cls
			tc.set("bos_token", bos)
		}
		if !truthy(eos) && truthy(sep) && tcTruthy {
			eos = sep
			tc.set("eos_token", eos)
		}
		if pp, _ := tj.get("post_processor"); truthy(pp) {
			procs := []any{pp}
			if list, ok := objGet(pp, "processors").([]any); ok {
				procs = list
			}
			for _, proc := range procs {
				switch objGet(proc, "type") {
				case "RobertaProcessing":
					sv.setFlag("bos", true)
					sv.setFlag("eos", true)
					sv.setFlag("sep", true)
					first := func(key string, def any) any {
						v, ok := proc.(*object).get(key)
						if !ok {
							return def
						}
						if l, ok := v.([]any); ok && len(l) > 0 {
							return l[0]
						}
						return nil
					}
					if !truthy(cls) && tcTruthy {
						cls = first("cls", bos)
						tc.set("cls_token", cls)
					}
					if !truthy(sep) && tcTruthy {
						sep = first("sep", eos)
						tc.set("sep_token", sep)
					}
				case "TemplateProcessing":
					single, _ := objGet(proc, "single").([]any)
					pair, _ := objGet(proc, "pair").([]any)
					var specialFirst, specialLast any
					if len(single) > 1 {
						if specialFirst = specialTokenID(single[0]); truthy(specialFirst) {
							if !tcTruthy {
								bos = specialFirst
							}
							sv.setFlag("bos", pyIn(specialFirst, bos, cls))
						}
						if specialLast = specialTokenID(single[len(single)-1]); truthy(specialLast) {
							if !tcTruthy {
								eos = specialLast
							} else if !pyEqual(specialLast, eos) {
								if !sv.hasType("eot") {
									sv.types = append(sv.types, "eot")
									tc.set("eot_token", eos)
								} else if !sv.hasType("eom") {
									sv.types = append(sv.types, "eom")
									tc.set("eom_token", eos)
								}
								eos = specialLast
								tc.set("eos_token", eos)
							}
							sv.setFlag("eos", pyEqual(specialLast, eos))
						}
					}
					if len(pair) > 0 {
						start := 0
						if truthy(specialFirst) && pyEqual(specialTokenID(pair[0]), specialFirst) {
							start = 1
						}
						dropLast := truthy(specialLast) && pyEqual(specialTokenID(pair[len(pair)-1]), specialLast)
						if p := pySlice(pair, start, dropLast); len(p) > 0 {
							a := objGet(objGet(p[0], "Sequence"), "id")
							b := objGet(objGet(p[len(p)-1], "Sequence"), "id")
							if mid := pySlice(p, 1, true); a == "A" && b == "B" && len(mid) > 0 {
								addSep := false
								if e := specialTokenID(mid[0]); truthy(e) && pyIn(e, sep, eos) && !truthy(specialLast) {
									addSep = true
								}
								if len(mid) == 2 {
									if e := specialTokenID(mid[1]); truthy(e) && pyIn(e, sep, eos) {
										addSep = true
									}
								}
								sv.setFlag("sep", addSep)
								if addSep && !truthy(sep) && tcTruthy {
									tc.set("sep_token", eos)
								}
							}
						}
					}
				}
			}
		}
	}
	if !tcTruthy {
		return nil
	}
	if err := sv.loadChatTemplate(tc, tcPath); err != nil {
		return err
	}
	for _, typ := range sv.types {
		if v, ok := tcGet("add_" + typ + "_token").(bool); ok {
			sv.setFlag(typ, v)
		}
		entry := tcGet(typ + "_token")
		var content string
		switch e := entry.(type) {
		case string:
			content = e
		case *object:
			c, ok := objGet(e, "content").(string)
			if !ok {
				continue
			}
			content = c
		default:
			continue
		}
		for _, at := range added {
			if pyEqual(objGet(at, "content"), content) {
				if err := sv.setID(typ, objGet(at, "id"), tjPath); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

func (sv *specialVocab) loadChatTemplate(tc *object, tcPath string) error {
	var alt any
	jinja := filepath.Join(sv.dir, "chat_template.jinja")
	jsonPath := filepath.Join(sv.dir, "chat_template.json")
	if isFile(jinja) {
		b, err := readTextFile(jinja)
		if err != nil {
			return err
		}
		alt = b
		extra, _ := filepath.Glob(filepath.Join(sv.dir, "additional_chat_templates", "*.jinja"))
		sort.Strings(extra)
		if len(extra) > 0 {
			list := []any{namedTemplate("default", b)}
			for _, p := range extra {
				t, err := readTextFile(p)
				if err != nil {
					return err
				}
				list = append(list, namedTemplate(strings.TrimSuffix(filepath.Base(p), ".jinja"), t))
			}
			alt = list
		}
	} else if isFile(jsonPath) {
		o, err := readJSONObject(jsonPath)
		if err != nil {
			return err
		}
		alt, _ = o.get("chat_template")
	}
	ct, ok := tc.get("chat_template")
	if !ok {
		ct = alt
	}
	switch ct.(type) {
	case nil, string, []any:
		sv.tmpl, sv.hasTmpl = ct, ct != nil
	}
	return nil
}

func namedTemplate(name, tmpl string) *object {
	o := newObject()
	o.set("name", name)
	o.set("template", tmpl)
	return o
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

func readTextFile(path string) (string, error) {
	b, err := readModelFile(path, maxJSONSize)
	if err != nil {
		return "", err
	}
	// Python's text mode turns \r\n and \r into \n.
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n"), nil
}

func (sv *specialVocab) loadConfigJSON() error {
	path := filepath.Join(sv.dir, "config.json")
	cfg, err := optionalJSONObject(path)
	if err != nil || cfg == nil {
		return err
	}
	for _, typ := range sv.types {
		v, _ := cfg.get(typ + "_token_id")
		if v == nil && cfg.has("text_config") {
			v = objGet(cfg.vals["text_config"], typ+"_token_id")
		}
		if err := sv.setID(typ, v, path); err != nil {
			return err
		}
	}
	return nil
}

// addTo writes ids, flags and the chat template (gguf-py SpecialVocab.add_to_gguf).
func (sv *specialVocab) addTo(md *gguf.Metadata) error {
	if len(sv.merges) > 0 {
		md.Set("tokenizer.ggml.merges", gguf.Strings(sv.merges))
	}
	for _, typ := range sv.ids {
		if key, ok := specialIDKeys[typ]; ok {
			md.Set(key, gguf.Uint32(uint32(sv.idOf[typ])))
		}
	}
	for _, typ := range sv.flags {
		if key, ok := specialFlagKeys[typ]; ok {
			md.Set(key, gguf.Bool(sv.flagOf[typ]))
		}
	}
	if !sv.hasTmpl {
		return nil
	}
	tcPath := filepath.Join(sv.dir, "tokenizer_config.json")
	setStr := func(key string, v any) error {
		if v == nil {
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: chat template %q is %s, expected a string", tcPath, key, describe(v))
		}
		if s != "" {
			md.Set(key, gguf.String(s))
		}
		return nil
	}
	list, ok := sv.tmpl.([]any)
	if !ok {
		return setStr("tokenizer.chat_template", sv.tmpl)
	}
	var def any
	var names []string
	seen := map[string]bool{}
	for i, choice := range list {
		c, ok := choice.(*object)
		if !ok {
			return fmt.Errorf("%s: chat_template entry %d is %s, expected an object", tcPath, i, describe(choice))
		}
		nameV, ok := c.get("name")
		if !ok {
			nameV = ""
		}
		name, ok := nameV.(string)
		if !ok {
			return fmt.Errorf("%s: chat_template entry %d: name is %s, expected a string", tcPath, i, describe(nameV))
		}
		name = sanitizeTemplateName(name)
		tmpl, _ := c.get("template")
		if name == "" || tmpl == nil {
			continue
		}
		if name == "default" {
			def = tmpl
			continue
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
		if err := setStr("tokenizer.chat_template."+name, tmpl); err != nil {
			return err
		}
	}
	if len(names) > 0 {
		// llama.cpp builds this list from a set (no defined order); zq sorts it.
		sort.Strings(names)
		md.Set("tokenizer.chat_templates", gguf.Strings(names))
	}
	return setStr("tokenizer.chat_template", def)
}

func sanitizeTemplateName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

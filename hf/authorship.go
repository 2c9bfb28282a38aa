package hf

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/zqtool/zq/gguf"
)

// authorship mirrors gguf-py's Metadata dataclass; values are decoded
// JSON/YAML values and nil means unset.
type authorship struct {
	name, author, version, organization, finetune, basename any
	description, quantizedBy, sizeLabel                     any
	url, doi, uuid, repoURL                                 any
	sourceURL, sourceDOI, sourceUUID, sourceRepoURL         any
	license, licenseName, licenseLink                       any
	baseModels, datasets                                    []*object
	baseModelsSet, datasetsSet                              bool
	tags, languages                                         []any
	tagsSet, languagesSet                                   bool
}

// Authorship returns the general.* keys that follow general.type: the
// general.sampling.* keys from generation_config.json, then general.name …
// general.languages from README.md front matter, config.json's
// _name_or_path and the directory name, through llama.cpp's name heuristics
// (gguf-py metadata.py). paramCount is the total number of elements of all
// written tensors; it decides size labels.
func Authorship(dir string, cfg *Config, paramCount uint64) (gguf.Metadata, error) {
	card, err := loadModelCard(dir)
	if err != nil {
		return nil, err
	}
	var m authorship
	m.fromModelCard(card, paramCount)
	if cfg != nil && cfg.raw != nil {
		if v, _ := cfg.raw.get("_name_or_path"); v != nil {
			if s, ok := v.(string); ok && strings.Count(s, "/") <= 1 {
				m.fromModelID(ParseModelID(s, paramCount))
			}
		}
	}
	dirName := pathName(dir)
	m.fromModelID(ParseModelID(dirName, paramCount))
	if m.name == nil {
		m.name = dirName
	}
	if m.sizeLabel == nil && paramCount > 0 {
		m.sizeLabel = SizeLabel(paramCount)
	}

	var md gguf.Metadata
	if err := sampling(&md, dir); err != nil {
		return nil, err
	}
	m.write(&md)
	return md, nil
}

func (m *authorship) fromModelCard(card *object, params uint64) {
	use := func(dst *any, key string) {
		if v, ok := card.get(key); ok && *dst == nil {
			*dst = v
		}
	}
	use(&m.name, "name")
	use(&m.author, "author")
	use(&m.version, "version")
	use(&m.organization, "organization")
	use(&m.description, "description")
	use(&m.finetune, "finetune")
	use(&m.basename, "basename")
	use(&m.sizeLabel, "size_label")
	use(&m.sourceURL, "url")
	use(&m.sourceDOI, "doi")
	use(&m.sourceUUID, "uuid")
	use(&m.sourceRepoURL, "repo_url")

	use(&m.name, "model_name")
	use(&m.author, "model_author")
	use(&m.version, "model_version")
	use(&m.organization, "model_organization")
	use(&m.description, "model_description")
	use(&m.finetune, "model_finetune")
	use(&m.basename, "model_basename")
	use(&m.sizeLabel, "model_size_label")
	use(&m.sourceURL, "model_url")
	use(&m.sourceDOI, "model_doi")
	use(&m.sourceUUID, "model_uuid")
	use(&m.sourceRepoURL, "model_repo_url")

	use(&m.name, "model_name")
	use(&m.author, "model_creator")
	use(&m.basename, "model_type")

	if list, ok := sourceList(card, "base_model", "base_models", "base_model_sources"); ok {
		m.baseModelsSet = true
		for _, id := range list {
			m.baseModels = append(m.baseModels, sourceEntry(id, params))
		}
	}
	if list, ok := sourceList(card, "datasets", "dataset", "dataset_sources"); ok {
		m.datasetsSet = true
		for _, id := range list {
			m.datasets = append(m.datasets, sourceEntry(id, params))
		}
	}

	use(&m.license, "license")
	use(&m.licenseName, "license_name")
	use(&m.licenseLink, "license_link")

	appendList := func(dst *[]any, set *bool, key string) {
		v, _ := card.get(key)
		if v == nil {
			return
		}
		*set = true
		switch t := v.(type) {
		case []any:
			*dst = append(*dst, t...)
		case *object:
		default:
			if s, ok := v.(string); ok {
				*dst = append(*dst, s)
			}
		}
	}
	appendList(&m.tags, &m.tagsSet, "tags")
	appendList(&m.tags, &m.tagsSet, "pipeline_tag")
	appendList(&m.languages, &m.languagesSet, "languages")
	appendList(&m.languages, &m.languagesSet, "language")
}

// sourceList returns the base-model or dataset list of a model card: the
// first of keys that is present (present with null gives an empty list).
func sourceList(card *object, keys ...string) ([]any, bool) {
	present := false
	var v any
	found := false
	for _, k := range keys {
		if x, ok := card.get(k); ok {
			present = true
			if !found {
				v, found = x, true
			}
		}
	}
	if !present {
		return nil, false
	}
	switch t := v.(type) {
	case string:
		return []any{t}, true
	case []any:
		return t, true
	}
	return nil, true
}

var reHFURL = regexp.MustCompile(`^https?://huggingface.co/([^/]+/[^/]+)$`)

// sourceEntry turns one base_model / datasets entry into its sub-keys.
func sourceEntry(id any, params uint64) *object {
	e := newObject()
	switch t := id.(type) {
	case *object:
		return t
	case string:
		if strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "https://") || strings.HasPrefix(t, "ssh://") {
			e.set("repo_url", t)
			if strings.Contains(t, "huggingface.co") {
				if sm := reHFURL.FindStringSubmatch(t); sm != nil {
					c := ParseModelID(sm[1], params)
					if c.Name != nil {
						e.set("name", Title(*c.Name))
					}
					if c.Organization != nil {
						e.set("organization", Title(*c.Organization))
					}
					if c.Version != nil {
						e.set("version", *c.Version)
					}
				}
			}
			return e
		}
		c := ParseModelID(t, params)
		if c.Name != nil {
			e.set("name", Title(*c.Name))
		}
		if c.Organization != nil {
			e.set("organization", Title(*c.Organization))
		}
		if c.Version != nil {
			e.set("version", *c.Version)
		}
		if c.Organization != nil && c.Name != nil {
			e.set("repo_url", "https://huggingface.co/"+*c.Organization+"/"+*c.Name)
		}
	}
	return e
}

func (m *authorship) fromModelID(c ModelID) {
	set := func(dst *any, v *string, title bool) {
		if *dst == nil && v != nil {
			if title {
				*dst = Title(*v)
			} else {
				*dst = *v
			}
		}
	}
	set(&m.name, c.Name, true)
	set(&m.organization, c.Organization, true)
	set(&m.basename, c.Basename, false)
	set(&m.finetune, c.Finetune, false)
	set(&m.version, c.Version, false)
	set(&m.sizeLabel, c.SizeLabel, false)
}

// pyStr renders a scalar for a STRING key; ok is false for values gguf-py
// would skip (None, empty or false).
func pyStr(v any) (string, bool) {
	if !truthy(v) {
		return "", false
	}
	switch t := v.(type) {
	case string:
		return t, true
	case numText:
		return string(t), true
	case bool:
		return "True", true
	case pyInt:
		return strconv.FormatInt(t.v, 10), true
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64), true
	case []any:
		parts := make([]string, 0, len(t))
		for _, x := range t {
			s, _ := pyStr(x)
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), true
	}
	return fmt.Sprint(toPlain(v)), true
}

func (m *authorship) write(md *gguf.Metadata) {
	str := func(key string, v any) {
		if s, ok := pyStr(v); ok {
			md.Set(key, gguf.String(s))
		}
	}
	str("general.name", m.name)
	for _, kv := range []struct {
		key string
		v   any
	}{
		{"general.author", m.author},
		{"general.version", m.version},
		{"general.organization", m.organization},
		{"general.finetune", m.finetune},
		{"general.basename", m.basename},
		{"general.description", m.description},
		{"general.quantized_by", m.quantizedBy},
		{"general.size_label", m.sizeLabel},
		{"general.license", m.license},
		{"general.license.name", m.licenseName},
		{"general.license.link", m.licenseLink},
		{"general.url", m.url},
		{"general.doi", m.doi},
		{"general.uuid", m.uuid},
		{"general.repo_url", m.repoURL},
		{"general.source.url", m.sourceURL},
		{"general.source.doi", m.sourceDOI},
		{"general.source.uuid", m.sourceUUID},
		{"general.source.repo_url", m.sourceRepoURL},
	} {
		str(kv.key, kv.v)
	}
	sources := func(prefix string, set bool, list []*object) {
		if !set {
			return
		}
		md.Set(prefix+".count", gguf.Uint32(uint32(len(list))))
		for i, e := range list {
			for _, sub := range []string{"name", "author", "version", "organization", "description", "url", "doi", "uuid", "repo_url"} {
				if v, ok := e.get(sub); ok {
					str(fmt.Sprintf("%s.%d.%s", prefix, i, sub), v)
				}
			}
		}
	}
	sources("general.base_model", m.baseModelsSet, m.baseModels)
	sources("general.dataset", m.datasetsSet, m.datasets)
	strs := func(key string, items []any) {
		if len(items) == 0 {
			return
		}
		out := make([]string, len(items))
		for i, x := range items {
			out[i], _ = pyStr(x)
		}
		md.Set(key, gguf.Strings(out))
	}
	strs("general.tags", m.tags)
	strs("general.languages", m.languages)
}

// sampling writes general.sampling.* from generation_config.json, which
// llama.cpp ignores when it is missing or not valid JSON.
func sampling(md *gguf.Metadata, dir string) error {
	path := filepath.Join(dir, "generation_config.json")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	gc, err := readJSONObject(path)
	if err != nil {
		return nil // gguf-py: unreadable generation configs are skipped
	}
	const (
		kStr = iota
		kI32
		kF32
	)
	for _, s := range []struct {
		src, key string
		kind     int
	}{
		{"sequence", "sequence", kStr},
		{"top_k", "top_k", kI32},
		{"top_p", "top_p", kF32},
		{"min_p", "min_p", kF32},
		{"xtc_probability", "xtc_probability", kF32},
		{"xtc_threshold", "xtc_threshold", kF32},
		{"temperature", "temp", kF32},
		{"penalty_last_n", "penalty_last_n", kI32},
		{"penalty_repeat", "penalty_repeat", kF32},
		{"mirostat", "mirostat", kI32},
		{"mirostat_tau", "mirostat_tau", kF32},
		{"mirostat_eta", "mirostat_eta", kF32},
	} {
		v, _ := gc.get(s.src)
		if v == nil {
			continue
		}
		key := "general.sampling." + s.key
		switch s.kind {
		case kStr:
			str, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s: key %q: is %s, expected a string", path, s.src, describe(v))
			}
			if str != "" {
				md.Set(key, gguf.String(str))
			}
		case kI32:
			i, ok := asPyInt(v)
			if !ok || i.big || i.v < math.MinInt32 || i.v > math.MaxInt32 {
				return fmt.Errorf("%s: key %q: %s is not a 32-bit integer", path, s.src, describeValue(v))
			}
			md.Set(key, gguf.Int32(int32(i.v)))
		case kF32:
			f, err := toFloat32(path, s.src, v)
			if err != nil {
				return err
			}
			md.Set(key, gguf.Float32(f))
		}
	}
	return nil
}

package hf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zqtool/zq/internal/modeldir"
)

// JSON values are decoded the way Python's json module sees them: objects
// keep their key order (a repeated key keeps its first position and its last
// value), integers and floats stay distinct. A decoded value is one of nil,
// bool, string, pyInt, float64, []any or *object.

// pyInt is a JSON integer; big holds integers that do not fit an int64.
type pyInt struct {
	v   int64
	big bool
}

// object is an ordered JSON object.
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: map[string]any{}} }

// get returns the value stored under key.
func (o *object) get(key string) (any, bool) {
	if o == nil {
		return nil, false
	}
	v, ok := o.vals[key]
	return v, ok
}

// has reports whether key is present (even with a null value).
func (o *object) has(key string) bool { _, ok := o.get(key); return ok }

// set stores key, appending it when new.
func (o *object) set(key string, v any) {
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
}

// maxJSONSize bounds every JSON file read from a model directory.
const maxJSONSize = 256 << 20

// maxJSONDepth bounds nesting so hostile files cannot exhaust the stack.
const maxJSONDepth = 200

// readModelFile reads a file of a model directory (path is DIR/NAME)
// through modeldir, so a file may link only into the model tree (see
// safetensors.OpenFile), refusing files over limit bytes.
func readModelFile(path string, limit int64) ([]byte, error) {
	return modeldir.ReadFile(filepath.Dir(path), filepath.Base(path), limit)
}

// readJSONFile reads and decodes path; errors name the file.
func readJSONFile(path string) (any, error) {
	data, err := readModelFile(path, maxJSONSize)
	if err != nil {
		return nil, err
	}
	v, err := decodeJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid JSON: %w", path, err)
	}
	return v, nil
}

// readJSONObject reads path and requires a top-level object.
func readJSONObject(path string) (*object, error) {
	v, err := readJSONFile(path)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*object)
	if !ok {
		return nil, fmt.Errorf("%s: top level is %s, expected a JSON object", path, describe(v))
	}
	return o, nil
}

// decodeJSON decodes one JSON document.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("extra data after the top-level value")
		}
		return nil, err
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := newObject()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v is not a string", kt)
				}
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			var a []any
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			if a == nil {
				a = []any{}
			}
			return a, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		return parseNumber(string(t))
	case string, bool, nil:
		return t, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func parseNumber(s string) (any, error) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return pyInt{v: i}, nil
		}
		if strings.HasPrefix(s, "-") {
			return pyInt{v: math.MinInt64, big: true}, nil
		}
		return pyInt{v: math.MaxInt64, big: true}, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, err
	}
	return f, nil
}

// describe names a decoded value's JSON type for error messages.
func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case pyInt:
		return "an integer"
	case float64:
		return "a float"
	case []any:
		return "an array"
	case *object:
		return "an object"
	default:
		return fmt.Sprintf("%T", t)
	}
}

// truthy is Python's truth value of a decoded JSON value.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case pyInt:
		return t.v != 0 || t.big
	case float64:
		return t != 0
	case []any:
		return len(t) > 0
	case *object:
		return t != nil && len(t.keys) > 0
	}
	return true
}

// pyEqual is Python's == for decoded JSON values (bool and int compare as numbers).
func pyEqual(a, b any) bool {
	num := func(v any) (float64, bool) {
		switch t := v.(type) {
		case bool:
			if t {
				return 1, true
			}
			return 0, true
		case pyInt:
			return float64(t.v), !t.big
		case float64:
			return t, true
		}
		return 0, false
	}
	if x, ok := num(a); ok {
		y, ok := num(b)
		return ok && x == y
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !pyEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case *object:
		y, ok := b.(*object)
		if !ok || len(x.keys) != len(y.keys) {
			return false
		}
		for _, k := range x.keys {
			yv, ok := y.get(k)
			if !ok || !pyEqual(x.vals[k], yv) {
				return false
			}
		}
		return true
	}
	return false
}

// asPyInt returns v as an integer the way Python's isinstance(v, int) sees
// it (booleans count as 0 and 1).
func asPyInt(v any) (pyInt, bool) {
	switch t := v.(type) {
	case pyInt:
		return t, true
	case bool:
		if t {
			return pyInt{v: 1}, true
		}
		return pyInt{}, true
	}
	return pyInt{}, false
}

// toPlain converts a decoded value into plain Go maps and slices
// (map[string]any, []any, int64, float64, string, bool, nil).
func toPlain(v any) any {
	switch t := v.(type) {
	case pyInt:
		return t.v
	case []any:
		out := make([]any, len(t))
		for i := range t {
			out[i] = toPlain(t[i])
		}
		return out
	case *object:
		out := make(map[string]any, len(t.keys))
		for _, k := range t.keys {
			out[k] = toPlain(t.vals[k])
		}
		return out
	}
	return v
}

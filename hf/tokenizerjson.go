package hf

import "path/filepath"

// tokenizerJSON is a model directory's tokenizer.json, parsed at most once
// per conversion (it can be tens of megabytes).
type tokenizerJSON struct {
	dir, path string
	done      bool
	obj       *object
	err       error
}

func newTokenizerJSON(dir string) *tokenizerJSON {
	return &tokenizerJSON{dir: dir, path: filepath.Join(dir, "tokenizer.json")}
}

// get is optionalJSONObject of tokenizer.json.
func (t *tokenizerJSON) get() (*object, error) {
	if !t.done {
		t.obj, t.err = optionalJSONObject(t.path)
		t.done = true
	}
	return t.obj, t.err
}

// must is get for a tokenizer.json that has to be there.
func (t *tokenizerJSON) must() (*object, error) {
	o, err := t.get()
	if err == nil && o == nil {
		return readJSONObject(t.path) // says why it cannot be read
	}
	return o, err
}

package gguf

import "fmt"

// KV is one metadata key and its value.
type KV struct {
	Key   string
	Value Value
}

// Metadata is the ordered list of a file's KV pairs; order is file order.
type Metadata []KV

// Index returns the position of key, or -1.
func (m Metadata) Index(key string) int {
	for i := range m {
		if m[i].Key == key {
			return i
		}
	}
	return -1
}

// Get returns the value stored under key.
func (m Metadata) Get(key string) (Value, bool) {
	if i := m.Index(key); i >= 0 {
		return m[i].Value, true
	}
	return Value{}, false
}

// Set replaces key's value in its current position, or appends it, the way
// gguf-py's writer treats a re-added key.
func (m *Metadata) Set(key string, v Value) {
	if i := m.Index(key); i >= 0 {
		(*m)[i].Value = v
		return
	}
	*m = append(*m, KV{key, v})
}

// Delete removes key if present.
func (m *Metadata) Delete(key string) {
	if i := m.Index(key); i >= 0 {
		*m = append((*m)[:i], (*m)[i+1:]...)
	}
}

func (m Metadata) typed(key string, want ValueType) (Value, error) {
	v, ok := m.Get(key)
	if !ok {
		return Value{}, fmt.Errorf("metadata key %q is missing", key)
	}
	if v.Type != want {
		return Value{}, fmt.Errorf("metadata key %q has type %s, expected %s", key, v.Describe(), want)
	}
	return v, nil
}

// String returns the STRING stored under key, or an error naming the key.
func (m Metadata) String(key string) (string, error) {
	v, err := m.typed(key, TypeString)
	if err != nil {
		return "", err
	}
	s, _ := v.AsString()
	return s, nil
}

// Uint32 returns the UINT32 stored under key, or an error naming the key.
func (m Metadata) Uint32(key string) (uint32, error) {
	v, err := m.typed(key, TypeUint32)
	if err != nil {
		return 0, err
	}
	x, _ := v.AsUint32()
	return x, nil
}

// Float32 returns the FLOAT32 stored under key, or an error naming the key.
func (m Metadata) Float32(key string) (float32, error) {
	v, err := m.typed(key, TypeFloat32)
	if err != nil {
		return 0, err
	}
	x, _ := v.AsFloat32()
	return x, nil
}

// Bool returns the BOOL stored under key, or an error naming the key.
func (m Metadata) Bool(key string) (bool, error) {
	v, err := m.typed(key, TypeBool)
	if err != nil {
		return false, err
	}
	x, _ := v.AsBool()
	return x, nil
}

// Int returns any integer scalar stored under key, or an error naming the key.
func (m Metadata) Int(key string) (int64, error) {
	v, ok := m.Get(key)
	if !ok {
		return 0, fmt.Errorf("metadata key %q is missing", key)
	}
	x, ok := v.AsInt64()
	if !ok {
		return 0, fmt.Errorf("metadata key %q has type %s, expected an integer", key, v.Describe())
	}
	return x, nil
}

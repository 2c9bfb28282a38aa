package memory

import (
	"os"
	"testing"
)

var tempDirs []string

func osMkdirTemp() (string, error) {
	d, err := os.MkdirTemp("", "zq-memory-test-")
	if err == nil {
		tempDirs = append(tempDirs, d)
	}
	return d, err
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

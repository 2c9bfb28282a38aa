package quantize

import (
	"os"

	"github.com/zqtool/zq/convert"
)

// SourceCloser is a Source that holds resources until closed.
type SourceCloser interface {
	Source
	Close() error
}

// OpenSource opens a model to quantize: a GGUF file, or a Hugging Face
// model directory presented (through package convert) as the F16 GGUF its
// conversion would produce, so nothing intermediate is written to disk.
func OpenSource(path string) (SourceCloser, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return convert.NewPlan(path, convert.Options{OutType: "f16"})
	}
	return OpenGGUF(path)
}

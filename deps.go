//go:build tools

package zq

import (
	_ "github.com/montanaflynn/stats"
	_ "github.com/nlpodyssey/safetensors"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/spf13/cobra"
	_ "github.com/x448/float16"
	_ "golang.org/x/term"
	_ "google.golang.org/protobuf/encoding/protowire"
	_ "gopkg.in/yaml.v3"
)

package hf

import (
	"fmt"
	"strings"
)

func fmtAny(v any) string { return fmt.Sprint(v) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

//go:build !darwin

package hw

import "context"

// detectApple does nothing off macOS.
func detectApple(context.Context, *Info, Sources) {}

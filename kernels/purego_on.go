//go:build !amd64 || purego

package kernels

// pureGo is true when every assembly twin is compiled out.
const pureGo = true

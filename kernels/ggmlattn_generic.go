//go:build !amd64 || purego

package kernels

// fusedAxpyBulk leaves fusedAxpyRow to Go in this build.
func fusedAxpyBulk(a []float32, row []byte, w float32) int { return 0 }

// dotLanes64Bulk leaves DotGGML to Go in this build.
func dotLanes64Bulk(x, y []float32, np int) (float32, bool) { return 0, false }

// expGGMLSubBulk leaves SoftMaxGGML's exponentials to ExpGGML in this build.
func expGGMLSubBulk(x []float32, sub float32) int { return 0 }

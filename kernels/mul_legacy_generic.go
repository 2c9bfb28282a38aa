//go:build !amd64 || purego

package kernels

// q8TileImpl is the integer tile in use: the pure-Go twin in this build.
var q8TileImpl = q8TilesGo

// fTileImpl is the float tile in use: none in this build (floatMulGo).
var fTileImpl *fTiles

// asmDecoders is empty in this build: the Go decoders unpack every type.
var asmDecoders map[string]q8Decoder

// asmActUnpackers is empty in this build.
var asmActUnpackers map[ActFormat]q8Decoder

// actHalfBulk converts nothing in this build.
func actHalfBulk(dst []byte, src []float32, bf bool) int { return 0 }

// minDots4x8Bulk leaves the min terms to the Go loop in this build.
func minDots4x8Bulk(rr, toks, nb int, wm, sT []float32, out []float32, ldo int) bool { return false }

package ggml

import "fmt"

// FileType is llama.cpp's llama_ftype: the value of general.file_type, naming
// the quantization preset a whole file was made with. It is not a tensor type.
type FileType uint32

// llama_ftype values (4, 5, 6 and 33–35 are retired).
const (
	FileTypeAllF32     FileType = 0
	FileTypeMostlyF16  FileType = 1
	FileTypeQ4_0       FileType = 2
	FileTypeQ4_1       FileType = 3
	FileTypeQ8_0       FileType = 7
	FileTypeQ5_0       FileType = 8
	FileTypeQ5_1       FileType = 9
	FileTypeQ2_K       FileType = 10
	FileTypeQ3_K_S     FileType = 11
	FileTypeQ3_K_M     FileType = 12
	FileTypeQ3_K_L     FileType = 13
	FileTypeQ4_K_S     FileType = 14
	FileTypeQ4_K_M     FileType = 15
	FileTypeQ5_K_S     FileType = 16
	FileTypeQ5_K_M     FileType = 17
	FileTypeQ6_K       FileType = 18
	FileTypeIQ2_XXS    FileType = 19
	FileTypeIQ2_XS     FileType = 20
	FileTypeQ2_K_S     FileType = 21
	FileTypeIQ3_XS     FileType = 22
	FileTypeIQ3_XXS    FileType = 23
	FileTypeIQ1_S      FileType = 24
	FileTypeIQ4_NL     FileType = 25
	FileTypeIQ3_S      FileType = 26
	FileTypeIQ3_M      FileType = 27
	FileTypeIQ2_S      FileType = 28
	FileTypeIQ2_M      FileType = 29
	FileTypeIQ4_XS     FileType = 30
	FileTypeIQ1_M      FileType = 31
	FileTypeMostlyBF16 FileType = 32
	FileTypeTQ1_0      FileType = 36
	FileTypeTQ2_0      FileType = 37
)

var fileTypeNames = map[FileType]string{
	FileTypeAllF32: "F32", FileTypeMostlyF16: "F16", FileTypeQ4_0: "Q4_0", FileTypeQ4_1: "Q4_1",
	FileTypeQ8_0: "Q8_0", FileTypeQ5_0: "Q5_0", FileTypeQ5_1: "Q5_1", FileTypeQ2_K: "Q2_K",
	FileTypeQ3_K_S: "Q3_K_S", FileTypeQ3_K_M: "Q3_K_M", FileTypeQ3_K_L: "Q3_K_L",
	FileTypeQ4_K_S: "Q4_K_S", FileTypeQ4_K_M: "Q4_K_M", FileTypeQ5_K_S: "Q5_K_S",
	FileTypeQ5_K_M: "Q5_K_M", FileTypeQ6_K: "Q6_K", FileTypeIQ2_XXS: "IQ2_XXS",
	FileTypeIQ2_XS: "IQ2_XS", FileTypeQ2_K_S: "Q2_K_S", FileTypeIQ3_XS: "IQ3_XS",
	FileTypeIQ3_XXS: "IQ3_XXS", FileTypeIQ1_S: "IQ1_S", FileTypeIQ4_NL: "IQ4_NL",
	FileTypeIQ3_S: "IQ3_S", FileTypeIQ3_M: "IQ3_M", FileTypeIQ2_S: "IQ2_S", FileTypeIQ2_M: "IQ2_M",
	FileTypeIQ4_XS: "IQ4_XS", FileTypeIQ1_M: "IQ1_M", FileTypeMostlyBF16: "BF16",
	FileTypeTQ1_0: "TQ1_0", FileTypeTQ2_0: "TQ2_0",
}

// String returns the preset's conventional name ("Q4_K_M"), or "ftype(N)".
func (f FileType) String() string {
	if n, ok := fileTypeNames[f]; ok {
		return n
	}
	return fmt.Sprintf("ftype(%d)", uint32(f))
}

// Known reports whether f is a llama_ftype value llama.cpp defines.
func (f FileType) Known() bool { _, ok := fileTypeNames[f]; return ok }

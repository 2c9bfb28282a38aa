// Makes kernels/testdata/iq-zero-weights: ggml's bytes for two rows of 512
// values whose importance weights are zero over columns 288-319 (see
// kernels/iq_zero_test.go for the inputs). Build against llama.cpp c9ced491:
//   gcc -o /tmp/q scripts/iq-zero-weights.c -I$LLAMA/ggml/include \
//       -L$LLAMA/build/bin -lggml -lggml-base -Wl,-rpath,$LLAMA/build/bin
//   python3 -c "import struct; \
//     open('/tmp/x.f32','wb').write(struct.pack('1024f',*[float((i*37)%101-50)/16 for i in range(1024)])); \
//     open('/tmp/w.f32','wb').write(struct.pack('512f',*[0.0 if 288<=i<320 else 1+(i%7)/4 for i in range(512)]))"
//   /tmp/q 17 512 /tmp/x.f32 /tmp/w.f32 iq2_xs.bin   (22 iq2_s, 18 iq3_xxs, 21 iq3_s)
// Types 16 (iq2_xxs), 19 (iq1_s) and 29 (iq1_m) abort on this input.
// iq2_xxs-on-grid.bin: one row of 256 whose sub-block 0 has zero weights and
// levels already on the grid, where ggml's IQ2_XXS does not abort:
//   python3 -c "import struct; \
//     open('/tmp/x2.f32','wb').write(struct.pack('256f',*[(1.0 if i==7 else (1+i%3)/64) if i<32 else ((i*37)%101-50)/16 for i in range(256)])); \
//     open('/tmp/w2.f32','wb').write(struct.pack('256f',*[0.0 if i<32 else 1+(i%7)/4 for i in range(256)]))"
//   /tmp/q 16 256 /tmp/x2.f32 /tmp/w2.f32 iq2_xxs-on-grid.bin
#include <stdio.h>
#include <stdlib.h>
#include "ggml.h"

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s TYPE N_PER_ROW IN.f32 IMATRIX.f32 OUT.bin\n", argv[0]);
        return 2;
    }
    int type = atoi(argv[1]);
    long n = atol(argv[2]);
    FILE *f = fopen(argv[3], "rb");
    if (!f) { perror(argv[3]); return 1; }
    fseek(f, 0, SEEK_END);
    long nb = ftell(f);
    rewind(f);
    float *x = malloc(nb);
    if (fread(x, 1, nb, f) != (size_t)nb) { perror(argv[3]); return 1; }
    fclose(f);
    float *w = malloc(n * 4);
    f = fopen(argv[4], "rb");
    if (!f || fread(w, 4, n, f) != (size_t)n) { perror(argv[4]); return 1; }
    fclose(f);
    long rows = nb / 4 / n;
    size_t sz = ggml_row_size(type, n) * rows;
    void *dst = calloc(1, sz);
    ggml_quantize_init(type);
    ggml_quantize_chunk(type, x, dst, 0, rows, n, w);
    f = fopen(argv[5], "wb");
    fwrite(dst, 1, sz, f);
    fclose(f);
    return 0;
}

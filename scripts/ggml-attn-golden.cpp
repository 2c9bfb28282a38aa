// Writes kernels/testdata/ggmlattn.json: inputs and the results of ggml's own
// CPU functions for kernels' ggmlattn_test.go, which checks ExpGGML,
// SoftMaxGGML, DotGGML and WeightedSumGGML against them bit for bit. The
// values are those of an AVX-512 build of llama.cpp (GGML_NATIVE on an
// AVX-512 CPU), the build zq's emulation follows.
//
// Build and run against llama.cpp's build directory B (e.g. build/ of
// llama.cpp c9ced491), from the repository root:
//   g++ -O2 -o /tmp/ggml-attn-golden scripts/ggml-attn-golden.cpp \
//     -I$SRC/ggml/include -L$B/bin -lggml-cpu -lggml-base -Wl,-rpath,$B/bin
//   /tmp/ggml-attn-golden > kernels/testdata/ggmlattn.json
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "ggml.h"
#include "ggml-cpu.h"

extern "C" {
double ggml_vec_soft_max_f32(const int n, float * y, const float * x, float max);
void ggml_vec_dot_f32(int n, float * s, size_t bs, const float * x, size_t bx, const float * y, size_t by, int nrc);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

// uniform returns a float in [lo, hi) from a fixed xorshift sequence.
static float uniform(float lo, float hi) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (hi - lo) * (float) ((rng >> 40) * (1.0 / 16777216.0));
}

static uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static void put(const char * name, const std::vector<float> & v, bool last = false) {
    printf("\"%s\":[", name);
    for (size_t i = 0; i < v.size(); i++) {
        printf("%s%u", i ? "," : "", bits(v[i]));
    }
    printf("]%s", last ? "" : ",");
}

int main() {
    printf("{");

    // e^x: ggml_vec_soft_max_f32 with max 0 stores ggml_v_expf(x) lane by lane.
    {
        std::vector<float> x = {0.0f, -0.0f, 1.0f, -1.0f, 1e-8f, -1e-8f, 0.5f, -0.5f, 10.0f, -10.0f,
                                88.0f, 88.7f, 88.73f, 89.0f, 100.0f, 133.0f, 134.0f, 200.0f,
                                -80.0f, -87.3f, -87.4f, -88.0f, -95.0f, -100.0f, -103.0f, -103.9f,
                                -104.0f, -110.0f, -132.0f, -133.0f, -134.0f, -200.0f, -1000.0f,
                                -INFINITY, INFINITY};
        while (x.size() < 768) {
            x.push_back(x.size() % 3 ? uniform(-20.0f, 1.0f) : uniform(-140.0f, 140.0f));
        }
        std::vector<float> y(x.size());
        ggml_vec_soft_max_f32((int) x.size(), y.data(), x.data(), 0.0f);
        put("exp_x", x);
        put("exp_y", y);
    }

    // Softmax rows of 256 cells, unmasked from first to last, as
    // ggml_compute_forward_soft_max_f32 finishes them: the maximum, the
    // exponentials and their float64 sum, then the row times float(1/sum).
    const int rows[][2] = {{0, 0}, {0, 28}, {3, 40}, {17, 200}, {0, 255}, {100, 101}};
    {
        std::vector<float> in, out;
        for (auto & r : rows) {
            std::vector<float> x(256, -INFINITY), y(256);
            float mx = -INFINITY;
            for (int i = r[0]; i <= r[1]; i++) {
                x[i] = uniform(-30.0f, 30.0f);
                mx = fmaxf(mx, x[i]);
            }
            double sum = ggml_vec_soft_max_f32(256, y.data(), x.data(), mx);
            const float inv = (float) (1.0 / sum);
            for (auto & v : y) {
                v *= inv;
            }
            in.insert(in.end(), x.begin(), x.end());
            out.insert(out.end(), y.begin(), y.end());
        }
        put("softmax_x", in);
        put("softmax_y", out);
    }

    // ggml_vec_dot_f32 over lengths around its 64-value steps and the
    // groups of four of its compiled tail.
    {
        const int ns[] = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 63, 64, 65, 67, 68, 69, 128, 131, 256};
        std::vector<float> n, x, y, s;
        for (int len : ns) {
            n.push_back((float) len);
            for (int i = 0; i < len; i++) {
                x.push_back(uniform(-1.0f, 1.0f));
                y.push_back(uniform(-1.0f, 1.0f));
            }
            float r;
            ggml_vec_dot_f32(len, &r, 0, &x[x.size() - len], 0, &y[y.size() - len], 0, 1);
            s.push_back(r);
        }
        put("dot_n", n);
        put("dot_x", x);
        put("dot_y", y);
        put("dot_s", s);
    }

    // Weighted sums of V rows (256 cells of 8 values, weights zero outside
    // first..last): ggml_mul_mat of Vᵀ with two weight rows (tinyBLAS, the
    // batch case) and ggml_vec_dot_f32 with one (the single-token case).
    {
        const int hd = 8, nkv = 256;
        std::vector<float> vall, wall, batch, single;
        ggml_init_params ip = {16 * 1024 * 1024, nullptr, false};
        ggml_context * ctx = ggml_init(ip);
        for (auto & r : rows) {
            std::vector<float> v(nkv * hd), w(2 * nkv, 0.0f);
            for (auto & e : v) {
                e = uniform(-2.0f, 2.0f);
            }
            for (int t = 0; t < 2; t++) {
                for (int i = r[0]; i <= r[1]; i++) {
                    w[t * nkv + i] = uniform(0.0f, 1.0f);
                }
            }
            ggml_tensor * a = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, nkv, hd); // Vᵀ
            ggml_tensor * b = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, nkv, 2);
            for (int d = 0; d < hd; d++) {
                for (int i = 0; i < nkv; i++) {
                    ((float *) a->data)[d * nkv + i] = v[i * hd + d];
                }
            }
            memcpy(b->data, w.data(), w.size() * 4);
            ggml_tensor * c = ggml_mul_mat(ctx, a, b);
            ggml_cgraph * gf = ggml_new_graph(ctx);
            ggml_build_forward_expand(gf, c);
            ggml_graph_compute_with_ctx(ctx, gf, 1);
            for (int i = 0; i < 2 * hd; i++) {
                batch.push_back(((float *) c->data)[i]);
            }
            for (int d = 0; d < hd; d++) {
                float s;
                ggml_vec_dot_f32(nkv, &s, 0, (float *) a->data + d * nkv, 0, w.data(), 0, 1);
                single.push_back(s);
            }
            vall.insert(vall.end(), v.begin(), v.end());
            wall.insert(wall.end(), w.begin(), w.end());
        }
        ggml_free(ctx);
        put("wsum_v", vall);
        put("wsum_w", wall);
        put("wsum_batch", batch);
        put("wsum_single", single, true);
    }
    printf("}\n");
    return 0;
}

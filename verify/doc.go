// Package verify measures model quality the way llama.cpp's llama-perplexity
// does: perplexity over chunks of a text (BOS replacing each chunk's first
// token, only the second half of each chunk scored, the running estimate
// with its standard error) and, against a base model, per-token KL
// divergence, Δp, top-1 agreement and logit drift.
//
// Unlike llama.cpp, whose --kl-divergence-base file holds every
// vocabulary entry's log-probability in 16 bits, zq keeps only the base's
// top-k tokens per position (see DefaultTopK) and folds the rest of the
// vocabulary into one bucket, so a base file is small enough to keep next to
// every quantization. Percentiles use llama-perplexity's own interpolation
// (see Percentile), not a statistics library, so the numbers line up.
package verify

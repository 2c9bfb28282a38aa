// Package mix chooses a quantization type for every tensor of a model from
// measured sensitivity, under a size budget.
//
// Measure estimates, for each quantizable tensor and each candidate type,
// the damage of storing that tensor in that type: a cheap proxy (the
// importance-weighted squared quantization error, i.e. the expected
// squared error of the tensor's output per token under the calibration
// text's activations) calibrated by real forward passes (the KL divergence
// against the unquantized model when one group of tensors alone is
// quantized). Allocate then picks one option per tensor to minimise the
// summed predicted damage within a byte budget (a multiple-choice
// knapsack, solved greedily on each tensor's convex hull with the LP bound
// reported). Measurements are cached per model, text and settings, so a
// new target only re-runs the allocation.
package mix

// Package safetensors reads Hugging Face safetensors checkpoints: a single
// .safetensors file, or a model directory with a
// model.safetensors.index.json (or model*.safetensors files without one).
//
// Files are memory-mapped and never read whole; tensor bytes are handed out
// as zero-copy views of the mapping. Every header is checked before it is
// trusted: the header length is bounded, every tensor's byte range must lie
// inside the file and match its shape and dtype, and the tensors must tile
// the data buffer exactly (no holes, no overlaps). For sharded models the
// index and the shards must agree, and shard paths may not leave the model
// directory.
//
// [Model.Tensors] lists tensors in the order llama.cpp's converter visits
// them: shards in sorted file-name order, and within a shard tensor names
// in byte-wise sorted order.
package safetensors

#!/usr/bin/env bash
# Measures the pipeline on a generated checkpoint: peak RSS and throughput of
# zq convert and zq quantize. With LLAMA_QUANTIZE set to a llama-quantize
# binary, the same F16 file is also quantized by it (same thread count) and
# the two outputs are compared byte for byte.
# Usage: scripts/bench-pipeline.sh PRESET WORKDIR [TYPE] [THREADS]
#   PRESET: micro, 1b or zephyr-7b (needs ~35 GB free in WORKDIR)
set -euo pipefail
preset=${1:?preset}
work=${2:?workdir}
type=${3:-Q4_K_M}
threads=${4:-$(nproc)}
zq=${ZQ:-bin/zq}
mkdir -p "$work"
ckpt="$work/$preset-hf" f16="$work/$preset-f16.gguf" out="$work/$preset-$type.gguf"

measure() { # label command... ; prints wall seconds and peak RSS
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null
  read -r secs kb <"$work/time.txt"
  echo "$label: ${secs}s, peak RSS $((kb / 1024)) MiB"
}

[ -d "$ckpt" ] || go run ./testdata/gencheckpoint -preset "$preset" -o "$ckpt"
measure "zq convert ($preset, bf16 -> f16)" "$zq" convert "$ckpt" --outtype f16 -o "$f16"
size=$(stat -c %s "$f16")
measure "zq quantize ($type, $threads threads)" "$zq" quantize "$f16" "$out" --type "$type" --threads "$threads"
echo "input $((size / 1048576)) MiB; output sha256 $(sha256sum "$out" | cut -c1-16)"
if [ -n "${LLAMA_QUANTIZE:-}" ]; then
  measure "llama-quantize ($type, $threads threads)" "$LLAMA_QUANTIZE" "$f16" "$out.llama" "$type" "$threads"
  if cmp -s "$out" "$out.llama"; then echo "zq and llama-quantize outputs are byte-identical"; else echo "OUTPUTS DIFFER"; fi
fi

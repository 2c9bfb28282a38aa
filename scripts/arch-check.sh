#!/usr/bin/env bash
# Checks zq against llama.cpp's references for the tiny checkpoints of
# ../shared/models (tiny-llama3, tiny-qwen2, tiny-gemma2): whole-file sha256
# of the f32/f16/bf16/q8_0 conversions and the 21 presets, zq generate
# against generate.txt, and the F16 perplexity on text/dev.txt at 256 tokens
# against llama-perplexity (run here, outside the repository).
# Usage: scripts/arch-check.sh WORKDIR [MODEL...]
# Env: SHARED (default ../shared), LLAMA_BIN (llama.cpp's build/bin),
#      ZQ (default: built from this checkout).
set -euo pipefail
work=${1:?workdir}; shift
shared=${SHARED:-$PWD/../shared}
llama=${LLAMA_BIN:-/work/llama/src/build/bin}
models=("$@"); [ ${#models[@]} -gt 0 ] || models=(tiny-llama3 tiny-qwen2 tiny-gemma2)
zq=${ZQ:-}
if [ -z "$zq" ]; then zq=$work/zq; go build -o "$zq" ./cmd/zq; fi
text=$shared/text/dev.txt
mkdir -p "$work"
want() { python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['file_sha256'])" "$1"; }
for m in "${models[@]}"; do
  src=$shared/models/$m; ref=$src/reference; out=$work/$m; mkdir -p "$out"
  ok=0; bad=0
  for t in f32 f16 bf16 q8_0; do
    "$zq" convert "$src" -o "$out/convert-$t.gguf" --outtype "$t" >/dev/null 2>&1
    if [ "$(sha256sum <"$out/convert-$t.gguf" | cut -d' ' -f1)" = "$(want "$ref/convert-$t.json")" ]; then
      ok=$((ok + 1)); else bad=$((bad + 1)); echo "$m: convert $t differs"; fi
  done
  for j in "$ref"/quant-*.json; do
    p=$(basename "$j" .json); p=${p#quant-}
    "$zq" quantize "$out/convert-f16.gguf" "$out/q-$p.gguf" --type "$p" >/dev/null 2>&1
    if [ "$(sha256sum <"$out/q-$p.gguf" | cut -d' ' -f1)" = "$(want "$j")" ]; then
      ok=$((ok + 1)); else bad=$((bad + 1)); echo "$m: preset $p differs"; fi
    rm -f "$out/q-$p.gguf"
  done
  echo "$m: $ok files with llama.cpp's sha256, $bad differ"
  prompt=${PROMPT:-The kernel driver} # the references' llama-simple prompt
  "$zq" generate "$out/convert-f16.gguf" -p "$prompt" -n 24 >"$out/generate.txt" 2>/dev/null
  if [ "$(tr -d '[:space:]' <"$out/generate.txt")" = "$(tr -d '[:space:]' <"$ref/generate.txt")" ]; then
    echo "$m: zq generate reproduces generate.txt"; else echo "$m: zq generate differs:"; cat "$out/generate.txt"; fi
  zppl=$("$zq" verify "$out/convert-f16.gguf" --text "$text" --ctx 256 --json | python3 -c "import json,sys;d=json.load(sys.stdin);print(d['reports'][0]['model']['ppl'])")
  "$llama/llama-perplexity" -m "$out/convert-f16.gguf" -f "$text" -c 256 -t "$(nproc)" >"$out/ppl.log" 2>&1
  lppl=$(sed -n 's/^Final estimate: PPL = \([0-9.]*\).*/\1/p' "$out/ppl.log")
  python3 -c "import sys;z,l=float(sys.argv[2]),float(sys.argv[3]);print(f'{sys.argv[1]}: F16 PPL zq {z:.4f}, llama-perplexity {l:.4f} ({100*(z/l-1):+.4f} %)')" "$m" "$zppl" "$lppl"
done

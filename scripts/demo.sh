#!/usr/bin/env bash
# Runs zq's pipeline on the bundled micro-mistral checkpoint: convert to F16,
# quantize to Q4_K_M and Q8_0, verify both against F16, print one table.
# Usage: scripts/demo.sh ZQ_BINARY OUTDIR [CHUNKS]
set -euo pipefail
zq=${1:-bin/zq}
out=${2:-demo-out}
chunks=${3:-40}
model=testdata/micro-mistral
text=testdata/text/dev.txt
mkdir -p "$out"

echo "== zq convert $model --outtype f16"
"$zq" convert "$model" --outtype f16 -o "$out/micro-f16.gguf"
for t in q4_k_m q8_0; do
  echo "== zq quantize $out/micro-f16.gguf $out/micro-$t.gguf --type $t"
  "$zq" quantize "$out/micro-f16.gguf" "$out/micro-$t.gguf" --type "$t" 2>/dev/null
done
echo "== zq generate $out/micro-q4_k_m.gguf -p \"The kernel driver\" -n 24"
"$zq" generate "$out/micro-q4_k_m.gguf" -p "The kernel driver" -n 24
echo
echo "== zq verify (first $chunks chunks of 256 tokens of $text)"
"$zq" verify "$out/micro-q4_k_m.gguf" "$out/micro-q8_0.gguf" --base "$out/micro-f16.gguf" \
  --text "$text" --ctx 256 --chunks "$chunks"

echo
echo "== zq profile $out --text $text --target \"rtx 3060\" (matrix, recommendation, plot)"
"$zq" profile "$out" --text "$text" --verify-ctx 256 --chunks "$chunks" --target "rtx 3060" \
  --ctxs 512,2048,8192 --ctx 2048 --plot "$out/profile.svg"
"$zq" profile "$out" --text "$text" --verify-ctx 256 --chunks "$chunks" --target "rtx 3060" \
  --ctxs 512,2048,8192 --ctx 2048 --format json > "$out/profile.json"
echo "wrote $out/profile.svg and $out/profile.json"

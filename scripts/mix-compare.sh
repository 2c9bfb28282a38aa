#!/usr/bin/env bash
# Compares zq's measured mixes with llama.cpp's presets on the micro model:
# calibrate on the first half of the text (split at the first line break
# after its middle), evaluate on the second half at ctx 256. llama.cpp's
# presets get an importance matrix from llama-imatrix on the same half;
# zq quantize --like PRESET makes a mix no larger than each. Every file is
# verified against the F16 with zq verify, and llama-perplexity runs on the
# mixes (they must load and give zq verify's perplexity).
# Usage: scripts/mix-compare.sh WORKDIR [PRESET...]   (default Q4_K_M Q3_K_M)
# Env: LLAMA_BIN (llama.cpp's build/bin), F16 (default the bundled convert),
#      TEXT (default testdata/text/dev.txt), ZQ (default bin/zq), THREADS.
set -euo pipefail
work=${1:?workdir}; shift
presets=("$@"); [ ${#presets[@]} -gt 0 ] || presets=(Q4_K_M Q3_K_M)
llama=${LLAMA_BIN:-/work/llama/src/build/bin}
f16=${F16:-$PWD/testdata/reference/convert-f16.gguf}
text=${TEXT:-$PWD/testdata/text/dev.txt}
zq=${ZQ:-$PWD/bin/zq}
threads=${THREADS:-2}
mkdir -p "$work"; cd "$work"

python3 - "$text" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
cut = b.index(b'\n', len(b) // 2) + 1
open('cal.txt', 'wb').write(b[:cut]); open('eval.txt', 'wb').write(b[cut:])
PY
"$llama/llama-imatrix" -m "$f16" -f cal.txt -o llama-cal.imatrix.gguf -t "$threads" >imatrix.log 2>&1
zqpresets=$("$zq" quantize --list)
makes() { grep -qw "$1" <<<"$zqpresets"; } # zq can make preset $1
files=()
for p in "${presets[@]}"; do
  "$llama/llama-quantize" --imatrix llama-cal.imatrix.gguf "$f16" "llama-$p.gguf" "$p" "$threads" >"quantize-$p.log" 2>&1
  size=$(stat -c %s "llama-$p.gguf")
  if makes "$p"; then
    target=(--like "$p")
  else # a preset zq cannot make: the same file size
    target=(--target-size "${size}B")
  fi
  "$zq" quantize "$f16" "mix-$p.gguf" "${target[@]}" --calibration cal.txt -t "$threads" >"mix-$p.txt" 2>"mix-$p.log"
  echo "$p: llama.cpp $size bytes, mix $(stat -c %s "mix-$p.gguf") bytes"
  files+=("llama-$p.gguf" "mix-$p.gguf")
done
# zq verify on every file whose types zq decodes (presets zq cannot make,
# such as IQ2_M before the IQ2 codecs, are left to llama-perplexity below).
zqfiles=()
for p in "${presets[@]}"; do
  if makes "$p"; then zqfiles+=("llama-$p.gguf"); fi
  zqfiles+=("mix-$p.gguf")
done
"$zq" verify "${zqfiles[@]}" --base "$f16" --text eval.txt --ctx 256 -t "$threads" --json >verify.json
echo "== zq verify (eval half, ctx 256)"
python3 - verify.json <<'PY'
import json, os, sys
print("| file | size bytes | PPL | KLD mean | KLD p99 | same top-1 |")
print("|---|---|---|---|---|---|")
for r in json.load(open(sys.argv[1]))["reports"]:
    c = r["comparison"]
    print(f'| {r["model"]["path"]} | {os.path.getsize(r["model"]["path"])} | {r["model"]["ppl"]:.4f} | {c["kld"]["mean"]:.6f} | {c["kld"]["p99"]:.6f} | {100*c["same_top1"]["value"]:.2f} % |')
PY
# llama-perplexity: every file loads, and its numbers (KLD against the
# F16's logits) for every file, including those zq cannot decode.
"$llama/llama-perplexity" -m "$f16" -f eval.txt -c 256 -t "$threads" --kl-divergence-base f16.kld >ppl-f16.log 2>&1
echo "== llama-perplexity (eval half, ctx 256)"
echo "| file | PPL | KLD mean | KLD p99 | same top p |"
echo "|---|---|---|---|---|"
for f in "${files[@]}"; do
  "$llama/llama-perplexity" -m "$f" -f eval.txt -c 256 -t "$threads" --kl-divergence-base f16.kld --kl-divergence >"ppl-$f.log" 2>&1
  awk -v f="$f" '/^Mean PPL\(Q\) +:/{ppl=$4} /^Mean    KLD:/{kld=$3} /^99.0%   KLD:/{p99=$3} /^Same top p:/{top=$4}
    END{printf "| %s | %s | %s | %s | %s %% |\n", f, ppl, kld, p99, top}' "ppl-$f.log"
done

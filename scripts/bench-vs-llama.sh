#!/usr/bin/env bash
# Runs llama.cpp's llama-bench and zq bench back to back on the same GGUF
# files with the same arguments (both write JSON) and prints one Markdown
# table: model, test, llama.cpp t/s, zq t/s, their ratio, and for tg tests
# the bandwidth roofline and each engine's share of it, then the bandwidth.
#
# Usage: scripts/bench-vs-llama.sh MODEL.gguf... [-- ARGS]
#   ARGS go to both tools (default -p 512 -n 128 -r 5); -t defaults to nproc.
#   LLAMA_BENCH: the llama-bench binary (default: llama-bench on PATH)
#   ZQ:          the zq binary (default: built from this checkout)
#   KEEP:        a directory to keep llama.json and zq.json in
set -euo pipefail
models=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do models+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
args=("$@")
if [ ${#models[@]} -eq 0 ]; then
  echo "usage: $0 MODEL.gguf... [-- llama-bench/zq bench ARGS]" >&2
  exit 2
fi
case " ${args[*]:-} " in *" -t "* | *" --threads "* | *" -t="* | *" --threads="*) ;; *) args+=(-t "$(nproc)") ;; esac
llama=${LLAMA_BENCH:-llama-bench}
command -v "$llama" >/dev/null || { echo "$0: $llama not found (set LLAMA_BENCH)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
zq=${ZQ:-}
if [ -z "$zq" ]; then
  zq=$tmp/zq
  go build -o "$zq" ./cmd/zq
fi
out=${KEEP:-$tmp}
mkdir -p "$out"

load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)
margs=()
for m in "${models[@]}"; do
  [ -f "$m" ] || { echo "$0: $m: no such file" >&2; exit 1; }
  margs+=(-m "$m")
done
echo "llama-bench ${margs[*]} ${args[*]}" >&2
"$llama" "${margs[@]}" "${args[@]}" -o json >"$out/llama.json"
echo "zq bench ${models[*]} ${args[*]}" >&2
"$zq" bench "${models[@]}" "${args[@]}" --json >"$out/zq.json"

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); zq $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
  "($("$zq" --version | awk '{print $NF}')); llama.cpp $(sed -n 's/.*"build_commit": "\(.*\)",/\1/p' "$out/llama.json" | head -1);" \
  "load average before: $load, after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
echo "args: ${args[*]}"
echo
"$zq" bench --compare "$out/llama.json" --from "$out/zq.json"

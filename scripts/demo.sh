#!/usr/bin/env bash
# Runs zq's pipeline on the bundled micro-mistral checkpoint.
# Usage: scripts/demo.sh ZQ_BINARY OUTDIR
set -euo pipefail
zq=${1:-bin/zq}
out=${2:-demo-out}
mkdir -p "$out"
echo "== zq inspect testdata/micro-mistral"
"$zq" inspect testdata/micro-mistral | tail -n 3

#!/usr/bin/env bash
# demo.sh BUILD_DIR — the product's story on embedded defaults, in a fresh
# state folder, with no questions asked. Each part adds its stage below as it
# lands; a stage whose programs are not built yet is reported as skipped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-$ROOT/build/default}"
BIN="$BUILD/bin"
STATE="${PKI_DEMO_STATE:-$ROOT/demo-state}"

rm -rf "$STATE"
mkdir -p -m 0700 "$STATE"
echo "demo: state folder $STATE"

ran=0
for stage in "$ROOT"/scripts/demo.d/*.sh; do
  [ -e "$stage" ] || continue
  name="$(basename "$stage" .sh)"
  echo "== $name"
  BIN="$BIN" STATE="$STATE" ROOT="$ROOT" bash "$stage"
  ran=$((ran + 1))
done
echo "demo: $ran stages ran; artifacts are in $STATE"

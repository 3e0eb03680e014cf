#!/usr/bin/env bash
# demo.sh BUILD_DIR — the product's story on embedded defaults, in a fresh
# state folder, with no questions asked. Each part adds its stage below as it
# lands; a stage whose program is not built fails, naming the build target.
#
# Stages are scripts/demo.d/*.sh, run in name order with BIN, STATE, ROOT and
# SOFTHSM2_CONF (the demo's own tokens, in $STATE/softhsm). Services a stage
# starts are listed in $STATE/pids; the EXIT trap stops every one of them,
# whether the demo succeeds or fails. See docs/demo.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-$ROOT/build/default}"
case "$BUILD" in /*) ;; *) BUILD="$PWD/$BUILD" ;; esac
BIN="$BUILD/bin"
STATE="${PKI_DEMO_STATE:-$ROOT/demo-state}"
case "$STATE" in /*) ;; *) STATE="$PWD/$STATE" ;; esac

[ -d "$BUILD/bin" ] || { echo "demo: no build in $BUILD (run: make build, or cmake --build $BUILD)" >&2; exit 1; }
# Never wipe a folder that is not a demo state folder.
if [ -d "$STATE" ] && [ -n "$(ls -A "$STATE")" ] && [ ! -e "$STATE/.pki-demo-state" ] &&
   [ "$STATE" != "$ROOT/demo-state" ]; then
  echo "demo: PKI_DEMO_STATE=$STATE is a non-empty folder that is not a demo state folder; refusing to wipe it" >&2
  exit 1
fi
rm -rf "$STATE"
mkdir -p -m 0700 "$STATE" "$STATE/softhsm"
: >"$STATE/.pki-demo-state"
: >"$STATE/pids"
printf 'directories.tokendir = %s/softhsm\nobjectstore.backend = file\nlog.level = ERROR\n' "$STATE" \
  >"$STATE/softhsm2.conf"
export SOFTHSM2_CONF="$STATE/softhsm2.conf"
echo "demo: state folder $STATE"

# Stop what the stages started, newest first: SIGTERM, a bounded wait, then
# SIGKILL. Only pids we recorded, and only while they still run our binary
# on this state folder.
stop_services() {
  local rc=$?
  local name pid lines
  mapfile -t lines < <(tac "$STATE/pids" 2>/dev/null || true)
  for line in "${lines[@]}"; do
    name="${line%% *}"
    pid="${line##* }"
    [ -r "/proc/$pid/cmdline" ] || continue
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || continue
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$STATE" || continue
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 300); do
      [ -r "/proc/$pid/stat" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || break
      sleep 0.05
    done
    if [ -r "/proc/$pid/stat" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
      kill -KILL "$pid" 2>/dev/null || true
      echo "demo: stopped $name (pid $pid) with SIGKILL"
    else
      echo "demo: stopped $name (pid $pid)"
    fi
  done
  if [ "$rc" -ne 0 ]; then echo "demo: FAILED (exit $rc); logs and artifacts are in $STATE" >&2; fi
  exit "$rc"
}
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start=$(date +%s%N)
ran=0
for stage in "$ROOT"/scripts/demo.d/*.sh; do
  [ -e "$stage" ] || continue
  name="$(basename "$stage" .sh)"
  echo "== $name"
  BIN="$BIN" STATE="$STATE" ROOT="$ROOT" bash "$stage" || { echo "demo: stage $name failed" >&2; exit 1; }
  ran=$((ran + 1))
done
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
echo "demo: $ran stages ran in $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000)))s; artifacts are in $STATE"

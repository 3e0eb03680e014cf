# common.bash — helpers the demo's stage scripts source (not a stage itself:
# demo.sh runs only scripts/demo.d/*.sh). Needs BIN, STATE, ROOT.
#
# Services a stage starts outlive the stage: their "name pid" lines go to
# $STATE/pids, and demo.sh's EXIT trap stops every one still running.

: "${BIN:?}" "${STATE:?}" "${ROOT:?}"
MODULE="${PKI_DEMO_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"
export SOFTHSM2_CONF="${SOFTHSM2_CONF:-$STATE/softhsm2.conf}"

# step TEXT — one line per step of the story.
step() { printf '  - %s\n' "$*"; }

# die TEXT — the stage fails with a message naming what went wrong.
die() {
  printf 'demo: FAILED: %s\n' "$*" >&2
  exit 1
}

# need_bin NAME — the program exists in $BIN.
need_bin() { [ -x "$BIN/$1" ] || die "$BIN/$1 is not built (run: cmake --build build/default --target $1)"; }

# secret_file PATH BYTES — a fresh random secret (base64, no newline), mode 0600.
secret_file() {
  (umask 077 && head -c "$2" /dev/urandom | base64 -w0 | tr '+/' '-_' >"$1")
  chmod 0600 "$1"
}

# alive PID — the process exists and is not a zombie.
alive() {
  [ -r "/proc/$1/stat" ] || return 1
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# start_service NAME LOG CMD... — runs CMD in the background (stdout and
# stderr to LOG) and records its pid in $STATE/pids.
start_service() {
  local name="$1" log="$2"
  shift 2
  "$@" >"$log" 2>&1 </dev/null &
  local pid=$!
  printf '%s %s\n' "$name" "$pid" >>"$STATE/pids"
  printf '%s' "$pid" >"$STATE/$name.pid"
}

# wait_for_line NAME LOG PATTERN SECONDS — waits (bounded) until LOG holds a
# line matching PATTERN; fails early, with the log's tail, if NAME exits.
wait_for_line() {
  local name="$1" log="$2" pattern="$3" seconds="$4"
  local pid
  pid="$(cat "$STATE/$name.pid")"
  local tries=$((seconds * 20))
  while [ "$tries" -gt 0 ]; do
    if grep -qE "$pattern" "$log" 2>/dev/null; then return 0; fi
    if ! alive "$pid"; then
      tail -n 20 "$log" >&2
      die "$name exited before printing '$pattern' (log: $log)"
    fi
    sleep 0.05
    tries=$((tries - 1))
  done
  tail -n 20 "$log" >&2
  die "$name did not print '$pattern' within ${seconds}s (log: $log)"
}

# stop_service NAME [SECONDS] — SIGTERM, then waits (bounded) for the exit;
# SIGKILL if it does not stop in time. Only the pid we recorded, and only if
# it is still the program we started.
stop_service() {
  local name="$1" seconds="${2:-15}"
  [ -f "$STATE/$name.pid" ] || return 0
  local pid
  pid="$(cat "$STATE/$name.pid")"
  if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$STATE"; then
    kill -TERM "$pid" 2>/dev/null || true
    local tries=$((seconds * 20))
    while alive "$pid" && [ "$tries" -gt 0 ]; do
      sleep 0.05
      tries=$((tries - 1))
    done
    if alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
      echo "demo: $name (pid $pid) did not stop on SIGTERM within ${seconds}s; killed" >&2
    fi
  fi
  rm -f "$STATE/$name.pid"
}

# sha256 FILE — the hex SHA-256 of FILE.
sha256() { sha256sum "$1" | cut -d' ' -f1; }

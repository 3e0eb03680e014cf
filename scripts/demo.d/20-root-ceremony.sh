#!/usr/bin/env bash
# Stage 20: the air-gapped side. appliance-sim plays the root appliance on a
# unix socket; the `ceremony` program runs the shipped root-init script (three
# demo custodians, quorum 2 of 3) and the shipped sign-intermediate script on
# the signer's CSR (which also issues the root CRL), non-interactively from
# answers files. Passphrases are random, in 0600 files, never on a command line.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
need_bin appliance-sim
need_bin ceremony

media="$STATE/media"
room="$STATE/custodians"   # the answers files and the custodians' passphrase files
mkdir -p "$media/in" "$media/out"
mkdir -p -m 0700 "$room" "$STATE/archive"
for s in root-init sign-intermediate; do
  "$BIN/ceremony" validate "$ROOT/ceremony/scripts/$s.textproto" >/dev/null ||
    die "ceremony script $s does not validate"
done

for n in carla dmitri eunji; do secret_file "$room/$n.pass" 24; done
(umask 077 && cat >"$room/root-init.answers" <<'ANSWERS'
# Everyone attends root-init; each custodian sets a new passphrase.
present: "Avery Admin" present: "Carla Custodian" present: "Dmitri Custodian"
present: "Eun-ji Custodian" present: "Wanda Witness"
custodians { name: "Carla Custodian" passphrase_file: "carla.pass" new_passphrase_file: "carla.pass" }
custodians { name: "Dmitri Custodian" passphrase_file: "dmitri.pass" new_passphrase_file: "dmitri.pass" }
custodians { name: "Eun-ji Custodian" passphrase_file: "eunji.pass" new_passphrase_file: "eunji.pass" }
ANSWERS
cat >"$room/sign-intermediate.answers" <<'ANSWERS'
# Quarterly: two of three custodians (Eun-ji is away).
present: "Avery Admin" present: "Carla Custodian" present: "Dmitri Custodian" present: "Wanda Witness"
custodians { name: "Carla Custodian" passphrase_file: "carla.pass" }
custodians { name: "Dmitri Custodian" passphrase_file: "dmitri.pass" }
ANSWERS
)
step "custodians Carla, Dmitri, Eun-ji (2 of 3): passphrases and answers files in $room (mode 0600)"

# Share KDF: production strength (600000 PBKDF2 iterations) unless
# PKI_DEMO_SHARE_ITERATIONS is set: the sanitizer test runs set it, where
# instrumented PBKDF2 for three shares can outlast the link's 120 s timeout.
kdf=()
if [ -n "${PKI_DEMO_SHARE_ITERATIONS:-}" ]; then
  kdf=(--test-share-iterations "$PKI_DEMO_SHARE_ITERATIONS")
  step "share KDF: $PKI_DEMO_SHARE_ITERATIONS PBKDF2 iterations (PKI_DEMO_SHARE_ITERATIONS; test runs only, not production strength)"
fi
start_service appliance-sim "$STATE/appliance-sim.log" \
  "$BIN/appliance-sim" --state-dir "$STATE/appliance" --socket "$STATE/appliance.sock" \
  --display-file "$STATE/appliance-display.txt" --device-id demo-appliance "${kdf[@]}"
wait_for_line appliance-sim "$STATE/appliance-sim.log" '^appliance-sim: ready on ' 20
step "appliance-sim ready on $STATE/appliance.sock (state $STATE/appliance, display $STATE/appliance-display.txt)"

# run_ceremony NAME ANSWERS [PREVIOUS] — exit 6 is "completed, transcript
# unsigned": the link has no transcript-signing request yet (docs/ceremonies).
run_ceremony() {
  local name="$1" answers="$2" previous="${3:-}" rc=0
  local args=(run "$ROOT/ceremony/scripts/$name.textproto" --media "$media" --socket "$STATE/appliance.sock"
              --answers "$answers")
  [ -z "$previous" ] || args+=(--previous-transcript "$previous")
  "$BIN/ceremony" "${args[@]}" >"$STATE/ceremony-$name.log" 2>&1 || rc=$?
  case "$rc" in
    0) ;;
    6) grep -q "COMPLETED; its transcript is UNSIGNED" "$STATE/ceremony-$name.log" ||
         die "ceremony $name: exit 6 without the COMPLETED line (log: $STATE/ceremony-$name.log)" ;;
    *) tail -n 15 "$STATE/ceremony-$name.log" >&2
       die "ceremony $name failed with exit $rc (log: $STATE/ceremony-$name.log)" ;;
  esac
}

run_ceremony root-init "$room/root-init.answers"
t1="$(ls "$media"/out/transcripts/1-root-init*.transcript)"
# journal_export SEQ — the journal export ceremony SEQ wrote: out/journal-SEQ.bin
# (scripts that name the export per ceremony) or out/journal.bin (older
# scripts: the next ceremony overwrites it, so the archive keeps each copy).
journal_export() {
  if [ -e "$media/out/journal-$1.bin" ]; then echo "$media/out/journal-$1.bin"; else echo "$media/out/journal.bin"; fi
}
cp "$(journal_export 1)" "$STATE/archive/1-journal.bin"
step "root-init done: root out/root.crt ($(openssl x509 -in "$media/out/root.crt" -noout -subject | sed 's/^subject=//')), 3 shares in media/shares, transcript $(basename "$t1")"

run_ceremony sign-intermediate "$room/sign-intermediate.answers" "$t1"
t2="$(ls "$media"/out/transcripts/2-sign-intermediate*.transcript)"
cp "$(journal_export 2)" "$STATE/archive/2-journal.bin"
lints="$(grep -c 'lint: clean' "$STATE/ceremony-sign-intermediate.log" || true)"
step "sign-intermediate done: out/issuing.crt and root CRL out/root.crl (${lints} lint: clean), transcript $(basename "$t2")"
if [ "${t2%.unsigned.transcript}" != "$t2" ]; then
  step "note: transcripts are UNSIGNED (no transcript-signing request on the appliance link yet); the printed .md is the record"
fi

# The appliance goes back into the safe: stop it (it wipes what it holds).
stop_service appliance-sim
grep -q "secrets wiped" "$STATE/appliance-sim.log" || die "appliance-sim did not report wiping its secrets"
step "appliance-sim stopped (secrets wiped)"

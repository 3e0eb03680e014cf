#!/usr/bin/env bash
# board_ceremony.sh — the appliance firmware under QEMU, driven by the real
# host agent over its emulated UART (a loopback TCP chardev, nodelay=on).
#
#   board_ceremony.sh QEMU MACHINE IMAGE WORKDIR HOST_BIN SOURCE_DIR
#   board_ceremony.sh sim host - WORKDIR HOST_BIN SOURCE_DIR   (appliance-sim)
#
# 1. Boots IMAGE (storage in WORKDIR, TEST-ONLY seed 1, 1000 PBKDF2
#    iterations) and waits for its ready banner before connecting.
# 2. fw_link_check: GetStatus round trips; garbage and a bad-CRC frame
#    answered with ERROR_BAD_FRAME (id 0); the link still answers.
# 3. `ceremony run root-init`, `ceremony run sign-intermediate` (which also
#    issues the root CRL) and `ceremony run cross-sign` --tcp,
#    non-interactively from answers files; passphrases only in 0600 files.
# 4. openssl verify -x509_strict (root, intermediate, cross certificate),
#    openssl crl -verify, `ceremony verify-transcript` of the three
#    transcripts under the appliance's audit key (chained, artifacts).
# Prints the timings and the RAM peaks the firmware reports. Exit 0 on
# success, 1 with the reason (and the firmware console) otherwise.
set -euo pipefail
[ $# -eq 6 ] || { echo "usage: $0 QEMU MACHINE IMAGE WORKDIR HOST_BIN SOURCE_DIR" >&2; exit 1; }
qemu="$1" machine="$2" image="$3" work="$4" bin="$5" src="$6"
tools=(ceremony fw_link_check)
[ "$qemu" != sim ] || tools+=(appliance-sim)
for tool in "${tools[@]}"; do
  [ -x "$bin/$tool" ] || { echo "board_ceremony: FAIL: $bin/$tool missing: build the host tools first" \
    "(cmake --build build/default --target ceremony fw_link_check)" >&2; exit 1; }
done

rm -rf "$work"
mkdir -p "$work/storage" "$work/media/in"
mkdir -m 0700 "$work/room"
console="$work/console.log"
qemu_pid=""
cleanup() { [ -z "$qemu_pid" ] || { kill "$qemu_pid" 2>/dev/null || true; wait "$qemu_pid" 2>/dev/null || true; }; }
trap cleanup EXIT
fail() {
  echo "board_ceremony: FAIL: $*" >&2
  echo "--- firmware console ---" >&2
  cat "$console" >&2 || true
  exit 1
}
now_ms() { date +%s%3N; }

# Custodians' passphrases and answers files (test-only values, mode 0600).
(umask 077
 for n in carla dmitri eunji; do head -c 18 /dev/urandom | base64 >"$work/room/$n.pass"; done
 cat >"$work/room/root-init.answers" <<'ANSWERS'
present: "Avery Admin" present: "Carla Custodian" present: "Dmitri Custodian"
present: "Eun-ji Custodian" present: "Wanda Witness"
custodians { name: "Carla Custodian" passphrase_file: "carla.pass" new_passphrase_file: "carla.pass" }
custodians { name: "Dmitri Custodian" passphrase_file: "dmitri.pass" new_passphrase_file: "dmitri.pass" }
custodians { name: "Eun-ji Custodian" passphrase_file: "eunji.pass" new_passphrase_file: "eunji.pass" }
ANSWERS
 cat >"$work/room/sign-intermediate.answers" <<'ANSWERS'
present: "Avery Admin" present: "Carla Custodian" present: "Dmitri Custodian" present: "Wanda Witness"
custodians { name: "Carla Custodian" passphrase_file: "carla.pass" }
custodians { name: "Dmitri Custodian" passphrase_file: "dmitri.pass" }
ANSWERS
)
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/issuing.key" \
  -subj "/O=Example/CN=Example Issuing TLS" -out "$work/media/in/issuing.csr" 2>/dev/null ||
  fail "openssl could not make the CSR"

if [ "$qemu" = sim ]; then
  # The same run against appliance-sim on a unix socket (the host figures
  # next to the boards' in docs/firmware.md): board_ceremony.sh sim host - ...
  boot_start="$(now_ms)"
  "$bin/appliance-sim" --state-dir "$work/storage/sim" --socket "$work/sim.sock" --device-id sim \
    --test-entropy-seed 1 --test-share-iterations 1000 --display-file "$work/display.txt" >"$console" 2>&1 &
  qemu_pid=$!
  for _ in $(seq 1 600); do
    grep -q "ready on" "$console" && break
    sleep 0.01
  done
  grep -q "ready on" "$console" || fail "appliance-sim did not get ready"
  boot_ms=$(( $(now_ms) - boot_start ))
  address="unix:$work/sim.sock"
  link_args=(--socket "$work/sim.sock")
else
  # QEMU's TCP server on a free loopback port: pick one, retry if taken.
  boot_start=0
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    boot_start="$(now_ms)"
    "$qemu" -M "$machine" -nographic -monitor none \
      -serial "tcp:127.0.0.1:$port,server=on,wait=off,nodelay=on" \
      -semihosting-config enable=on,target=native -kernel "$image" \
      -append "storage=$work/storage seed=1 iterations=1000" >"$console" 2>&1 &
    qemu_pid=$!
    for _ in $(seq 1 600); do  # up to 60 s for the banner
      grep -q "appliance ready" "$console" && break
      kill -0 "$qemu_pid" 2>/dev/null || break
      sleep 0.1
    done
    grep -q "appliance ready" "$console" && break
    wait "$qemu_pid" 2>/dev/null || true
    qemu_pid=""
    grep -q "Address already in use" "$console" || fail "no ready banner from the firmware"
  done
  [ -n "$qemu_pid" ] || fail "no free port for QEMU's serial socket"
  boot_ms=$(( $(now_ms) - boot_start ))
  address="127.0.0.1:$port"
  link_args=(--tcp "$address")
fi
cat "$console"

"$bin/fw_link_check" "$address" --rounds 50 --framing || fail "link checks"

run_ceremony() {  # run_ceremony NAME [PREVIOUS]
  local name="$1" previous="${2:-}" rc=0 t
  local args=(run "$src/ceremony/scripts/$name.textproto" --media "$work/media" "${link_args[@]}"
              --answers "$work/room/$name.answers")
  [ -z "$previous" ] || args+=(--previous-transcript "$previous")
  t="$(now_ms)"
  "$bin/ceremony" "${args[@]}" >"$work/ceremony-$name.log" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] || { tail -n 20 "$work/ceremony-$name.log" >&2; fail "ceremony $name exited $rc"; }
  echo "ceremony run $name over the link: $(( $(now_ms) - t )) ms (host agent + appliance, whole script)"
  if cat "$work"/room/*.pass | grep -qFf - "$work/ceremony-$name.log"; then
    fail "a passphrase appears in the ceremony $name log"
  fi
}

run_ceremony root-init
media="$work/media"
t1="$media/out/transcripts/1-root-init.transcript"
[ -f "$t1" ] || fail "root-init left no signed transcript"
[ "$(stat -c %a "$media/shares/Carla Custodian.share")" = 600 ] || fail "share file not mode 0600"
out="$(openssl verify -x509_strict -check_ss_sig -CAfile "$media/out/root.crt" "$media/out/root.crt" 2>&1)" ||
  fail "openssl verify rejects the board's root: $out"
echo "root: $(openssl x509 -in "$media/out/root.crt" -noout -subject) — openssl verify -x509_strict: OK"
# The journal export (out/journal.bin or out/journal-<seq>.bin): keep it.
journal1="$(ls -t "$media"/out/journal*.bin 2>/dev/null | head -n 1)"
[ -n "$journal1" ] || fail "root-init exported no journal"
cp "$journal1" "$work/1-journal.bin"

run_ceremony sign-intermediate "$t1"
t2="$media/out/transcripts/2-sign-intermediate.transcript"
[ -f "$t2" ] || fail "sign-intermediate left no signed transcript"
out="$(openssl verify -x509_strict -CAfile "$media/out/root.crt" "$media/out/issuing.crt" 2>&1)" ||
  fail "openssl verify rejects the intermediate: $out"
echo "intermediate: $(openssl x509 -in "$media/out/issuing.crt" -noout -subject) — openssl verify -x509_strict: OK"
out="$(openssl crl -verify -noout -CAfile "$media/out/root.crt" -in "$media/out/root.crl" 2>&1)" ||
  fail "openssl crl rejects the root CRL: $out"
echo "root CRL: $(openssl crl -noout -crlnumber -in "$media/out/root.crl") — openssl crl -verify: OK"

# cross-sign: the deepest stack of all requests (its BeginOperation), so a
# stack that grew past the image's budget shows here (HardFault on the
# Cortex-M33's stack limit).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$work/other-root.key" \
  -subj "/O=Example/CN=Example Other Root" -days 3650 -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$media/in/other-root.crt" 2>/dev/null ||
  fail "openssl could not make the other root"
cp "$work/room/sign-intermediate.answers" "$work/room/cross-sign.answers"
run_ceremony cross-sign "$t2"
t3="$media/out/transcripts/3-cross-sign.transcript"
[ -f "$t3" ] || fail "cross-sign left no signed transcript"
out="$(openssl verify -x509_strict -CAfile "$media/out/root.crt" "$media/out/cross.crt" 2>&1)" ||
  fail "openssl verify rejects the cross certificate: $out"
echo "cross: $(openssl x509 -in "$media/out/cross.crt" -noout -subject) — openssl verify -x509_strict: OK"

# The audit key, asked of the appliance (GetStatus), then the transcripts.
"$bin/fw_link_check" "$address" --audit-key-out "$work/audit.der" >/dev/null || fail "could not read the audit key"
openssl pkey -pubin -inform DER -in "$work/audit.der" -out "$work/audit.pem" || fail "audit key is not an SPKI"
out="$("$bin/ceremony" verify-transcript "$t1" --audit-key "$work/audit.pem" --journal "$work/1-journal.bin" 2>&1)" ||
  fail "verify-transcript 1-root-init: $out"
echo "1-root-init.transcript: $out"
out="$("$bin/ceremony" verify-transcript "$t2" --audit-key "$work/audit.pem" --previous "$t1" --media "$media" 2>&1)" ||
  fail "verify-transcript 2-sign-intermediate: $out"
echo "2-sign-intermediate.transcript: $out"
out="$("$bin/ceremony" verify-transcript "$t3" --audit-key "$work/audit.pem" --previous "$t2" --media "$media" 2>&1)" ||
  fail "verify-transcript 3-cross-sign: $out"
echo "3-cross-sign.transcript: $out"
echo "boot to ready (incl. starting QEMU / appliance-sim): $boot_ms ms"
grep -E "^ram:" "$console" || true
# The deepest request must leave 2 KiB of the image's stack (the Cortex-M3 has
# no stack-limit register: an overflow there would go unnoticed).
if [ "$qemu" != sim ]; then
  capacity="$(sed -n 's/^ram: .* stack peak [0-9]* B of \([0-9]*\) B$/\1/p' "$console" | head -n 1)"
  deepest="$(awk '/^op: / && $5 > m { m = $5 } END { print m + 0 }' "$console")"
  [ -n "$capacity" ] || fail "no stack capacity in the ready line"
  echo "deepest request stack: $deepest B of $capacity B"
  [ $((deepest + 2048)) -le "$capacity" ] || fail "a request used $deepest B of a $capacity B stack (< 2 KiB left)"
fi
# Per request type: count, deepest stack, highest pool use, device time.
awk '/^op: / { n = $2; sub(":", "", n); c[n]++; s = $5; p = $9; t[n] += $(NF-4)
               if (s > st[n]) st[n] = s; if (p > po[n]) po[n] = p }
     END { for (n in c) printf "op %-19s x%-3d stack peak %6d B  pool peak %6d B  device time %5d ms total\n",
                               n, c[n], st[n], po[n], t[n] }' "$console" | sort

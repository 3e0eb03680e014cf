#!/bin/sh
# run_bench.sh BUILD_DIR — signerd's benchmark (issues 4 and 7), everything in
# one run on one throwaway SoftHSMv2 token and the same keys:
#   1. fdatasync latency of the audit log's disk (what group commit amortizes)
#   2. raw C_SignInit+C_Sign in-process, one session per thread (1, 2, ... threads)
#   3. the same through `p11-kit server` + p11-kit-client.so (the usual remote path)
#   4. signerd Sign over mutual TLS, audit on, N connections x K calls in flight
#      (closed loop), with signerd's CPU per call; then open loop at half the
#      peak rate (the p99 target)
#   5. IssueCertificate (tls-server, P-256 issuer key in the same token) next
#      to the raw C_Sign rate of that key
# and a summary with the ratios. Environment knobs (defaults in brackets):
#   CONNS ["1 2 4 8 16"]  DEEP ["16x8 16x16 16x32"]  SECS [3]  RAW_SECS [1]  RUNS [3]
#   ISSUE_CONNS ["1 8 16x4"]  AUDIT_DIR [the temp folder: the real disk]
# The test token's PINs go through argv of softhsm2-util/pkcs11-tool only
# (throwaway token); the files are in a mode-0700 temp folder removed at exit.
set -eu
BUILD=${1:?usage: run_bench.sh BUILD_DIR}
BIN=$(cd "$BUILD/bin" && pwd)
MODULE=/usr/lib/softhsm/libsofthsm2.so
P11KIT_CLIENT=/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so
CONNS=${CONNS-"1 2 4 8 16"}
DEEP=${DEEP-"16x8 16x16 16x32"}
SECS=${SECS:-3}
RAW_SECS=${RAW_SECS:-1}
RUNS=${RUNS:-3}
ISSUE_CONNS=${ISSUE_CONNS-"1 8 16x4"}
for f in "$MODULE" "$P11KIT_CLIENT" "$BIN/signerd" "$BIN/signer_load" "$BIN/pkcs11_raw_bench"; do
  [ -e "$f" ] || { echo "run_bench: missing $f (scripts/bootstrap.sh installs softhsm2 and p11-kit-modules)" >&2; exit 2; }
done
command -v p11-kit >/dev/null || { echo "run_bench: p11-kit not installed" >&2; exit 2; }
D=$(mktemp -d /tmp/signer_bench.XXXXXX)
PID= P11PID=
cleanup() {
  [ -z "$PID" ] || kill "$PID" 2>/dev/null || true
  [ -z "$P11PID" ] || kill "$P11PID" 2>/dev/null || true
  rm -rf "$D"
}
trap cleanup EXIT
AUDIT_DIR=${AUDIT_DIR:-$D}
cd "$D"
R=$D/results
: > "$R"

# --- token, keys, certificates, config ---------------------------------------
mkdir tokens
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$D" > softhsm2.conf
export SOFTHSM2_CONF="$D/softhsm2.conf"
softhsm2-util --init-token --free --label signer-a --so-pin 5678 --pin 1234 >/dev/null
for k in release:01 issuing:02; do
  pkcs11-tool --module $MODULE --token-label signer-a --login --pin 1234 --keypairgen \
    --key-type EC:prime256v1 --label "${k%%:*}" --id "${k##*:}" >/dev/null 2>&1
done
printf '1234\n' > pin-a && chmod 600 pin-a
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=bench-tls-ca \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout ca.key -out ca.pem
issue() { # name subj san eku
  ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr"
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=critical,CA:FALSE\n' "$3" "$4" > "$1.ext"
  ossl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile "$1.ext" -out "$1.pem"
  chmod 600 "$1.key"
}
issue server /CN=signer DNS:localhost serverAuth
issue ci /CN=ci URI:spiffe://example.org/ci clientAuth
# The issuing key's certificate: the HSM key's public key certified by a
# throwaway root (openssl x509 -force_pubkey; the CSR only carries the name).
pkcs11-tool --module $MODULE --token-label signer-a --read-object --type pubkey --label issuing \
  -o issuing-pub.der >/dev/null 2>&1
ossl pkey -pubin -inform DER -in issuing-pub.der -out issuing-pub.pem
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench-root \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout root.key -out root.pem
ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=bench-issuing \
  -keyout throwaway.key -out issuing.csr
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' > issuing.ext
ossl x509 -req -in issuing.csr -force_pubkey issuing-pub.pem -CA root.pem -CAkey root.key \
  -CAcreateserial -days 2 -extfile issuing.ext -out issuing.pem
cat issuing.pem root.pem > issuing-chain.pem
ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=www.example.com \
  -addext subjectAltName=DNS:www.example.com -keyout web.key -out web.csr
mkdir -p "$AUDIT_DIR"
cat > signerd.yaml <<YAML
server:
  listen: "127.0.0.1:0"
  tls: {cert_file: server.pem, key_file: server.key, client_cas: [{ca_file: ca.pem}]}
hsm:
  modules: [$MODULE]
  tokens: [{uri: "pkcs11:token=signer-a", pin_file: pin-a}]
  sessions_per_token: 4
keys:
  - name: release
    purpose: artifact-signing
    versions: [{version: 1, uris: ["pkcs11:token=signer-a;object=release;type=private"]}]
  - name: issuing
    purpose: certificate-issuance
    versions: [{version: 1, uris: ["pkcs11:token=signer-a;object=issuing;type=private"], chain_file: issuing-chain.pem}]
issuers:
  - key: issuing
    signature_algorithm: ecdsa-p256-sha256
issuance: {idempotency_capacity: 10000000}
policy:
  clients:
    - name: ci
      uri_san: "spiffe://example.org/ci"
      keys: [{key: release, rights: [sign]}]
      issue: [tls-server]
      allowlist: {dns_suffixes: [example.com]}
audit: {path: $AUDIT_DIR/audit.log}
YAML

# --- 1. fdatasync of the audit disk -------------------------------------------
python3 - "$AUDIT_DIR/fsync.probe" <<'PY' | tee -a "$R"
import os, sys, time
p = sys.argv[1]
fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
ts = []
for _ in range(200):
    t = time.perf_counter(); os.write(fd, b"x" * 300); os.fdatasync(fd); ts.append(time.perf_counter() - t)
os.close(fd); os.unlink(p); ts.sort()
print("RESULT fsync p50=%.3f p99=%.3f" % (ts[100] * 1e3, ts[198] * 1e3))
PY

# --- 2, 3. raw C_Sign and p11-kit ---------------------------------------------
ALL_THREADS=$(echo 1 2 $CONNS | tr ' ' '\n' | sed 's/x.*//' | sort -n -u | paste -sd, -)
"$BIN/pkcs11_raw_bench" --module $MODULE --token signer-a --pin-file pin-a --key release \
  --threads "$ALL_THREADS" --seconds "$RAW_SECS" --runs "$RUNS" --name raw | tee -a "$R"
p11-kit server -f --provider $MODULE -n "$D/p11kit.sock" "pkcs11:token=signer-a" > p11kit.out 2>&1 &
P11PID=$!
for i in $(seq 1 100); do [ -S "$D/p11kit.sock" ] && break; sleep 0.05; done
P11_KIT_SERVER_ADDRESS="unix:path=$D/p11kit.sock" "$BIN/pkcs11_raw_bench" --module $P11KIT_CLIENT \
  --token signer-a --pin-file pin-a --key release --threads "$ALL_THREADS" --seconds "$RAW_SECS" \
  --runs "$RUNS" --name p11kit | tee -a "$R"
kill $P11PID; wait $P11PID 2>/dev/null || true
P11PID=

# --- 4. signerd ------------------------------------------------------------------
${SIGNERD_WRAP:-} "$BIN/signerd" --config signerd.yaml > signerd.out 2> signerd.err &
PID=$!
for i in $(seq 1 100); do grep -q 'listening on' signerd.out 2>/dev/null && break; sleep 0.1; done
ADDR=$(sed -n 's/^signerd: listening on //p' signerd.out)
[ -n "$ADDR" ] || { cat signerd.err >&2; exit 1; }
cpu_ticks() { awk '{print $14 + $15}' /proc/$PID/stat; }
TCK=$(getconf CLK_TCK)
load() { # load CONNS INFLIGHT [signer_load options]: one run, RESULT line + signerd CPU per call
  c=$1 k=$2
  shift 2
  t0=$(cpu_ticks)
  out=$("$BIN/signer_load" --server "$ADDR" --server-name localhost --ca ca.pem --cert ci.pem --key ci.key \
    --connections "$c" --inflight "$k" --duration "$SECS" --warmup 0.5 "$@" || true)
  t1=$(cpu_ticks)
  echo "$out" | grep -v '^RESULT'
  line=$(echo "$out" | grep '^RESULT')
  tput=$(echo "$line" | sed 's/.* tput=\([^ ]*\).*/\1/')
  srv=$(awk -v d=$((t1 - t0)) -v tck="$TCK" -v t="$tput" -v s="$SECS" \
    'BEGIN { n = t * (s + 0.5); printf "%.0f", (n > 0 ? d * 1e6 / tck / n : 0) }')
  echo "  signerd CPU ~$srv us per call"
  echo "$line server_cpu_us=$srv" >> "$R"
}
for spec in $CONNS $DEEP; do
  case $spec in *x*) load "${spec%x*}" "${spec#*x}" ;; *) load "$spec" 1 ;; esac
done
PEAK=$(awk '/^RESULT op=sign/ && / rate=0 / { for (i = 1; i <= NF; i++) if ($i ~ /^tput=/) { v = substr($i, 6) + 0; if (v > m) m = v } } END { printf "%.0f", m / 2 }' "$R")
load 16 1 --rate "$PEAK" --max-outstanding 256

# --- 5. IssueCertificate -----------------------------------------------------------
"$BIN/pkcs11_raw_bench" --module $MODULE --token signer-a --pin-file pin-a --key issuing \
  --threads 1,2 --seconds "$RAW_SECS" --runs "$RUNS" --name raw-issuing | tee -a "$R"
for spec in $ISSUE_CONNS; do
  case $spec in *x*) load "${spec%x*}" "${spec#*x}" --op issue --csr web.csr --profile tls-server ;;
                *) load "$spec" 1 --op issue --csr web.csr --profile tls-server ;; esac
done
kill -TERM $PID; wait $PID || true
PID=
echo "$(tail -1 signerd.out); audit records: $(wc -l < "$AUDIT_DIR/audit.log")"

# --- summary ------------------------------------------------------------------------
echo
echo "== summary (same run, same token and keys; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)) =="
awk '
  function get(k,   i) { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
  /^RESULT fsync/ { printf "audit disk fdatasync: p50 %s ms, p99 %s ms\n", get("p50"), get("p99") }
  /^RESULT path=raw / { raw[get("threads")] = get("tput") }
  /^RESULT path=p11kit / { p11[get("threads")] = get("tput"); p11p99[get("threads")] = get("p99") }
  /^RESULT path=raw-issuing / { rawi[get("threads")] = get("tput") }
  /^RESULT op=/ { n++; op[n] = get("op"); c[n] = get("conns"); k[n] = get("inflight"); rate[n] = get("rate");
                  t[n] = get("tput"); p50[n] = get("p50"); p99[n] = get("p99"); err[n] = get("errors");
                  scpu[n] = get("server_cpu_us"); ccpu[n] = get("client_cpu_us") }
  END {
    printf "raw C_Sign (release): 1 thread %.0f/s, 2 threads %.0f/s\n", raw[1], raw[2]
    printf "%-6s %-6s %-9s %9s %8s %8s %7s %8s %8s %8s %8s %6s\n", "op", "conns", "inflight", "calls/s", "p50 ms", "p99 ms",
           "errors", "/raw2", "p11kit/s", "/p11kit", "srv us", "cli us"
    for (i = 1; i <= n; i++) {
      r2 = op[i] == "issue" ? rawi[2] : raw[2]
      shape = rate[i] > 0 ? "open@" rate[i] : k[i]
      pk = (op[i] == "sign" && k[i] == 1 && (c[i] in p11)) ? p11[c[i]] : ""
      printf "%-6s %-6s %-9s %9.0f %8.2f %8.2f %7s %8.3f %8s %8s %8s %6.0f\n", op[i], c[i], shape, t[i], p50[i], p99[i], err[i],
             (r2 > 0 ? t[i] / r2 : 0), (pk == "" ? "-" : sprintf("%.0f", pk)), (pk == "" ? "-" : sprintf("%.3f", t[i] / pk)),
             scpu[i], ccpu[i]
    }
    printf "p11-kit server path: "
    for (x in p11) printf "%s thr %.0f/s (%.2f of raw2)  ", x, p11[x], (raw[2] > 0 ? p11[x] / raw[2] : 0)
    printf "\nraw C_Sign (issuing): 1 thread %.0f/s, 2 threads %.0f/s\n", rawi[1], rawi[2]
  }' "$R"

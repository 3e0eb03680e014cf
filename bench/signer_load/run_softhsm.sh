#!/bin/sh
# run_softhsm.sh BUILD_DIR [signer_load options...]
# Sets up a throwaway SoftHSMv2 token (EC P-256 key made by pkcs11-tool),
# certificates made with openssl, and a signerd config in a temp folder;
# starts signerd, runs signer_load against it, stops signerd and checks the
# audit chain's record count in the output. The test token's PIN passes
# through argv of softhsm2-util/pkcs11-tool only (throwaway token).
set -eu
BUILD=${1:?usage: run_softhsm.sh BUILD_DIR [signer_load options]}
shift
BIN=$(cd "$BUILD/bin" && pwd)
MODULE=/usr/lib/softhsm/libsofthsm2.so
D=$(mktemp -d /tmp/signer_load.XXXXXX)
trap 'kill $PID 2>/dev/null || true; rm -rf "$D"' EXIT
cd "$D"
mkdir tokens
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$D" > softhsm2.conf
export SOFTHSM2_CONF="$D/softhsm2.conf"
softhsm2-util --init-token --free --label signer-a --so-pin 5678 --pin 1234 >/dev/null
pkcs11-tool --module $MODULE --token-label signer-a --login --pin 1234 --keypairgen \
  --key-type EC:prime256v1 --label release --id 01 >/dev/null 2>&1
printf '1234\n' > pin-a && chmod 600 pin-a
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=ca \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout ca.key -out ca.pem 2>/dev/null
issue() { # name subj san eku
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=critical,CA:FALSE\n' "$3" "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  chmod 600 "$1.key"
}
issue server /CN=signer DNS:localhost serverAuth
issue ci /CN=ci URI:spiffe://example.org/ci clientAuth
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
policy:
  clients:
    - name: ci
      uri_san: "spiffe://example.org/ci"
      keys: [{key: release, rights: [sign]}]
audit: {path: ${AUDIT_DIR:-.}/audit.log}
YAML
${SIGNERD_WRAP:-} "${SIGNERD:-$BIN/signerd}" --config signerd.yaml > signerd.out 2> signerd.err &
PID=$!
for i in $(seq 1 100); do grep -q 'listening on' signerd.out 2>/dev/null && break; sleep 0.1; done
ADDR=$(sed -n 's/^signerd: listening on //p' signerd.out)
[ -n "$ADDR" ] || { cat signerd.err; exit 1; }
if [ -n "${PROFILE:-}" ]; then SIGNERD_PID=$PID sh -c "$PROFILE" & PROF=$!; fi
${LOADWRAP:-} "$BIN/signer_load" --server "$ADDR" --server-name localhost --ca ca.pem --cert ci.pem --key ci.key "$@"
[ -z "${PROF:-}" ] || wait $PROF || true
kill -TERM $PID; wait $PID || true
tail -1 signerd.out
echo "audit records: $(wc -l < ${AUDIT_DIR:-.}/audit.log)"

#!/usr/bin/env bash
# Stage 30: the online signer goes live. The intermediate from the ceremony
# and the root are installed as the issuing key's chain (in the token with
# `signerctl attach-chain`, and as the config's chain_file, which signerd
# checks against the key), demo mTLS certificates are made with openssl, and
# signerd starts with a policy for the build pipeline's client.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
need_bin signerd
need_bin signerctl
need_bin signer-client

s="$STATE/signer"
mkdir -p -m 0700 "$s" "$s/tls" "$s/audit"
mkdir -p "$s/chains"
cat "$STATE/media/out/issuing.crt" "$STATE/media/out/root.crt" >"$s/chains/issuing-2026q4.pem"
"$BIN/signerctl" attach-chain --module "$MODULE" --token signer-a --pin-file "$STATE/pins/signer-a.pin" \
  --label issuing-2026q4 --chain "$s/chains/issuing-2026q4.pem" >"$s/attach-chain.out"
step "intermediate + root chain stored next to the issuing key in signer-a ($(wc -l <"$s/attach-chain.out") certificate objects)"

# Demo mTLS PKI (not the product's root: a throwaway CA for the transport).
tls="$s/tls"
ossl() { openssl "$@" 2>"$tls/openssl.err" || { cat "$tls/openssl.err" >&2; die "openssl $1 failed"; }; }
(umask 077
 ossl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tls/ca.key" \
   -subj "/O=Example/CN=Demo mTLS CA" -days 30 -out "$tls/ca.pem" \
   -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
 issue() {  # issue NAME SUBJECT EXTENSIONS
   ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tls/$1.key" \
     -subj "$2" -out "$tls/$1.csr"
   printf '%b' "$3" >"$tls/$1.ext"
   ossl x509 -req -in "$tls/$1.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
     -days 30 -sha256 -extfile "$tls/$1.ext" -out "$tls/$1.pem"
 }
 issue server "/O=Example/CN=signerd" \
   "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n"
 issue ci "/O=Example/CN=build pipeline" \
   "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=URI:spiffe://example.org/ci\n"
 issue ra "/O=Example/CN=RA backend" \
   "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=URI:spiffe://example.org/ra\n"
 issue release-eng "/O=Example/CN=release engineering" \
   "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=URI:spiffe://example.org/release-eng\n"
)
chmod 0644 "$tls/ca.pem" "$tls/server.pem" "$tls/ci.pem" "$tls/ra.pem" "$tls/release-eng.pem"
for c in server ci ra release-eng; do
  openssl verify -x509_strict -CAfile "$tls/ca.pem" "$tls/$c.pem" >/dev/null || die "demo TLS cert $c does not verify"
done
step "demo mTLS certificates in $tls (server: DNS:localhost; clients: URI:spiffe://example.org/{ci,ra,release-eng})"

cat >"$s/signerd.yaml" <<YAML
# signerd config written by the demo (scripts/demo.d/30-signerd.sh).
server:
  listen: "127.0.0.1:0"
  metrics_listen: "127.0.0.1:0"
  sign_deadline_ms: 5000
  tls:
    cert_file: tls/server.pem
    key_file: tls/server.key
    client_cas:
      - ca_file: tls/ca.pem
hsm:
  modules: [$MODULE]
  tokens:
    - uri: "pkcs11:token=signer-a"
      pin_file: $STATE/pins/signer-a.pin
    - uri: "pkcs11:token=signer-b"
      pin_file: $STATE/pins/signer-b.pin
  sessions_per_token: 2
keys:
  - name: release
    purpose: artifact-signing
    versions:
      - version: 1
        uris: ["pkcs11:token=signer-a;object=release-2026;type=private",
               "pkcs11:token=signer-b;object=release-2026;type=private"]
        # chain_file: chains/release-2026.pem   (stage 35 sets it once the code-signing certificate exists)
  - name: issuing-2026q4
    purpose: certificate-issuance
    versions:
      - version: 1
        uris: ["pkcs11:token=signer-a;object=issuing-2026q4;type=private"]
        chain_file: chains/issuing-2026q4.pem
issuers:
  - key: issuing-2026q4
    signature_algorithm: ecdsa-p256-sha256
    crl_urls: ["http://crl.example.org/issuing-2026q4.crl"]
    ca_issuers_urls: ["http://pki.example.org/issuing-2026q4.der"]
    backdate_s: 60
policy:
  clients:
    - name: ra
      uri_san: "spiffe://example.org/ra"
      keys:
        - key: issuing-2026q4
          rights: [get-public-key]
      issue: [tls-server, spiffe-workload]
      allowlist:
        dns_suffixes: [example.com]
        spiffe_trust_domain: example.org
        spiffe_path_prefixes: [/ns/payments]
    - name: release-eng
      uri_san: "spiffe://example.org/release-eng"
      keys:
        - key: release
          rights: [get-public-key]
      issue: [code-signing]
      allowlist:
        email_domains: [example.com]
    - name: ci
      uri_san: "spiffe://example.org/ci"
      keys:
        - key: release
          rights: [sign, get-public-key]
        - key: issuing-2026q4
          rights: [get-public-key]
      rate_limit: {requests_per_second: 50, burst: 100}
audit:
  path: audit/audit.log
YAML

"$BIN/signerctl" config check --config "$s/signerd.yaml" >"$s/config-check.out" 2>&1 ||
  { cat "$s/config-check.out" >&2; die "signerctl config check refused $s/signerd.yaml"; }
step "signerctl config check: $(head -n1 "$s/config-check.out")"

start_service signerd "$s/signerd.log" "$BIN/signerd" --config "$s/signerd.yaml"
wait_for_line signerd "$s/signerd.log" '^signerd: listening on ' 30
addr="$(sed -n 's/^signerd: listening on //p' "$s/signerd.log" | head -n1)"
printf '%s\n' "$addr" >"$s/address"
step "signerd listening on $addr (mTLS, policy: clients ra, release-eng, ci; audit log $s/audit/audit.log; log $s/signerd.log)"

client=("$BIN/signer-client" --server "$addr" --server-name localhost --ca "$tls/ca.pem" --cert "$tls/ci.pem" --key "$tls/ci.key")
"${client[@]}" list-keys >"$s/list-keys.out" 2>&1 || { cat "$s/list-keys.out" >&2; die "signer-client list-keys failed"; }
grep -q '^release' "$s/list-keys.out" || die "signerd does not list key 'release' to the ci client"
"${client[@]}" public-key --key issuing-2026q4 --out "$s/issuing-2026q4.pub.pem" >"$s/public-key.out" 2>&1 ||
  { cat "$s/public-key.out" >&2; die "signer-client public-key issuing-2026q4 failed"; }
openssl x509 -in "$STATE/media/out/issuing.crt" -noout -pubkey >"$s/issuing-cert.pub.pem"
cmp -s "$s/issuing-2026q4.pub.pem" "$s/issuing-cert.pub.pem" ||
  die "signerd's issuing-2026q4 public key is not the one the root certified"
step "signerd serves issuing-2026q4 with its chain: $(cat "$s/public-key.out"); same key as out/issuing.crt"

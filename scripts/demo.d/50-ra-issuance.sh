#!/usr/bin/env bash
# Stage 50: an RA backend has certificates issued by signerd under named
# profiles. The RA sends only a CSR, a profile name and a request id; the
# signer decides validity, serial and extensions, and signs with the
# intermediate's key inside the token. A retry with the same request id gets
# the same certificate; a name outside the RA's allowlist is refused.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
need_bin signer-client

s="$STATE/signer"
ra="$STATE/ra"
mkdir -p -m 0700 "$ra"
addr="$(cat "$s/address")"
client=("$BIN/signer-client" --server "$addr" --server-name localhost --ca "$s/tls/ca.pem"
        --cert "$s/tls/ra.pem" --key "$s/tls/ra.key")

csr() {  # csr NAME SUBJECT SAN
  (umask 077; openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
     -keyout "$ra/$1.key" -subj "$2" -addext "subjectAltName=$3" -out "$ra/$1.csr" 2>/dev/null) ||
    die "openssl req for $1 failed"
}

csr web "/CN=www.example.com" "DNS:www.example.com,DNS:api.example.com"
"${client[@]}" issue --profile tls-server --csr "$ra/web.csr" --request-id demo-web-1 \
  --ref order-1001 --out "$ra/web.crt" --chain-out "$ra/web.chain.pem" >"$ra/web.out" 2>&1 ||
  { cat "$ra/web.out" >&2; die "IssueCertificate (tls-server) failed"; }
cp "$ra/web.crt" "$ra/web.crt.first"
"${client[@]}" issue --profile tls-server --csr "$ra/web.csr" --request-id demo-web-1 \
  --ref order-1001 --out "$ra/web.crt" >"$ra/web-retry.out" 2>&1 ||
  { cat "$ra/web-retry.out" >&2; die "IssueCertificate retry failed"; }
cmp -s "$ra/web.crt" "$ra/web.crt.first" || die "a retry with the same request id issued a second certificate"
rm -f "$ra/web.crt.first"
step "tls-server certificate for www.example.com, api.example.com: $ra/web.crt (a retry with the same request id returned the same certificate)"

csr workload "/O=Example" "URI:spiffe://example.org/ns/payments/sa/api"
"${client[@]}" issue --profile spiffe-workload --csr "$ra/workload.csr" --request-id demo-wl-1 \
  --out "$ra/workload.crt" >"$ra/workload.out" 2>&1 ||
  { cat "$ra/workload.out" >&2; die "IssueCertificate (spiffe-workload) failed"; }
step "SPIFFE workload certificate for spiffe://example.org/ns/payments/sa/api: $ra/workload.crt"

csr outside "/CN=www.example.net" "DNS:www.example.net"
if "${client[@]}" issue --profile tls-server --csr "$ra/outside.csr" --request-id demo-bad-1 \
     --out "$ra/outside.crt" >"$ra/outside.out" 2>&1; then
  die "a name outside the RA's allowlist was issued"
fi
grep -q "INVALID_ARGUMENT\|PERMISSION_DENIED" "$ra/outside.out" || { cat "$ra/outside.out" >&2; die "refusal without a clear status"; }
step "www.example.net refused (outside the RA's allowlist): $(head -n1 "$ra/outside.out")"

# Independent checks: the chain root -> intermediate (from the ceremony) -> leaf.
for c in web workload; do
  openssl verify -x509_strict -CAfile "$STATE/media/out/root.crt" -untrusted "$STATE/media/out/issuing.crt" \
    "$ra/$c.crt" >/dev/null 2>"$ra/$c.verify.err" || { cat "$ra/$c.verify.err" >&2; die "$c.crt does not verify"; }
done
openssl verify -x509_strict -purpose sslserver -CAfile "$STATE/media/out/root.crt" \
  -untrusted "$STATE/media/out/issuing.crt" "$ra/web.crt" >/dev/null || die "web.crt is not valid for TLS servers"
step "openssl verify -x509_strict: root -> issuing-2026q4 -> web.crt and workload.crt OK"

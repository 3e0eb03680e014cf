#!/usr/bin/env bash
# Stage 40: a build pipeline signs its release artifact through signerd
# (signer-client hashes locally and sends the digest: the key never leaves
# the HSM) and checks it with `openssl dgst -verify`. The policy is shown
# working too: the pipeline may not sign with the issuing CA key.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
need_bin signer-client

s="$STATE/signer"
p="$STATE/pipeline"
mkdir -p "$p"
addr="$(cat "$s/address")"
client=("$BIN/signer-client" --server "$addr" --server-name localhost --ca "$s/tls/ca.pem"
        --cert "$s/tls/ci.pem" --key "$s/tls/ci.key")

# The artifact: a reproducible tarball of this repository's docs.
tar --sort=name --mtime='2026-01-01 00:00Z' --owner=0 --group=0 --numeric-owner \
  -C "$ROOT" -czf "$p/release-1.0.0.tar.gz" README.md docs
step "build pipeline made $p/release-1.0.0.tar.gz (SHA-256 $(sha256 "$p/release-1.0.0.tar.gz"))"

"${client[@]}" sign --key release --alg ecdsa-p256-sha256 --in "$p/release-1.0.0.tar.gz" \
  --out "$p/release-1.0.0.tar.gz.sig" --request-id pipeline-build-1 >"$p/sign.out" 2>&1 ||
  { cat "$p/sign.out" >&2; die "signer-client sign failed"; }
step "signed through signerd: $(cat "$p/sign.out")"

"${client[@]}" public-key --key release --out "$p/release.pub.pem" >/dev/null 2>&1 ||
  die "signer-client public-key release failed"
# The same public key pkcs11-tool read from the tokens in stage 10.
openssl pkey -pubin -inform DER -in "$STATE/scratch/release-signer-a.der" -out "$p/release.token.pub.pem"
cmp -s "$p/release.pub.pem" "$p/release.token.pub.pem" || die "signerd's release key differs from the token's"

openssl dgst -sha256 -verify "$p/release.pub.pem" -signature "$p/release-1.0.0.tar.gz.sig" \
  "$p/release-1.0.0.tar.gz" >"$p/verify.out" 2>&1 || { cat "$p/verify.out" >&2; die "openssl dgst -verify failed"; }
step "openssl dgst -sha256 -verify: $(cat "$p/verify.out")"

cp "$p/release-1.0.0.tar.gz" "$p/tampered.tar.gz"
printf 'x' >>"$p/tampered.tar.gz"
if openssl dgst -sha256 -verify "$p/release.pub.pem" -signature "$p/release-1.0.0.tar.gz.sig" \
  "$p/tampered.tar.gz" >/dev/null 2>&1; then
  die "the signature verifies over a tampered artifact"
fi
rm -f "$p/tampered.tar.gz"
step "a one-byte change to the artifact fails verification"

rc=0
"${client[@]}" sign --key issuing-2026q4 --alg ecdsa-p256-sha256 --in "$p/release-1.0.0.tar.gz" \
  --out "$p/refused.sig" >"$p/refused.out" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || { cat "$p/refused.out" >&2; die "signing with the issuing CA key was not refused (exit $rc)"; }
[ ! -e "$p/refused.sig" ] || die "a refused request left a signature file"
step "policy: raw signing with the issuing CA key refused: $(head -n1 "$p/refused.out")"

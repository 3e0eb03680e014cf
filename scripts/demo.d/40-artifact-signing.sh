#!/usr/bin/env bash
# Stage 40: a build pipeline signs its release artifact through signerd
# (signer-client hashes locally and sends the digest: the key never leaves
# the HSM): a detached CMS SignedData with the code-signing certificate of
# stage 35 (`sign-artifact`, checked with `openssl cms -verify` and
# `signer-client verify-artifact`), and a raw signature (`sign`, checked with
# `openssl dgst -verify`). The policy is shown working too: the pipeline may
# not sign with the issuing CA key.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
need_bin signer-client
need_bin signerctl

s="$STATE/signer"
p="$STATE/pipeline"
mkdir -p "$p"
addr="$(cat "$s/address")"
client=("$BIN/signer-client" --server "$addr" --server-name localhost --ca "$s/tls/ca.pem"
        --cert "$s/tls/ci.pem" --key "$s/tls/ci.key")

# The artifact: a reproducible tarball of this repository's README and docs
# (same sources, same bytes).
tar --dereference --sort=name --mtime='2026-01-01 00:00Z' --owner=0 --group=0 --numeric-owner \
  -C "$ROOT" -cf - README.md docs | gzip -n >"$p/release-1.0.0.tar.gz"
step "build pipeline made $p/release-1.0.0.tar.gz (SHA-256 $(sha256 "$p/release-1.0.0.tar.gz"))"

# CMS: the signer certificate and chain come from signerd (GetPublicKey),
# the signed attributes' digest is signed through Sign.
"${client[@]}" sign-artifact --key release --in "$p/release-1.0.0.tar.gz" --out "$p/release-1.0.0.tar.gz.p7s" \
  --request-id pipeline-build-1-cms >"$p/sign-artifact.out" 2>&1 ||
  { cat "$p/sign-artifact.out" >&2; die "signer-client sign-artifact failed"; }
step "CMS signed through signerd: $(cat "$p/sign-artifact.out")"
openssl cms -verify -binary -inform DER -in "$p/release-1.0.0.tar.gz.p7s" -content "$p/release-1.0.0.tar.gz" \
  -CAfile "$STATE/media/out/root.crt" -purpose any -out /dev/null >"$p/cms-verify.out" 2>&1 ||
  { cat "$p/cms-verify.out" >&2; die "openssl cms -verify failed"; }
"$BIN/signer-client" verify-artifact --in "$p/release-1.0.0.tar.gz" --sig "$p/release-1.0.0.tar.gz.p7s" \
  --ca "$STATE/media/out/root.crt" >"$p/verify-artifact.out" 2>&1 ||
  { cat "$p/verify-artifact.out" >&2; die "signer-client verify-artifact failed"; }
step "openssl cms -verify (root.crt as the only trust anchor): $(tail -n1 "$p/cms-verify.out"); signer-client verify-artifact: $(head -n1 "$p/verify-artifact.out")"

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
if openssl cms -verify -binary -inform DER -in "$p/release-1.0.0.tar.gz.p7s" -content "$p/tampered.tar.gz" \
  -CAfile "$STATE/media/out/root.crt" -purpose any -out /dev/null >/dev/null 2>&1; then
  die "the CMS signature verifies over a tampered artifact (openssl cms)"
fi
rc=0
"$BIN/signer-client" verify-artifact --in "$p/tampered.tar.gz" --sig "$p/release-1.0.0.tar.gz.p7s" \
  --ca "$STATE/media/out/root.crt" >"$p/verify-tampered.out" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || { cat "$p/verify-tampered.out" >&2; die "verify-artifact did not refuse a tampered artifact (exit $rc)"; }
rm -f "$p/tampered.tar.gz"
step "a one-byte change to the artifact fails verification (openssl dgst, openssl cms, verify-artifact)"

rc=0
"${client[@]}" sign --key issuing-2026q4 --alg ecdsa-p256-sha256 --in "$p/release-1.0.0.tar.gz" \
  --out "$p/refused.sig" >"$p/refused.out" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || { cat "$p/refused.out" >&2; die "signing with the issuing CA key was not refused (exit $rc)"; }
[ ! -e "$p/refused.sig" ] || die "a refused request left a signature file"
step "policy: raw signing with the issuing CA key refused: $(head -n1 "$p/refused.out")"

# What an SRE sees: the metrics endpoint (loopback only).
metrics_addr="$(sed -n 's/^signerd: metrics on //p' "$s/signerd.log" | head -n1)"
if [ -n "$metrics_addr" ]; then
  curl -sSf --noproxy '*' --max-time 5 "http://$metrics_addr/metrics" >"$p/metrics.txt" 2>"$p/metrics.err" ||
    { cat "$p/metrics.err" >&2; tail -n 5 "$s/signerd.log" >&2; die "GET http://$metrics_addr/metrics failed"; }
  grep -q '^signer_key_replicas_healthy{key="release",version="1"} 2$' "$p/metrics.txt" ||
    die "metrics: release v1 does not have 2 healthy replicas ($p/metrics.txt)"
  step "metrics http://$metrics_addr/metrics: release v1 replicas healthy 2, $(grep '^signer_audit_last_seq' "$p/metrics.txt")"
  "$BIN/signerctl" status --admin "$metrics_addr" >"$p/status.txt" 2>&1 ||
    { cat "$p/status.txt" >&2; die "signerctl status --admin $metrics_addr failed"; }
  step "signerctl status (the status page on the same listener): $(grep -c '^signer-[ab] *in rotation' "$p/status.txt") of 2 tokens in rotation ($p/status.txt)"
fi

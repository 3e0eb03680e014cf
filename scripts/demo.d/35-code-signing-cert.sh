#!/usr/bin/env bash
# Stage 35: release engineering gets a code-signing certificate for the
# artifact-signing key release-2026, issued by signerd itself
# (IssueCertificate, profile code-signing, under issuing-2026q4), installs it
# as the key's chain (in both tokens with `signerctl attach-chain`, and as
# the config's chain_file) and restarts signerd, which loads keys and chains
# at start only (SIGHUP reloads policy, profiles and CRLs, not keys).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
need_bin signerd
need_bin signerctl
need_bin signer-client

s="$STATE/signer"
cs="$STATE/codesign"
out="$STATE/media/out"
addr="$(cat "$s/address")"
client=("$BIN/signer-client" --server "$addr" --server-name localhost --ca "$s/tls/ca.pem"
        --cert "$s/tls/release-eng.pem" --key "$s/tls/release-eng.key")

"${client[@]}" issue --profile code-signing --csr "$cs/release-2026.csr" --request-id release-2026-cert-1 \
  --ref change-2026-001 --out "$cs/release-2026.crt" >"$cs/issue.out" 2>&1 ||
  { cat "$cs/issue.out" >&2; die "IssueCertificate (code-signing) for release-2026 failed"; }
eku="$(openssl x509 -in "$cs/release-2026.crt" -noout -ext extendedKeyUsage 2>/dev/null)"
grep -q "Code Signing" <<<"$eku" || die "release-2026.crt has no codeSigning extended key usage"
openssl verify -x509_strict -CAfile "$out/root.crt" -untrusted "$out/issuing.crt" "$cs/release-2026.crt" \
  >"$cs/verify.out" 2>&1 || { cat "$cs/verify.out" >&2; die "release-2026.crt does not verify under the root"; }
# It certifies the key in the tokens (read by pkcs11-tool in stage 10).
openssl x509 -in "$cs/release-2026.crt" -noout -pubkey >"$cs/cert.pub.pem"
openssl pkey -pubin -inform DER -in "$STATE/scratch/release-signer-a.der" -out "$cs/token.pub.pem"
cmp -s "$cs/cert.pub.pem" "$cs/token.pub.pem" || die "release-2026.crt certifies another key than release-2026"
step "code-signing certificate for release-2026 issued by signerd (profile code-signing, requested by release-eng): $cs/release-2026.crt, $(openssl x509 -in "$cs/release-2026.crt" -noout -subject | sed 's/^subject=//')"

# The chain: the key's certificate, the intermediate, the root.
cat "$cs/release-2026.crt" "$out/issuing.crt" "$out/root.crt" >"$s/chains/release-2026.pem"
for t in signer-a signer-b; do
  "$BIN/signerctl" attach-chain --module "$MODULE" --token "$t" --pin-file "$STATE/pins/$t.pin" \
    --label release-2026 --chain "$s/chains/release-2026.pem" >"$cs/attach-chain-$t.out" ||
    die "signerctl attach-chain release-2026 on $t failed"
done
sed -i 's|^        # chain_file: chains/release-2026.pem .*$|        chain_file: chains/release-2026.pem|' "$s/signerd.yaml"
grep -q '^        chain_file: chains/release-2026.pem$' "$s/signerd.yaml" || die "could not set release's chain_file"
"$BIN/signerctl" config check --config "$s/signerd.yaml" >"$s/config-check.out" 2>&1 ||
  { cat "$s/config-check.out" >&2; die "signerctl config check refused the config with release's chain"; }
step "chain (release-2026, issuing-2026q4, root) stored next to release-2026 in signer-a and signer-b, and set as its chain_file"

# Restart: a graceful stop (the audit log's head is printed), then the same
# config; the audit log continues its chain.
stop_service signerd 20
grep -q '^signerd: stopped; audit head seq ' "$s/signerd.log" || die "signerd did not stop cleanly (log: $s/signerd.log)"
mv "$s/signerd.log" "$s/signerd.1.log"
start_service signerd "$s/signerd.log" "$BIN/signerd" --config "$s/signerd.yaml"
wait_for_line signerd "$s/signerd.log" '^signerd: listening on ' 30
addr="$(sed -n 's/^signerd: listening on //p' "$s/signerd.log" | head -n1)"
printf '%s\n' "$addr" >"$s/address"
client=("$BIN/signer-client" --server "$addr" --server-name localhost --ca "$s/tls/ca.pem"
        --cert "$s/tls/ci.pem" --key "$s/tls/ci.key")
"${client[@]}" public-key --key release --out "$cs/release.pub.pem" >"$cs/public-key.out" 2>&1 ||
  { cat "$cs/public-key.out" >&2; die "signer-client public-key release failed after the restart"; }
grep -q ' 3 chain certificates' "$cs/public-key.out" ||
  { cat "$cs/public-key.out" >&2; die "signerd does not serve release's 3-certificate chain"; }
step "signerd restarted on $addr (keys and chains load at start); it serves release with its chain: $(cat "$cs/public-key.out")"

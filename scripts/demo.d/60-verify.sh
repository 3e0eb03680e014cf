#!/usr/bin/env bash
# Stage 60: every artifact checked by a tool that did not make it. openssl
# for the certificates, the CRL and the signature; the project's verifiers
# where they can run today; scripts/demo.d/tools/chain_check.py (written from
# the documented formats) for the hash chains. signerd is stopped first
# (gracefully) so its audit log is complete and its head anchor is printed.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
need_bin ceremony
check="$(dirname "$0")/tools/chain_check.py"
out="$STATE/media/out"
v="$STATE/verify"
mkdir -p "$v"

openssl verify -x509_strict -CAfile "$out/root.crt" "$out/root.crt" >"$v/root.out" 2>&1 ||
  { cat "$v/root.out" >&2; die "the root does not verify as self-signed"; }
openssl verify -x509_strict -CAfile "$out/root.crt" "$out/issuing.crt" >"$v/issuing.out" 2>&1 ||
  { cat "$v/issuing.out" >&2; die "the intermediate does not verify under the root"; }
openssl verify -x509_strict -crl_check -CAfile "$out/root.crt" -CRLfile "$out/root.crl" "$out/issuing.crt" \
  >"$v/issuing-crl.out" 2>&1 || { cat "$v/issuing-crl.out" >&2; die "the intermediate fails the CRL check"; }
step "openssl verify -x509_strict: root self-signed OK; intermediate under root OK (and not revoked per root.crl)"

openssl crl -verify -noout -CAfile "$out/root.crt" -in "$out/root.crl" >"$v/crl.out" 2>&1 ||
  { cat "$v/crl.out" >&2; die "the root CRL does not verify"; }
step "openssl crl -verify: root CRL $(openssl crl -noout -crlnumber -in "$out/root.crl"), $(cat "$v/crl.out")"

# The chain the signer holds is the one the ceremony produced.
pkcs11-tool --module "$MODULE" --token-label signer-a --read-object --type cert --label issuing-2026q4 \
  -o "$v/issuing-from-token.der" >/dev/null 2>&1 || die "pkcs11-tool cannot read the issuing certificate from signer-a"
openssl x509 -in "$out/issuing.crt" -outform DER -out "$v/issuing.der"
cmp -s "$v/issuing.der" "$v/issuing-from-token.der" || die "the certificate in signer-a is not out/issuing.crt"
step "pkcs11-tool reads out/issuing.crt back from signer-a, byte for byte"

p="$STATE/pipeline"
openssl dgst -sha256 -verify "$p/release.pub.pem" -signature "$p/release-1.0.0.tar.gz.sig" \
  "$p/release-1.0.0.tar.gz" >"$v/artifact.out" 2>&1 || die "the artifact signature does not verify"
step "openssl dgst -sha256 -verify release-1.0.0.tar.gz.sig: $(cat "$v/artifact.out")"
# The CMS signature: its signer certificate chains to the root through the
# intermediate (carried inside the CMS), and the intermediate is not revoked.
openssl cms -verify -binary -inform DER -in "$p/release-1.0.0.tar.gz.p7s" -content "$p/release-1.0.0.tar.gz" \
  -CAfile "$out/root.crt" -purpose any -out /dev/null >"$v/artifact-cms.out" 2>&1 ||
  { cat "$v/artifact-cms.out" >&2; die "the artifact's CMS signature does not verify"; }
openssl cms -cmsout -print -inform DER -in "$p/release-1.0.0.tar.gz.p7s" >"$v/artifact-cms.txt"
openssl verify -x509_strict -crl_check -CAfile "$out/root.crt" -CRLfile "$out/root.crl" "$out/issuing.crt" \
  >/dev/null 2>&1 || die "the code-signing certificate's issuer is revoked or does not verify"
step "openssl cms -verify release-1.0.0.tar.gz.p7s (trust: root.crt only): $(tail -n1 "$v/artifact-cms.out"); signer $(openssl x509 -in "$STATE/codesign/release-2026.crt" -noout -subject | sed 's/^subject=//')"

# Ceremony transcripts.
t1="$(ls "$out"/transcripts/1-root-init*.transcript)"
t2="$(ls "$out"/transcripts/2-sign-intermediate*.transcript)"
python3 "$check" transcript "$t1" --media "$STATE/media" --artifact "out/journal.bin=$STATE/archive/1-journal.bin" >"$v/t1.out"
python3 "$check" transcript "$t2" --media "$STATE/media" --previous "$t1" >"$v/t2.out"
step "transcripts (chain_check.py): $(cut -d, -f1-4 "$v/t1.out")"
step "transcripts (chain_check.py): $(cut -d, -f1-4 "$v/t2.out")"
for t in "$t1" "$t2"; do
  "$BIN/ceremony" render "$t" >"$v/$(basename "${t%.transcript}").rendered.md" || die "ceremony render $t failed"
done
if [ "${t2%.unsigned.transcript}" != "$t2" ]; then
  step "ceremony verify-transcript: not run, the transcripts are unsigned (it checks the appliance's signature first); ceremony render OK for both"
else
  # Signed transcripts: the audit key is pinned from the first one (root-init,
  # whose fingerprint the room wrote down); t1's out/journal.bin was
  # overwritten by the next export, so t1 is checked without --media.
  python3 "$check" audit-key "$t1" --out "$v/audit-key.pem" >"$v/audit-key.out"
  "$BIN/ceremony" verify-transcript "$t1" --audit-key "$v/audit-key.pem" --journal "$STATE/archive/1-journal.bin" \
    >"$v/vt1.out" 2>&1 ||
    { cat "$v/vt1.out" >&2; die "ceremony verify-transcript $t1 failed"; }
  "$BIN/ceremony" verify-transcript "$t2" --audit-key "$v/audit-key.pem" --previous "$t1" --media "$STATE/media" \
    --journal "$STATE/archive/2-journal.bin" >"$v/vt2.out" 2>&1 || { cat "$v/vt2.out" >&2; die "ceremony verify-transcript $t2 failed"; }
  step "ceremony verify-transcript: $(head -n1 "$v/vt1.out")"
  step "ceremony verify-transcript: $(head -n1 "$v/vt2.out")"
fi

python3 "$check" journal "$STATE/archive/1-journal.bin" --transcript "$t1" >"$v/j1.out"
python3 "$check" journal "$STATE/archive/2-journal.bin" --transcript "$t2" >"$v/j2.out"
step "appliance journal (chain_check.py): $(cut -d';' -f1 "$v/j1.out")"
step "appliance journal (chain_check.py): $(cut -d';' -f1 "$v/j2.out")"
if [ -s "$v/vt2.out" ]; then
  step "appliance journal signatures: checked by ceremony verify-transcript --journal under the audit key pinned at root-init"
else
  step "appliance journal signatures: not checked (unsigned transcripts carry no audit key, and no tool prints it)"
fi

# signerd: graceful stop, then its audit log against the head it printed.
stop_service signerd 20
anchor="$(sed -n 's/^signerd: stopped; audit head seq \([0-9]*\) sha256 \([0-9a-f]*\)$/\1 \2/p' "$STATE/signer/signerd.log")"
[ -n "$anchor" ] || die "signerd did not print its audit head at shutdown (log: $STATE/signer/signerd.log)"
python3 "$check" audit "$STATE/signer/audit/audit.log" --anchor-seq "${anchor% *}" --anchor-sha256 "${anchor#* }" >"$v/audit.out"
grep -q '"method":"Sign".*"outcome":"OK"' "$STATE/signer/audit/audit.log" || die "no successful Sign in the audit log"
grep -q '"outcome":"PERMISSION_DENIED"' "$STATE/signer/audit/audit.log" || die "the refused request is not in the audit log"
step "signerd stopped; audit log (chain_check.py): $(cat "$v/audit.out")"
# The pipeline's Sign record names the artifact: input_sha256 is the SHA-256
# of the digest that was signed.
want="$(openssl dgst -sha256 -binary "$p/release-1.0.0.tar.gz" | sha256sum | cut -d' ' -f1)"
record="$(grep '"request_id":"pipeline-build-1"' "$STATE/signer/audit/audit.log")" ||
  die "no audit record for request pipeline-build-1"
grep -q "\"method\":\"Sign\".*\"input_sha256\":\"$want\".*\"outcome\":\"OK\"" <<<"$record" ||
  die "the audit record of pipeline-build-1 does not name release-1.0.0.tar.gz's digest"
cms_record="$(grep '"request_id":"pipeline-build-1-cms"' "$STATE/signer/audit/audit.log")" &&
  grep -q '"method":"Sign".*"outcome":"OK"' <<<"$cms_record" ||
  die "no successful Sign record for the CMS signature (request pipeline-build-1-cms)"
replica="$(sed -n 's/.*"detail":"\([^"]*\)".*/\1/p' <<<"$record")"
step "audit record $(sed -n 's/.*"seq":\([0-9]*\),.*/\1/p' <<<"$record") ties the signature to release-1.0.0.tar.gz's digest; signed on ${replica:-?}"
# The project's own audit verifier, against the same anchor.
"$BIN/signerctl" audit verify --log "$STATE/signer/audit/audit.log" --expect-seq "${anchor% *}" \
  --expect-head "${anchor#* }" >"$v/audit-signerctl.out" 2>&1 ||
  { cat "$v/audit-signerctl.out" >&2; die "signerctl audit verify failed"; }
step "signerctl audit verify (anchor from signerd's shutdown line): $(head -n1 "$v/audit-signerctl.out")"

#!/usr/bin/env bash
# Stage 90: what was made, where, and the command to look at each artifact.
# (demo.sh's EXIT trap then stops any service still running.)
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
m="$STATE/media/out"
cat <<TXT
  story:
    1. HSM pool       tokens signer-a, signer-b; issuing key + CSR inside signer-a; release key on both   done
    2. root ceremony  root-init (3 custodians, 2 of 3), sign-intermediate + root CRL on appliance-sim     done
    3. signerd        mTLS + policy, intermediate chain installed; release key's code-signing cert       done
    4. RA issuance    tls-server + spiffe-workload certificates via IssueCertificate, openssl verify    done
    5. pipeline       artifact signed through signerd: CMS (sign-artifact) and raw (sign)              done
    6. verification   openssl verify/crl/cms/dgst, transcripts, appliance journal, signer audit log      done
  artifacts (in $STATE):
    root certificate      openssl x509 -noout -text -in $m/root.crt
    intermediate          openssl verify -x509_strict -CAfile $m/root.crt $m/issuing.crt
    root CRL              openssl crl -verify -noout -text -CAfile $m/root.crt -in $m/root.crl
    CSR (from the HSM)    openssl req -noout -text -verify -in $STATE/media/in/issuing.csr
    transcripts           $BIN/ceremony render $(ls "$m"/transcripts/2-*.transcript)
                          (printable: $(cd "$m/transcripts" && ls -- *.md | tr '\n' ' '))
    custodian shares      ls -l $STATE/media/shares   (mode 0600; passphrases in $STATE/custodians)
    appliance journal     python3 $ROOT/scripts/demo.d/tools/chain_check.py journal $STATE/archive/2-journal.bin
    appliance display     less $STATE/appliance-display.txt
    tokens                SOFTHSM2_CONF=$SOFTHSM2_CONF $BIN/signerctl list --module $MODULE --token signer-a --pin-file $STATE/pins/signer-a.pin
    RA certificates       openssl x509 -noout -text -in $STATE/ra/web.crt ; openssl x509 -noout -text -in $STATE/ra/workload.crt
    code-signing cert     openssl x509 -noout -text -in $STATE/codesign/release-2026.crt
    signed artifact, CMS  openssl cms -verify -binary -inform DER -in $STATE/pipeline/release-1.0.0.tar.gz.p7s -content $STATE/pipeline/release-1.0.0.tar.gz -CAfile $m/root.crt -purpose any -out /dev/null
                          $BIN/signer-client verify-artifact --in $STATE/pipeline/release-1.0.0.tar.gz --sig $STATE/pipeline/release-1.0.0.tar.gz.p7s --ca $m/root.crt
    signed artifact, raw  openssl dgst -sha256 -verify $STATE/pipeline/release.pub.pem -signature $STATE/pipeline/release-1.0.0.tar.gz.sig $STATE/pipeline/release-1.0.0.tar.gz
    signer audit log      $BIN/signerctl audit verify --log $STATE/signer/audit/audit.log
    signerd config, logs  $STATE/signer/signerd.yaml, $STATE/signer/signerd.log (first run: signerd.1.log)
  walkthrough: docs/demo.md
TXT

#!/bin/sh
# make_seeds.sh — regenerates the seed corpora of the fuzz targets added for
# issue 8 from real inputs: CSRs and certificates made by openssl, encoded
# link messages and real custodian shares made by fuzz_seedgen.
# Usage (from the repository root, after building fuzz_seedgen in
# build/default):  [ONLY="target ..."] tests/fuzz/make_seeds.sh [build/default]
# ONLY names the corpora to replace (default: all of them); fresh keys make
# every run's CSR-based seeds differ, so replace only what changed.
set -eu
build=${1:-build/default}
tmp=$(mktemp -d)
corpus=$tmp/out
trap 'rm -rf "$tmp"' EXIT
umask 077

key() {  # key NAME ALGORITHM-ARGS...
  name=$1; shift
  openssl genpkey "$@" -out "$tmp/$name.key" 2>/dev/null
}
csr() {  # csr KEY SUBJECT [ADDEXT...] -> DER on stdout
  k=$1; subj=$2; shift 2
  openssl req -new -key "$tmp/$k.key" -subj "$subj" "$@" -outform DER
}

key p256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
key p384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384
key p521 -algorithm EC -pkeyopt ec_paramgen_curve:P-521
key rsa2048 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
key rsa3072 -algorithm RSA -pkeyopt rsa_keygen_bits:3072
key rsae3 -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3
key ed25519 -algorithm ED25519

# Appliance intermediate CSRs: 2 bytes (profile bits, validity steps) + DER.
a=$corpus/appliance_csr_profile
mkdir -p "$a"
pfx() { printf "$1" > "$2"; cat >> "$2"; }
csr p384 "/C=DE/O=Example/CN=Example Issuing CA 1" | pfx '\377\074' "$a/p384_all_allowed"
csr p256 "/C=DE/O=Example/CN=Example TLS CA" | pfx '\307\074' "$a/p256_eku_nc"
csr rsa3072 "/O=Example/CN=RSA CA" | pfx '\360\074' "$a/rsa3072"
csr rsa2048 "/O=Example/CN=RSA 2048 CA" | pfx '\320\074' "$a/rsa2048_min3072_refused"
csr rsae3 "/O=Example/CN=RSA e3 CA" | pfx '\360\074' "$a/rsa_e3_refused"
csr p521 "/O=Example/CN=P-521 CA" | pfx '\377\074' "$a/p521_refused"
csr ed25519 "/O=Example/CN=Ed25519 CA" | pfx '\377\074' "$a/ed25519_refused"
csr p256 "/O=Example/CN=Too long" | pfx '\377\377' "$a/validity_too_long"
csr p256 "/O=Example/CN=Zero validity" | pfx '\377\000' "$a/validity_zero"
csr p256 "/CN=Bad sig" > "$tmp/bad.der"
# flip a byte of the signature (the last bytes of the DER)
python3 -c "import sys;b=bytearray(open(sys.argv[1],'rb').read());b[-3]^=1;open(sys.argv[1],'wb').write(b)" "$tmp/bad.der"
pfx '\377\074' "$a/bad_signature" < "$tmp/bad.der"

# Signer issuance CSRs: 1 control byte (profile | re-sign | narrow | reuse) + DER.
s=$corpus/signer_issuance
mkdir -p "$s"
csr p256 "/CN=www.example.com" -addext "subjectAltName=DNS:www.example.com,DNS:example.com,IP:10.0.0.7" | pfx '\000' "$s/tls_server"
csr p256 "/CN=*.example.org" -addext "subjectAltName=DNS:*.example.org" | pfx '\000' "$s/tls_server_wildcard"
csr p384 "/CN=client" -addext "subjectAltName=DNS:client.svc.example.com,email:ops@example.com" | pfx '\001' "$s/tls_client"
csr rsa3072 "/CN=signer" -addext "subjectAltName=email:release@example.com" | pfx '\002' "$s/code_signing_rsa"
csr ed25519 "/CN=signer" | pfx '\002' "$s/code_signing_ed25519"
csr p256 "/O=Ignored" -addext "subjectAltName=URI:spiffe://prod.example.org/ns/payments/sa/api" | pfx '\003' "$s/spiffe"
csr p256 "/CN=a.example.com" -addext "subjectAltName=DNS:a.example.com,IP:2001:db8::1,URI:spiffe://prod.example.org/x,email:a@example.com" | pfx '\004' "$s/permissive_all_types"
csr p256 "/CN=evil.example.net" -addext "subjectAltName=DNS:evil.example.net" | pfx '\000' "$s/outside_allowlist"
csr p256 "/CN=api.example.com" -addext "subjectAltName=DNS:api.example.com" | pfx '\020' "$s/narrow_refused"
csr rsa2048 "/CN=www.example.com" -addext "subjectAltName=DNS:www.example.com" | pfx '\010' "$s/resigned"
pfx '\000' "$s/bad_signature" < "$tmp/bad.der"
csr p256 "/CN=www.example.com" -addext "subjectAltName=DNS:www.example.com" | pfx '\040' "$s/reused_request_id"

# The dispatcher's sign_intermediate and cross_sign seeds.
csr p384 "/C=DE/O=Example/CN=Example Issuing CA 2" > "$tmp/int.csr.der"
# The other root must be valid at the fuzz device's time (2026-09), so its
# dates are set explicitly (python3-cryptography; openssl req can't).
python3 - "$tmp/other_root.der" <<'PY'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
key = ec.generate_private_key(ec.SECP384R1())
name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                  x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Other"),
                  x509.NameAttribute(NameOID.COMMON_NAME, "Other Root CA")])
ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2020, 1, 1))
        .not_valid_after(datetime.datetime(2045, 1, 1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                       critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA384()))
open(sys.argv[1], "wb").write(cert.public_bytes(serialization.Encoding.DER))
PY
"$build/tests/fuzz_seedgen" "$corpus" "$tmp/int.csr.der" "$tmp/other_root.der"

# signerd requests: 1 selector byte (0 Sign, 1 IssueCertificate,
# 2 GetPublicKey, 3 peer certificate PEM) + the protobuf or PEM bytes.
r=$corpus/signer_request
mkdir -p "$r"
csr p256 "/CN=www.example.com" -addext "subjectAltName=DNS:www.example.com" > "$tmp/www.csr.der"
openssl req -new -x509 -key "$tmp/p256.key" -subj "/O=Example/CN=ra" -days 30 \
  -addext "subjectAltName=URI:spiffe://prod.example.org/ra" > "$tmp/ra.pem"
openssl req -new -x509 -key "$tmp/p256.key" -subj "/O=Example/CN=ci" -days 30 > "$tmp/ci.pem"
python3 - "$r" "$tmp/www.csr.der" "$tmp/ra.pem" "$tmp/ci.pem" <<'PY'
import hashlib, os, sys
out, csr_path, ra_pem, ci_pem = sys.argv[1:5]

def varint(n):
    b = bytearray()
    while True:
        x = n & 0x7F
        n >>= 7
        b.append(x | (0x80 if n else 0))
        if not n:
            return bytes(b)

def field(num, value):  # int -> varint, bytes/str -> length-delimited
    if isinstance(value, int):
        return varint(num << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(num << 3 | 2) + varint(len(value)) + value

def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

def write(name, sel, payload):
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([sel]) + payload)

d256 = hashlib.sha256(b"artifact").digest()
d384 = hashlib.sha384(b"artifact").digest()
write("sign_p256", 0, field(1, "artifacts") + field(3, 1) + field(4, "req-1") +
      field(5, field(1, d256)) + field(7, crc32c(d256)))
write("sign_p384_version", 0, field(1, "artifacts") + field(2, 2) + field(3, 2) + field(5, field(2, d384)))
write("sign_ed25519_message", 0, field(1, "artifacts") + field(3, 9) + field(6, b"hello world"))
write("sign_digest_mismatch", 0, field(1, "artifacts") + field(3, 1) + field(5, field(2, d384)))
write("sign_issuance_key", 0, field(1, "int-ec") + field(3, 1) + field(5, field(1, d256)))
write("sign_unknown_key", 0, field(1, "nope") + field(3, 3) + field(5, field(1, d256)))
csr = open(csr_path, "rb").read()
write("issue_tls_server", 1, field(1, csr) + field(2, "tls-server") + field(3, "issue-1") + field(4, "order/1"))
write("issue_not_granted", 1, field(1, csr) + field(2, "code-signing") + field(3, "issue-2"))
write("issue_unknown_profile", 1, field(1, csr) + field(2, "nope") + field(3, "issue-3"))
write("get_public_key", 2, field(1, "artifacts"))
write("get_public_key_unknown", 2, field(1, "secret-key") + field(2, 1))
write("peer_ra", 3, open(ra_pem, "rb").read())
write("peer_ci_subject", 3, open(ci_pem, "rb").read())
PY

# Previewed TBS bytes for the host's lint: 2 bytes (kind/path_len, validity
# or nextUpdate days) + a TBSCertificate / TBSCertList issued under the fuzz
# root's name (ceremony_tbs_lint_fuzz.cc).
l=$corpus/ceremony_tbs_lint
mkdir -p "$l"
python3 - "$l" <<'PY'
import datetime, os, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
out = sys.argv[1]
root_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
                       x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example"),
                       x509.NameAttribute(NameOID.COMMON_NAME, "Fuzz Root CA R1")])
root_key = ec.generate_private_key(ec.SECP256R1())
sub_key = ec.generate_private_key(ec.SECP384R1())
aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key())
ski = x509.SubjectKeyIdentifier.from_public_key(sub_key.public_key())
nb = datetime.datetime(2027, 1, 1)

def inter(name, days, path_len, bc_critical=True, ku=True, with_ids=True, issuer=root_name,
          serial=0x1122334455667788990011223344556677889900):
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
         .issuer_name(issuer).public_key(sub_key.public_key()).serial_number(serial)
         .not_valid_before(nb).not_valid_after(nb + datetime.timedelta(days=days))
         .add_extension(x509.BasicConstraints(ca=True, path_length=path_len), critical=bc_critical))
    if ku:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                            critical=True)
    if with_ids:
        b = b.add_extension(aki, critical=False).add_extension(ski, critical=False)
    return b.sign(root_key, hashes.SHA256()).tbs_certificate_bytes

def crl(days, number=True):
    b = (x509.CertificateRevocationListBuilder().issuer_name(root_name)
         .last_update(nb).next_update(nb + datetime.timedelta(days=days)))
    b = b.add_revoked_certificate(x509.RevokedCertificateBuilder()
                                  .serial_number(0x11223344).revocation_date(nb).build())
    if number:
        b = b.add_extension(x509.CRLNumber(7), critical=False)
    b = b.add_extension(aki, critical=False)
    return b.sign(root_key, hashes.SHA256()).tbs_certlist_bytes

def write(name, b0, b1, tbs):
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([b0, b1]) + tbs)

write("cert_clean", 0 | (1 << 1), 61, inter("Issuing CA 1", 1830, 0))
write("cert_pathlen_mismatch", 0 | (3 << 1), 61, inter("Issuing CA 2", 1830, 0))
write("cert_too_long", 0 | (1 << 1), 10, inter("Issuing CA 3", 1830, 0))
write("cert_no_ku_no_ids", 0, 0, inter("Issuing CA 4", 365, None, bc_critical=False, ku=False,
                                       with_ids=False))
other = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Someone Else")])
write("cert_wrong_issuer", 0, 0, inter("Issuing CA 5", 365, None, issuer=other))
write("crl_clean", 1, 30, crl(30))
write("crl_far", 1, 7, crl(90))
write("crl_no_number", 1, 30, crl(30, number=False))
write("garbage", 0, 0, b"\x30\x03\x02\x01\x00")
PY

for d in "$corpus"/*; do
  name=$(basename "$d")
  case " ${ONLY:-$name} " in
    *" $name "*) rm -rf "tests/fuzz/corpus/$name"; cp -r "$d" "tests/fuzz/corpus/$name"
                 echo "replaced tests/fuzz/corpus/$name ($(ls "$d" | wc -l) seeds)" ;;
  esac
done

#!/bin/sh
# make_pki.sh DIR — the certificates and CRLs of tests/signer_tls, made with
# the openssl CLI ("openssl ca" keeps its own database, dates and CRLs):
#   ca/ca.pem        client CA (also signs the server certificates)
#   other/ca.pem     another CA with the same subject name (a look-alike)
#   server.pem/.key  CN=signer, SAN DNS:localhost, IP:127.0.0.1
#   wrong.pem/.key   a server certificate for other.example.org only
#   rogue.pem/.key   a server certificate for localhost from the other CA
#   good, revoked, expired, intruder (.pem/.key): client certificates; the
#     intruder has good's name from the other CA; expired ended yesterday
#   crl.pem          the CA's CRL revoking `revoked`, nextUpdate in 24 h
#   stale_crl.pem    the same list, nextUpdate yesterday
#   crl2.pem         a newer CRL that also revokes `good`
# Keys are P-256, mode 0600. Prints nothing on success.
set -eu
d=$1
cd "$d"
umask 077

ago() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

mkca() {
  name=$1 subj=$2
  mkdir -p "$name/db"
  : > "$name/db/index"
  echo 1000 > "$name/db/serial"
  echo 1000 > "$name/db/crlnumber"
  cat > "$name/ca.cnf" <<CNF
[ca]
default_ca = this
[this]
dir = $d/$name
database = \$dir/db/index
serial = \$dir/db/serial
crlnumber = \$dir/db/crlnumber
new_certs_dir = \$dir/db
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
default_days = 7
policy = any
unique_subject = no
copy_extensions = copy
[any]
organizationName = optional
commonName = supplied
[client]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name/ca.key" \
    -out "$name/ca.pem" -days 30 -subj "$subj" \
    -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
}

# issue CA NAME SUBJECT EXTENSIONS SAN [openssl ca options...]
issue() {
  ca=$1 name=$2 subj=$3 ext=$4 san=$5
  shift 5
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" \
    -out "$name.csr" -subj "$subj" -addext "subjectAltName=$san" 2>/dev/null
  openssl ca -batch -notext -config "$ca/ca.cnf" -extensions "$ext" -in "$name.csr" -out "$name.pem" "$@" 2>/dev/null
  rm -f "$name.csr"
}

mkca ca "/O=Example/CN=TLS Test Client CA"
mkca other "/O=Example/CN=TLS Test Client CA"

issue ca server "/O=Example/CN=signer" server "DNS:localhost,IP:127.0.0.1"
issue ca wrong "/O=Example/CN=other" server "DNS:other.example.org"
issue other rogue "/O=Example/CN=signer" server "DNS:localhost,IP:127.0.0.1"
issue ca good "/O=Example/CN=good" client "URI:spiffe://example.org/good"
issue ca revoked "/O=Example/CN=revoked" client "URI:spiffe://example.org/revoked"
issue ca expired "/O=Example/CN=expired" client "URI:spiffe://example.org/expired" \
  -startdate "$(ago '-3 days')" -enddate "$(ago '-1 day')"
issue other intruder "/O=Example/CN=good" client "URI:spiffe://example.org/good"

openssl ca -batch -config ca/ca.cnf -revoke revoked.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config ca/ca.cnf -gencrl -crlhours 24 -out crl.pem 2>/dev/null
openssl ca -batch -config ca/ca.cnf -gencrl -crl_lastupdate "$(ago '-2 days')" \
  -crl_nextupdate "$(ago '-1 day')" -out stale_crl.pem 2>/dev/null
openssl ca -batch -config ca/ca.cnf -revoke good.pem 2>/dev/null
openssl ca -batch -config ca/ca.cnf -gencrl -crlhours 24 -out crl2.pem 2>/dev/null

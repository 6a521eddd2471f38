#!/usr/bin/env bash
# Creates a DEMO time-stamp authority PKI with the openssl CLI:
#   a root CA, optionally an intermediate CA, and a TSA certificate whose
#   extendedKeyUsage is critical and exactly id-kp-timeStamping (RFC 3161 §2.3).
#
# Usage: deploy/make-tsa-cert.sh DIR [--key-type ec|rsa] [--intermediate]
#                                    [--name "Tiezheng Demo TSA"] [--days N]
#
# Writes into DIR (created if missing; existing files are never overwritten):
#   ca.pem, ca.key                 root CA (trust anchor for verifiers)
#   intermediate.pem/.key          only with --intermediate
#   chain.pem                      certificates between the TSA and the root
#                                  (empty without --intermediate)
#   tsa.pem, tsa.key               the TSA certificate and its private key
#   tsa.cnf, tsa-serial            a config for `openssl ts -reply -config DIR/tsa.cnf`
#
# Keys are unencrypted PEM files with mode 0600. This is for tests and demos
# only: a production TSA key belongs in an HSM or at least an encrypted file,
# and its certificate is issued by the consortium's CA, not by this script.
#
# Key types: ec = ECDSA P-256 (default), rsa = RSA-3072. Ed25519 and SM2 are
# not offered because OpenSSL 3.0's RFC 3161 code (PKCS#7 based) cannot sign
# time-stamp tokens with them (see docs/timestamp.md).
set -euo pipefail

usage() {
  sed -n '6,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
dir=$1
shift
key_type=ec
intermediate=0
name="Tiezheng Demo TSA"
days=3650
while [[ $# -gt 0 ]]; do
  case $1 in
    --key-type) key_type=${2:?}; shift 2 ;;
    --intermediate) intermediate=1; shift ;;
    --name) name=${2:?}; shift 2 ;;
    --days) days=${2:?}; shift 2 ;;
    *) usage ;;
  esac
done

case $key_type in
  ec) keyopts=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256) ;;
  rsa) keyopts=(-algorithm RSA -pkeyopt rsa_keygen_bits:3072) ;;
  *) echo "make-tsa-cert: unsupported key type '$key_type' (ec or rsa)" >&2; exit 2 ;;
esac

# The project's demo TSA policy: an OID under the UUID arc 2.25 (ITU-T X.667),
# which needs no registration. Keep in sync with kDemoTsaPolicy (timestamp.h).
policy=2.25.148080962591587453527050482214446087857

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
for f in ca.pem ca.key tsa.pem tsa.key tsa.cnf; do
  if [[ -e $dir/$f ]]; then
    echo "make-tsa-cert: $dir/$f exists; refusing to overwrite" >&2
    exit 1
  fi
done

umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

newkey() { openssl genpkey "${keyopts[@]}" -out "$1" 2>/dev/null; }

# Root CA (self-signed).
newkey "$dir/ca.key"
openssl req -new -x509 -sha256 -key "$dir/ca.key" -out "$dir/ca.pem" -days "$days" \
  -subj "/O=Tiezheng Demo/CN=Tiezheng Demo Root CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash"

issuer_pem=$dir/ca.pem
issuer_key=$dir/ca.key
: >"$dir/chain.pem"

if [[ $intermediate == 1 ]]; then
  newkey "$dir/intermediate.key"
  openssl req -new -key "$dir/intermediate.key" -out "$tmp/intermediate.csr" \
    -subj "/O=Tiezheng Demo/CN=Tiezheng Demo Intermediate CA"
  cat >"$tmp/intermediate.ext" <<'EOF'
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
  openssl x509 -req -sha256 -in "$tmp/intermediate.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$days" -extfile "$tmp/intermediate.ext" \
    -out "$dir/intermediate.pem" 2>/dev/null
  cp "$dir/intermediate.pem" "$dir/chain.pem"
  issuer_pem=$dir/intermediate.pem
  issuer_key=$dir/intermediate.key
fi

# TSA certificate: critical EKU timeStamping and nothing else, as RFC 3161
# §2.3 requires and as OpenSSL's verifier (purpose timestampsign) enforces.
newkey "$dir/tsa.key"
openssl req -new -key "$dir/tsa.key" -out "$tmp/tsa.csr" -subj "/O=Tiezheng Demo/CN=$name"
cat >"$tmp/tsa.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
extendedKeyUsage=critical,timeStamping
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
openssl x509 -req -sha256 -in "$tmp/tsa.csr" -CA "$issuer_pem" -CAkey "$issuer_key" \
  -set_serial "0x$(openssl rand -hex 16)" -days "$days" -extfile "$tmp/tsa.ext" \
  -out "$dir/tsa.pem" 2>/dev/null

# A configuration for `openssl ts -reply`, so the same TSA can be run by the
# reference implementation (used by the interop tests and the docs).
echo 01 >"$dir/tsa-serial"
cat >"$dir/tsa.cnf" <<EOF
# openssl ts -reply -config $dir/tsa.cnf -queryfile REQ.tsq -out RESP.tsr
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = $dir
serial = \$dir/tsa-serial
crypto_device = builtin
signer_cert = \$dir/tsa.pem
certs = \$dir/chain.pem
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = $policy
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
EOF

chmod 0644 "$dir"/*.pem "$dir/tsa.cnf"
chmod 0600 "$dir"/*.key "$dir/tsa-serial"
echo "make-tsa-cert: wrote demo TSA PKI to $dir (trust anchor: $dir/ca.pem)"

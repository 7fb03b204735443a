#!/usr/bin/env bash
# Makes development certificates for KVS with openssl: one CA, and a certificate signed by it for
# the servers (gRPC and the broker's TLS listener; valid for localhost and 127.0.0.1) and one for
# a client. Not for production: the CA key lies next to what it signs.
#
#   scripts/dev-certs.sh [DIR]      (default DIR: ./certs; existing files are kept)
#
# Makes DIR/ca.pem, ca.key, server.pem, server.key, client.pem, client.key (keys: EC P-256,
# PKCS#8 PEM, readable by the owner only).
set -euo pipefail
dir=${1:-certs}
days=${DAYS:-825}
command -v openssl >/dev/null || { echo "dev-certs.sh: openssl is needed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"
umask 077

key() { [ -f "$1" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [ ! -f ca.pem ]; then
  key ca.key
  openssl req -x509 -new -key ca.key -sha256 -days "$days" -subj "/CN=KVS development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.pem
fi

# sign NAME CN EXTENDED-USAGE [SAN]
sign() {
  local name=$1 cn=$2 usage=$3 san=${4:-}
  [ -f "$name.pem" ] && return
  key "$name.key"
  local ext
  ext=$(mktemp)
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    if [ -n "$san" ]; then echo "subjectAltName=$san"; fi
  } > "$ext"
  openssl req -new -key "$name.key" -subj "/CN=$cn" 2>/dev/null |
    openssl x509 -req -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" -sha256 \
      -extfile "$ext" -out "$name.pem" 2>/dev/null
  rm -f "$ext"
}

sign server "localhost" serverAuth,clientAuth "DNS:localhost,IP:127.0.0.1,IP:::1"
sign client "kvs-client" clientAuth
chmod 644 ca.pem server.pem client.pem
rm -f ca.srl
echo "dev-certs.sh: certificates in $(pwd): ca.pem, server.pem/server.key, client.pem/client.key"

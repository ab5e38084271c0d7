#!/usr/bin/env bash
# Generates the self-signed certificates that the TLS tests use, with the JDK's keytool.
# Run once; the output is committed (core test resources and the testkit's resources hold the
# same files). Validity is 100 years so the tests never start failing on an expiry date.
#
#   server.p12     key + certificate for CN=localhost, SAN dns:localhost, ip:127.0.0.1
#   wronghost.p12  key + certificate for CN=elsewhere.invalid (trusted, but names another host)
#   stranger.p12   key + certificate for localhost/127.0.0.1 that no trust store holds
#   truststore.p12 the certificates of server and wronghost (no keys)
#
# Every store's password is "sip-adapter-test"; the key alias in each key store is "server".
set -euo pipefail
out=${1:?usage: $0 <output directory>}
pw=sip-adapter-test
mkdir -p "$out"
cd "$out"
rm -f server.p12 wronghost.p12 stranger.p12 truststore.p12 ./*.crt
gen() { # file cn san
  keytool -genkeypair -keystore "$1" -storetype PKCS12 -storepass "$pw" -alias server \
    -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA -validity 36500 \
    -dname "CN=$2, O=sip-adapter tests" -ext "SAN=$3" -noprompt
}
gen server.p12 localhost dns:localhost,ip:127.0.0.1
gen wronghost.p12 elsewhere.invalid dns:elsewhere.invalid
gen stranger.p12 localhost dns:localhost,ip:127.0.0.1
for name in server wronghost; do
  keytool -exportcert -keystore "$name.p12" -storepass "$pw" -alias server -file "$name.crt"
  keytool -importcert -keystore truststore.p12 -storetype PKCS12 -storepass "$pw" \
    -alias "$name" -file "$name.crt" -noprompt
done
rm -f ./*.crt

#!/usr/bin/env bash
# Makes the one-key stores the keystore bench times for each key type, exactly as the JDK writes
# them (keytool -genkeypair: EC keys without their public point, Ed25519 keys), under the
# password "cassandra". Both benches/keystore.rs and benches/peers/KeyStoreBench.java load them.
# Usage: benches/peers/jdk_stores.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
gen() { # case name, store type, keytool key arguments...
  local name=$1 type=$2; shift 2
  local ext=${type,,}; [ "$type" = PKCS12 ] && ext=p12
  rm -f "$dir/$name.$ext"
  keytool -genkeypair -noprompt -alias node -dname "O=cassandra-tls bench,CN=$name" -validity 3650 \
    -storetype "$type" -keystore "$dir/$name.$ext" -storepass cassandra -keypass cassandra "$@" 2>/dev/null
}
for type in JKS JCEKS PKCS12; do
  t=${type,,}
  gen "${t}_rsa2048_onekey" $type -keyalg RSA -keysize 2048
  gen "${t}_ec_p256" $type -keyalg EC -groupname secp256r1
  gen "${t}_ec_p384" $type -keyalg EC -groupname secp384r1
  gen "${t}_ed25519" $type -keyalg Ed25519
done

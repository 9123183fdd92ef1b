#!/usr/bin/env bash
# Seeds the fuzz corpora from fixtures/ and fixtures/conformance/ (the corpora are not committed).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/keystore corpus/pem corpus/options corpus/cqlshrc corpus/handshake_server corpus/handshake_client corpus/detect corpus/nodetool
for f in ../fixtures/stores/* $(find ../fixtures/conformance/stores -type f 2>/dev/null); do
  name=$(basename "$f")
  # The first byte chooses the passwords: 1 = "cassandra".
  { printf '\001'; cat "$f"; } > "corpus/keystore/$name"
done
for f in ../fixtures/stores/*.pem $(find ../fixtures/conformance -name '*.pem' -type f 2>/dev/null); do
  { printf '\001'; cat "$f"; } > "corpus/pem/$(basename "$f")"
done
cp ../fixtures/conf/*.yaml corpus/options/
cp ../fixtures/conf/cqlshrc* corpus/cqlshrc/
cp ../fixtures/conf/nodetool-ssl*.properties corpus/nodetool/
cp ../fixtures/conf/broken/*.yaml corpus/options/ 2>/dev/null || true
# A real ClientHello (Python's ssl), for the server handshake and detect().
python3 -c "
import ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
s = ctx.wrap_bio(i, o, server_hostname='127.0.0.1')
try:
    s.do_handshake()
except ssl.SSLWantReadError:
    pass
open('corpus/handshake_server/clienthello-python', 'wb').write(o.read())
"
cp corpus/handshake_server/clienthello-python corpus/detect/
# Real server flights (TLS 1.3 and 1.2) from Python's ssl answering that ClientHello, for the client handshake.
python3 -c "
import ssl
hello = open('corpus/handshake_server/clienthello-python', 'rb').read()
for name, version in (('tls13', ssl.TLSVersion.TLSv1_3), ('tls12', ssl.TLSVersion.TLSv1_2)):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ctx.maximum_version = version
    ctx.load_cert_chain('../fixtures/stores/node1.chain.pem', '../fixtures/stores/node1.key.pem')
    i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
    s = ctx.wrap_bio(i, o, server_side=True)
    i.write(hello)
    try:
        s.do_handshake()
    except ssl.SSLError:
        pass
    open('corpus/handshake_client/serverflight-python-' + name, 'wb').write(o.read())
"

printf '\026\003\001\002\000' > corpus/detect/tls
printf '\004\000\000\000\005\000\000\000\000' > corpus/detect/cql
echo "corpora seeded under fuzz/corpus"

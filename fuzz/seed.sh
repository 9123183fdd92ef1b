#!/usr/bin/env bash
# Seeds the fuzz corpora from fixtures/ and ../shared/conformance/ (the corpora are not committed).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/keystore corpus/options corpus/handshake_server corpus/detect
for f in ../fixtures/stores/* $(find ../../shared/conformance/stores -type f 2>/dev/null); do
  name=$(basename "$f")
  # The first byte chooses the passwords: 1 = "cassandra".
  { printf '\001'; cat "$f"; } > "corpus/keystore/$name"
done
cp ../fixtures/conf/*.yaml ../fixtures/conf/cqlshrc* corpus/options/ 2>/dev/null || true
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
printf '\026\003\001\002\000' > corpus/detect/tls
printf '\004\000\000\000\005\000\000\000\000' > corpus/detect/cql
echo "corpora seeded under fuzz/corpus"

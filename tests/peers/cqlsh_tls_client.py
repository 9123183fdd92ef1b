"""A TLS client configured as cqlsh configures it: cqlshlib.sslhandling.ssl_settings(host, cqlshrc)
gives the options, and an SSLContext is built from them the way the Python driver (3.29) does:
PROTOCOL_TLS_CLIENT, no host name check, the CA file, the client key and certificate.

Run: python3 tests/peers/cqlsh_tls_client.py CQLSHRC HOST PORT
Sends "ping", prints "RECEIVED <line> <version>" or "ERROR <class>: <message>".
"""
import contextlib
import socket
import ssl
import sys

from cqlshlib.sslhandling import ssl_settings

rc, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
with contextlib.redirect_stdout(sys.stderr):
    opts = ssl_settings(host, rc)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = opts["cert_reqs"]
if opts["ca_certs"]:
    ctx.load_verify_locations(opts["ca_certs"])
if opts["certfile"]:
    ctx.load_cert_chain(opts["certfile"], opts["keyfile"])
try:
    with socket.create_connection((host, port), timeout=60) as raw:
        with ctx.wrap_socket(raw, server_hostname=host) as s:
            s.sendall(b"ping\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            print("RECEIVED", data.decode().strip(), s.version())
except Exception as e:  # report, do not crash: the test reads the outcome
    print("ERROR", type(e).__name__ + ":", e)

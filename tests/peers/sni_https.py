"""A stand-in for a managed service's metadata endpoint and SNI proxy, on Python's ssl.

Requires a client certificate from --ca, records the SNI name of each connection, and answers
  GET /metadata -> the service's contact_info JSON (sni_proxy_address = --proxy-host:port)
  GET /sni      -> "<sni name> <client certificate CN>"
Prints "LISTENING <port>" when ready and "SNI <name>" per connection.
"""
import argparse
import json
import socket
import ssl
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--cert", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--ca", required=True)
ap.add_argument("--proxy-host", required=True)
ap.add_argument("--host-ids", required=True)
args = ap.parse_args()

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(args.cert, args.key)
ctx.load_verify_locations(args.ca)
ctx.verify_mode = ssl.CERT_REQUIRED


def remember_sni(sock, name, _ctx):
    sock.seen_sni = name


ctx.sni_callback = remember_sni

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
port = listener.getsockname()[1]
print("LISTENING %d" % port, flush=True)

while True:
    raw, _ = listener.accept()
    raw.settimeout(60)
    try:
        conn = ctx.wrap_socket(raw, server_side=True)
    except Exception as e:  # a refused client: say so and go on
        print("HANDSHAKE-ERROR %s" % e, flush=True)
        raw.close()
        continue
    try:
        sni = getattr(conn, "seen_sni", None)
        print("SNI %s" % sni, flush=True)
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                break
            request += chunk
        line = request.split(b"\r\n", 1)[0].decode("ascii", "replace")
        if line.startswith("GET /metadata "):
            body = json.dumps({
                "version": 1,
                "region": "test-region",
                "contact_info": {
                    "type": "sni_proxy",
                    "local_dc": "dc-test",
                    "contact_points": args.host_ids.split(","),
                    "sni_proxy_address": "%s:%d" % (args.proxy_host, port),
                },
            }).encode()
            status = "200 OK"
        elif line.startswith("GET /sni "):
            cn = [v for rdn in conn.getpeercert()["subject"] for (k, v) in rdn if k == "commonName"]
            body = ("%s %s" % (sni, cn[0] if cn else "")).encode()
            status = "200 OK"
        else:
            body = b"not found"
            status = "404 Not Found"
        conn.sendall(("HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                      "Connection: close\r\n\r\n" % (status, len(body))).encode() + body)
        conn.unwrap().close()
    except Exception as e:
        print("ERROR %s" % e, flush=True)
        conn.close()
    sys.stdout.flush()

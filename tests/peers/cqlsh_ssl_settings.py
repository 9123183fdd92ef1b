"""Prints what cqlsh's own cqlshlib.sslhandling.ssl_settings returns for each case on stdin.

Input (JSON): [{"host": ..., "file": ..., "env": {...}}, ...]; output: one JSON list, each item
{"ok": true, "ca_certs", "validate", "keyfile", "certfile"} or {"ok": false, "error": ...}.
"""
import contextlib
import json
import ssl
import sys

from cqlshlib.sslhandling import ssl_settings

out = []
for case in json.load(sys.stdin):
    try:
        # cqlsh prints its warnings on stdout; keep stdout for the JSON.
        with contextlib.redirect_stdout(sys.stderr):
            r = ssl_settings(case["host"], case["file"], case["env"])
        out.append({
            "ok": True,
            "ca_certs": r["ca_certs"],
            "validate": r["cert_reqs"] == ssl.CERT_REQUIRED,
            "keyfile": r["keyfile"],
            "certfile": r["certfile"],
        })
    except SystemExit as e:
        out.append({"ok": False, "error": str(e)})
    except Exception as e:  # configparser parse errors propagate out of cqlsh too
        out.append({"ok": False, "error": type(e).__name__})
print(json.dumps(out))

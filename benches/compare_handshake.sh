#!/usr/bin/env bash
# Runs the handshake bench (the machine against raw rustls), JSSE's in-memory handshakes and the
# session-memory measurement, one after the other, and prints the table in BENCHMARKS.md.
# Usage: benches/compare_handshake.sh [seconds per JSSE case, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo bench --bench handshake >/dev/null 2>&1
java benches/peers/HandshakeBench.java fixtures/stores "$secs" > "$out/jsse.txt"
cargo bench --bench session_memory 2>/dev/null | grep session_memory > "$out/memory.txt"
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
jsse = {}
for line in open(os.path.join(out, "jsse.txt")):
    name, per_sec, us = line.split()
    jsse[name] = float(us)
def crit(group, fn):
    p = f"target/criterion/{group}/{fn}/new/estimates.json"
    return json.load(open(p))["mean"]["point_estimate"] / 1000.0
print("| case | cassandra-tls | raw rustls | overhead | JSSE (SSLEngine) | vs JSSE |")
print("|---|---|---|---|---|---|")
for case in ["tls13-mtls-p256", "tls13-mtls-rsa2048", "tls13-resume"]:
    ours, raw = crit(f"handshake_{case}", "cassandra-tls"), crit(f"handshake_{case}", "rustls")
    j = jsse.get(case)
    js = f"{j:.0f} µs ({1e6 / j:.0f}/s)" if j else "n/a"
    vs = f"{j / ours:.1f}x" if j else "n/a"
    print(f"| handshake/{case} | {ours:.1f} µs ({1e6 / ours:.0f}/s) | {raw:.1f} µs | {100 * (ours / raw - 1):+.1f}% | {js} | {vs} |")
ours, raw = crit("bulk_16k", "cassandra-tls"), crit("bulk_16k", "rustls")
print(f"| bulk/16k (seal + open) | {ours * 1000:.0f} ns ({16384 / ours / 1e3:.2f} GB/s) | {raw * 1000:.0f} ns | {100 * (ours / raw - 1):+.1f}% | n/a | n/a |")
print()
print(open(os.path.join(out, "memory.txt")).read().strip())
PY

#!/usr/bin/env bash
# Runs the Rust keystore bench, the JDK (warmed JVM) and pyjks on the same fixtures, one after
# the other on this machine, and prints one markdown table (the one in BENCHMARKS.md).
# Usage: benches/compare.sh [seconds per Java/pyjks case, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

bash benches/peers/jdk_stores.sh "$out/key-types"
KEYSTORE_BENCH_JDK_STORES="$out/key-types" cargo bench --bench keystore >/dev/null 2>&1
java benches/peers/KeyStoreBench.java fixtures/stores "$secs" "$out/key-types" > "$out/java.txt"
python3 -c 'import jks' 2>/dev/null || pip install -q pyjks >/dev/null 2>&1
python3 benches/peers/pyjks_bench.py fixtures/stores "$secs" > "$out/pyjks.txt"

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
def peer(f):
    d = {}
    for line in open(os.path.join(out, f)):
        name, us, _ = line.split()
        d[name] = float(us)
    return d
java, pyjks = peer("java.txt"), peer("pyjks.txt")
def crit(name):
    p = f"target/criterion/keystore/{name}/new/estimates.json"
    return json.load(open(p))["mean"]["point_estimate"] / 1000.0
def fmt(us):
    if us is None: return "n/a"
    return f"{us/1000:.2f} ms" if us >= 1000 else f"{us:.1f} µs"
cases = ["jks_rsa2048_chain3", "jks_truststore_40", "jceks_rsa2048_chain3", "pkcs12_jdk_default",
         "pkcs12_legacy", "pem_encrypted_pkcs12_3des_chain3", "pem_encrypted_pbes2_aes256"]
cases += [f"{t}_{k}" for t in ("jks", "jceks", "pkcs12")
          for k in ("rsa2048_onekey", "ec_p256", "ec_p384", "ed25519")]
print("| file | cassandra-tls load | hashing floor | load / floor | Java load + getKey | Java load only | pyjks | vs Java | vs pyjks |")
print("|---|---|---|---|---|---|---|---|---|")
for c in cases:
    r, f = crit(f"{c}_load"), crit(f"{c}_floor")
    j, jo, p = java.get(f"{c}/load+getKey"), java.get(f"{c}/load_only"), pyjks.get(f"{c}/load+getKey")
    vj = f"{j / r:.1f}x" if j else "n/a"
    vp = f"{p / r:.0f}x" if p else "n/a"
    print(f"| {c} | {fmt(r)} | {fmt(f)} | {r / f:.2f} | {fmt(j)} | {fmt(jo)} | {fmt(p)} | {vj} | {vp} |")
PY

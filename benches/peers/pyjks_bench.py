"""Times pyjks loading the JKS and JCEKS fixtures (pyjks reads no PKCS#12 or PEM).

Run: python3 benches/peers/pyjks_bench.py <fixtures/stores dir> <seconds per case>
Prints "<case>/load+getKey <mean microseconds> <loads>" per case, like KeyStoreBench.java.
"""
import sys
import time

import jks

CASES = [
    ("jks_rsa2048_chain3", "node1.jks"),
    ("jks_truststore_40", "truststore40.jks"),
    ("jceks_rsa2048_chain3", "node1.jceks"),
]


def load(data):
    ks = jks.KeyStore.loads(data, "cassandra", try_decrypt_keys=True)
    for pk in ks.private_keys.values():
        if not pk.is_decrypted():
            pk.decrypt("cassandra")
    return ks


def main():
    directory, seconds = sys.argv[1], float(sys.argv[2])
    for name, file in CASES:
        with open(f"{directory}/{file}", "rb") as f:
            data = f.read()
        end = time.perf_counter() + seconds / 2
        while time.perf_counter() < end:
            load(data)
        n = 0
        start = time.perf_counter()
        end = start + seconds
        now = start
        while now < end or n < 3:
            load(data)
            n += 1
            now = time.perf_counter()
        print(f"{name}/load+getKey {(now - start) / n * 1e6:.3f} {n}")


if __name__ == "__main__":
    main()

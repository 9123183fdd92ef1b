#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) one after another, RSS and malloc limited to 512 MB,
# logging to fuzz/logs/TARGET.log. Seeds the corpora first. Needs cargo-fuzz and a nightly toolchain.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
bash seed.sh
mkdir -p logs
cargo +nightly fuzz build
for t in keystore pem options cqlshrc handshake_server handshake_client detect nodetool; do
  cargo +nightly fuzz run "$t" "$PWD/corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=512 \
    -malloc_limit_mb=512 -max_len=65536 -print_final_stats=1 > "logs/$t.log" 2>&1 || echo "$t: FAILED (see logs/$t.log)"
done

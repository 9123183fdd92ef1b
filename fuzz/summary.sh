#!/usr/bin/env bash
# Prints the RELIABILITY.md table from fuzz/logs/*.log (written by run-all.sh) and fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
echo "| target | time | executions | coverage (cov / ft) | peak RSS | findings |"
echo "|---|---|---|---|---|---|"
for log in logs/*.log; do
  t=$(basename "$log" .log)
  done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
  runs=$(echo "$done_line" | awk '{print $2}')
  secs=$(echo "$done_line" | awk '{print $5}')
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 | awk '{print $2 " / " $4}' || true)
  rss=$(grep -E 'stat::peak_rss_mb' "$log" | awk '{print $2}' || true)
  findings=$(find "artifacts/$t" -type f 2>/dev/null | wc -l)
  printf '| %s | %s s | %s | %s | %s MB | %s |\n' "$t" "${secs:-?}" \
    "$(printf "%'d" "${runs:-0}" 2>/dev/null || echo "$runs")" "${cov:-?}" "${rss:-?}" \
    "$([ "$findings" -eq 0 ] && echo none || echo "$findings input(s) in artifacts/$t")"
done

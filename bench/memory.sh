#!/usr/bin/env bash
# Resident memory per queued job, both brokers in memory, in the same run (the issue's memory figure): fills a fresh
# beanstalkd and a fresh `sluiced --in-memory` with N jobs (qload puts, 50 connections x 16 pipelined), then reads
# each one's resident size at the given seconds after the fill and prints bytes per job and the ratio.
#   bench/memory.sh [N]     (default 1000000)
# env: BODY=100; AFTER="1 5 30" (seconds; a Sluice gone quiet hands back the heap the burst grew within about two:
# IdleHeapTrim)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-1000000}
BODY=${BODY:-100}
AFTER=${AFTER:-"1 5 30"}
MODE=mem
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
rss_kb() { ps -o rss= -p "$SPID" | tr -d ' '; }

echo "# $(date -u +%FT%TZ) $N jobs of $BODY bytes, in memory, $(nproc) cores"
declare -A per
for server in beanstalkd sluice; do
  start $server
  before=$(rss_kb)
  if ! "$QDIR/qload" --port $PORT --mode put --conns 50 --pipeline 16 --ops "$N" --body "$BODY" --quiet \
      >"$DATA/fill.txt" 2>&1; then
    echo "$server: filling it with $N jobs failed:" >&2; grep -v '^RESULT' "$DATA/fill.txt" | tail -5 >&2; exit 1
  fi
  t=0
  for a in $AFTER; do
    sleep $((a - t)); t=$a
    kb=$(rss_kb)
    per[$server.$a]=$(awk -v kb="$kb" -v n="$N" 'BEGIN { printf "%.0f", kb * 1024 / n }')
    printf '%-10s %3d s after the fill: resident %4d MB, %4d B per job (%d MB before it)\n' \
        "$server" "$a" $((kb / 1024)) "${per[$server.$a]}" $((before / 1024))
  done
  stop
done
for a in $AFTER; do
  awk -v s="${per[sluice.$a]}" -v b="${per[beanstalkd.$a]}" -v a="$a" \
      'BEGIN { printf "ratio Sluice / beanstalkd, %d s after the fill: %.2fx\n", a, s / b }'
done

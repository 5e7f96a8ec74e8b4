#!/usr/bin/env bash
# Same-run comparison of Sluice and beanstalkd 1.12 on loopback, with the neutral qload load generator.
# For every workload and repetition it starts a fresh beanstalkd, measures, stops it, then a fresh Sluice, and
# so on, alternating; it prints each median and the ratio Sluice / beanstalkd. In durable mode a third server
# joins the alternation, Sluice in memory, for the target durable / in-memory (column dur/mem).
#
#   bench/run.sh [REPS]            (default 3)
# env: MODE=mem|durable (default mem): mem = beanstalkd in memory vs sluiced --in-memory;
#      durable = beanstalkd -b DIR -f 0 vs sluiced -b DIR (fsync always, the default)
#      WORKLOADS="put_c1_p64 ..." (names in bench/lib.sh), DURATION=5, WARMUP=10, BODY=100, OUT=file for raw RESULT lines,
#      WARM_MB=8192 (memory touched once per boot before measuring, 0 = skip; see bench/lib.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
REPS=${1:-3}
MODE=${MODE:-mem}
DURATION=${DURATION:-5}
BODY=${BODY:-100}
OUT=${OUT:-$root/bench/target/results-$MODE.txt}
if [ "$MODE" = durable ]; then
  WORKLOADS=${WORKLOADS:-"put_c1_p1 put_c10_p1 put_c50_p1"}
else
  WORKLOADS=${WORKLOADS:-"put_c1_p64 put_c50_p1 cycle_c10 cycle_c100 prodcons_c20"}
fi
mkdir -p "$(dirname "$OUT")"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

echo "# $(date -u +%FT%TZ) mode=$MODE reps=$REPS duration=${DURATION}s warmup=${WARMUP}s body=$BODY $(nproc) cores" | tee -a "$OUT"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
SERVERS="beanstalkd sluice"
[ "$MODE" = durable ] && SERVERS="beanstalkd sluice sluice_mem"
printf '%-14s %12s %12s %7s %10s %10s' workload sluice/s beanstalkd/s ratio sl_p99us bs_p99us
[ "$MODE" = durable ] && printf ' %12s %7s' sluice_mem/s dur/mem
echo
for w in $WORKLOADS; do
  s_rates=(); b_rates=(); s_p99=(); b_p99=(); m_rates=()
  for r in $(seq "$REPS"); do
    for server in $SERVERS; do
      start $server
      line=$("$QDIR/qload" --port $PORT $(args "$w") --body "$BODY" --duration "$DURATION" --warmup "$WARMUP" \
             --quiet --server-pid "$SPID" 2>/dev/null | grep '^RESULT' || true)
      stop
      echo "server=$server workload=$w rep=$r $line" >> "$OUT"
      rate=$(echo "$line" | field jobs_per_s); p99=$(echo "$line" | field p99_us)
      errors=$(echo "$line" | field errors)
      [ "${errors:-1}" = 0 ] || echo "WARNING: $server $w rep $r: errors=${errors:-?} (see $OUT)" >&2
      case $server in
        sluice) s_rates+=("${rate:-0}"); s_p99+=("${p99:-0}") ;;
        sluice_mem) m_rates+=("${rate:-0}") ;;
        *) b_rates+=("${rate:-0}"); b_p99+=("${p99:-0}") ;;
      esac
    done
  done
  s=$(printf '%s\n' "${s_rates[@]}" | median); b=$(printf '%s\n' "${b_rates[@]}" | median)
  sp=$(printf '%s\n' "${s_p99[@]}" | median); bp=$(printf '%s\n' "${b_p99[@]}" | median)
  row=$(printf '%-14s %12.0f %12.0f %6sx %10s %10s' "$w" "$s" "$b" "$(ratio "$s" "$b")" "$sp" "$bp")
  if [ "$MODE" = durable ]; then
    m=$(printf '%s\n' "${m_rates[@]}" | median)
    row="$row $(printf '%12.0f %6sx' "$m" "$(ratio "$s" "$m")")"
  fi
  echo "$row" | tee -a "$OUT"
done

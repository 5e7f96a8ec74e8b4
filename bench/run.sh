#!/usr/bin/env bash
# Same-run comparison of Sluice and beanstalkd 1.12 on loopback, with the neutral qload load generator.
# For every workload and repetition it starts a fresh beanstalkd, measures, stops it, then a fresh Sluice, and
# so on, alternating; it prints each median and the ratio Sluice / beanstalkd.
#
#   bench/run.sh [REPS]            (default 3)
# env: MODE=mem|durable (default mem): mem = beanstalkd in memory vs sluiced --in-memory;
#      durable = beanstalkd -b DIR -f 0 vs sluiced -b DIR (fsync always, the default)
#      WORKLOADS="put_c1_p64 ..." (names below), DURATION=5, WARMUP=2, BODY=100, OUT=file for raw RESULT lines
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
REPS=${1:-3}
MODE=${MODE:-mem}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-2}
BODY=${BODY:-100}
OUT=${OUT:-$root/bench/target/results-$MODE.txt}
if [ "$MODE" = durable ]; then
  WORKLOADS=${WORKLOADS:-"put_c1_p1 put_c10_p1 put_c50_p1"}
else
  WORKLOADS=${WORKLOADS:-"put_c1_p64 put_c50_p1 cycle_c10 cycle_c100 prodcons_c20"}
fi
QDIR=$root/bench/target/qload
mkdir -p "$QDIR" "$(dirname "$OUT")"
if [ ! -x "$QDIR/qload" ]; then
  src=${QLOAD_SRC:-$root/../shared/tools/qload}
  cc -O2 -Wall -pthread -o "$QDIR/qload" "$src/qload.c"
fi
command -v beanstalkd >/dev/null || { echo "install beanstalkd first (apt-get install beanstalkd)" >&2; exit 2; }
(cd "$root" && mvn -q -B -pl broker -am package -DskipTests >/dev/null)
# run from a copy, so that rebuilding the tree during a long run cannot change what is measured
DIST=$root/bench/target/dist-$$
rm -rf "$DIST"; mkdir -p "$DIST"; cp -r "$root/broker/target/classes" "$root/broker/target/lib" "$DIST/"
CP="$DIST/classes:$DIST/lib/*"
# the JVM flags bin/sluiced starts the broker with
SLUICE_JVM=$(sed -n 's/^jvm_defaults="\(.*\)"$/\1/p' "$root/bin/sluiced")

args() {
  case $1 in
    put_c1_p1) echo "--mode put --conns 1 --pipeline 1" ;;
    put_c1_p64) echo "--mode put --conns 1 --pipeline 64" ;;
    put_c10_p1) echo "--mode put --conns 10 --pipeline 1" ;;
    put_c50_p1) echo "--mode put --conns 50 --pipeline 1" ;;
    put_c50_p16) echo "--mode put --conns 50 --pipeline 16" ;;
    cycle_c1) echo "--mode cycle --conns 1" ;;
    cycle_c10) echo "--mode cycle --conns 10" ;;
    cycle_c100) echo "--mode cycle --conns 100" ;;
    prodcons_c20) echo "--mode prodcons --conns 20" ;;
    *) echo "unknown workload $1" >&2; exit 2 ;;
  esac
}

PORT=21390
DATA=$(mktemp -d /tmp/sluice-bench.XXXXXX)
SPID=""
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null || true; rm -rf "$DATA"; }
trap 'cleanup; rm -rf "$DIST"' EXIT

start() { # $1 = beanstalkd | sluice
  rm -rf "$DATA/$1"; mkdir -p "$DATA/$1"
  if [ "$1" = beanstalkd ]; then
    if [ "$MODE" = durable ]; then extra="-b $DATA/beanstalkd -f 0"; else extra=""; fi
    beanstalkd -l 127.0.0.1 -p $PORT $extra 2>>"$DATA/beanstalkd.log" & SPID=$!
  else
    if [ "$MODE" = durable ]; then extra="-b $DATA/sluice"; else extra="--in-memory"; fi
    java $SLUICE_JVM ${JAVA_OPTS:-} -cp "$CP" io.sluice.broker.Main -p $PORT $extra ${SLUICE_ARGS:-} 2>/dev/null & SPID=$!
  fi
  for _ in $(seq 100); do
    grep -qs ":$(printf "%04X" $PORT) [0:]*:0000 0A" /proc/net/tcp /proc/net/tcp6 && return 0
    sleep 0.05
  done
  echo "server $1 did not start: $(tail -3 "$DATA/beanstalkd.log" 2>/dev/null)" >&2; ss -tlnp | grep ":$PORT" >&2; exit 1
}
stop() { kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=""; }

field() { tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "# $(date -u +%FT%TZ) mode=$MODE reps=$REPS duration=${DURATION}s warmup=${WARMUP}s body=$BODY $(nproc) cores" | tee -a "$OUT"
printf '%-14s %12s %12s %7s %10s %10s\n' workload sluice/s beanstalkd/s ratio sl_p99us bs_p99us
for w in $WORKLOADS; do
  s_rates=(); b_rates=(); s_p99=(); b_p99=()
  for r in $(seq "$REPS"); do
    for server in beanstalkd sluice; do
      start $server
      line=$("$QDIR/qload" --port $PORT $(args "$w") --body "$BODY" --duration "$DURATION" --warmup "$WARMUP" \
             --quiet --server-pid "$SPID" 2>/dev/null | grep '^RESULT' || true)
      stop
      echo "server=$server workload=$w rep=$r $line" >> "$OUT"
      rate=$(echo "$line" | field jobs_per_s); p99=$(echo "$line" | field p99_us)
      errors=$(echo "$line" | field errors)
      [ "${errors:-1}" = 0 ] || echo "WARNING: $server $w rep $r: errors=${errors:-?} (see $OUT)" >&2
      if [ $server = sluice ]; then s_rates+=("${rate:-0}"); s_p99+=("${p99:-0}"); else b_rates+=("${rate:-0}"); b_p99+=("${p99:-0}"); fi
    done
  done
  s=$(printf '%s\n' "${s_rates[@]}" | median); b=$(printf '%s\n' "${b_rates[@]}" | median)
  sp=$(printf '%s\n' "${s_p99[@]}" | median); bp=$(printf '%s\n' "${b_p99[@]}" | median)
  ratio=$(awk -v s="$s" -v b="$b" 'BEGIN { printf "%.2f", (b > 0 ? s / b : 0) }')
  printf '%-14s %12.0f %12.0f %6sx %10s %10s\n' "$w" "$s" "$b" "$ratio" "$sp" "$bp" | tee -a "$OUT"
done

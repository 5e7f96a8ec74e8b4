#!/usr/bin/env bash
# What a job costs each broker, in the same run: the server's CPU per job (user and system µs, /proc/PID/stat)
# and, where perf can count tracepoints, its system calls per job by name; also the load generator's cores.
# It is how RESULTS.md tells a workload bound by the broker's own code from one bound by the kernel's TCP path.
#   bench/cost.sh [WORKLOAD...]    (default: put_c50_p1 cycle_c10 cycle_c100 prodcons_c20; names in bench/lib.sh)
# env: MODE=mem|durable (as bench/run.sh), DURATION=8 (>= 5), WARMUP=10, BODY=100
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
MODE=${MODE:-mem}
DURATION=${DURATION:-8}
BODY=${BODY:-100}
WORKLOADS=${*:-"put_c50_p1 cycle_c10 cycle_c100 prodcons_c20"}
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
SYSCALLS="read write readv writev recvfrom sendto recvmsg sendmsg epoll_wait epoll_ctl futex sched_yield fsync fdatasync pwrite64"
EVENTS=$(for s in $SYSCALLS; do printf 'syscalls:sys_enter_%s,' "$s"; done); EVENTS=${EVENTS%,}
perf_ok=0
if command -v perf >/dev/null && perf stat -e syscalls:sys_enter_read -- true >/dev/null 2>&1; then perf_ok=1; fi
WINDOW=3
[ "$DURATION" -ge $((WINDOW + 2)) ] || { echo "DURATION must be at least $((WINDOW + 2)) s" >&2; exit 2; }
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }

echo "# $(date -u +%FT%TZ) mode=$MODE body=$BODY $(nproc) cores; per job over ${WINDOW}s of steady load"
for w in $WORKLOADS; do
  for server in beanstalkd sluice; do
    start $server
    "$QDIR/qload" --port $PORT $(args "$w") --body "$BODY" --duration "$DURATION" --warmup "$WARMUP" --quiet \
        >"$DATA/q.txt" 2>/dev/null &
    q=$!
    sleep $((WARMUP + 1))
    read -r u0 s0 < <(cpu_ticks "$SPID")
    if [ $perf_ok = 1 ]; then
      perf stat -x, -e "$EVENTS" -p "$SPID" -o "$DATA/perf.txt" -- sleep $WINDOW >/dev/null 2>&1 || true
    else
      sleep $WINDOW
    fi
    read -r u1 s1 < <(cpu_ticks "$SPID")
    wait $q || true
    stop
    line=$(grep '^RESULT' "$DATA/q.txt" || true)
    jobs=$(echo "$line" | field jobs_per_s); errors=$(echo "$line" | field errors)
    [ "${errors:-1}" = 0 ] || echo "WARNING: $server $w: errors=${errors:-?}" >&2
    per=$(awk -v j="${jobs:-0}" -v t=$WINDOW 'BEGIN { print (j > 0 ? j * t : 1) }')
    calls=""
    if [ $perf_ok = 1 ]; then
      calls=$(awk -F, -v n="$per" '$3 ~ /sys_enter_/ && $1 ~ /^[0-9]+$/ && $1 > 0 {
                sub(/.*sys_enter_/, "", $3); printf "%s=%.2f ", $3, $1 / n }' "$DATA/perf.txt")
    fi
    awk -v w="$w" -v sv="$server" -v j="${jobs:-0}" -v n="$per" -v hz="$hz" -v u=$((u1 - u0)) -v s=$((s1 - s0)) \
        -v c="$(echo "$line" | field client_cpu)" -v calls="$calls" \
        'BEGIN { printf "%-13s %-10s %8d jobs/s  usr %5.1f us  sys %5.1f us per job  client %s cores  syscalls/job: %s\n",
                 w, sv, j, u * 1e6 / hz / n, s * 1e6 / hz / n, c, (calls == "" ? "(no perf)" : calls) }'
  done
done

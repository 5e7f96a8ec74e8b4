# Shared by the bench scripts (sourced): builds qload and a copy of the broker ($CP, run with $SLUICE_JVM), makes a
# scratch $DATA removed on exit, and defines args WORKLOAD (its qload flags), listening (something listens on
# $PORT), start SERVER / stop (a fresh beanstalkd or Sluice on $PORT, per $MODE), field NAME (a value of qload's
# RESULT line on stdin) and median, and the default $WARMUP. Expects $root; $MODE (mem or durable) is read by start.
QDIR=$root/bench/target/qload
mkdir -p "$QDIR"
if [ ! -x "$QDIR/qload" ]; then
  src=${QLOAD_SRC:-$root/../shared/tools/qload}
  cc -O2 -Wall -pthread -o "$QDIR/qload" "$src/qload.c"
fi
command -v beanstalkd >/dev/null || { echo "install beanstalkd first (apt-get install beanstalkd)" >&2; exit 2; }
(cd "$root" && mvn -q -B -pl broker -am package -DskipTests >/dev/null)
# run from a copy, so that rebuilding the tree during a long run cannot change what is measured; as bin/sluiced
# runs it: the jar, the libraries in a fixed order, a class-data-sharing archive made for them, and its JVM flags
DIST=$root/bench/target/dist-$$
rm -rf "$DIST"; mkdir -p "$DIST/lib"
cp "$(ls "$root"/broker/target/sluice-broker-*.jar | head -1)" "$DIST/sluice-broker.jar"
cp "$root"/broker/target/lib/*.jar "$DIST/lib/"
CP="$DIST/sluice-broker.jar$(LC_ALL=C ls "$DIST"/lib/*.jar | sed 's/^/:/' | tr -d '\n')"
SLUICE_JVM="$(sed -n 's/^jvm_defaults="\(.*\)"$/\1/p' "$root/bin/sluiced") $("$root/bin/cds-archive" "$CP" "$DIST/sluice.jsa")"

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

# The warm-up before each measured window (run.sh, cost.sh), 10 s: the JVM's JIT compiles for about 6-8 s after the
# load starts, on the two cores the load shares, and Sluice reaches its steady rate only then (cycle c10 in 2 s
# windows from the start: 10-19k, 23-35k, 38-48k, then ~45k; beanstalkd is flat); a 2 s warm-up measured mostly the
# JIT (bench/RESULTS.md, 2026-12-02 fifth round)
WARMUP=${WARMUP:-10}

# A freshly booted VM pays its host for the first touch of each page of memory, about 11 µs a page here: writing 10
# GB to /dev/shm took 27.6 s the first time and 5.1 s the next. A broker filling memory at 200 MB/s spends up to a
# third of its CPU there until the machine's memory has been used once (put, 1 connection, 64 pipelined: the kernel's
# clear_page was 31-35% of Sluice's profile, and 450-550k puts/s became 920k-1.07M/s after this step;
# bench/RESULTS.md, ninth round). It touches the memory both brokers will use, once per boot (a mark in /dev/shm
# holds the boot id), so that a ratio does not depend on how long ago the machine started. WARM_MB=0 skips it.
warm_memory() {
  local mark mb avail
  mark=/dev/shm/.sluice-bench-warm-$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
  mb=${WARM_MB:-8192}
  [ "$mb" -gt 0 ] && [ ! -e "$mark" ] && [ -d /dev/shm ] || return 0
  avail=$(df -Pm /dev/shm | awk 'NR == 2 { print $4 }')
  [ "${avail:-0}" -gt $((mb + 512)) ] || mb=$(( ${avail:-0} > 1024 ? avail - 512 : 0 ))
  [ "$mb" -gt 0 ] || return 0
  echo "# first bench run since boot: touching ${mb} MB of memory once (see bench/lib.sh)" >&2
  dd if=/dev/zero of=/dev/shm/.sluice-bench-warm.tmp bs=1M count="$mb" status=none || true
  rm -f /dev/shm/.sluice-bench-warm.tmp
  touch "$mark"
}
warm_memory

PORT=21390
DATA=$(mktemp -d /tmp/sluice-bench.XXXXXX)
SPID=""
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null || true; rm -rf "$DATA"; }
trap 'cleanup; rm -rf "$DIST"' EXIT

listening() { grep -qs ":$(printf "%04X" $PORT) [0:]*:0000 0A" /proc/net/tcp /proc/net/tcp6; }
start() { # $1 = beanstalkd | sluice | sluice_mem (in memory whatever $MODE)
  rm -rf "$DATA/$1"; mkdir -p "$DATA/$1"
  if [ "$1" = beanstalkd ]; then
    if [ "$MODE" = durable ]; then extra="-b $DATA/beanstalkd -f 0"; else extra=""; fi
    beanstalkd -l 127.0.0.1 -p $PORT $extra 2>>"$DATA/beanstalkd.log" & SPID=$!
  else
    if [ "$MODE" = durable ] && [ "$1" = sluice ]; then extra="-b $DATA/sluice"; else extra="--in-memory"; fi
    java $SLUICE_JVM ${JAVA_OPTS:-} -cp "$CP" io.sluice.broker.Main -p $PORT $extra ${SLUICE_ARGS:-} 2>/dev/null & SPID=$!
  fi
  for _ in $(seq 100); do
    listening && return 0
    sleep 0.05
  done
  echo "server $1 did not start: $(tail -3 "$DATA/beanstalkd.log" 2>/dev/null)" >&2; ss -tlnp | grep ":$PORT" >&2; exit 1
}
stop() { kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=""; }

field() { tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }


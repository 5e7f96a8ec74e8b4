#!/usr/bin/env bash
# Recovery time after kill -9 with N queued jobs (default 1,000,000 of 100 bytes), Sluice vs beanstalkd 1.12, in
# the same run: from process start to the first reply that shows all N jobs ready (both listen while they replay),
# and the resident size a second after that.
#   bench/recovery.sh [N]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-1000000}
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
PORT=21391
PID=""
# (the kill fails once the broker is gone: under set -e that must not skip the clean-up)
trap '{ [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; } || true; cleanup; rm -rf "$DIST"' EXIT

ready_count() {
  python3 - "$PORT" <<'PY'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
    s.sendall(b"stats\r\n"); d = b""
    while not d.endswith(b"\r\n") or d.count(b"\r\n") < 2:
        c = s.recv(65536)
        if not c: break
        d += c
    for l in d.decode().split("\n"):
        if l.startswith("current-jobs-ready: "): print(l.split(": ")[1])
except OSError:
    print(0)
PY
}
launch() { # $1 = name: starts the server in the background, sets PID
  if [ "$1" = beanstalkd ]; then beanstalkd -l 127.0.0.1 -p $PORT -b "$DATA/b" -F & PID=$!
  else java $SLUICE_JVM ${JAVA_OPTS:-} -cp "$CP" io.sluice.broker.Main -p $PORT -b "$DATA/s" -F 2>"$DATA/sluice.err" & PID=$!; fi
}
for name in beanstalkd sluice; do
  mkdir -p "$DATA/b" "$DATA/s"
  launch $name
  until listening; do sleep 0.05; done
  if ! "$QDIR/qload" --port $PORT --mode put --conns 50 --pipeline 16 --ops "$N" --quiet >"$DATA/fill.txt" 2>&1; then
    echo "$name: filling it with $N jobs failed:" >&2; grep -v '^RESULT' "$DATA/fill.txt" | tail -5 >&2; exit 1
  fi
  sleep 1
  kill -9 $PID; wait $PID 2>/dev/null || true
  du -sh "$DATA/${name:0:1}" | sed "s/^/$name log size: /"
  t0=$(date +%s.%N)
  launch $name
  until listening; do sleep 0.01; done
  count=$(ready_count)
  t1=$(date +%s.%N)
  echo "$name: recovered $count jobs, $(echo "$t1 - $t0" | bc) s from start to serving them"
  [ "$name" = sluice ] && grep -h "recovered" "$DATA/sluice.err" | sed 's/^/  /' || true
  # resident size a second later: the JVM hands the heap its start-up trim freed back to the OS in the background
  sleep 1
  ps -o rss= -p $PID | awk -v n="$count" -v name=$name '{printf "%s: resident %d MB, %.0f B per job\n", name, $1/1024, $1*1024/n}'
  kill $PID; wait $PID 2>/dev/null || true
done

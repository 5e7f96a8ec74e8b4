#!/usr/bin/env bash
# Runs real, unmodified beanstalkd client libraries against a server.
#
#   compat/clients/run.sh HOST PORT
#
# Prints "PASS <client>" or "FAIL <client>: <reason>" per client and a final
# "N passed, M failed" line. Exits non-zero if any client failed or an
# interpreter/library is missing (run compat/clients/install-deps.sh).
#
# Env: COMPAT_CLIENTS="fivebeans jackd beaneater pheanstalk" to pick clients,
#      COMPAT_TIMEOUT=20 (per-script internal deadline, seconds),
#      COMPAT_VERBOSE=1 to show each script's steps.
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 HOST PORT" >&2
  exit 2
fi
HOST=$1
PORT=$2
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLIENTS=${COMPAT_CLIENTS:-"fivebeans jackd beaneater pheanstalk"}
INNER=${COMPAT_TIMEOUT:-20}
OUTER=$((INNER + 10)) # hard kill if a script's own watchdog did not fire

passed=0
failed=0
LOG=$(mktemp -d "${TMPDIR:-/tmp}/sluice-compat.XXXXXX")
trap 'rm -rf "$LOG"' EXIT

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

have() { command -v "$1" >/dev/null 2>&1; }

# ---- node dependencies -----------------------------------------------------
node_ready=""
node_problem=""
prepare_node() {
  if ! have node; then node_problem="interpreter 'node' not found (run compat/clients/install-deps.sh)"; return; fi
  local nd="$DIR/node"
  if [ ! -d "$nd/node_modules/fivebeans" ] || [ ! -d "$nd/node_modules/jackd" ] || [ ! -d "$nd/node_modules/yaml" ]; then
    if ! have npm; then node_problem="'npm' not found, cannot install node deps (run compat/clients/install-deps.sh)"; return; fi
    echo "installing node deps (npm ci) ..." >&2
    if ! (cd "$nd" && timeout 300 npm ci --no-audit --no-fund) >"$LOG/npm.log" 2>&1; then
      node_problem="npm ci failed: $(grep -m1 -iE 'err' "$LOG/npm.log" || tail -n1 "$LOG/npm.log")"
      return
    fi
  fi
  node_ready=1
}

# ---- run one script ----------------------------------------------------------
# run_client NAME CMD...
run_client() {
  local name=$1; shift
  local out="$LOG/$name.out"
  # subshell: keeps bash's "Alarm clock"/"Killed" notices inside the log
  (COMPAT_TIMEOUT=$INNER exec timeout -k 5 "$OUTER" "$@" "$HOST" "$PORT") >"$out" 2>&1
  local rc=$?
  if [ "${COMPAT_VERBOSE:-}" ]; then sed 's/^/    /' "$out" >&2; fi
  if [ $rc -eq 0 ]; then
    pass "$name"
    return
  fi
  local reason
  reason=$(grep -m1 '^FAIL' "$out" | sed 's/^FAIL *//')
  if [ -z "$reason" ]; then
    case $rc in
      124|137) reason="killed after ${OUTER}s (hung)";;
      142)     reason="killed by its ${INNER}s watchdog (SIGALRM: a library call hung)";;
      *)       reason="exit code $rc: $(tail -n 3 "$out" | tr '\n' ' ')";;
    esac
  fi
  fail "$name" "$reason"
}

for client in $CLIENTS; do
  case $client in
    fivebeans|jackd)
      [ -z "$node_ready$node_problem" ] && prepare_node
      if [ -n "$node_problem" ]; then fail "$client" "$node_problem"; continue; fi
      run_client "$client" node "$DIR/node/$client.js"
      ;;
    beaneater)
      if ! have ruby; then fail beaneater "interpreter 'ruby' not found (run compat/clients/install-deps.sh)"; continue; fi
      if ! ruby -e 'require "beaneater"' >/dev/null 2>&1; then
        fail beaneater "ruby library 'beaneater' not installed (apt-get install ruby-beaneater, or run compat/clients/install-deps.sh)"; continue
      fi
      run_client beaneater ruby "$DIR/ruby/beaneater.rb"
      ;;
    pheanstalk)
      if ! have php; then fail pheanstalk "interpreter 'php' not found (apt-get install php-cli, or run compat/clients/install-deps.sh)"; continue; fi
      if [ ! -f /usr/share/php/Pheanstalk/autoload.php ]; then
        fail pheanstalk "PHP library Pheanstalk not installed (apt-get install php-pda-pheanstalk, or run compat/clients/install-deps.sh)"; continue
      fi
      run_client pheanstalk php "$DIR/php/pheanstalk.php"
      ;;
    *)
      fail "$client" "unknown client (known: fivebeans jackd beaneater pheanstalk)"
      ;;
  esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

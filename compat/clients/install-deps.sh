#!/usr/bin/env bash
# Installs the interpreters and Debian-packaged client libraries used by
# compat/clients/run.sh. Idempotent: does nothing (and never runs
# `apt-get update`) when everything is already present.
set -euo pipefail

need=()
command -v ruby >/dev/null 2>&1 || need+=(ruby)
command -v php  >/dev/null 2>&1 || need+=(php-cli)
dpkg -s ruby-beaneater     >/dev/null 2>&1 || need+=(ruby-beaneater)
dpkg -s php-pda-pheanstalk >/dev/null 2>&1 || need+=(php-pda-pheanstalk)
# node/npm normally come with the machine; fall back to Debian's if absent.
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm  >/dev/null 2>&1 || need+=(npm)

if [ ${#need[@]} -eq 0 ]; then
  echo "install-deps: all client dependencies already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: need root (or sudo) to install: ${need[*]}" >&2; exit 1
  fi
fi

echo "install-deps: installing ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
echo "install-deps: done"

#!/usr/bin/env bash
# Installs what a fresh machine lacks for the demo and the tests: Dovecot (Debian package), with `--browser` (the
# tests) also Chromium (the admin UI tests drive Debian's build; playwright's own download cannot work here),
# PostgreSQL and MariaDB, and the npm dependencies. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_updated=0
apt_install() {
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: $1 is missing; install the Debian package(s) '$2' (needs root and apt-get)" >&2
    exit 1
  fi
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $2 >/dev/null
}

if [ ! -x /usr/sbin/dovecot ]; then
  echo "==> installing Dovecot (dovecot-imapd) for the local IMAP server"
  apt_install "Dovecot" "dovecot-imapd"
fi

# The PostgreSQL tests start throwaway clusters from the server binaries (never the system service); the demo runs on
# SQLite and does not need them.
if [ "${1:-}" = "--browser" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "==> installing PostgreSQL (postgresql) for the PostgreSQL tests"
  apt_install "PostgreSQL" "postgresql"
fi

# Likewise MariaDB for the MySQL tests (tests/harness/mysql.ts: mariadb-install-db + mariadbd in a temp dir).
if [ "${1:-}" = "--browser" ] && { [ ! -x /usr/sbin/mariadbd ] && [ ! -x /usr/sbin/mysqld ]; }; then
  echo "==> installing MariaDB (mariadb-server) for the MySQL/MariaDB tests"
  apt_install "MariaDB (mariadbd)" "mariadb-server"
fi

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/lib/chromium/chromium ] && ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Chromium for the admin panel tests"
  apt_install "Chromium" "chromium"
fi

# Install when node_modules is missing or older than the lock file. `npm install`, not `npm ci`: see .ci/run.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing npm dependencies"
  npm install --no-audit --no-fund
fi

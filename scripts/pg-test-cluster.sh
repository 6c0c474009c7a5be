#!/bin/sh
# A throwaway PostgreSQL 15 cluster for the test suites: `start` prints its URL, `url` repeats
# it, `stop` removes it. Unix socket only, fsync off: it holds nothing worth keeping.
#
# The server refuses to run as root, so as root the cluster belongs to a system user
# (lanterne-test, created if missing) and its programs run through runuser. The socket sits
# in the cluster's own temporary directory: no port is taken and nothing else can connect
# by accident. LANTERNE_PG_STATE names the file remembering the running cluster (default
# build/pg-test-cluster), so several clusters can coexist with different state files.
set -eu
cd "$(dirname "$0")/.."

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
STATE=${LANTERNE_PG_STATE:-build/pg-test-cluster}
RUNAS=lanterne-test
DBNAME=lanterne
DBUSER=lanterne

# Runs a server program as the cluster's owner, from a directory that user can enter.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u "$RUNAS" -- "$@")
  else
    (cd / && "$@")
  fi
}

url_of() { # cluster dir
  echo "postgresql:///$DBNAME?host=$1&user=$DBUSER"
}

running_dir() { # prints the dir of a live cluster from the state file, fails if none
  [ -f "$STATE" ] || return 1
  dir=$(cat "$STATE")
  [ -d "$dir/data" ] && as_owner "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 || return 1
  echo "$dir"
}

start() {
  if dir=$(running_dir); then
    url_of "$dir"
    return 0
  fi
  [ -x "$PGBIN/initdb" ] || { echo "pg-test-cluster: no $PGBIN/initdb (apt-get install postgresql)" >&2; exit 1; }
  if [ "$(id -u)" = 0 ] && ! id -u "$RUNAS" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RUNAS"
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/lanterne-pg-XXXXXX")
  chmod 755 "$dir" # clients of any user reach the socket; data/ itself stays 0700
  [ "$(id -u)" = 0 ] && chown "$RUNAS" "$dir"
  mkdir -p "$(dirname "$STATE")"
  echo "$dir" >"$STATE"
  # C.UTF-8 orders text by code point, as SQLite does: the same ORDER BY on both engines
  if ! as_owner "$PGBIN/initdb" -D "$dir/data" -U "$DBUSER" -A trust -E UTF8 --locale=C.UTF-8 \
      --no-instructions >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    exit 1
  fi
  if ! as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses= -c unix_socket_directories=$dir -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null; then
    cat "$dir/server.log" >&2
    exit 1
  fi
  as_owner "$PGBIN/createdb" -h "$dir" -U "$DBUSER" "$DBNAME"
  as_owner "$PGBIN/psql" -q -X -h "$dir" -U "$DBUSER" -d "$DBNAME" \
    -c 'CREATE EXTENSION IF NOT EXISTS unaccent' >/dev/null
  url_of "$dir"
}

stop() {
  [ -f "$STATE" ] || return 0
  dir=$(cat "$STATE")
  case "$dir" in */lanterne-pg-*) ;; *) echo "pg-test-cluster: odd state \"$dir\", not removing" >&2; exit 1 ;; esac
  if [ -d "$dir/data" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  rm -f "$STATE"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url)
  dir=$(running_dir) || { echo "pg-test-cluster: not running (run: $0 start)" >&2; exit 1; }
  url_of "$dir"
  ;;
*)
  echo "usage: $0 start|stop|url" >&2
  exit 2
  ;;
esac

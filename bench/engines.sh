#!/bin/bash
# Benchmark (not a test): the structures page on SQLite and on PostgreSQL, served by one
# Lanterne process and by two behind an nginx upstream, with the page cache on (the default)
# and off (every request queries the database and renders). Same machine, same run.
# Usage: bench/engines.sh [seconds] [connections]   (defaults 10 and 64)
set -eu
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
page=${BENCH_PAGE:-/structures}
work=$(mktemp -d /tmp/lanterne-bench-engines.XXXXXX)
export LANTERNE_PG_STATE=$work/pg-state LANTERNE_PWHASH_FAST=1
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  scripts/pg-test-cluster.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap - ERR

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_up() { for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done; return 1; }

pgurl=$(scripts/pg-test-cluster.sh start)
sqlite="sqlite:$work/var/lanterne.db"
mkdir -p "$work/var"
for url in "$sqlite" "$pgurl"; do
  build/lanterne init --data-dir "$work/var" --database-url "$url" >/dev/null 2>&1
  build/lanterne demo --data-dir "$work/var" --database-url "$url" >/dev/null
done

# starts N servers on one database; their ports go to PORTS (no command substitution: a
# subshell would run the EXIT trap and lose the pids)
start_servers() { # url n cache
  local url=$1 n=$2 cache=$3 p
  PORTS=""
  for _ in $(seq 1 "$n"); do
    p=$(free_port)
    LANTERNE_PAGE_CACHE=$cache LANTERNE_WORKER=off build/lanterne serve --listen 127.0.0.1:$p \
      --data-dir "$work/var" --database-url "$url" --quiet 2>>"$work/server.log" &
    pids+=($!)
    PORTS="$PORTS $p"
  done
  for p in $PORTS; do wait_up "$p"; done
}

stop_servers() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }

nginx_front() { # port upstream-ports...
  local port=$1; shift
  {
    echo "worker_processes auto; pid $work/nginx.pid; error_log $work/nginx-error.log;"
    echo "events { worker_connections 4096; }"
    echo "http { access_log off; upstream lanterne {"
    for p in "$@"; do echo "  server 127.0.0.1:$p;"; done
    echo "  keepalive 64; }"
    echo "  server { listen 127.0.0.1:$port; location / { proxy_pass http://lanterne;"
    echo "    proxy_http_version 1.1; proxy_set_header Connection \"\"; } } }"
  } >"$work/nginx.conf"
  nginx -c "$work/nginx.conf" -p "$work"
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
}
nginx_stop() { [ -f "$work/nginx.pid" ] && kill -QUIT "$(cat "$work/nginx.pid")" 2>/dev/null; sleep 0.5; rm -f "$work/nginx.pid"; }

measure() { # label url
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$2$page" >"$work/wrk.txt"
  printf '%-34s %12s %10s\n' "$1" "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")" \
    "$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
}

echo "page: $page, wrk -t2 -c$conns -d${secs}s, $(nproc) cores; nginx in front of every setup"
printf '%-34s %12s %10s\n' setup "requests/s" p99
for engine in sqlite postgresql; do
  url=$sqlite; [ $engine = postgresql ] && url=$pgurl
  for cache in on off; do
    for n in 1 2; do
      start_servers "$url" $n $cache
      front=$(free_port)
      nginx_front "$front" $PORTS
      measure "$engine, $n process(es), cache $cache" "http://127.0.0.1:$front"
      nginx_stop
      stop_servers
    done
  done
done

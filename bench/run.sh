#!/bin/bash
# Benchmark (not a test): the rendered structures page served by Lanterne against nginx
# serving a saved copy of the same bytes, same machine, same run, same wrk settings.
# Prints requests/s, their ratio, p99 latency, and Lanterne's idle and under-load RSS.
# Usage: bench/run.sh [seconds] [connections]   (defaults 10 and 64)
set -eu
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
page=${BENCH_PAGE:-/structures}
work=$(mktemp -d /tmp/lanterne-bench.XXXXXX)
port=$((20000 + RANDOM % 20000))
nport=$((port + 1))
cleanup() {
  [ -n "${lpid:-}" ] && kill "$lpid" 2>/dev/null || true
  [ -n "${upid:-}" ] && kill "$upid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

export LANTERNE_DATA_DIR=$work/var LANTERNE_PWHASH_FAST=1
build/lanterne init --quiet >/dev/null 2>&1
build/lanterne demo >/dev/null
build/lanterne serve --listen 127.0.0.1:$port --quiet 2>"$work/server.log" &
lpid=$!
# the same server with its page cache off: every request queries SQLite and renders
uport=$((port + 2))
LANTERNE_PAGE_CACHE=off build/lanterne serve --listen 127.0.0.1:$uport --quiet \
  2>"$work/server-uncached.log" &
upid=$!
for p in $port $uport; do
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.1; done
done

mkdir -p "$work/www$(dirname "$page")"
curl -fs "http://127.0.0.1:$port$page" >"$work/www$page.html"
bytes=$(wc -c <"$work/www$page.html")
cat >"$work/nginx.conf" <<NGX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/html;
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    location = $page { try_files $page.html =404; }
  }
}
NGX
nginx -c "$work/nginx.conf" -p "$work"
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$nport$page" >/dev/null && break; sleep 0.1; done

rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$lpid/status"; }
idle=$(rss)
run_wrk() { wrk -t2 -c"$conns" -d"${secs}s" --latency "$1"; }
curl -fs "http://127.0.0.1:$port$page" >/dev/null
run_wrk "http://127.0.0.1:$port$page" >"$work/wrk-lanterne.txt" &
wpid=$!
sleep $((secs / 2))
load=$(rss)
wait $wpid
run_wrk "http://127.0.0.1:$nport$page" >"$work/wrk-nginx.txt"
run_wrk "http://127.0.0.1:$uport$page" >"$work/wrk-uncached.txt"

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }
lr=$(rps "$work/wrk-lanterne.txt"); nr=$(rps "$work/wrk-nginx.txt"); ur=$(rps "$work/wrk-uncached.txt")
ratio=$(awk -v a="$lr" -v b="$nr" 'BEGIN { printf "%.0f%%", 100 * a / b }')
echo "page: $page ($bytes bytes), wrk -t2 -c$conns -d${secs}s, $(nproc) cores"
printf '%-10s %12s %10s\n' server "requests/s" p99
printf '%-10s %12s %10s\n' lanterne "$lr" "$(p99 "$work/wrk-lanterne.txt")"
printf '%-10s %12s %10s\n' nginx "$nr" "$(p99 "$work/wrk-nginx.txt")"
printf '%-10s %12s %10s   (page cache off: every request queries and renders)\n' uncached "$ur" "$(p99 "$work/wrk-uncached.txt")"
echo "ratio lanterne/nginx: $ratio"
echo "lanterne RSS: idle ${idle} MB, under load ${load} MB"

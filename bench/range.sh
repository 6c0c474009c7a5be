#!/bin/bash
# Benchmark (not a test): a 50 MB file served with random single byte ranges of 1 MiB
# (wrk with a Lua script, keep-alive connections) by Lanterne (http_respond_file: sendfile,
# through the test-only route GET /test-files/{name}) and by nginx (sendfile on, one worker
# per core, access log off), same file, same machine, same run, alternately.
# Usage: bench/range.sh [seconds] [connections]   (defaults 10 and 16; LANTERNE_BIN: the
# binary, default build/lanterne)
set -eu
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-16}
bin=${LANTERNE_BIN:-build/lanterne}
for tool in wrk nginx; do
  command -v $tool >/dev/null || { echo "range: $tool not found" >&2; exit 1; }
done
work=$(mktemp -d /tmp/lanterne-range.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
size=$((50 * 1000 * 1000))
mkdir -p "$work/data/test-files" "$work/www"
head -c $size /dev/urandom >"$work/data/test-files/film.bin"
ln "$work/data/test-files/film.bin" "$work/www/film.bin"
chmod 755 "$work" "$work/www"
chmod 644 "$work/www/film.bin" # nginx's workers run as nobody
cat "$work/www/film.bin" >/dev/null

# Lanterne on its own data dir (an empty database, migrated by init)
lport=$(free_port)
export LANTERNE_DATA_DIR="$work/data" LANTERNE_TEST_JOBS=1 LANTERNE_LISTEN="127.0.0.1:$lport" LANTERNE_WORKER=off
"$bin" init >/dev/null
"$bin" serve --quiet 2>"$work/lanterne.log" &
pids+=($!)
# nginx, as a file server would be set up
nport=$(free_port)
cat >"$work/nginx.conf" <<EOF
worker_processes $(nproc);
pid $work/nginx.pid;
error_log $work/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server { listen 127.0.0.1:$nport; root $work/www; }
}
EOF
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
for url in "http://127.0.0.1:$lport/healthz" "http://127.0.0.1:$nport/film.bin"; do
  for _ in $(seq 100); do curl -sf -o /dev/null -r 0-0 "$url" && break; sleep 0.1; done
done
# both sides give the same bytes for the same range
a=$(curl -s -r 1000000-1999999 "http://127.0.0.1:$lport/test-files/film.bin" | sha256sum)
b=$(curl -s -r 1000000-1999999 "http://127.0.0.1:$nport/film.bin" | sha256sum)
[ "$a" = "$b" ] || { echo "range: the two servers disagree" >&2; exit 1; }

cat >"$work/range.lua" <<EOF
-- a random 1 MiB range of the file per request
math.randomseed(os.time())
local size, len = $size, 1048576
request = function()
  local a = math.random(0, size - len)
  wrk.headers["Range"] = "bytes=" .. a .. "-" .. (a + len - 1)
  return wrk.format("GET", nil)
end
EOF
run() { # name url
  wrk -t 2 -c "$conns" -d "${secs}s" -s "$work/range.lua" "$2" >"$work/$1.out"
  awk -v n="$1" '/Requests\/sec/ { r = $2 } /Transfer\/sec/ { t = $2 } END { printf "%s %s %s\n", n, r, t }' "$work/$1.out"
}
echo "range: 50 MB file, random 1 MiB ranges, wrk -t2 -c$conns ${secs}s per run, $(nproc) cores"
{
  run lanterne "http://127.0.0.1:$lport/test-files/film.bin"
  run nginx "http://127.0.0.1:$nport/film.bin"
  run lanterne "http://127.0.0.1:$lport/test-files/film.bin"
  run nginx "http://127.0.0.1:$nport/film.bin"
} | tee "$work/results"
grep -q ' 206 ' <(curl -s -o /dev/null -w ' %{http_code} ' -r 0-9 "http://127.0.0.1:$lport/test-files/film.bin") ||
  { echo "range: Lanterne did not answer 206" >&2; exit 1; }
awk '{ s[$1] += $2; n[$1]++ } END { l = s["lanterne"] / n["lanterne"]; x = s["nginx"] / n["nginx"];
  printf "mean requests/s: Lanterne %.0f, nginx %.0f: %.0f%% of nginx (aim >= 90%%)\n", l, x, 100 * l / x }' "$work/results"

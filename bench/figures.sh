#!/bin/bash
# Benchmark (not a test): the national figures of one year over ten years of demo data
# (~25,000 actions), computed by Lanterne (server time from its access log, for
# GET /api/v1/figures and for the printable report page /bilan/YEAR) against the same
# aggregates (bench/figures.sql, the statements of src/figures.c) run by the sqlite3
# command-line tool on the same database file. Runs per side: $1 (default 20); the median
# and the best are printed. Aim: the national report in at most 50 ms of server time.
# Usage: bench/figures.sh [runs]   (LANTERNE_BIN: the binary, default build/lanterne)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-20}
bin=${LANTERNE_BIN:-build/lanterne}
export LANTERNE_PWHASH_FAST=1
work=$(mktemp -d /tmp/lanterne-figures-bench.XXXXXX)
port=$((20000 + RANDOM % 20000))
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export LANTERNE_DATA_DIR=$work/var
mkdir -p "$LANTERNE_DATA_DIR"
echo "building ten years of demo data in $LANTERNE_DATA_DIR ..."
"$bin" init >/dev/null
"$bin" demo --years 10 >"$work/demo.log"
db=$LANTERNE_DATA_DIR/lanterne.db
year=$(( $(date +%Y) - 1 ))
echo "actions in the database: $(sqlite3 "$db" 'SELECT COUNT(*) FROM actions'), year measured: $year"
LANTERNE_LISTEN=127.0.0.1:$port "$bin" serve --threads 2 >"$work/access.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.1; done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
best() { sort -n | head -1; }
for path in "/api/v1/figures?year=$year" "/bilan/$year"; do
  : >"$work/access.log"
  for _ in $(seq 1 "$runs"); do curl -fsS -o /dev/null "http://127.0.0.1:$port$path"; done
  sleep 0.2
  grep -aF " ${path%%\?*} " "$work/access.log" | awk '{print $NF}' | sed 's/ms$//' >"$work/times"
  echo "Lanterne $path: median $(median <"$work/times") ms, best $(best <"$work/times") ms (server time, $runs runs)"
done
sed "s/@YEAR@/$year/g" bench/figures.sql >"$work/q.sql"
: >"$work/sq"
for _ in $(seq 1 "$runs"); do
  ( echo .timer on; cat "$work/q.sql" ) | sqlite3 "$db" | awk '/^Run Time/ {s += $4} END {printf "%.2f\n", s * 1000}' >>"$work/sq"
done
echo "sqlite3 CLI, same aggregates: median $(median <"$work/sq") ms, best $(best <"$work/sq") ms (sum of its statements' real time, $runs runs)"

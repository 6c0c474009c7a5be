#!/bin/bash
# `make test`: every suite, in order, each counted and timed; the last line is
# "N passed, M failed". Suites: C unit tests (cmocka) incl. the Mustache conformance run;
# HTTP tests (node's test runner against a real server); browser tests (playwright-core +
# Debian's chromium, axe-core, Nu checker); the database-touching ones of those three again
# on a throwaway PostgreSQL 15 cluster (scripts/pg-test-cluster.sh); the C and HTTP tests
# under AddressSanitizer + UBSan (on SQLite, then on PostgreSQL); fuzzing. See docs/testing.md.
#
# LANTERNE_SKIP_PG=1, LANTERNE_SKIP_ASAN=1, LANTERNE_SKIP_FUZZ=1 leave a part out (quick
# local runs; CI runs everything). TEST_OUTPUT: where logs go (default test-output).
set -u
cd "$(dirname "$0")/.."
out=${TEST_OUTPUT:-test-output}
mkdir -p "$out"
PASS=0
FAIL=0
export LANTERNE_PWHASH_FAST=1
# the suites choose their engine themselves: nothing inherited from the caller's shell
unset LANTERNE_TEST_DATABASE_URL LANTERNE_DATABASE_URL

now_ms() { date +%s%3N; }
# "12.3 s" since the given now_ms
took() { local ms=$(($(now_ms) - $1)); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }

# Each counter adds to PASS/FAIL and leaves its own "N passed, M failed" in COUNTED
# (no command substitution: a subshell would lose the totals).
count_tap() { # file: ok / not ok lines (cmocka TAP output)
  local p f
  p=$(grep -cE '^ok ' "$1")
  f=$(grep -cE '^not ok ' "$1")
  PASS=$((PASS + p)); FAIL=$((FAIL + f))
  COUNTED="$p passed, $f failed"
}

count_node() { # file: the "# pass N" / "# fail N" summary of node --test
  local p f
  p=$(grep -E '^# pass ' "$1" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail ' "$1" | tail -1 | awk '{print $3}')
  p=${p:-0}; f=${f:-0}
  PASS=$((PASS + p)); FAIL=$((FAIL + f))
  COUNTED="$p passed, $f failed"
}

# One line per suite: label, suite, counts, time.
report() { # label, suite, counts, start (now_ms)
  printf '%-12s %-22s %-22s %8s\n' "$1" "$2" "$3" "$(took "$4")"
}

run_unit_one() { # test binary, label
  local t=$1 label=$2 name log rc t0
  name=$(basename "$t")
  log="$out/$label-$name.log"
  t0=$(now_ms)
  if [ "$name" = test_tpl_spec ]; then
    "$t" tests/conformance/mustache >"$log" 2>&1; rc=$?
    line=$(grep -E '^tpl-spec: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    p=$(echo "$line" | awk '{print $2}'); f=$(echo "$line" | awk '{print $4}')
    p=${p:-0}; f=${f:-1}
    PASS=$((PASS + p)); FAIL=$((FAIL + f))
    report "$label" "$name" "$p passed, $f failed" "$t0"
  else
    CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1; rc=$?
    count_tap "$log"
    report "$label" "$name" "$COUNTED" "$t0"
    if [ $rc != 0 ] && ! grep -qE '^not ok ' "$log"; then
      FAIL=$((FAIL + 1)); echo "             $name exited with $rc (see $log)"
    fi
  fi
}

run_unit() { # build dir, label
  local t
  for t in "$1"/tests/test_*; do
    [ -x "$t" ] || continue
    run_unit_one "$t" "$2"
  done
}

run_node() { # label, dir, binary[, TEST_OUTPUT for the suite (screenshots, reports)]
  local label=$1 dir=$2 bin=$3 tout=${4:-$out} log="$out/$1.log" t0
  [ -d "$dir" ] && ls "$dir"/*.test.mjs >/dev/null 2>&1 || return 0
  t0=$(now_ms)
  LANTERNE_BIN=$bin TEST_OUTPUT=$tout node --test --test-concurrency=1 --test-reporter=tap \
    "$dir"/*.test.mjs >"$log" 2>&1
  local rc=$?
  count_node "$log"
  report "$label" "$(basename "$dir")" "$COUNTED" "$t0"
  if [ $rc != 0 ] && ! grep -qE '^# fail [1-9]' "$log"; then
    FAIL=$((FAIL + 1)); echo "             $label exited with $rc (see $log)"
  fi
}

# ---- PostgreSQL ---------------------------------------------------------------------------
# A cluster of our own (its own state file: a cluster someone started by hand, or another
# `make test` in the same tree, is left alone), stopped on any exit.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
export PGBIN
PG_STATE=""
pg_stop() {
  [ -n "$PG_STATE" ] || return 0
  LANTERNE_PG_STATE=$PG_STATE scripts/pg-test-cluster.sh stop >/dev/null 2>&1 ||
    echo "warning: could not stop the PostgreSQL test cluster ($PG_STATE)" >&2
  PG_STATE=""
}
trap pg_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# psql on the cluster's maintenance database (unit suites get a database each)
pg_sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1" >>"$out/pg-cluster.log" 2>&1; }

pg_url_of() { # database name: PG_URL with that database instead of its own
  echo "$PG_URL" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\\1/$1#"
}

# The unit suites that run on PostgreSQL too: those whose source reads
# LANTERNE_TEST_DATABASE_URL, directly or through tests/unit/testdb.h (or groupfix.h, which
# includes it).
pg_unit_suites() { # build dir
  local t name
  for t in "$1"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    grep -qE 'LANTERNE_TEST_DATABASE_URL|"testdb\.h"|"groupfix\.h"' "tests/unit/$name.c" 2>/dev/null && echo "$t"
  done
}

# Starts the cluster (PG_URL, PG_STATE); counts one failure and returns 1 if it cannot.
pg_start() {
  local t0
  t0=$(now_ms)
  if [ ! -x "$PGBIN/initdb" ]; then
    FAIL=$((FAIL + 1))
    echo "pg           no PostgreSQL 15 server programs ($PGBIN/initdb missing): 1 failure;"
    echo "             install them with scripts/deps.sh (Debian package postgresql)"
    return 1
  fi
  PG_STATE="build/pg-test-cluster.make-test.$$"
  : >"$out/pg-cluster.log"
  if ! PG_URL=$(LANTERNE_PG_STATE=$PG_STATE scripts/pg-test-cluster.sh start 2>>"$out/pg-cluster.log"); then
    FAIL=$((FAIL + 1))
    echo "pg           the test cluster did not start: 1 failure (see $out/pg-cluster.log)"
    pg_stop
    return 1
  fi
  report pg "cluster start" "" "$t0"
}

# The database-touching unit suites of a build, each in a database of its own.
run_pg_units() { # build dir, label
  local t name db all sqlite_only=""
  all=" $(pg_unit_suites "$1" | tr '\n' ' ') "
  for t in $all; do
    name=$(basename "$t")
    db="unit_$name"
    if ! pg_sql "DROP DATABASE IF EXISTS $db" || ! pg_sql "CREATE DATABASE $db"; then
      FAIL=$((FAIL + 1))
      printf '%-12s %s: cannot create database %s: 1 failure (see %s)\n' "$2" "$name" "$db" "$out/pg-cluster.log"
      continue
    fi
    LANTERNE_TEST_DATABASE_URL=$(pg_url_of "$db") run_unit_one "$t" "$2"
    pg_sql "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  done
  for t in "$1"/tests/test_*; do
    [ -x "$t" ] || continue
    case "$all" in *" $t "*) ;; *) sqlite_only="$sqlite_only $(basename "$t")" ;; esac
  done
  [ -n "$sqlite_only" ] && printf '%-12s (SQLite only: no database, or LANTERNE_TEST_DATABASE_URL not read:%s)\n' "$2" "$sqlite_only"
  return 0
}

T_START=$(now_ms)
echo "== C unit tests"
run_unit build unit
echo "== HTTP tests"
run_node http tests/http build/lanterne
echo "== browser tests"
run_node browser tests/browser build/lanterne
if [ "${LANTERNE_SKIP_PG:-0}" != 1 ]; then
  echo "== PostgreSQL 15: unit, HTTP and browser tests again"
  if pg_start; then
    run_pg_units build pg
    LANTERNE_TEST_DATABASE_URL=$PG_URL run_node pg-http tests/http build/lanterne
    LANTERNE_TEST_DATABASE_URL=$PG_URL run_node pg-browser tests/browser build/lanterne "$out/pg"
  fi
fi
if [ "${LANTERNE_SKIP_ASAN:-0}" != 1 ]; then
  echo "== AddressSanitizer + UBSan: unit and HTTP tests on SQLite${PG_STATE:+, then on PostgreSQL}"
  t0=$(now_ms)
  if make -s asan >"$out/asan-build.log" 2>&1; then
    report asan build "" "$t0"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    run_unit build/asan asan
    run_node asan-http tests/http build/asan/lanterne
    if [ -n "$PG_STATE" ]; then
      run_pg_units build/asan asan-pg
      LANTERNE_TEST_DATABASE_URL=$PG_URL run_node asan-pg-http tests/http build/asan/lanterne
    fi
  else
    FAIL=$((FAIL + 1)); echo "asan build failed (see $out/asan-build.log)"
  fi
fi
if [ -n "$PG_STATE" ]; then
  t0=$(now_ms)
  pg_stop
  report pg "cluster stop" "" "$t0"
fi
if [ "${LANTERNE_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzzing (libFuzzer, ${FUZZ_SECONDS:-30} s per target)"
  t0=$(now_ms)
  scripts/fuzz.sh "${FUZZ_SECONDS:-30}" >"$out/fuzz.log" 2>&1
  rc=$?
  p=$(grep -cE '^fuzz_[a-z]+ +ok ' "$out/fuzz.log" || true)
  grep -E '^fuzz_' "$out/fuzz.log" | sed 's/^/fuzz         /'
  f=$(grep -E '^fuzz_' "$out/fuzz.log" | grep -cvE '^fuzz_[a-z]+ +ok ' || true)
  [ $rc != 0 ] && [ "$f" = 0 ] && f=1
  PASS=$((PASS + p)); FAIL=$((FAIL + f))
  report fuzz "(build and runs)" "" "$t0"
fi
echo "== total: $(took "$T_START")"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]

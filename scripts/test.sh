#!/bin/bash
# `make test`: every suite, in order, each counted; the last line is "N passed, M failed".
# Suites: C unit tests (cmocka) incl. the Mustache conformance run; HTTP tests (node's test
# runner against a real server); browser tests (playwright-core + Debian's chromium, axe-core,
# Nu checker); then the C and HTTP tests again under AddressSanitizer + UBSan.
set -u
cd "$(dirname "$0")/.."
out=${TEST_OUTPUT:-test-output}
mkdir -p "$out"
PASS=0
FAIL=0
export LANTERNE_PWHASH_FAST=1

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

run_unit() { # build dir, label
  local dir=$1 label=$2 t name log rc
  for t in "$dir"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    log="$out/$label-$name.log"
    if [ "$name" = test_tpl_spec ]; then
      "$t" tests/conformance/mustache >"$log" 2>&1; rc=$?
      line=$(grep -E '^tpl-spec: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
      p=$(echo "$line" | awk '{print $2}'); f=$(echo "$line" | awk '{print $4}')
      p=${p:-0}; f=${f:-1}
      PASS=$((PASS + p)); FAIL=$((FAIL + f))
      printf '%-8s %-24s %s passed, %s failed\n' "$label" "$name" "$p" "$f"
    else
      CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1; rc=$?
      count_tap "$log"
      printf '%-8s %-24s %s\n' "$label" "$name" "$COUNTED"
      if [ $rc != 0 ] && ! grep -qE '^not ok ' "$log"; then
        FAIL=$((FAIL + 1)); echo "         $name exited with $rc (see $log)"
      fi
    fi
  done
}

run_node() { # label, dir, binary
  local label=$1 dir=$2 bin=$3 log="$out/$1.log"
  [ -d "$dir" ] && ls "$dir"/*.test.mjs >/dev/null 2>&1 || return 0
  LANTERNE_BIN=$bin TEST_OUTPUT=$out node --test --test-concurrency=1 --test-reporter=tap \
    "$dir"/*.test.mjs >"$log" 2>&1
  local rc=$?
  count_node "$log"
  printf '%-8s %-24s %s\n' "$label" "$(basename "$dir")" "$COUNTED"
  if [ $rc != 0 ] && ! grep -qE '^# fail [1-9]' "$log"; then
    FAIL=$((FAIL + 1)); echo "         $label exited with $rc (see $log)"
  fi
}

echo "== C unit tests"
run_unit build unit
echo "== HTTP tests"
run_node http tests/http build/lanterne
echo "== browser tests"
run_node browser tests/browser build/lanterne
if [ "${LANTERNE_SKIP_ASAN:-0}" != 1 ]; then
  echo "== AddressSanitizer + UBSan build"
  if make -s asan >"$out/asan-build.log" 2>&1; then
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    run_unit build/asan asan
    run_node asan-http tests/http build/asan/lanterne
  else
    FAIL=$((FAIL + 1)); echo "asan build failed (see $out/asan-build.log)"
  fi
fi
if [ "${LANTERNE_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzzing (libFuzzer, ${FUZZ_SECONDS:-30} s per target)"
  scripts/fuzz.sh "${FUZZ_SECONDS:-30}" >"$out/fuzz.log" 2>&1
  rc=$?
  p=$(grep -cE '^fuzz_[a-z]+ +ok ' "$out/fuzz.log" || true)
  grep -E '^fuzz_' "$out/fuzz.log" | sed 's/^/fuzz     /'
  f=$(grep -E '^fuzz_' "$out/fuzz.log" | grep -cvE '^fuzz_[a-z]+ +ok ' || true)
  [ $rc != 0 ] && [ "$f" = 0 ] && f=1
  PASS=$((PASS + p)); FAIL=$((FAIL + f))
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]

#!/bin/bash
# `scripts/fuzz.sh [seconds] [target...]`: builds the libFuzzer targets (`make fuzz`), runs each
# for the given time (default 30 s) on its corpus; one summary line each, non-zero on a crash.
#
# Corpus: build/fuzz/corpus/<name>, seeded from fuzz/seeds/<name>/ and kept between runs.
# Crash inputs: build/fuzz/artifacts/<name>/; full output: build/fuzz/logs/<name>.log.
# Replay a crash with: build/fuzz/<name> build/fuzz/artifacts/<name>/crash-…
set -u
cd "$(dirname "$0")/.." || exit 2

secs=${1:-30}
shift $(($# > 0 ? 1 : 0))
case $secs in
'' | *[!0-9]*)
  echo "usage: scripts/fuzz.sh [seconds] [target...]" >&2
  exit 2
  ;;
esac

make -s fuzz || {
  echo "fuzz: make fuzz failed" >&2
  exit 1
}

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi

# UBSan already aborts (-fno-sanitize-recover); ask for its stack too.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}

failed=0
for name in "${targets[@]}"; do
  bin=build/fuzz/$name
  corpus=build/fuzz/corpus/$name
  arts=build/fuzz/artifacts/$name
  log=build/fuzz/logs/$name.log
  if [ ! -x "$bin" ]; then
    printf '%-12s MISSING  no binary %s\n' "$name" "$bin"
    failed=1
    continue
  fi
  mkdir -p "$corpus" "$arts" "$(dirname "$log")"
  [ -d "fuzz/seeds/$name" ] && cp -n "fuzz/seeds/$name"/* "$corpus"/ 2>/dev/null

  "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$arts/" "$corpus" >"$log" 2>&1
  rc=$?

  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  stat=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -1)
  cov=$(echo "$stat" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$stat" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$stat" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
  line=$(printf '%s runs, %s exec/s, cov %s, ft %s, corpus %s' "${runs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "${corp:-?}")

  if [ $rc -eq 0 ]; then
    printf '%-12s ok       %s\n' "$name" "$line"
  else
    failed=1
    art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    why=$(grep -m1 -oE 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer): [a-zA-Z-]+|runtime error: .*' \
      "$log")
    printf '%-12s CRASH    %s; %s; input %s (log %s)\n' "$name" "$line" "${why:-exit $rc}" \
      "${art:-?}" "$log"
  fi
done
exit $failed

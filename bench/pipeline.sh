#!/bin/bash
# Benchmark (not a test): the film processing pipeline (src/film_job.c, film_transcode: ffprobe,
# then ONE ffmpeg run decoding the clip once for the HLS ladder, the download MP4, the posters
# and the storyboard's thumbnails, its -progress output parsed; ffprobe of the MP4 to check
# it; a tiny ffmpeg run tiling the thumbnails) against the
# very same commands run bare from the shell, on the same generated clip, same machine, same
# run, alternating sides. Prints both wall times and their ratio (aim: at most 1.1).
# Usage: bench/pipeline.sh [seconds] [WIDTHxHEIGHT] [runs]   (defaults 60, 1920x1080, 2)
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
size=${2:-1920x1080}
runs=${3:-2}
for tool in ffmpeg ffprobe; do
  command -v $tool >/dev/null || { echo "pipeline: $tool not found (scripts/deps.sh installs it)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/lanterne-pipeline.XXXXXX)
trap 'rm -rf "$work"' EXIT

# the driver, linked with the server's objects the way the unit tests are
make -s build >/dev/null
cat >"$work/driver.mk" <<'MK'
$(BUILD)/bench/film_pipeline: bench/film_pipeline.c $(OBJ)
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) -o $@ $< $(OBJ) $(LDLIBS)
MK
make -s -f Makefile -f "$work/driver.mk" build/bench/film_pipeline
driver=build/bench/film_pipeline

# a clip like a workshop's export: a moving pattern with a burnt-in clock, a tone, H.264 + AAC
echo "pipeline: drawing a ${secs} s ${size} clip..." >&2
ffmpeg -v error -nostdin -y -f lavfi -i "testsrc2=size=${size}:rate=25:duration=${secs}" \
  -f lavfi -i "sine=frequency=440:duration=${secs}" -c:v libx264 -preset veryfast -crf 20 \
  -pix_fmt yuv420p -c:a aac -b:a 160k -shortest -movflags +faststart "$work/clip.mp4"
cat "$work/clip.mp4" >/dev/null # both sides read from the page cache

now() { date +%s.%N; }
bare_run() { # the same three commands, bare
  local out=$1
  rm -rf "$out"; mkdir -p "$out/hls" "$out/sb"
  "$driver" argv "$work/clip.mp4" "$out" >"$work/cmds"
  mapfile -t cmd < <(sed '/^--$/,$d' "$work/cmds")
  mapfile -t tile < <(sed '1,/^--$/d' "$work/cmds")
  local t0; t0=$(now)
  ffprobe -v error -print_format json -show_format -show_streams -i "file:$work/clip.mp4" >/dev/null
  "${cmd[@]}" >/dev/null 2>"$out.log"
  ffprobe -v error -print_format json -show_format -show_streams -i "file:$out/film.mp4" >/dev/null
  "${tile[@]}" 2>>"$out.log"
  local t1; t1=$(now)
  rm -f "$out/poster-0.jpg"; rm -rf "$out/sb" # what the pipeline drops too
  echo "$t1 - $t0" | bc
}
pipe_run() {
  local out=$1
  rm -rf "$out"
  "$driver" run "$work/clip.mp4" "$out" 2>/dev/null
}

echo "pipeline: the ffmpeg command:" >&2
"$driver" argv "$work/clip.mp4" "$work/show" | tr '\n' ' ' | sed 's/ -- /\n\n/' | fold -w 100 >&2; echo >&2
bare_total=0; pipe_total=0
for i in $(seq 1 "$runs"); do
  b=$(bare_run "$work/bare")
  p=$(pipe_run "$work/pipe")
  printf 'run %d: bare %.2f s, pipeline %.2f s\n' "$i" "$b" "$p"
  bare_total=$(echo "$bare_total + $b" | bc); pipe_total=$(echo "$pipe_total + $p" | bc)
done
# both made the same files
(cd "$work/bare" && find . -type f | sort) >"$work/bare.list"
(cd "$work/pipe" && find . -type f | sort) >"$work/pipe.list"
cmp -s "$work/bare.list" "$work/pipe.list" || { echo "pipeline: the two sides made different files" >&2; diff "$work/bare.list" "$work/pipe.list" >&2; exit 1; }
ratio=$(echo "scale=3; $pipe_total / $bare_total" | bc)
printf '%s s %s clip, %d runs each, %d cores: bare %.2f s, pipeline %.2f s (mean); pipeline / bare = %s (aim <= 1.1)\n' \
  "$secs" "$size" "$runs" "$(nproc)" "$(echo "$bare_total / $runs" | bc -l)" "$(echo "$pipe_total / $runs" | bc -l)" "$ratio"

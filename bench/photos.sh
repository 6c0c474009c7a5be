#!/bin/bash
# Benchmark (not a test): the photo pipeline (`lanterne image`) against ImageMagick's `convert`
# making the same six files per photo (320, 1024 and 2048 wide, WebP q80 and progressive JPEG
# q82, upright, stripped), on the same generated phone-sized photos, same machine, same run.
# Prints photos/s for both, one photo at a time and with every core busy, and their ratios.
# Usage: bench/photos.sh [photos] [WIDTHxHEIGHT]   (defaults 40 and 4000x3000)
set -eu
cd "$(dirname "$0")/.."
n=${1:-40}
size=${2:-4000x3000}
cores=$(nproc)
work=$(mktemp -d /tmp/lanterne-photos.XXXXXX)
trap 'rm -rf "$work"' EXIT
for tool in convert exiftool; do
  command -v $tool >/dev/null || { echo "photos: $tool not found (scripts/deps.sh installs it)" >&2; exit 1; }
done

# Demo pictures drawn by code (gradient, shapes, caption, film grain: about 3.5 MB each at
# 4000x3000, like a phone's), then what a phone writes: camera, date, GPS; every fourth one is a
# portrait stored sideways (EXIF orientation 6), which both sides must turn upright.
build/lanterne image --demo "$n" --size "$size" --out "$work/src" >/dev/null
exiftool -q -overwrite_original -Make=Canon -Model="EOS 250D" -DateTimeOriginal="2026:06:12 14:03:00" \
  -GPSLatitude=48.8566 -GPSLatitudeRef=N -GPSLongitude=2.3522 -GPSLongitudeRef=E \
  -Orientation#=1 "$work"/src/*.jpg
exiftool -q -overwrite_original -Orientation#=6 $(ls "$work"/src/*.jpg | awk 'NR % 4 == 0')
files=("$work"/src/*.jpg)
cat "${files[@]}" >/dev/null # both sides read from the page cache

# ImageMagick, one decode per photo and the same cascade as Lanterne (2048 from the photo,
# 1024 from the 2048, 320 from the 1024), the same libwebp effort per size (2, then 4 and 4:
# webp_effort in src/image.c)
cat >"$work/im-one.sh" <<'SH'
#!/bin/sh
out=$1/$(basename "$2"); mkdir -p "$out"
exec convert "$2" -auto-orient -strip -define jpeg:optimize-coding=true -interlace JPEG \
  -resize '2048x>' -define webp:method=2 -quality 80 -write "$out/2048.webp" -quality 82 -write "$out/2048.jpg" \
  -resize '1024x>' -define webp:method=4 -quality 80 -write "$out/1024.webp" -quality 82 -write "$out/1024.jpg" \
  -resize '320x>' -quality 80 -write "$out/320.webp" -quality 82 "$out/320.jpg"
SH
chmod +x "$work/im-one.sh"

# Each run: wall seconds and CPU seconds (user + system, children included), from bash's time.
TIMEFORMAT='%R %U %S'
timed() { # out file, command...
  local f=$1
  shift
  { time "$@"; } 2>"$f"
}
lanterne_run() { # threads, out dir
  build/lanterne image --threads "$1" --out "$2" "${files[@]}" >"$2.log" ||
    { echo "photos: lanterne image failed (see $2.log)" >&2; tail -3 "$2.log" >&2; exit 1; }
}
im_run() { # parallel jobs, out dir[, MAGICK_THREAD_LIMIT]
  mkdir -p "$2"
  printf '%s\0' "${files[@]}" | env ${3:+MAGICK_THREAD_LIMIT=$3} xargs -0 -P "$1" -n 1 "$work/im-one.sh" "$2"
}
# One photo at a time: Lanterne with one file in flight, convert with its OpenMP threads.
# Every core busy: Lanterne with one file per core, one convert per core, each limited to one
# thread as ImageMagick advises for parallel runs (its OpenMP threads would fight each other).
load0=$(cut -d' ' -f1 /proc/loadavg)
timed "$work/t.l1" lanterne_run 1 "$work/l1"
timed "$work/t.m1" im_run 1 "$work/m1"
timed "$work/t.lp" lanterne_run "$cores" "$work/lp"
timed "$work/t.mp" im_run "$cores" "$work/mp" 1
load1=$(cut -d' ' -f1 /proc/loadavg)
rate() { awk -v n="$n" '{ printf "%.2f", n / $1 }' "$work/t.$1"; }
cpu() { awk -v n="$n" '{ printf "%.2f", ($2 + $3) / n }' "$work/t.$1"; }

# the same work was done: six files per photo, same sizes, no metadata left
count() { find "$1" -type f \( -name '*.webp' -o -name '*.jpg' \) | wc -l; }
for d in l1 m1 lp mp; do
  [ "$(count "$work/$d")" = $((6 * n)) ] || { echo "photos: $d made $(count "$work/$d") files, not $((6 * n))" >&2; exit 1; }
done
first=$(basename "${files[3]}")
for f in 320.jpg 1024.webp 2048.jpg; do
  a=$(identify -format '%wx%h' "$work/l1/$first/$f"); b=$(identify -format '%wx%h' "$work/m1/$first/$f")
  [ "$a" = "$b" ] || { echo "photos: $first/$f is $a from lanterne, $b from convert" >&2; exit 1; }
done
leaks=$(exiftool -q -q -r -if '$Make or $Model or $GPSLatitude or $DateTimeOriginal' -p '$FileName' "$work/l1" "$work/m1" 2>/dev/null | wc -l)
mb() { du -sm "$1" | awk '{print $1}'; }

echo "$n photos $size ($(mb "$work/src") MB of JPEG, EXIF with GPS, 1 in 4 rotated), $cores cores," \
  "load average $load0 before, $load1 after"
printf '%-38s %9s %9s %7s\n' "" lanterne convert ratio
row() { # label, lanterne value, convert value, 1 if lower is better
  printf '%-38s %9s %9s %7s\n' "$1" "$2" "$3" \
    "$(awk -v a="$2" -v b="$3" -v inv="$4" 'BEGIN { printf "%.2f", inv ? b / a : a / b }')"
}
row "one photo at a time: photos/s" "$(rate l1)" "$(rate m1)" 0
row "one photo at a time: CPU s per photo" "$(cpu l1)" "$(cpu m1)" 1
row "$cores at a time: photos/s" "$(rate lp)" "$(rate mp)" 0
row "$cores at a time: CPU s per photo" "$(cpu lp)" "$(cpu mp)" 1
printf '%-38s %9s %9s\n' "output (MB, 6 files per photo)" "$(mb "$work/l1")" "$(mb "$work/m1")"
echo "metadata left in outputs: $leaks files with camera or GPS"

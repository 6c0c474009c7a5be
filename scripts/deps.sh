#!/bin/sh
# Installs what Lanterne needs on Debian 12, only what is missing: Debian packages with
# apt-get (as root), then the npm packages pinned in package-lock.json.
set -eu
cd "$(dirname "$0")/.."

# build and runtime
PKGS="gcc make libc6-dev libmicrohttpd-dev libsqlite3-dev libpq-dev libjansson-dev
libsodium-dev libmagic-dev libcmark-dev gettext curl ca-certificates"
# PostgreSQL 15 server programs: the test suites run against a throwaway cluster
# (scripts/pg-test-cluster.sh); unaccent, used by full-text search, ships with it
PKGS="$PKGS postgresql"
# tests: cmocka, sanitizers (clang), browser, Nu checker (Java)
PKGS="$PKGS libcmocka-dev clang chromium default-jre-headless"
# photos: libvips (with libheif, libwebp, lcms2...), libwebp and zlib linked directly too;
# exiftool, with which the photo tests and the benchmark write metadata to strip
PKGS="$PKGS libvips-dev libwebp-dev zlib1g-dev libimage-exiftool-perl"
# films: ffmpeg and ffprobe, run as child processes (src/ffmpeg.c) to probe and transcode
# uploads and to draw the demo films; fonts-dejavu-core for the demo films' titles
PKGS="$PKGS ffmpeg fonts-dejavu-core"
# benchmark reference (imagemagick: bench/photos.sh)
PKGS="$PKGS nginx-light wrk imagemagick sqlite3"
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"

missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# a JRE from another package (e.g. openjdk-17-jre-headless) is as good as the default one
case "$missing" in *default-jre-headless*)
  command -v java >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/default-jre-headless//') ;;
esac
missing=$(echo $missing)
if [ -n "$missing" ]; then
  echo "deps: installing Debian packages: $missing"
  if [ "$(id -u)" != 0 ]; then
    echo "deps: run as root (or install them yourself): apt-get install $missing" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# npm packages, reinstalled only when the lock file changed
stamp=node_modules/.lanterne-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

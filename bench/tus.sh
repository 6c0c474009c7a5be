#!/bin/bash
# Benchmark (not a test): a 1 GiB tus upload to Lanterne and to the reference server
# @tus/server + @tus/file-store (both from node_modules), same machine, same run,
# alternately, with curl and with tus-js-client as clients (bench/tus.mjs). Runs twice: with
# both servers' files on tmpfs (/dev/shm: what the servers cost) and on the disk (/var/tmp:
# what the page cache and the disk allow). Runs per side and client: $1, default 3.
# Usage: bench/tus.sh [runs]   (LANTERNE_BIN: the binary, default build/lanterne)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-3}
export LANTERNE_PWHASH_FAST=1
for dir in /dev/shm /var/tmp; do
  echo "== files under $dir"
  TMPDIR=$dir node bench/tus.mjs "$runs"
done

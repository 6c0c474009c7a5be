#!/bin/sh
# `make run`: creates the data directory and database on first start (reference data and
# demo dataset), prints the demo accounts, then serves on LANTERNE_LISTEN.
set -eu
cd "$(dirname "$0")/.."
: "${LANTERNE_DATA_DIR:=var}"
export LANTERNE_DATA_DIR
bin=build/lanterne
mkdir -p "$LANTERNE_DATA_DIR"
if [ ! -f "$LANTERNE_DATA_DIR/.initialized" ]; then
  "$bin" init
  "$bin" demo > "$LANTERNE_DATA_DIR/demo-accounts.txt"
  touch "$LANTERNE_DATA_DIR/.initialized"
fi
cat "$LANTERNE_DATA_DIR/demo-accounts.txt"
echo "Lanterne: http://${LANTERNE_LISTEN:-127.0.0.1:8080}/"
exec "$bin" serve

#!/usr/bin/env bash
# `quokka convert` CSV -> Arrow IPC, then the npm peers (apache-arrow, nodejs-polars) read the
# file and compare it with the CSV.   convert_check.sh QUOKKA WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
quokka=$1
work=$2
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "convert interop: node/npm not installed; skipping"
  exit 77
fi
bash "$root/scripts/npm-peers.sh"
rm -rf "$work" && mkdir -p "$work"
{
  echo "id,name,amount,day"
  for i in $(seq 1 2000); do
    printf '%d,name %d,%d.%02d,2021-%02d-%02d\n' "$i" $((i * 13 % 97)) $((i * 3)) $((i % 100)) \
      $((i % 12 + 1)) $((i % 28 + 1))
  done
} > "$work/input.csv"
"$quokka" convert "$work/input.csv" "$work/output.arrow" \
  --columns 'id:int64,name:utf8,amount:float64,day:date32' --channels 3
NODE_PATH="$root/build/npm/node_modules" node "$here/convert_check.js" "$work/output.arrow" \
  "$work/input.csv"

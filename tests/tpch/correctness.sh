#!/usr/bin/env bash
# TPC-H correctness: generate SF 0.01 and SF 0.1 with `quokka tpch gen`, run every implemented
# query with `quokka tpch run` and with DuckDB (the reference) on the same files, and compare.
#   correctness.sh QUOKKA WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
quokka=$1
work=$2
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "tpch correctness: node/npm not installed; skipping"
  exit 77
fi
bash "$root/scripts/tpch-peers.sh"
export NODE_PATH="$root/build/tpch-npm/node_modules"
mkdir -p "$work"
queries="1 3 4 5 6 10 12 13 14 19"
for sf in 0.01 0.1; do
  data="$work/sf$sf"
  [ -f "$data/lineitem.tbl" ] || "$quokka" tpch gen --sf "$sf" --out "$data" >/dev/null
  for q in $queries; do
    "$quokka" tpch run --query "$q" --data "$data" --output "$work/q$q.sf$sf.quokka.csv" >/dev/null
    node "$here/duckdb_run.js" "$data" "$q" "$work/q$q.sf$sf.duckdb.csv" --threads 2 >/dev/null
    args=$(cd "$here" && node -p "require('./tpch_schema').COMPARE_ARGS[$q].join(' ')")
    if node "$here/compare.js" "$work/q$q.sf$sf.duckdb.csv" "$work/q$q.sf$sf.quokka.csv" $args; then
      echo "ok   Q$q SF $sf"
    else
      echo "FAIL Q$q SF $sf"
      exit 1
    fi
  done
done

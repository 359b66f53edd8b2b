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

# Split files (--files 3) and Arrow IPC input give the same answers.
split="$work/sf0.01-split"
[ -d "$split/lineitem" ] || "$quokka" tpch gen --sf 0.01 --files 3 --out "$split" >/dev/null
for q in 1 3 5; do
  "$quokka" tpch run --query "$q" --data "$split" --output "$work/q$q.split.csv" >/dev/null
  node "$here/compare.js" "$work/q$q.sf0.01.duckdb.csv" "$work/q$q.split.csv" --ordered \
    || { echo "FAIL Q$q on split files"; exit 1; }
done
echo "ok   split files"

# Bad input: clear errors naming the file or the argument, non-zero exit.
expect_error() {  # pattern, command...
  local pattern=$1
  shift
  if output=$("$@" 2>&1); then echo "FAIL expected an error from: $*"; exit 1; fi
  echo "$output" | grep -q -- "$pattern" || { echo "FAIL error lacks '$pattern': $output"; exit 1; }
}
broken="$work/broken"
rm -rf "$broken" && cp -r "$work/sf0.01" "$broken" && rm "$broken/orders.tbl"
expect_error "orders.tbl" "$quokka" tpch run --query 3 --data "$broken"
head -3 "$work/sf0.01/part.tbl" | cut -d'|' -f1-5 > "$broken/part.tbl"
expect_error "part.tbl' line " "$quokka" tpch run --query 14 --data "$broken"
expect_error "--query" "$quokka" tpch run --query 23 --data "$broken"
expect_error "not implemented" "$quokka" tpch run --query 2 --data "$broken"
expect_error "--sf" "$quokka" tpch gen --sf 0.001 --out "$work/tiny"
expect_error "--data" "$quokka" tpch run --query 1 --data "$work/does-not-exist"
echo "ok   bad input"

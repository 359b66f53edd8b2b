#!/usr/bin/env bash
# Self-test of the TPC-H reference peers (no quokka involved): installs the pinned npm peers
# (scripts/tpch-peers.sh -> build/tpch-npm), writes the hand-made mini dataset (mini_data.sh)
# once with one file per table and once split (lineitem.tbl.1/.2, orders/*.tbl), then for each
# of queries 1, 3, 4, 5, 6, 10, 12, 13, 14, 19:
#   - duckdb_run.js and polars_run.js run it on both layouts and return rows;
#   - all four results agree (compare.js with the query's COMPARE_ARGS from tpch_schema.js);
#   - DuckDB's result equals mini_expected/qN.csv (hand-checked results on the mini data).
#   tests/tpch/peer_selftest.sh [WORK_DIR]
# Exits 77 (skipped) when node/npm are missing, 1 with "FAIL ..." lines on a failure.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${1:-$root/build/tpch_selftest}"
queries=(1 3 4 5 6 10 12 13 14 19)
threads=2

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "peer_selftest: node/npm not installed; skipping"
  exit 77
fi
if ! bash "$root/scripts/tpch-peers.sh"; then
  echo "FAIL peer_selftest: scripts/tpch-peers.sh could not install the npm peers"
  exit 1
fi
export NODE_PATH="$root/build/tpch-npm/node_modules"

rm -rf "$work"
mkdir -p "$work/out"
bash "$here/mini_data.sh" "$work/mini" || { echo "FAIL peer_selftest: mini_data.sh"; exit 1; }
bash "$here/mini_data.sh" --split "$work/mini_split" || { echo "FAIL peer_selftest: mini_data.sh --split"; exit 1; }

passed=0
failed=0
check() {  # NAME COMMAND...: runs the command, counts and reports the outcome
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}
has_rows() { [[ $(wc -l < "$1") -ge 2 ]]; }

for q in "${queries[@]}"; do
  o="$work/out/q$q"
  read -r -a how < <(node -p "require('$here/tpch_schema').COMPARE_ARGS[$q].join(' ')")
  check "q$q duckdb runs" node "$here/duckdb_run.js" "$work/mini" "$q" "$o.duckdb.csv" --threads $threads
  check "q$q polars runs" node "$here/polars_run.js" "$work/mini" "$q" "$o.polars.csv" --threads $threads
  check "q$q duckdb runs (split files)" \
    node "$here/duckdb_run.js" "$work/mini_split" "$q" "$o.duckdb_split.csv" --threads $threads
  check "q$q polars runs (split files)" \
    node "$here/polars_run.js" "$work/mini_split" "$q" "$o.polars_split.csv" --threads $threads
  check "q$q duckdb returns rows" has_rows "$o.duckdb.csv"
  check "q$q duckdb matches mini_expected/q$q.csv" \
    node "$here/compare.js" "$here/mini_expected/q$q.csv" "$o.duckdb.csv" "${how[@]}"
  check "q$q polars agrees with duckdb" \
    node "$here/compare.js" "$o.duckdb.csv" "$o.polars.csv" "${how[@]}"
  check "q$q duckdb on split files agrees" \
    node "$here/compare.js" "$o.duckdb.csv" "$o.duckdb_split.csv" "${how[@]}"
  check "q$q polars on split files agrees" \
    node "$here/compare.js" "$o.duckdb.csv" "$o.polars_split.csv" "${how[@]}"
done

# compare.js must catch a wrong result: perturb one number of Q1 beyond the tolerance.
sed '2s/,\([0-9]*\)\.\([0-9]*\),/,\1.\29,/; 2s/^\([^,]*\),\([^,]*\),\([0-9]*\)/\1,\2,1\3/' \
  "$work/out/q1.duckdb.csv" > "$work/out/q1.wrong.csv"
check "compare.js detects a wrong value" \
  bash -c '! node "$0" "$1" "$2" --ordered > /dev/null' "$here/compare.js" \
  "$work/out/q1.duckdb.csv" "$work/out/q1.wrong.csv"

echo "peer_selftest: $passed passed, $failed failed"
[[ $failed -eq 0 ]]

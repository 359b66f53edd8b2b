#!/usr/bin/env bash
# TPC-H benchmark: quokka vs DuckDB (node API) vs Polars (nodejs-polars, lazy CSV scan) on the
# same .tbl files, whole processes, engines alternating, several runs each. Prints per query the
# median wall time and peak memory (max RSS) of each engine and the ratio quokka / faster peer.
#   bench/tpch/bench.sh [--sf SF] [--runs R] [--queries "1 6"] [--data DIR]
# Needs a release build (build/bin/quokka); installs the peers with scripts/tpch-peers.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
sf=1
runs=5
queries="1 3 4 5 6 10 12 13 14 19"
data=""
while [ $# -gt 0 ]; do
  case $1 in
    --sf) sf=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    *) echo "usage: bench.sh [--sf SF] [--runs R] [--queries \"1 6\"] [--data DIR]"; exit 2 ;;
  esac
done
quokka=build/bin/quokka
[ -x "$quokka" ] || { echo "build first: cmake --preset release && cmake --build --preset release"; exit 1; }
bash scripts/tpch-peers.sh >/dev/null
export NODE_PATH=$PWD/build/tpch-npm/node_modules
data=${data:-build/tpch-sf$sf}
[ -f "$data/lineitem.tbl" ] || [ -d "$data/lineitem" ] || "$quokka" tpch gen --sf "$sf" --out "$data"
threads=$(nproc)
out=$(mktemp -d)

measure() {  # engine query -> "seconds kilobytes"
  local engine=$1 q=$2
  case $engine in
    quokka) cmd=("$quokka" tpch run --query "$q" --data "$data" --output "$out/q$q.quokka.csv") ;;
    duckdb) cmd=(node tests/tpch/duckdb_run.js "$data" "$q" "$out/q$q.duckdb.csv" --threads "$threads") ;;
    polars) cmd=(node tests/tpch/polars_run.js "$data" "$q" "$out/q$q.polars.csv" --threads "$threads") ;;
  esac
  /usr/bin/time -f "%e %M" -o "$out/time" "${cmd[@]}" >/dev/null 2>&1
  cat "$out/time"
}
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "TPC-H SF $sf, $runs runs per engine (alternating), $threads threads, $(date -u +%F), $(nproc) cores"
printf "%-5s %-8s %10s %10s %12s\n" query engine "median s" "peak MiB" "quokka/peer"
for q in $queries; do
  declare -A secs=() mem=()
  for run in $(seq 1 "$runs"); do
    for engine in quokka duckdb polars; do
      read -r s kb < <(measure "$engine" "$q")
      secs[$engine]+="$s "
      mem[$engine]+="$kb "
    done
  done
  node tests/tpch/compare.js "$out/q$q.duckdb.csv" "$out/q$q.quokka.csv" \
    $(cd tests/tpch && node -p "require('./tpch_schema').COMPARE_ARGS[$q].join(' ')") >/dev/null \
    || echo "WARNING: Q$q quokka result differs from DuckDB's"
  q_s=$(echo "${secs[quokka]}" | tr ' ' '\n' | grep . | median)
  for engine in quokka duckdb polars; do
    s=$(echo "${secs[$engine]}" | tr ' ' '\n' | grep . | median)
    kb=$(echo "${mem[$engine]}" | tr ' ' '\n' | grep . | median)
    ratio=$([ "$engine" = quokka ] && echo "-" || awk -v a="$q_s" -v b="$s" 'BEGIN {printf "%.2f", a / b}')
    printf "%-5s %-8s %10.2f %10.0f %12s\n" "Q$q" "$engine" "$s" "$((kb / 1024))" "$ratio"
  done
done
rm -rf "$out"

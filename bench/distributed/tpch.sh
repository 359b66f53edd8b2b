#!/usr/bin/env bash
# TPC-H in local mode vs multi-process mode on the same machine (issue 5: distributed runtime).
#
# Runs `quokka tpch run --query N --data DIR` in local mode (one process), with `--workers 1`
# (one worker process with all cores, plus the driver) and with `--workers 2` (two worker
# processes with cores/2 threads each, objects between them over gRPC on loopback). Modes
# alternate within every round so that the noise of a shared machine hits all of them alike.
# For each query and mode it prints the median over the runs of
#   query s    the time the command prints for the query (cluster start-up excluded)
#   process s  the whole process (cluster start-up and shut-down included)
#   CPU s      user + system CPU of the whole process tree (driver, workers, redis-server: the
#              workers are reaped by the driver, so their CPU counts in its rusage)
# and the ratios to local mode, as markdown tables. Every result is compared with local mode's.
#
#   bench/distributed/tpch.sh [DATA_DIR] [--runs R] [--queries "1 3 6"] [--sf SF]
#
# DATA_DIR defaults to build-bench/tpch-sf1 (made with `quokka tpch gen --sf SF` if missing).
# The quokka CLI is build-bench/bin/quokka unless QUOKKA=/path/to/quokka is set.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=3
queries="1 3 6"
sf=1
data=""
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    --sf) sf=$2; shift 2 ;;
    -h|--help) sed -n 2,18p "$0"; exit 0 ;;
    -*) echo "usage: tpch.sh [DATA_DIR] [--runs R] [--queries \"1 3 6\"] [--sf SF]" >&2; exit 2 ;;
    *) data=$1; shift ;;
  esac
done
quokka=${QUOKKA:-build-bench/bin/quokka}
[ -x "$quokka" ] || {
  echo "no $quokka: cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release &&" \
       "cmake --build build-bench --target quokka_cli (or set QUOKKA=...)" >&2
  exit 1
}
data=${data:-build-bench/tpch-sf$sf}
if [ ! -f "$data/lineitem.tbl" ] && [ ! -d "$data/lineitem" ]; then
  "$quokka" tpch gen --sf "$sf" --out "$data" >&2
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
modes=(local w1 w2)
declare -A flags=([local]="" [w1]="--workers 1" [w2]="--workers 2")

median() { sort -g | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# run QUERY MODE RUN -> "query_seconds process_seconds cpu_seconds"
run() {
  local q=$1 mode=$2 i=$3 log="$out/q$1.$2.$3.log"
  # shellcheck disable=SC2086
  if ! /usr/bin/time -f "%e %U %S" -o "$out/time" "$quokka" tpch run --query "$q" --data "$data" \
      ${flags[$mode]} --output "$out/q$q.$mode.csv" >"$log" 2>&1; then
    echo "FAILED: $quokka tpch run --query $q --data $data ${flags[$mode]}" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  local query_s
  query_s=$(sed -n 's/^TPC-H Q[0-9]*: .* in \([0-9.e+-]*\) s$/\1/p' "$log" | tail -1)
  [ -n "$query_s" ] || { echo "no query time in the output of Q$q ($mode):" >&2; cat "$log" >&2; exit 1; }
  read -r wall user sys < <(tail -1 "$out/time")
  echo "$query_s $wall $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')"
}

echo "TPC-H SF $sf from $data, median of $runs runs (modes alternating), $(nproc) cores," \
     "$(date -u +'%F %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
declare -A query_s process_s cpu_s
for q in $queries; do
  for i in $(seq 1 "$runs"); do
    for mode in "${modes[@]}"; do
      read -r qs ps cs < <(run "$q" "$mode" "$i")
      query_s[$q.$mode]+="$qs "
      process_s[$q.$mode]+="$ps "
      cpu_s[$q.$mode]+="$cs "
      echo "Q$q $mode run $i: query $qs s, process $ps s, CPU $cs s" >&2
    done
  done
  for mode in w1 w2; do
    cmp -s "$out/q$q.local.csv" "$out/q$q.$mode.csv" ||
      echo "WARNING: Q$q result with ${flags[$mode]} differs from local mode" >&2
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
med() { echo "$1" | tr ' ' '\n' | grep . | median; }
echo
echo "Query time (printed by the command; cluster start-up excluded), median s:"
echo
echo "| query | local | --workers 1 | --workers 2 | w1 / local | w2 / local |"
echo "|---|---|---|---|---|---|"
for q in $queries; do
  l=$(med "${query_s[$q.local]}"); a=$(med "${query_s[$q.w1]}"); b=$(med "${query_s[$q.w2]}")
  printf "| Q%s | %.3f | %.3f | %.3f | %s | %s |\n" "$q" "$l" "$a" "$b" "$(ratio "$a" "$l")" "$(ratio "$b" "$l")"
done
echo
echo "Whole process (start-up and shut-down included) and CPU of all processes, median s:"
echo
echo "| query | local process | w1 process | w2 process | w1 / local | w2 / local | local CPU | w1 CPU | w2 CPU | w1 / local CPU | w2 / local CPU |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for q in $queries; do
  l=$(med "${process_s[$q.local]}"); a=$(med "${process_s[$q.w1]}"); b=$(med "${process_s[$q.w2]}")
  cl=$(med "${cpu_s[$q.local]}"); ca=$(med "${cpu_s[$q.w1]}"); cb=$(med "${cpu_s[$q.w2]}")
  printf "| Q%s | %.2f | %.2f | %.2f | %s | %s | %.2f | %.2f | %.2f | %s | %s |\n" "$q" "$l" "$a" "$b" \
    "$(ratio "$a" "$l")" "$(ratio "$b" "$l")" "$cl" "$ca" "$cb" "$(ratio "$ca" "$cl")" "$(ratio "$cb" "$cl")"
done

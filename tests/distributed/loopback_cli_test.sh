#!/usr/bin/env bash
# The distributed runtime through the command-line programs, on this machine: every TPC-H query
# at SF 0.01 with `quokka tpch run --workers 3` (Redis and three worker processes started by the
# program, data plane on loopback) must write the same CSV, byte for byte, as local mode; lesson0
# and lesson1 with --workers 3 must print their checks. Runs as any user (no root, no network
# set-up); needs redis-server on the PATH.
#   loopback_cli_test.sh BUILD_BIN_DIR WORK_DIR
# Exit 0 when everything passed, 1 (after a line starting with "FAIL") otherwise.
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_BIN_DIR WORK_DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$(cd "$1" && pwd)" || { echo "FAIL no build bin directory '$1'"; exit 1; }
quokka="$bin/quokka"
lesson0="$bin/lesson0"
lesson1="$bin/lesson1"
queries="1 3 4 5 6 10 12 13 14 19"
# Bounds: a run that takes longer than this hangs (SF 0.01 runs take well under a second).
run_timeout=60

start=$(date +%s.%N)
elapsed() { awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'; }
fail() {
  echo "FAIL $*"
  echo "loopback_cli_test: failed after $(elapsed) s; files in $work"
  exit 1
}
ok() { echo "ok   $* ($(elapsed) s)"; }

for program in "$quokka" "$lesson0" "$lesson1"; do
  [ -x "$program" ] || fail "missing program $program (build it first)"
done
command -v redis-server >/dev/null || fail "redis-server is not on the PATH (scripts/install-deps.sh installs it); --workers needs it"

mkdir -p "$2" || fail "cannot make WORK_DIR '$2'"
work="$(cd "$2" && pwd)/loopback.$$"
rm -rf "$work" && mkdir -p "$work" || fail "cannot make $work"

# Runs a command under a time bound; output to $work/$name.out and .err. Returns its status
# (124 when it had to be killed).
run() {  # name, command...
  local name=$1
  shift
  timeout -k 5 "$run_timeout" "$@" >"$work/$name.out" 2>"$work/$name.err"
}
show() {  # name: the output of a failed command
  echo "---- command output ($work/$1.out, .err):"
  tail -n 30 "$work/$1.out"
  tail -n 30 "$work/$1.err"
  echo "----"
}

data="$work/sf0.01"
run gen "$quokka" tpch gen --sf 0.01 --out "$data" || { show gen; fail "quokka tpch gen --sf 0.01"; }
ok "generated TPC-H SF 0.01"

for q in $queries; do
  run "q$q.local" "$quokka" tpch run --query "$q" --data "$data" --output "$work/q$q.local.csv" \
    || { show "q$q.local"; fail "Q$q in local mode"; }
  run "q$q.workers" "$quokka" tpch run --query "$q" --data "$data" --workers 3 \
    --output "$work/q$q.workers.csv"
  status=$?
  if [ $status -ne 0 ]; then
    show "q$q.workers"
    [ $status -eq 124 ] && fail "Q$q with --workers 3 did not finish within $run_timeout s (hang)"
    fail "Q$q with --workers 3 exited with status $status"
  fi
  [ -s "$work/q$q.local.csv" ] || fail "Q$q: local mode wrote no CSV"
  if ! cmp "$work/q$q.local.csv" "$work/q$q.workers.csv"; then
    diff "$work/q$q.local.csv" "$work/q$q.workers.csv" | head -20
    fail "Q$q with --workers 3 differs from local mode"
  fi
  ok "Q$q --workers 3 = local ($(($(wc -l <"$work/q$q.local.csv") - 1)) rows)"
done

run lesson0 "$lesson0" --workers 3
status=$?
if [ $status -ne 0 ] || ! grep -qx "total 3160" "$work/lesson0.out"; then
  show lesson0
  fail "lesson0 --workers 3 (status $status; expected 'total 3160')"
fi
ok "lesson0 --workers 3: total 3160"

run lesson1.data bash "$root/examples/tutorials/lesson1/make_data.sh" "$work/lesson1" 20000 10000 3000 \
  || { show lesson1.data; fail "lesson1 make_data.sh"; }
run lesson1 "$lesson1" "$work/lesson1" --workers 3
status=$?
if [ $status -ne 0 ] || ! grep -qx "count matches" "$work/lesson1.out"; then
  show lesson1
  fail "lesson1 --workers 3 (status $status; expected 'count matches')"
fi
ok "lesson1 --workers 3: count matches"

rm -rf "$work"
echo "loopback_cli_test: all passed in $(elapsed) s"

#!/usr/bin/env bash
# S3 against a real S3 API server: s3rver (npm, pinned by tests/s3/package-lock.json) on a free
# loopback port, with boto3 (Debian's python3-boto3) as the independent client on the other side.
#   a. TPC-H SF 0.01 uploaded with boto3: `quokka tpch run` on s3://tpch/sf001/ writes the same
#      CSV, byte for byte, as on the local directory (Q1, Q6, and Q3 for the joins; split files)
#   b. `quokka convert` to s3:// (Arrow IPC and CSV, small and multipart) writes objects that
#      boto3 reads back byte for byte equal to the local output; S3 input converts like local
#   c. `quokka head` on objects prints what it prints on the local files
#   d. bad input: wrong credentials, a missing bucket or key, an invalid or expired signature,
#      throttling (503), server errors (500), connection resets and truncated bodies (through
#      tests/s3/fault_proxy.py, only for the faults s3rver cannot produce) and truncated
#      objects: a clear error naming the URL within a time bound, or success with the right
#      result where a retry is right; the secret key never appears in any output
#   e. a prefix of more than 1000 objects (ListObjectsV2 pages) reads like the local directory
#   interop_test.sh BUILD_BIN_DIR WORK_DIR
# Prints one "PASS ..." or "FAIL ..." line per check; exits 1 if any check failed, 77 (skip)
# when node/npm, boto3 or s3rver are not available.
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_BIN_DIR WORK_DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$(cd "$1" && pwd)" || { echo "FAIL no build bin directory '$1'"; exit 1; }
build="$(cd "$bin/.." && pwd)"
quokka="$bin/quokka"
# Bounds: a command that takes longer than run_timeout hangs; a failure must be reported within
# fail_bound seconds (the bounded retries included).
run_timeout=120
fail_bound=60

start=$(date +%s.%N)
elapsed() { awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'; }
failures=0
pass() { echo "PASS $* ($(elapsed) s)"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
fatal() {
  echo "FAIL $*"
  echo "s3 interop_test: stopped after $(elapsed) s; files in $work"
  exit 1
}
skip() { echo "s3 interop_test: $*; skipping"; exit 77; }
step() { echo; echo "== $*"; }

[ -x "$quokka" ] || { echo "FAIL missing program $quokka (build it first)"; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || skip "node/npm are not installed"
python=""
for candidate in /usr/bin/python3 python3; do
  if "$candidate" -c 'import boto3' 2>/dev/null; then python=$candidate; break; fi
done
[ -n "$python" ] || skip "boto3 is not installed (apt-get install python3-boto3)"
bash "$root/scripts/s3rver.sh" install "$build" >/dev/null || skip "s3rver cannot be installed"

mkdir -p "$2" || { echo "FAIL cannot make WORK_DIR '$2'"; exit 1; }
work="$(cd "$2" && pwd)/s3.$$"
rm -rf "$work" && mkdir -p "$work" || { echo "FAIL cannot make $work"; exit 1; }

proxy_pid=""
stop_proxy() {
  if [ -n "$proxy_pid" ]; then
    kill "$proxy_pid" 2>/dev/null
    wait "$proxy_pid" 2>/dev/null
    proxy_pid=""
  fi
}
cleanup() {
  stop_proxy
  bash "$root/scripts/s3rver.sh" stop "$work/s3data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The environment of quokka and boto3 alike; nothing from the user's AWS set-up leaks in.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_DEFAULT_PROFILE AWS_CA_BUNDLE \
  QUOKKA_S3_PART_SIZE
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true

step "start s3rver"
endpoint=$(bash "$root/scripts/s3rver.sh" start "$build" "$work/s3data") \
  || fatal "s3rver did not start (log: $work/s3data.log)"
export AWS_ENDPOINT_URL=$endpoint
echo "s3rver at $endpoint (data in $work/s3data)"
s3tool=("$python" "$here/s3tool.py")

# run NAME COMMAND...: output in $work/NAME.out and .err, wall time in $seconds; returns the
# command's status (124 when it had to be killed).
seconds=0
run() {
  local name=$1 t0
  shift
  t0=$(date +%s.%N)
  timeout -k 5 "$run_timeout" "$@" >"$work/$name.out" 2>"$work/$name.err"
  local status=$?
  seconds=$(awk -v s="$t0" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }')
  return $status
}
show() {  # NAME: the output of a command, for a failed check
  echo "---- output of $1 ($work/$1.out, .err):"
  tail -n 15 "$work/$1.out"
  tail -n 15 "$work/$1.err"
  echo "----"
}
same() {  # NAME EXPECTED ACTUAL: byte-for-byte equal files
  if cmp "$2" "$3"; then
    pass "$1"
  else
    diff "$2" "$3" | head -10
    fail "$1: $3 differs from $2"
  fi
}

# start_proxy MODE COUNT [ARGS...]: fault_proxy.py in front of s3rver; sets proxy_endpoint and
# proxy_log.
proxy_endpoint=""
proxy_log=""
proxy_count=0
start_proxy() {
  local mode=$1 count=$2
  shift 2
  stop_proxy
  proxy_count=$((proxy_count + 1))
  local port_file="$work/proxy$proxy_count.port"
  proxy_log="$work/proxy$proxy_count.$mode.log"
  "$python" "$here/fault_proxy.py" --upstream "$endpoint" --mode "$mode" --count "$count" \
    --port-file "$port_file" --log "$proxy_log" "$@" 2>"$work/proxy$proxy_count.err" &
  proxy_pid=$!
  for _ in $(seq 1 100); do
    [ -s "$port_file" ] && break
    kill -0 "$proxy_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -s "$port_file" ] || fatal "fault_proxy.py --mode $mode did not start: $(cat "$work/proxy$proxy_count.err")"
  proxy_endpoint="http://127.0.0.1:$(cat "$port_file")"
  echo "fault_proxy --mode $mode --count $count at $proxy_endpoint (log $proxy_log)"
}

# expect_failure CHECK NAME PATTERNS REASONS SECRET COMMAND...: the command must fail (not
# hang) within $fail_bound seconds; its output must contain one of PATTERNS ('|'-separated fixed
# strings: the URL), one of REASONS ('|'-separated fixed strings: what went wrong; empty: any) and
# must not contain SECRET.
expect_failure() {
  local check=$1 name=$2 patterns=$3 reasons=$4 secret=$5
  shift 5
  run "$name" "$@"
  local status=$?
  local output
  output=$(cat "$work/$name.out" "$work/$name.err")
  if [ $status -eq 0 ]; then
    show "$name"
    fail "$check: succeeded, expected an error"
    return
  fi
  if [ $status -eq 124 ]; then
    show "$name"
    fail "$check: no answer within $run_timeout s (hang)"
    return
  fi
  if awk -v s="$seconds" -v b="$fail_bound" 'BEGIN { exit !(s > b) }'; then
    show "$name"
    fail "$check: took $seconds s, more than $fail_bound s"
    return
  fi
  if [ -n "$secret" ] && grep -qF -- "$secret" <<<"$output"; then
    fail "$check: the output contains the secret key"
    return
  fi
  local pattern found=""
  IFS='|' read -ra alternatives <<<"$patterns"
  for pattern in "${alternatives[@]}"; do
    grep -qF -- "$pattern" <<<"$output" && found=$pattern && break
  done
  if [ -z "$found" ]; then
    show "$name"
    fail "$check: the error names none of '$patterns'"
    return
  fi
  local message
  message=$(grep -F -- "$found" <<<"$output" | head -1 | cut -c1-300)
  if [ -n "$reasons" ]; then
    found=""
    IFS='|' read -ra alternatives <<<"$reasons"
    for pattern in "${alternatives[@]}"; do
      grep -qF -- "$pattern" <<<"$output" && found=$pattern && break
    done
    if [ -z "$found" ]; then
      show "$name"
      fail "$check: the error gives none of the reasons '$reasons'"
      return
    fi
  fi
  pass "$check: exit $status after $seconds s: $message"
}

# ---------------------------------------------------------------------------------------------
step "a. TPC-H SF 0.01: generate locally, upload with boto3, run queries on both"
local_data="$work/sf001"
run gen "$quokka" tpch gen --sf 0.01 --out "$local_data" || { show gen; fatal "quokka tpch gen --sf 0.01"; }
run gen_split "$quokka" tpch gen --sf 0.01 --files 3 --out "$work/sf001-split" \
  || { show gen_split; fatal "quokka tpch gen --sf 0.01 --files 3"; }
run mkbucket "${s3tool[@]}" mkbucket tpch out || { show mkbucket; fatal "s3tool mkbucket"; }
run upload "${s3tool[@]}" put-dir "$local_data" s3://tpch/sf001/ || { show upload; fatal "s3tool put-dir"; }
run upload_split "${s3tool[@]}" put-dir "$work/sf001-split" s3://tpch/split/ \
  || { show upload_split; fatal "s3tool put-dir (split)"; }
echo "$(cat "$work/upload.out"); $(cat "$work/upload_split.out")"
"${s3tool[@]}" list s3://tpch/sf001/

for q in 1 6 3; do
  run "q$q.local" "$quokka" tpch run --query "$q" --data "$local_data" --output "$work/q$q.local.csv" \
    || { show "q$q.local"; fatal "Q$q on the local directory"; }
  run "q$q.s3" "$quokka" tpch run --query "$q" --data s3://tpch/sf001/ --output "$work/q$q.s3.csv"
  status=$?
  if [ $status -eq 0 ]; then
    same "Q$q on s3://tpch/sf001/ = local ($(($(wc -l <"$work/q$q.local.csv") - 1)) rows, $seconds s)" \
      "$work/q$q.local.csv" "$work/q$q.s3.csv"
  else
    show "q$q.s3"
    fail "Q$q on s3://tpch/sf001/ (exit status $status)"
  fi
done
if run q1.split "$quokka" tpch run --query 1 --data s3://tpch/split/ --output "$work/q1.split.csv"; then
  same "Q1 on split files under s3://tpch/split/ (lineitem/part-*.tbl) = local" \
    "$work/q1.local.csv" "$work/q1.split.csv"
else
  show q1.split
  fail "Q1 on s3://tpch/split/"
fi
# Worker processes read the objects themselves: the shipped readers carry s3:// paths, and the
# workers inherit the endpoint and credentials from the environment.
if run q3.workers "$quokka" tpch run --query 3 --workers 2 --data s3://tpch/sf001/ \
  --output "$work/q3.workers.csv"; then
  same "Q3 on 2 worker processes reading s3://tpch/sf001/ = local" \
    "$work/q3.local.csv" "$work/q3.workers.csv"
else
  show q3.workers
  fail "Q3 on 2 worker processes from s3://tpch/sf001/"
fi
# The result written straight to an object.
if run q6.s3out "$quokka" tpch run --query 6 --data "$local_data" --output s3://out/q6.csv \
  && run q6.s3out.cmp "${s3tool[@]}" cmp s3://out/q6.csv "$work/q6.local.csv"; then
  pass "Q6 --output s3://out/q6.csv = local CSV (boto3)"
else
  show q6.s3out
  show q6.s3out.cmp
  fail "Q6 --output s3://out/q6.csv"
fi

# ---------------------------------------------------------------------------------------------
step "b. quokka convert to and from s3:// (read back with boto3)"
# Every column type, quoting, nulls (empty fields), unicode (as tests/cli/convert_roundtrip.sh).
"$python" - "$work/input.csv" <<'EOF'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as out:
    out.write("id,name,price,day,flag,ratio\n")
    for i in range(1, 3001):
        name = {0: '"with, comma"', 1: '"say ""hi"""', 2: "", 3: "Zürich ✓"}.get(i % 7, f"name{i}")
        flag = "true" if i % 3 == 0 else "false"
        ratio = "" if i % 11 == 0 else f"{i}.5"
        out.write(f"{i},{name},{i * 7}.{i % 100:02d},2020-03-{i % 28 + 1:02d},{flag},{ratio}\n")
EOF
columns='id:int64,name:utf8,price:decimal(12,2),day:date32,flag:bool,ratio:float64'
convert_pair() {  # CHECK INPUT LOCAL_OUT S3_OUT [ARGS...]: both outputs, then boto3 compares
  local check=$1 input=$2 local_out=$3 s3_out=$4 name
  shift 4
  name=$(basename "$local_out")
  run "convert.$name.local" "$quokka" convert "$input" "$local_out" "$@" \
    || { show "convert.$name.local"; fail "$check: local convert"; return 1; }
  if ! run "convert.$name.s3" "$quokka" convert "$input" "$s3_out" "$@"; then
    show "convert.$name.s3"
    fail "$check: quokka convert $input $s3_out"
    return 1
  fi
  if run "convert.$name.cmp" "${s3tool[@]}" cmp "$s3_out" "$local_out"; then
    pass "$check: $(cat "$work/convert.$name.cmp.out")"
  else
    show "convert.$name.cmp"
    fail "$check: $s3_out differs from $local_out"
    return 1
  fi
}
convert_pair "CSV -> s3://out/x.arrow = local x.arrow" "$work/input.csv" "$work/x.arrow" \
  s3://out/x.arrow --columns "$columns"
convert_pair "IPC -> s3://out/x.csv = local x.csv" "$work/x.arrow" "$work/x.csv" s3://out/x.csv
same "x.csv = input.csv (local round trip)" "$work/input.csv" "$work/x.csv"

# S3 input gives the same rows as the local file (compared as CSV: the record batches of an
# .arrow output may be cut elsewhere, as the reads are).
run put_input "${s3tool[@]}" put "$work/input.csv" s3://tpch/conv/input.csv || { show put_input; fatal "upload input.csv"; }
for channels in 1 3; do
  if run "convert.s3in.$channels" "$quokka" convert s3://tpch/conv/input.csv \
    "$work/x.s3in.$channels.arrow" --columns "$columns" --channels "$channels" \
    && run "convert.s3in.$channels.csv" "$quokka" convert "$work/x.s3in.$channels.arrow" \
      "$work/x.s3in.$channels.csv"; then
    same "s3://tpch/conv/input.csv -> .arrow ($channels channels) -> CSV = input.csv" \
      "$work/input.csv" "$work/x.s3in.$channels.csv"
  else
    show "convert.s3in.$channels"
    fail "convert s3://tpch/conv/input.csv with $channels channels"
  fi
  if run "convert.s3csv.$channels" "$quokka" convert s3://tpch/conv/input.csv \
    "$work/x.s3csv.$channels.csv" --columns "$columns" --channels "$channels"; then
    same "s3://tpch/conv/input.csv -> CSV ($channels channels) = input.csv" \
      "$work/input.csv" "$work/x.s3csv.$channels.csv"
  else
    show "convert.s3csv.$channels"
    fail "convert s3://tpch/conv/input.csv to CSV with $channels channels"
  fi
done
if run convert.ipcin "$quokka" convert s3://out/x.arrow "$work/x.ipcin.csv"; then
  same "s3://out/x.arrow (written by quokka) -> local CSV = input.csv" "$work/input.csv" "$work/x.ipcin.csv"
else
  show convert.ipcin
  fail "convert s3://out/x.arrow to CSV"
fi

# Large outputs are multipart uploads: through fault_proxy.py --mode pass, whose request log
# shows the UploadPart requests (s3rver's ETag does not tell).
run gen005 "$quokka" tpch gen --sf 0.05 --out "$work/sf005" || { show gen005; fatal "tpch gen --sf 0.05"; }
lineitem="$work/sf005/lineitem.tbl"
min_parts() {  # FILE PART_SIZE: the whole parts in FILE (its last part may be short), at least 3
  local parts=$(($(stat -c %s "$1") / $2))
  echo $((parts < 3 ? 3 : parts))
}
echo "lineitem SF 0.05: $(stat -c %s "$lineitem") bytes"
start_proxy pass 0
if AWS_ENDPOINT_URL=$proxy_endpoint QUOKKA_S3_PART_SIZE=5242880 convert_pair \
  "lineitem SF 0.05 -> s3://out/lineitem.arrow (5 MiB parts) = local" "$lineitem" \
  "$work/lineitem.arrow" s3://out/lineitem.arrow; then
  if run mp.arrow "${s3tool[@]}" multipart-check s3://out/lineitem.arrow --proxy-log "$proxy_log" \
    --min-parts "$(min_parts "$work/lineitem.arrow" 5242880)"; then
    pass "multipart upload with QUOKKA_S3_PART_SIZE=5242880: $(cat "$work/mp.arrow.out")"
  else
    show mp.arrow
    fail "s3://out/lineitem.arrow was not written as a multipart upload of 5 MiB parts"
  fi
fi
if AWS_ENDPOINT_URL=$proxy_endpoint convert_pair \
  "lineitem SF 0.05 -> s3://out/lineitem.csv (default part size) = local" "$lineitem" \
  "$work/lineitem.csv" s3://out/lineitem.csv; then
  if run mp.csv "${s3tool[@]}" multipart-check s3://out/lineitem.csv --proxy-log "$proxy_log" \
    --min-parts "$(min_parts "$work/lineitem.csv" 8388608)"; then
    pass "multipart upload with the default 8 MiB parts: $(cat "$work/mp.csv.out")"
  else
    show mp.csv
    fail "s3://out/lineitem.csv was not written as a multipart upload of 8 MiB parts"
  fi
fi
stop_proxy

# ---------------------------------------------------------------------------------------------
step "c. quokka head on objects = on local files"
head_pair() {  # CHECK LOCAL S3 [ARGS...]
  local check=$1 local_path=$2 s3_path=$3 name
  shift 3
  name=head.$(basename "$local_path")
  run "$name.local" "$quokka" head "$local_path" "$@" || { show "$name.local"; fail "$check: local"; return; }
  if run "$name.s3" "$quokka" head "$s3_path" "$@"; then
    same "$check" "$work/$name.local.out" "$work/$name.s3.out"
  else
    show "$name.s3"
    fail "$check: quokka head $s3_path"
  fi
}
head_pair "head s3://tpch/sf001/lineitem.tbl = local" "$local_data/lineitem.tbl" s3://tpch/sf001/lineitem.tbl
head_pair "head -n 25 s3://tpch/sf001/nation.tbl = local" "$local_data/nation.tbl" s3://tpch/sf001/nation.tbl -n 25
head_pair "head s3://out/x.arrow = local" "$work/x.arrow" s3://out/x.arrow -n 5
# The endpoint as a flag instead of AWS_ENDPOINT_URL.
if env -u AWS_ENDPOINT_URL timeout -k 5 "$run_timeout" "$quokka" head s3://tpch/sf001/nation.tbl \
  -n 25 --s3-endpoint "$endpoint" >"$work/head.flag.out" 2>"$work/head.flag.err"; then
  same "head --s3-endpoint URL (no AWS_ENDPOINT_URL) = local" "$work/head.nation.tbl.local.out" "$work/head.flag.out"
else
  show head.flag
  fail "quokka head --s3-endpoint $endpoint"
fi

# ---------------------------------------------------------------------------------------------
step "d. bad input"
# Q6 reads lineitem (7 MB) and is the command of the fault checks.
q6=("$quokka" tpch run --query 6 --data s3://tpch/sf001/)
faults_in_log() {  # ACTION: requests the proxy answered with ACTION (e.g. SlowDown, reset)
  local n
  n=$(grep -c -P "\t$1" "$proxy_log" 2>/dev/null)
  echo "${n:-0}"
}
injected() {  # CHECK ACTION: the proxy did inject the fault (else the check proved nothing)
  local n
  n=$(faults_in_log "$2")
  if [ "$n" -ge 1 ]; then
    pass "$1: the proxy answered $n request(s) with $2"
  else
    fail "$1: the proxy never injected $2 (log $proxy_log)"
  fi
}

# Credentials. s3rver checks the key id but not the signature: fault_proxy.py --mode sigv4
# verifies SigV4 as S3 does, against a secret of its own.
expect_failure "wrong access key id (s3rver: InvalidAccessKeyId)" wrong_key \
  "s3://tpch/sf001|$endpoint" "InvalidAccessKeyId|403" "" \
  env AWS_ACCESS_KEY_ID=NOSUCHKEY "${q6[@]}"
secret='qkTest/Secret+Key0123456789abcdefGHIJ'
wrong='qkWrong/Secret+Key9876543210zyxwvUTSR'
start_proxy sigv4 0 --secret-key "$secret"
if AWS_ENDPOINT_URL=$proxy_endpoint AWS_SECRET_ACCESS_KEY=$secret run sig.q6 "${q6[@]}" --output "$work/q6.sig.csv"; then
  same "SigV4 verified by the proxy: Q6 = local ($(grep -c . "$proxy_log") signed requests)" \
    "$work/q6.local.csv" "$work/q6.sig.csv"
  grep -qF -- "$secret" "$work/sig.q6.out" "$work/sig.q6.err" && fail "the secret key appears in the output of Q6"
else
  show sig.q6
  fail "Q6 with the right secret through fault_proxy --mode sigv4 ($(faults_in_log SignatureDoesNotMatch) SignatureDoesNotMatch, $(faults_in_log XAmzContentSHA256Mismatch) payload hash mismatches; log $proxy_log)"
fi
if AWS_ENDPOINT_URL=$proxy_endpoint AWS_SECRET_ACCESS_KEY=$secret QUOKKA_S3_PART_SIZE=5242880 \
  run sig.upload "$quokka" convert "$lineitem" s3://out/lineitem.sig.arrow \
  && run sig.upload.cmp "${s3tool[@]}" cmp s3://out/lineitem.sig.arrow "$work/lineitem.arrow"; then
  pass "SigV4 verified by the proxy: multipart upload (payload hashes checked) = local"
  grep -qF -- "$secret" "$work/sig.upload.out" "$work/sig.upload.err" && fail "the secret key appears in the output of convert"
else
  show sig.upload
  fail "multipart upload through fault_proxy --mode sigv4 ($(faults_in_log SignatureDoesNotMatch) SignatureDoesNotMatch, $(faults_in_log XAmzContentSHA256Mismatch) payload hash mismatches; log $proxy_log)"
fi
AWS_ENDPOINT_URL=$proxy_endpoint AWS_SECRET_ACCESS_KEY=$wrong expect_failure \
  "wrong secret key" sig.wrong "s3://tpch/sf001|$proxy_endpoint" \
  "SignatureDoesNotMatch|403" "$wrong" "${q6[@]}"
grep -qF -- "$secret" "$work/sig.wrong.out" "$work/sig.wrong.err" && fail "the right secret key appears in an error"
AWS_ENDPOINT_URL=$proxy_endpoint AWS_SECRET_ACCESS_KEY=$wrong expect_failure \
  "wrong secret key on upload" sig.wrong.put "s3://out/never.arrow|$proxy_endpoint" \
  "SignatureDoesNotMatch|403" "$wrong" "$quokka" convert "$work/input.csv" s3://out/never.arrow
injected "wrong secret key" SignatureDoesNotMatch
stop_proxy
# An expired signature: the proxy's clock is an hour ahead, so each signature is an hour old.
start_proxy sigv4 0 --secret-key "$secret" --clock-offset 3600
AWS_ENDPOINT_URL=$proxy_endpoint AWS_SECRET_ACCESS_KEY=$secret expect_failure \
  "expired signature" sig.expired "s3://tpch/sf001|$proxy_endpoint" \
  "RequestTimeTooSkewed|expired|403" "$secret" "${q6[@]}"
injected "expired signature" RequestTimeTooSkewed
stop_proxy

missing="NoSuchBucket|NoSuchKey|not exist|no such|No such|not found|no objects"
expect_failure "missing bucket (head)" nobucket.head "s3://nosuchbucket" "$missing" "" \
  "$quokka" head s3://nosuchbucket/x.csv
expect_failure "missing bucket (tpch run)" nobucket.q6 "s3://nosuchbucket" "$missing" "" \
  "$quokka" tpch run --query 6 --data s3://nosuchbucket/sf001/
expect_failure "missing bucket (convert output)" nobucket.out "s3://nosuchbucket/x.arrow" "$missing" "" \
  "$quokka" convert "$work/input.csv" s3://nosuchbucket/x.arrow
expect_failure "missing key (head)" nokey.head "s3://tpch/sf001/nosuch.tbl" "$missing" "" \
  "$quokka" head s3://tpch/sf001/nosuch.tbl
expect_failure "missing key (convert)" nokey.convert "s3://tpch/sf001/nosuch.csv" "$missing" "" \
  "$quokka" convert s3://tpch/sf001/nosuch.csv "$work/never.arrow"
expect_failure "empty prefix (tpch run)" noprefix.q6 "s3://tpch/nothing-here" "$missing" "" \
  "$quokka" tpch run --query 6 --data s3://tpch/nothing-here/
# A table missing from an S3 data set names its object, as tests/tpch/correctness.sh checks for
# a directory.
mkdir -p "$work/broken" && cp "$local_data"/*.tbl "$work/broken/" && rm "$work/broken/orders.tbl"
run put_broken "${s3tool[@]}" put-dir "$work/broken" s3://tpch/broken/ || { show put_broken; fatal "upload"; }
expect_failure "missing table object (tpch run)" notable.q3 "s3://tpch/broken/orders" "$missing" "" \
  "$quokka" tpch run --query 3 --data s3://tpch/broken/
# A truncated object (an Arrow IPC file cut short) is an error naming it.
head -c 1000 "$work/x.arrow" >"$work/truncated.arrow"
"${s3tool[@]}" put "$work/truncated.arrow" s3://tpch/bad/truncated.arrow >/dev/null
expect_failure "truncated IPC object" truncated.object "s3://tpch/bad/truncated.arrow" \
  "truncated|magic|short|invalid" "" "$quokka" head s3://tpch/bad/truncated.arrow

# Faults s3rver cannot produce. Q6 first GETs 3 bytes of lineitem.tbl (a small range), then
# reads it in large blocks: each transient fault is tried on the first GETs of any size and on
# the first GETs of at least 1 MiB (--min-range), where it cuts a download in the middle.
retried() {  # CHECK NAME ACTION MODE COUNT [PROXY_ARGS...]: Q6 must succeed with the local result
  local check=$1 name=$2 action=$3 mode=$4 count=$5
  shift 5
  start_proxy "$mode" "$count" "$@"
  if AWS_ENDPOINT_URL=$proxy_endpoint run "$name" "${q6[@]}" --output "$work/q6.$name.csv"; then
    same "$check: retried, Q6 = local ($seconds s)" "$work/q6.local.csv" "$work/q6.$name.csv"
  else
    show "$name"
    fail "$check: Q6 failed instead of retrying"
  fi
  injected "$check" "$action"
  stop_proxy
}
retried "503 SlowDown for the first 2 GETs" slowdown SlowDown 503 2
retried "503 SlowDown for the first 2 GETs of >= 1 MiB" slowdown_block SlowDown 503 2 --min-range 1048576
retried "connection reset mid-download once" reset1 reset reset 1
retried "connection reset mid-download of a block once" reset1_block reset reset 1 --min-range 1048576
start_proxy 500 all
AWS_ENDPOINT_URL=$proxy_endpoint expect_failure "500 InternalError on every request" internal \
  "s3://tpch/sf001" "InternalError|500" "" "${q6[@]}"
tries=$(faults_in_log InternalError)
if [ "$tries" -ge 2 ]; then
  pass "500 InternalError was retried, a bounded number of times: $tries requests answered 500"
else
  fail "500 InternalError was not retried ($tries requests)"
fi
stop_proxy
start_proxy reset all
AWS_ENDPOINT_URL=$proxy_endpoint expect_failure "connection reset on every download" reset_all \
  "s3://tpch/sf001" "reset|Reset|connection|Connection|recv|receiv|Recv" "" "${q6[@]}"
injected "connection reset on every download" reset
stop_proxy
start_proxy truncate 1
if AWS_ENDPOINT_URL=$proxy_endpoint run truncate1 "${q6[@]}" --output "$work/q6.truncate.csv"; then
  same "truncated body once: retried, Q6 = local (not a short result)" "$work/q6.local.csv" "$work/q6.truncate.csv"
elif grep -qF "s3://tpch/sf001" "$work/truncate1.out" "$work/truncate1.err"; then
  pass "truncated body once: a clear error: $(grep -hF s3://tpch/sf001 "$work/truncate1.err" | head -1)"
else
  show truncate1
  fail "truncated body once: failed without naming the URL"
fi
injected "truncated body once" truncate
stop_proxy
start_proxy truncate 1 --min-range 1048576
if AWS_ENDPOINT_URL=$proxy_endpoint run truncate1_block "${q6[@]}" --output "$work/q6.truncate_block.csv"; then
  same "truncated body of a block once: retried, Q6 = local (not a short result)" "$work/q6.local.csv" "$work/q6.truncate_block.csv"
elif grep -qF "s3://tpch/sf001" "$work/truncate1_block.out" "$work/truncate1_block.err"; then
  pass "truncated body of a block once: a clear error: $(grep -hF s3://tpch/sf001 "$work/truncate1_block.err" | head -1)"
else
  show truncate1_block
  fail "truncated body of a block once: failed without naming the URL"
fi
injected "truncated body of a block once" truncate
stop_proxy
start_proxy truncate all
AWS_ENDPOINT_URL=$proxy_endpoint expect_failure "truncated body on every download" truncate_all \
  "s3://tpch/sf001" "truncat|Truncat|remaining|short|closed|partial|Partial" "" "${q6[@]}"
injected "truncated body on every download" truncate
stop_proxy
start_proxy truncate all --min-range 1048576
AWS_ENDPOINT_URL=$proxy_endpoint expect_failure "truncated body on every block download (convert)" \
  truncate_convert "s3://tpch/sf001/lineitem.tbl" "truncat|Truncat|remaining|short|closed|partial|Partial" "" \
  "$quokka" convert s3://tpch/sf001/lineitem.tbl "$work/never.arrow"
injected "truncated body on every block download (convert)" truncate
stop_proxy

# ---------------------------------------------------------------------------------------------
step "e. a prefix of 1003 objects (ListObjectsV2 pages of 1000)"
# The local directory and the prefix are called many.csv: convert takes the format from the name.
"$python" - "$work/many.csv" <<'PY'
import os, sys
os.makedirs(sys.argv[1], exist_ok=True)
for i in range(1003):
    with open(os.path.join(sys.argv[1], f"f{i:04d}.csv"), "w") as out:
        out.write(f"id,name\n{i},row{i}\n")
PY
run upload_many "${s3tool[@]}" put-dir "$work/many.csv" s3://tpch/many.csv/ || { show upload_many; fatal "upload of 1003 objects"; }
run many.local "$quokka" convert "$work/many.csv" "$work/many.local.csv" || { show many.local; fatal "local convert of 1003 files"; }
if run many.s3 "$quokka" convert s3://tpch/many.csv "$work/many.s3.csv"; then
  same "convert s3://tpch/many.csv (a prefix of 1003 objects) = the local directory ($(($(wc -l <"$work/many.s3.csv") - 1)) rows)" \
    "$work/many.local.csv" "$work/many.s3.csv"
else
  show many.s3
  fail "convert s3://tpch/many.csv (a prefix of 1003 objects)"
fi

echo
if [ $failures -ne 0 ]; then
  echo "s3 interop_test: $failures check(s) FAILED after $(elapsed) s; files in $work"
  exit 1
fi
cleanup  # before removing $work, which holds s3rver's pid file
rm -rf "$work"
echo "s3 interop_test: all passed in $(elapsed) s"

#!/usr/bin/env bash
# Read throughput of TPC-H lineitem from S3 (s3rver on loopback) vs local disk, with 1, 2 and 4
# reader channels; the median of several runs of bench_s3_read (a fresh process each) per cell.
#   bench/s3/read_bench.sh BUILD_BIN_DIR WORK_DIR [--sf SF] [--runs R] [--channels "1 2 4"]
#                          [--modes "bytes csv csv-all"]
# Generates lineitem (`quokka tpch gen`, kept in WORK_DIR/sfSF), uploads it with boto3 to
# s3://bench/sfSF/lineitem.tbl (kept in WORK_DIR/s3data), and prints a markdown table. For
# reference it also times a plain single-stream GET of the object with boto3 and with curl:
# s3rver's own speed. s3rver is one Node.js process that streams objects from its own disk
# files, so it bounds the S3 figures; local reads come from the page cache once warm.
set -euo pipefail

usage() {
  sed -n '4,5p' "$0" >&2
  exit 2
}
[ $# -ge 2 ] || usage
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$(cd "$1" && pwd)"
build="$(cd "$bin/.." && pwd)"
mkdir -p "$2"
work="$(cd "$2" && pwd)"
shift 2
sf=1
runs=3
channel_counts="1 2 4"
modes="bytes csv csv-all"
while [ $# -gt 0 ]; do
  case $1 in
    --sf) sf=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --channels) channel_counts=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    *) usage ;;
  esac
done
quokka="$bin/quokka"
bench="$bin/bench_s3_read"
for program in "$quokka" "$bench"; do
  [ -x "$program" ] || { echo "missing $program: build the quokka_cli and bench_s3_read targets" >&2; exit 1; }
done
python=""
for candidate in /usr/bin/python3 python3; do
  if "$candidate" -c 'import boto3' 2>/dev/null; then python=$candidate; break; fi
done
[ -n "$python" ] || { echo "boto3 is not installed (apt-get install python3-boto3)" >&2; exit 1; }
s3tool=("$python" "$root/tests/s3/s3tool.py")

unset AWS_PROFILE AWS_SESSION_TOKEN QUOKKA_S3_PART_SIZE QUOKKA_S3_BLOCK_SIZE
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1

data="$work/sf$sf"
if [ ! -f "$data/lineitem.tbl" ]; then
  echo "generating TPC-H SF $sf in $data ..." >&2
  "$quokka" tpch gen --sf "$sf" --out "$data" >&2
fi
lineitem="$data/lineitem.tbl"
size=$(stat -c %s "$lineitem")

bash "$root/scripts/s3rver.sh" install "$build" >/dev/null
trap 'bash "$root/scripts/s3rver.sh" stop "$work/s3data"' EXIT
endpoint=$(bash "$root/scripts/s3rver.sh" start "$build" "$work/s3data")
export AWS_ENDPOINT_URL=$endpoint
s3rver_pid=$(cat "$work/s3data.pid")
url="s3://bench/sf$sf/lineitem.tbl"
"${s3tool[@]}" mkbucket bench >/dev/null
if ! "${s3tool[@]}" list "s3://bench/sf$sf/" | grep -qx "$size sf$sf/lineitem.tbl"; then
  echo "uploading $lineitem ($size bytes) to $url with boto3 ..." >&2
  "${s3tool[@]}" put "$lineitem" "$url" >&2
fi
cat "$lineitem" >/dev/null  # warm the page cache for the local figures

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$s3rver_pid/stat"; }
ticks_per_second=$(getconf CLK_TCK)

# One bench_s3_read run: prints its MB/s.
measure() {  # path mode channels
  local line
  line=$("$bench" "$1" --mode "$2" --channels "$3")
  sed -n 's/.*mbps=\([0-9.]*\).*/\1/p' <<<"$line"
}

echo
echo "## Read throughput: TPC-H lineitem SF $sf ($(awk -v b="$size" 'BEGIN { printf "%.0f", b / 1e6 }') MB), s3rver vs local disk"
echo
echo "$(date -u +%F), $(nproc) cores, $(node --version) s3rver $(node -p "require('$build/s3-npm/node_modules/s3rver/package.json').version"), median of $runs runs (MB = 10^6 bytes of input per second)."
echo

# s3rver's own speed: one plain GET of the whole object, no parsing.
boto3_runs="" curl_runs=""
for _ in $(seq 1 "$runs"); do
  boto3_runs+="$("${s3tool[@]}" time-get "$url" | awk '{ print $3 }') "
  curl_runs+="$(curl -sf -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "S3RVER:S3RVER" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -w '%{speed_download}' \
    "$endpoint/bench/sf$sf/lineitem.tbl" | awk '{ printf "%.1f", $1 / 1e6 }') "
done
boto3_mbps=$(tr ' ' '\n' <<<"$boto3_runs" | grep . | median)
curl_mbps=$(tr ' ' '\n' <<<"$curl_runs" | grep . | median)

echo "| what | channels | local disk MB/s | s3rver MB/s | s3rver / local | s3rver CPU (cores) |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| plain GET, boto3 (get_object, one stream) | 1 | | $boto3_mbps | | |"
echo "| plain GET, curl | 1 | | $curl_mbps | | |"
for mode in $modes; do
  case $mode in
    bytes) what="bytes only (ReadAt, 8 MiB blocks)" ;;
    csv) what="CsvReader, Q6's 4 columns parsed" ;;
    csv-all) what="CsvReader, all 16 columns parsed" ;;
    *) echo "unknown mode $mode" >&2; exit 2 ;;
  esac
  for channels in $channel_counts; do
    local_runs="" s3_runs="" s3_wall=0 s3_ticks=0
    for _ in $(seq 1 "$runs"); do
      local_runs+="$(measure "$lineitem" "$mode" "$channels") "
      t0=$(date +%s.%N)
      c0=$(cpu_ticks)
      s3_runs+="$(measure "$url" "$mode" "$channels") "
      c1=$(cpu_ticks)
      t1=$(date +%s.%N)
      s3_ticks=$((s3_ticks + c1 - c0))
      s3_wall=$(awk -v w="$s3_wall" -v a="$t0" -v b="$t1" 'BEGIN { print w + b - a }')
    done
    l=$(tr ' ' '\n' <<<"$local_runs" | grep . | median)
    s=$(tr ' ' '\n' <<<"$s3_runs" | grep . | median)
    ratio=$(awk -v s="$s" -v l="$l" 'BEGIN { printf "%.2f", s / l }')
    cpu=$(awk -v t="$s3_ticks" -v hz="$ticks_per_second" -v w="$s3_wall" 'BEGIN { printf "%.2f", t / hz / w }')
    echo "| $what | $channels | $l | $s | $ratio | $cpu |"
  done
done
echo
echo "s3rver (one Node.js process, reading the object from its own files on this machine's disk)"
echo "bounds the S3 column: the plain GETs above show its speed for one stream, and its CPU"
echo "column how busy it was (1.00 = one core) during the quokka runs. quokka and s3rver share"
echo "the $(nproc) cores. Local reads come from the page cache (the file was read first)."

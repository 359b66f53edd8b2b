#!/usr/bin/env bash
# The main job: install what is missing, build the release preset, run the tutorials.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

echo "== TPC-H at SF 0.1 (generated once into build/tpch-sf0.1): queries 1 3 4 5 6 10 12 13 14 19"
[ -f build/tpch-sf0.1/lineitem.tbl ] || ./build/bin/quokka tpch gen --sf 0.1 --out build/tpch-sf0.1
for q in 1 3 4 5 6 10 12 13 14 19; do ./build/bin/quokka tpch run --query "$q" --data build/tpch-sf0.1; done
echo
echo "== lesson0: numbers 0..79 summed by parallel channels"
./build/bin/lesson0 --reader-channels 4 --sum-channels 2
echo
echo "== lesson1: a streaming hash join of two CSV files, counted and checked"
bash examples/tutorials/lesson1/make_data.sh build/lesson1
./build/bin/lesson1 build/lesson1

echo "== lesson0 and TPC-H Q3 again, on three worker processes (Redis started for them)"
./build/bin/lesson0 --workers 3
./build/bin/quokka tpch run --query 3 --data build/tpch-sf0.1 --workers 3 | tail -n 1
echo
echo "== TPC-H Q1 and Q6 with the SF 0.1 tables in S3: a local s3rver (npm), uploaded with boto3"
s3_endpoint=$(bash scripts/s3rver.sh start build build/s3-main)
trap 'bash scripts/s3rver.sh stop build/s3-main' EXIT
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1  # s3rver's key
AWS_ENDPOINT_URL=$s3_endpoint python3 tests/s3/s3tool.py mkbucket tpch >/dev/null 2>&1 || true
AWS_ENDPOINT_URL=$s3_endpoint python3 tests/s3/s3tool.py put-dir build/tpch-sf0.1 s3://tpch/sf0.1/
for q in 1 6; do
  ./build/bin/quokka tpch run --query "$q" --data s3://tpch/sf0.1/ --s3-endpoint "$s3_endpoint"
done
echo
echo "== wordcount over the project's docs, hash-partitioned by word"
cat README.md docs/*.md > build/wordcount-input.txt
./build/bin/wordcount build/wordcount-input.txt --top 10 --explain build/wordcount.dot
./build/bin/quokka render build/wordcount.dot -o build/wordcount.svg

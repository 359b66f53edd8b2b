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
echo "== wordcount over the project's docs, hash-partitioned by word"
cat README.md docs/*.md > build/wordcount-input.txt
./build/bin/wordcount build/wordcount-input.txt --top 10 --explain build/wordcount.dot
./build/bin/quokka render build/wordcount.dot -o build/wordcount.svg

#!/usr/bin/env bash
# Writes the two CSV inputs of lesson 1: key,val1,val2 rows with random keys (awk's seeded
# generator, so the files are the same on every run).
#   make_data.sh DIR [ROWS_A] [ROWS_B] [KEYS]
set -euo pipefail
dir=${1:?usage: make_data.sh DIR [ROWS_A] [ROWS_B] [KEYS]}
rows_a=${2:-100000}
rows_b=${3:-50000}
keys=${4:-20000}
mkdir -p "$dir"
write() {  # file rows seed
  awk -v rows="$2" -v keys="$keys" -v seed="$3" 'BEGIN {
    srand(seed); print "key,val1,val2";
    for (i = 0; i < rows; i++) printf "%d,%d,%.2f\n", int(rand() * keys), i, rand() * 1000
  }' > "$1"
}
write "$dir/a.csv" "$rows_a" 1
write "$dir/b.csv" "$rows_b" 2
echo "wrote $dir/a.csv ($rows_a rows) and $dir/b.csv ($rows_b rows)"

#!/usr/bin/env bash
# CSV -> IPC -> CSV with `quokka convert` must give back the input byte for byte, for several
# channel counts; bad arguments must fail with a message naming them.
set -euo pipefail
quokka=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir"

# Every column type, quoting, nulls (empty fields), unicode.
{
  echo 'id,name,price,day,flag,ratio'
  for i in $(seq 1 3000); do
    case $((i % 7)) in
      0) name='"with, comma"' ;;
      1) name='"say ""hi"""' ;;
      2) name='' ;;
      3) name='Zürich ✓' ;;
      *) name="name$i" ;;
    esac
    day=$(( (i % 28) + 1 ))
    printf '%d,%s,%d.%02d,2020-03-%02d,%s,%s\n' "$i" "$name" $((i * 7)) $((i % 100)) "$day" \
      "$([ $((i % 3)) = 0 ] && echo true || echo false)" "$([ $((i % 11)) = 0 ] || echo "$i.5")"
  done
} > "$dir/input.csv"

columns='id:int64,name:utf8,price:decimal(12,2),day:date32,flag:bool,ratio:float64'
for channels in 1 2 5; do
  "$quokka" convert "$dir/input.csv" "$dir/data.arrow" --columns "$columns" --channels "$channels"
  "$quokka" convert "$dir/data.arrow" "$dir/output.csv" --channels "$channels"
  if ! cmp "$dir/input.csv" "$dir/output.csv"; then
    echo "round trip with $channels channels changed the file:"
    diff "$dir/input.csv" "$dir/output.csv" | head -20
    exit 1
  fi
done
"$quokka" head "$dir/data.arrow" -n 3 | grep -q "3000 rows" && { echo "head printed all rows"; exit 1; }
"$quokka" head "$dir/data.arrow" -n 3 | grep -q "3 rows × 6 columns"

# Bad input: clear errors naming the problem, non-zero exit.
expect_error() {  # pattern, command...
  local pattern=$1
  shift
  if output=$("$@" 2>&1); then
    echo "expected failure: $*"
    exit 1
  fi
  echo "$output" | grep -q "$pattern" || { echo "error for '$*' lacks '$pattern': $output"; exit 1; }
}
expect_error "missing.csv" "$quokka" convert "$dir/missing.csv" "$dir/x.arrow"
expect_error "unknown extension" "$quokka" convert "$dir/input.csv" "$dir/x.parquet"
expect_error "unknown type 'int65'" "$quokka" convert "$dir/input.csv" "$dir/x.arrow" --columns id:int65
expect_error "channels" "$quokka" convert "$dir/input.csv" "$dir/x.arrow" --channels 0
printf 'a,b\n1,2\n3\n' > "$dir/short.csv"
expect_error "short.csv" "$quokka" convert "$dir/short.csv" "$dir/x.arrow"
head -c 100 "$dir/data.arrow" > "$dir/truncated.arrow"
expect_error "truncated.arrow" "$quokka" head "$dir/truncated.arrow"
echo "convert round trips and errors: ok"

#!/usr/bin/env bash
# Writes a tiny hand-made TPC-H-shaped dataset in dbgen's layout ('|'-delimited .tbl files with
# a trailing '|', no header) into DIR, with consistent keys and rows chosen so that each of
# queries 1, 3, 4, 5, 6, 10, 12, 13, 14 and 19 (validation parameters) returns rows, and some
# rows sit exactly on the queries' boundaries (Q1's ship date, Q6's discount and quantity).
#   tests/tpch/mini_data.sh DIR           # one file per table: DIR/lineitem.tbl, ...
#   tests/tpch/mini_data.sh --split DIR   # large tables split: DIR/lineitem.tbl.1, .2 and
#                                         # DIR/orders/orders-1.tbl, orders-2.tbl
set -euo pipefail
split=0
if [[ "${1:-}" == "--split" ]]; then split=1; shift; fi
dir="${1:?usage: mini_data.sh [--split] DIR}"
rm -rf "$dir"
mkdir -p "$dir"

cat > "$dir/region.tbl" <<'T'
0|AFRICA|lar deposits. blithely final packages cajole. regular waters are final requests.|
1|AMERICA|hs use ironic, even requests. s|
2|ASIA|ges. thinly even pinto beans ca|
3|EUROPE|ly final courts cajole furiously final excuse|
4|MIDDLE EAST|uickly special accounts cajole carefully blithely close requests.|
T

cat > "$dir/nation.tbl" <<'T'
0|ALGERIA|0| haggle. carefully final deposits detect slyly agai|
7|GERMANY|3|l platelets. regular accounts x-ray: unusual, regular acco|
8|INDIA|2|ss excuses cajole slyly across the packages. deposits print aroun|
9|INDONESIA|2| slyly express asymptotes. regular deposits haggle slyly.|
12|JAPAN|2|ously. final, express gifts cajole a|
18|CHINA|2|c dependencies. furiously express notornis sleep slyly regular accounts.|
24|UNITED STATES|1|y final packages. slow foxes cajole quickly.|
T

cat > "$dir/supplier.tbl" <<'T'
1|Supplier#000000001| N kD4on9OM Ipw3,gf0JBoQDd7tgrzrddZ|8|18-368-808-4012|5755.94|each slyly above the careful|
2|Supplier#000000002|89eJ5ksX3ImxJQBvxObC,|12|22-962-460-2873|4032.68| slyly bold instructions. idle dependen|
3|Supplier#000000003|q1,G3Pj6OjIuUYfUoH18BFTKP5aU9bEV3|24|34-873-556-1423|4192.40|blithely silent requests after the express dependencies are sl|
4|Supplier#000000004|Bk7ah4CK8SYQTepEmvMkkgMwg|9|19-713-345-6713|-283.84|riously even requests above the exp|
T

cat > "$dir/customer.tbl" <<'T'
1|Customer#000000001|IVhzIApeRb ot,c,E|8|18-989-733-3521|711.56|BUILDING|to the even, regular platelets. regular, ironic epitaphs nag e|
2|Customer#000000002|XSTf4,NCwDVaWNe6tEgvwfmRchLXak|12|22-768-689-1651|121.65|BUILDING|l accounts. blithely ironic theodolites integrate boldly: caref|
3|Customer#000000003|MG9kdTD2WBHm|24|34-719-818-6096|7498.12|AUTOMOBILE| deposits eat slyly ironic, even instructions. express foxes detect slyly.|
4|Customer#000000004|XxVSJsLAGtn|9|19-128-190-9119|2866.83|MACHINERY| requests. final, regular ideas sleep final accou|
5|Customer#000000005|KvpyuHCplrB84WgAiGV6sYpZq7Tj|0|10-750-190-5225|794.47|HOUSEHOLD|n accounts will have to unwind. foxes cajole accor|
6|Customer#000000006|sKZz0CsnMD7mp4Xd0YrBvx,LREYKUWAh yVn|7|17-555-186-2871|-272.81|FURNITURE|tions. even deposits boost according to the slyly bold packages.|
T

cat > "$dir/part.tbl" <<'T'
1|goldenrod lavender spring chocolate lace|Manufacturer#1|Brand#12|PROMO BURNISHED COPPER|3|SM CASE|1050.09|ly. slyly ironi|
2|blush thistle blue yellow saddle|Manufacturer#2|Brand#23|STANDARD POLISHED TIN|7|MED BOX|968.06|lar accounts amo|
3|spring green yellow purple cornsilk|Manufacturer#3|Brand#34|PROMO PLATED BRASS|10|LG PKG|900.80|egular deposits hag|
4|cornflower chocolate smoke green pink|Manufacturer#4|Brand#45|ECONOMY ANODIZED STEEL|30|JUMBO JAR|922.00|p furiously r|
T

: > "$dir/partsupp.tbl"
for p in 1 2 3 4; do
  for s in 1 2 3 4; do
    printf '%d|%d|%d|%d.%02d|final deposits haggle quickly|\n' "$p" "$s" $((1000 * p + 7 * s)) \
      $((100 + 37 * p + 11 * s)) $(((13 * p + 29 * s) % 100)) >> "$dir/partsupp.tbl"
  done
done

# o_orderkey|o_custkey|o_orderstatus|o_totalprice|o_orderdate|o_orderpriority|o_clerk|
# o_shippriority|o_comment|
cat > "$dir/orders.all" <<'T'
1|1|O|52794.48|1995-03-10|2-HIGH|Clerk#000000951|0|nstructions sleep furiously among |
2|2|O|31224.40|1995-02-28|5-LOW|Clerk#000000880|0|foxes. pending accounts at the pending, silent asymptot|
3|3|O|9100.25|1995-03-01|5-LOW|Clerk#000000955|0|sly final accounts boost. carefully regular ideas cajole carefully. depos|
4|1|F|32426.10|1993-07-15|1-URGENT|Clerk#000000124|0|sly final accounts boost. carefully regular ideas|
5|3|F|29017.32|1993-08-20|3-MEDIUM|Clerk#000000925|0|quickly. bold deposits sleep slyly. packages use slyly|
6|4|F|2629.11|1993-09-05|1-URGENT|Clerk#000000058|0|ggle. special, final requests are against the furiously specia|
7|2|F|5250.45|1993-09-30|5-LOW|Clerk#000000470|0|ly special requests |
8|1|F|38612.02|1994-02-10|1-URGENT|Clerk#000000955|0|ironic, final ideas wake "quickly"|
9|2|F|24978.70|1994-06-15|4-NOT SPECIFIED|Clerk#000000426|0|, express accounts wake. even asymptotes nag|
10|4|F|47142.81|1994-11-30|2-HIGH|Clerk#000000223|0|uriously even deposits. blithely|
11|3|F|36928.15|1993-10-15|3-MEDIUM|Clerk#000000710|0|ainst the final ideas. quickly pending|
12|6|F|30779.20|1993-12-31|2-HIGH|Clerk#000000312|0|kly regular pinto beans, furious|
13|1|F|19097.70|1993-11-11|4-NOT SPECIFIED|Clerk#000000015|0|carefully special requests haggle, quickly|
14|2|O|31236.14|1995-08-20|3-MEDIUM|Clerk#000000811|0|efully even accounts. slyly final platelets|
15|6|O|13110.37|1998-08-01|1-URGENT|Clerk#000000508|0|pending packages sleep furiously|
16|2|O|50542.46|1995-03-14|2-HIGH|Clerk#000000607|0|regular requests wake. special dolphins|
17|6|O|77632.84|1996-01-10|4-NOT SPECIFIED|Clerk#000000333|0|even courts. special theodolites are about the requests|
T

# l_orderkey|l_partkey|l_suppkey|l_linenumber|l_quantity|(l_extendedprice computed below)|
# l_discount|l_tax|l_returnflag|l_linestatus|l_shipdate|l_commitdate|l_receiptdate|
# l_shipinstruct|l_shipmode|l_comment
cat > "$dir/lineitem.in" <<'T'
1|1|1|1|17|0.04|0.02|N|O|1995-03-20|1995-04-10|1995-03-25|DELIVER IN PERSON|TRUCK|egular courts above the
1|2|2|2|36|0.09|0.06|N|O|1995-04-01|1995-03-30|1995-04-12|TAKE BACK RETURN|MAIL|ly final dependencies: slyly bold 
2|3|3|1|8|0.00|0.05|N|O|1995-03-16|1995-04-02|1995-03-20|NONE|RAIL|ven requests. deposits breach a
2|4|4|2|28|0.10|0.02|R|F|1995-03-01|1995-03-20|1995-03-05|COLLECT COD|AIR|ously. regular, express
3|2|2|1|10|0.06|0.00|N|O|1995-03-20|1995-04-01|1995-03-25|NONE|SHIP|sly regular accounts
4|1|1|1|30|0.03|0.08|R|F|1993-07-20|1993-08-01|1993-08-10|DELIVER IN PERSON|REG AIR|furiously final deposits
5|2|2|1|12|0.05|0.01|A|F|1993-08-25|1993-09-01|1993-09-15|NONE|FOB|pinto beans nag
5|3|3|2|20|0.01|0.04|A|F|1993-08-30|1993-09-20|1993-09-10|NONE|TRUCK|blithely regular packages
6|4|4|1|3|0.08|0.03|R|F|1993-09-10|1993-09-15|1993-09-30|COLLECT COD|SHIP|express, final ideas
7|1|1|1|5|0.00|0.00|A|F|1993-10-05|1993-11-01|1993-10-10|NONE|AIR|carefully ironic
8|1|1|1|14|0.06|0.02|A|F|1994-02-15|1994-03-01|1994-03-10|DELIVER IN PERSON|MAIL|quickly even
8|2|2|2|23|0.07|0.05|R|F|1994-02-20|1994-03-15|1994-03-05|NONE|SHIP|deposits sleep
9|2|2|1|24|0.05|0.00|N|F|1994-06-20|1994-07-01|1994-07-05|TAKE BACK RETURN|SHIP|slyly bold ideas
9|3|3|2|2|0.05|0.03|A|F|1994-06-25|1994-07-10|1994-07-20|NONE|MAIL|final, regular requests
10|4|4|1|40|0.04|0.06|A|F|1994-12-05|1994-12-20|1994-12-28|COLLECT COD|SHIP|furiously
10|1|4|2|9|0.08|0.02|A|F|1995-01-05|1994-12-25|1995-01-10|NONE|MAIL|ironic accounts
11|3|3|1|33|0.02|0.06|R|F|1993-10-20|1993-11-10|1993-11-05|DELIVER IN PERSON|RAIL|pending foxes
11|4|1|2|7|0.09|0.01|R|F|1993-11-01|1993-11-20|1993-11-15|NONE|FOB|even requests
12|1|2|1|19|0.10|0.04|R|F|1994-01-05|1994-01-20|1994-01-25|COLLECT COD|TRUCK|special packages
12|2|3|2|11|0.00|0.08|A|F|1994-01-10|1994-01-25|1994-01-30|NONE|AIR|blithely final
13|3|4|1|21|0.03|0.02|R|F|1993-11-20|1993-12-10|1993-12-01|NONE|SHIP|quick deposits
14|1|1|1|6|0.05|0.03|N|O|1995-09-05|1995-09-20|1995-09-10|NONE|AIR|slyly regular
14|4|2|2|16|0.02|0.01|N|O|1995-09-25|1995-10-01|1995-10-05|NONE|TRUCK|final instructions
14|3|3|3|12|0.07|0.00|N|O|1995-10-02|1995-10-10|1995-10-12|NONE|RAIL|bold accounts
15|4|1|1|10|0.01|0.02|N|O|1998-09-03|1998-09-15|1998-09-20|NONE|RAIL|ironic packages
15|2|2|2|4|0.00|0.00|N|O|1998-09-02|1998-09-20|1998-09-10|NONE|FOB|regular ideas
16|1|1|1|45|0.02|0.07|N|O|1995-03-16|1995-04-01|1995-03-30|NONE|AIR|carefully pending
17|1|2|1|5|0.02|0.05|N|O|1996-01-20|1996-02-10|1996-02-01|DELIVER IN PERSON|AIR|furiously ironic
17|2|3|2|15|0.04|0.03|N|O|1996-01-25|1996-02-15|1996-02-05|DELIVER IN PERSON|AIR REG|quickly final
17|3|4|3|25|0.06|0.02|N|O|1996-02-01|1996-02-20|1996-02-10|DELIVER IN PERSON|AIR|regular, bold
17|3|1|4|35|0.01|0.00|N|O|1996-02-05|1996-02-25|1996-02-15|DELIVER IN PERSON|AIR|even deposits
17|1|3|5|5|0.00|0.04|N|O|1996-02-10|1996-03-01|1996-02-20|DELIVER IN PERSON|TRUCK|slyly even
T
# l_extendedprice = l_quantity * p_retailprice, in cents to stay exact.
awk -F'|' -v OFS='|' '
  NR == FNR { price[$1] = $8; next }
  {
    split(price[$2], pc, ".")
    cents = $5 * (pc[1] * 100 + pc[2])
    ext = sprintf("%d.%02d", int(cents / 100), cents % 100)
    print $1, $2, $3, $4, $5 ".00", ext, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 "|"
  }' "$dir/part.tbl" "$dir/lineitem.in" > "$dir/lineitem.all"
rm "$dir/lineitem.in"

if [[ $split == 1 ]]; then
  # dbgen -C 2 -S n style for lineitem, a directory of parts for orders.
  head -n 16 "$dir/lineitem.all" > "$dir/lineitem.tbl.1"
  tail -n +17 "$dir/lineitem.all" > "$dir/lineitem.tbl.2"
  mkdir -p "$dir/orders"
  head -n 9 "$dir/orders.all" > "$dir/orders/orders-1.tbl"
  tail -n +10 "$dir/orders.all" > "$dir/orders/orders-2.tbl"
  rm "$dir/lineitem.all" "$dir/orders.all"
else
  mv "$dir/lineitem.all" "$dir/lineitem.tbl"
  mv "$dir/orders.all" "$dir/orders.tbl"
fi

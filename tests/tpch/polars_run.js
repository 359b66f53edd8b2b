#!/usr/bin/env node
// nodejs-polars peer of the TPC-H benchmark: the same queries as queries/qN.sql, written with
// polars' lazy API over lazy scans of the '|'-delimited .tbl files.
//   node polars_run.js DATA_DIR QUERY_NUMBER OUT.csv [--threads N]
// Writes the result to OUT.csv (header row, dates YYYY-MM-DD, floats in full precision) and
// prints the wall time of the query (plan built, scanned and collected).
// Money columns (DECIMAL(15,2) in the SQL) are read as Float64 here: polars' Decimal arithmetic
// in nodejs-polars 0.25.2 rounds products to the operands' scale (17851.53 * 0.96 gives
// 17137.47, not 17137.4688), so compare results with compare.js, which allows 1e-6 relative.
// --threads N sets POLARS_MAX_THREADS. Needs nodejs-polars on NODE_PATH (scripts/tpch-peers.sh).
"use strict";
const path = require("path");
const { TABLES, QUERY_TABLES, tableFiles } = require("./tpch_schema");

function usage(msg) {
  if (msg) console.error(`polars_run: ${msg}`);
  console.error("usage: node polars_run.js DATA_DIR QUERY_NUMBER OUT.csv [--threads N]");
  process.exit(2);
}

function parseArgs(argv) {
  const positional = [];
  let threads = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--threads" || a.startsWith("--threads=")) {
      threads = Number(a === "--threads" ? argv[++i] : a.slice(10));
      if (!Number.isInteger(threads) || threads < 1) usage("--threads needs a positive integer");
    } else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 3) usage();
  const q = Number(String(positional[1]).replace(/^q/i, ""));
  if (!QUERY_TABLES[q]) usage(`no query ${positional[1]} (have ${Object.keys(QUERY_TABLES).join(", ")})`);
  return { dataDir: positional[0], query: q, out: positional[2], threads };
}

const args = parseArgs(process.argv.slice(2));
if (args.threads) process.env.POLARS_MAX_THREADS = String(args.threads);  // before polars loads
let pl;
try {
  pl = require("nodejs-polars");
} catch (e) {
  console.error("polars_run: nodejs-polars not found; run scripts/tpch-peers.sh and set " +
                "NODE_PATH=build/tpch-npm/node_modules");
  process.exit(2);
}

const PL_TYPES = { int: pl.Int64, money: pl.Float64, date: pl.Date, text: pl.Utf8 };

// A lazy scan of TABLE: every file scanned with the explicit schema (plus the empty column after
// the trailing '|', dropped), several files concatenated.
function scan(table) {
  const schema = {};
  for (const [name, type] of TABLES[table]) schema[name] = PL_TYPES[type];
  schema.trailing_delimiter_ = pl.Utf8;
  const frames = tableFiles(args.dataDir, table).map((file) =>
    pl.scanCSV(file, { sep: "|", hasHeader: false, schema, glob: false })
      .select(TABLES[table].map(([name]) => name)));
  return frames.length === 1 ? frames[0] : pl.concat(frames, { how: "vertical" });
}

const col = pl.col;
const lit = pl.lit;
const day = (s) => lit(s).str.strptime(pl.Date, "%Y-%m-%d");
const disc = () => col("l_extendedprice").mul(lit(1.0).minus(col("l_discount")));  // revenue
const between = (e, lo, hi) => e.gtEq(lo).and(e.ltEq(hi));

const QUERIES = {
  // DELTA = 90: l_shipdate <= 1998-12-01 - 90 days = 1998-09-02.
  1: (t) => t.lineitem
    .filter(col("l_shipdate").ltEq(day("1998-09-02")))
    .groupBy(["l_returnflag", "l_linestatus"])
    .agg(
      col("l_quantity").sum().alias("sum_qty"),
      col("l_extendedprice").sum().alias("sum_base_price"),
      disc().sum().alias("sum_disc_price"),
      disc().mul(lit(1.0).plus(col("l_tax"))).sum().alias("sum_charge"),
      col("l_quantity").mean().alias("avg_qty"),
      col("l_extendedprice").mean().alias("avg_price"),
      col("l_discount").mean().alias("avg_disc"),
      pl.len().alias("count_order"))
    .sort(["l_returnflag", "l_linestatus"]),

  // SEGMENT = BUILDING, DATE = 1995-03-15.
  3: (t) => t.customer.filter(col("c_mktsegment").eq(lit("BUILDING")))
    .join(t.orders.filter(col("o_orderdate").lt(day("1995-03-15"))),
          { leftOn: "c_custkey", rightOn: "o_custkey", how: "inner" })
    .join(t.lineitem.filter(col("l_shipdate").gt(day("1995-03-15"))),
          { leftOn: "o_orderkey", rightOn: "l_orderkey", how: "inner" })
    .groupBy(["o_orderkey", "o_orderdate", "o_shippriority"])
    .agg(disc().sum().alias("revenue"))
    .select(col("o_orderkey").alias("l_orderkey"), "revenue", "o_orderdate", "o_shippriority")
    .sort(["revenue", "o_orderdate"], [true, false])
    .limit(10),

  // DATE = 1993-07-01 (+ 3 months).
  4: (t) => t.orders
    .filter(col("o_orderdate").gtEq(day("1993-07-01")).and(col("o_orderdate").lt(day("1993-10-01"))))
    .join(t.lineitem.filter(col("l_commitdate").lt(col("l_receiptdate"))),
          { leftOn: "o_orderkey", rightOn: "l_orderkey", how: "semi" })
    .groupBy("o_orderpriority")
    .agg(pl.len().alias("order_count"))
    .sort("o_orderpriority"),

  // REGION = ASIA, DATE = 1994-01-01 (+ 1 year).
  5: (t) => t.customer
    .join(t.orders.filter(col("o_orderdate").gtEq(day("1994-01-01"))
                            .and(col("o_orderdate").lt(day("1995-01-01")))),
          { leftOn: "c_custkey", rightOn: "o_custkey", how: "inner" })
    .join(t.lineitem, { leftOn: "o_orderkey", rightOn: "l_orderkey", how: "inner" })
    .join(t.supplier, { leftOn: ["l_suppkey", "c_nationkey"], rightOn: ["s_suppkey", "s_nationkey"],
                        how: "inner" })
    .join(t.nation, { leftOn: "c_nationkey", rightOn: "n_nationkey", how: "inner" })
    .join(t.region.filter(col("r_name").eq(lit("ASIA"))),
          { leftOn: "n_regionkey", rightOn: "r_regionkey", how: "inner" })
    .groupBy("n_name")
    .agg(disc().sum().alias("revenue"))
    .sort("revenue", true),

  // DATE = 1994-01-01 (+ 1 year), DISCOUNT = 0.06 (+- 0.01, written out: 0.06 + 0.01 is not
  // 0.07 in floating point), QUANTITY = 24.
  6: (t) => t.lineitem
    .filter(col("l_shipdate").gtEq(day("1994-01-01"))
      .and(col("l_shipdate").lt(day("1995-01-01")))
      .and(between(col("l_discount"), lit(0.05), lit(0.07)))
      .and(col("l_quantity").lt(lit(24.0))))
    .select(col("l_extendedprice").mul(col("l_discount")).sum().alias("revenue")),

  // DATE = 1993-10-01 (+ 3 months).
  10: (t) => t.customer
    .join(t.orders.filter(col("o_orderdate").gtEq(day("1993-10-01"))
                            .and(col("o_orderdate").lt(day("1994-01-01")))),
          { leftOn: "c_custkey", rightOn: "o_custkey", how: "inner" })
    .join(t.lineitem.filter(col("l_returnflag").eq(lit("R"))),
          { leftOn: "o_orderkey", rightOn: "l_orderkey", how: "inner" })
    .join(t.nation, { leftOn: "c_nationkey", rightOn: "n_nationkey", how: "inner" })
    .groupBy(["c_custkey", "c_name", "c_acctbal", "c_phone", "n_name", "c_address", "c_comment"])
    .agg(disc().sum().alias("revenue"))
    .select("c_custkey", "c_name", "revenue", "c_acctbal", "n_name", "c_address", "c_phone",
            "c_comment")
    .sort("revenue", true)
    .limit(20),

  // SHIPMODE1 = MAIL, SHIPMODE2 = SHIP, DATE = 1994-01-01 (+ 1 year).
  12: (t) => {
    const high = col("o_orderpriority").eq(lit("1-URGENT")).or(col("o_orderpriority").eq(lit("2-HIGH")));
    return t.orders
      .join(t.lineitem.filter(col("l_shipmode").isIn(["MAIL", "SHIP"])
          .and(col("l_commitdate").lt(col("l_receiptdate")))
          .and(col("l_shipdate").lt(col("l_commitdate")))
          .and(col("l_receiptdate").gtEq(day("1994-01-01")))
          .and(col("l_receiptdate").lt(day("1995-01-01")))),
        { leftOn: "o_orderkey", rightOn: "l_orderkey", how: "inner" })
      .groupBy("l_shipmode")
      .agg(pl.when(high).then(lit(1)).otherwise(lit(0)).cast(pl.Int64).sum().alias("high_line_count"),
           pl.when(high).then(lit(0)).otherwise(lit(1)).cast(pl.Int64).sum().alias("low_line_count"))
      .sort("l_shipmode");
  },

  // WORD1 = special, WORD2 = requests.
  13: (t) => t.customer
    .join(t.orders.filter(col("o_comment").str.contains("special.*requests").not()),
          { leftOn: "c_custkey", rightOn: "o_custkey", how: "left" })
    .groupBy("c_custkey")
    .agg(col("o_orderkey").count().alias("c_count"))
    .groupBy("c_count")
    .agg(pl.len().alias("custdist"))
    .select("c_count", "custdist")
    .sort(["custdist", "c_count"], [true, true]),

  // DATE = 1995-09-01 (+ 1 month).
  14: (t) => t.lineitem
    .filter(col("l_shipdate").gtEq(day("1995-09-01")).and(col("l_shipdate").lt(day("1995-10-01"))))
    .join(t.part, { leftOn: "l_partkey", rightOn: "p_partkey", how: "inner" })
    .select(lit(100.0)
      .mul(pl.when(col("p_type").str.startsWith("PROMO")).then(disc()).otherwise(lit(0.0)).sum())
      .div(disc().sum())
      .alias("promo_revenue")),

  // QUANTITY1 = 1, QUANTITY2 = 10, QUANTITY3 = 20, BRAND1..3 = Brand#12, Brand#23, Brand#34.
  19: (t) => {
    const branch = (brand, containers, qty, maxSize) => col("p_brand").eq(lit(brand))
      .and(col("p_container").isIn(containers))
      .and(between(col("l_quantity"), lit(qty), lit(qty + 10)))
      .and(between(col("p_size"), lit(1), lit(maxSize)));
    return t.lineitem
      .filter(col("l_shipmode").isIn(["AIR", "AIR REG"])
        .and(col("l_shipinstruct").eq(lit("DELIVER IN PERSON"))))
      .join(t.part, { leftOn: "l_partkey", rightOn: "p_partkey", how: "inner" })
      .filter(branch("Brand#12", ["SM CASE", "SM BOX", "SM PACK", "SM PKG"], 1, 5)
        .or(branch("Brand#23", ["MED BAG", "MED BOX", "MED PKG", "MED PACK"], 10, 10))
        .or(branch("Brand#34", ["LG CASE", "LG BOX", "LG PACK", "LG PKG"], 20, 15)))
      .select(disc().sum().alias("revenue"));
  },
};

async function main() {
  const start = process.hrtime.bigint();
  const tables = {};
  for (const table of QUERY_TABLES[args.query]) tables[table] = scan(table);
  const df = await QUERIES[args.query](tables).collect();
  const queryMs = Number(process.hrtime.bigint() - start) / 1e6;
  df.writeCSV(path.resolve(args.out));
  console.log(`polars q${args.query}: rows=${df.height} time_ms=${queryMs.toFixed(3)} ` +
              `threads=${args.threads || "default"} -> ${args.out}`);
}

main().catch((e) => {
  console.error(`polars_run: ${(process.env.TPCH_DEBUG && e && e.stack) || (e && e.message) || e}`);
  process.exit(1);
});

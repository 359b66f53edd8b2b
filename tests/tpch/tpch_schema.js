// The TPC-H schema as dbgen writes it ('|'-delimited .tbl files, a trailing '|', no header),
// shared by duckdb_run.js and polars_run.js, and the lookup of a table's data files.
"use strict";
const fs = require("fs");
const path = require("path");

// Column types: "int" (integer keys and counts), "money" (DECIMAL(15,2): prices, quantities,
// discounts, taxes, balances, costs), "date", "text".
const TABLES = {
  region: [["r_regionkey", "int"], ["r_name", "text"], ["r_comment", "text"]],
  nation: [["n_nationkey", "int"], ["n_name", "text"], ["n_regionkey", "int"], ["n_comment", "text"]],
  supplier: [["s_suppkey", "int"], ["s_name", "text"], ["s_address", "text"], ["s_nationkey", "int"],
             ["s_phone", "text"], ["s_acctbal", "money"], ["s_comment", "text"]],
  customer: [["c_custkey", "int"], ["c_name", "text"], ["c_address", "text"], ["c_nationkey", "int"],
             ["c_phone", "text"], ["c_acctbal", "money"], ["c_mktsegment", "text"], ["c_comment", "text"]],
  part: [["p_partkey", "int"], ["p_name", "text"], ["p_mfgr", "text"], ["p_brand", "text"],
         ["p_type", "text"], ["p_size", "int"], ["p_container", "text"], ["p_retailprice", "money"],
         ["p_comment", "text"]],
  partsupp: [["ps_partkey", "int"], ["ps_suppkey", "int"], ["ps_availqty", "int"],
             ["ps_supplycost", "money"], ["ps_comment", "text"]],
  orders: [["o_orderkey", "int"], ["o_custkey", "int"], ["o_orderstatus", "text"],
           ["o_totalprice", "money"], ["o_orderdate", "date"], ["o_orderpriority", "text"],
           ["o_clerk", "text"], ["o_shippriority", "int"], ["o_comment", "text"]],
  lineitem: [["l_orderkey", "int"], ["l_partkey", "int"], ["l_suppkey", "int"], ["l_linenumber", "int"],
             ["l_quantity", "money"], ["l_extendedprice", "money"], ["l_discount", "money"],
             ["l_tax", "money"], ["l_returnflag", "text"], ["l_linestatus", "text"],
             ["l_shipdate", "date"], ["l_commitdate", "date"], ["l_receiptdate", "date"],
             ["l_shipinstruct", "text"], ["l_shipmode", "text"], ["l_comment", "text"]],
};

// The tables each query reads.
const QUERY_TABLES = {
  1: ["lineitem"],
  3: ["customer", "orders", "lineitem"],
  4: ["orders", "lineitem"],
  5: ["customer", "orders", "lineitem", "supplier", "nation", "region"],
  6: ["lineitem"],
  10: ["customer", "orders", "lineitem", "nation"],
  12: ["orders", "lineitem"],
  13: ["customer", "orders"],
  14: ["lineitem", "part"],
  19: ["lineitem", "part"],
};
const QUERIES = Object.keys(QUERY_TABLES).map(Number);

// How to compare a query's results with compare.js: each query's ORDER BY, its columns given to
// --ties so that rows tied on them may come in either order.
//   node compare.js EXPECTED ACTUAL $(node -p 'require("./tpch_schema").COMPARE_ARGS[3].join(" ")')
const COMPARE_ARGS = {
  1: ["--ordered"],                                   // l_returnflag, l_linestatus: unique
  3: ["--ordered", "--ties", "revenue,o_orderdate"],  // LIMIT 10
  4: ["--ordered"],                                   // o_orderpriority: unique
  5: ["--ordered", "--ties", "revenue"],
  6: ["--ordered"],                                   // one row
  10: ["--ordered", "--ties", "revenue"],             // LIMIT 20
  12: ["--ordered"],                                  // l_shipmode: unique
  13: ["--ordered"],                                  // custdist desc, c_count desc: unique
  14: ["--ordered"],                                  // one row
  19: ["--ordered"],                                  // one row
};

// Translates a glob (*, ?, [...]) of one path component into a RegExp.
function globToRegExp(glob) {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) { re += "\\["; continue; }
      let body = glob.slice(i + 1, end);
      if (body.startsWith("!")) body = "^" + body.slice(1);
      re += "[" + body.replace(/\\/g, "\\\\") + "]";
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp("^" + re + "$");
}

// Expands a glob pattern whose wildcards may be in any path component; returns the regular
// files it matches, sorted. A path without wildcards is returned if it is a regular file.
function expandGlob(pattern) {
  const abs = path.resolve(pattern);
  const parts = abs.split("/").filter((p) => p !== "");
  let bases = ["/"];
  for (const part of parts) {
    const next = [];
    for (const base of bases) {
      if (!/[*?[]/.test(part)) {
        const p = path.join(base, part);
        if (fs.existsSync(p)) next.push(p);
        continue;
      }
      let names;
      try { names = fs.readdirSync(base); } catch { continue; }
      const re = globToRegExp(part);
      for (const n of names.sort()) if (re.test(n)) next.push(path.join(base, n));
    }
    bases = next;
  }
  return bases.filter((p) => fs.statSync(p).isFile()).sort();
}

// The data files of TABLE under DATA_DIR: DATA_DIR/T.tbl, split files DATA_DIR/T.tbl* (dbgen's
// T.tbl.1, T.tbl.2, ...) and DATA_DIR/T/*.tbl*. An environment variable TPCH_<TABLE>_GLOB (e.g.
// TPCH_LINEITEM_GLOB='/data/li/part-*.tbl') replaces this lookup with a glob of its own.
function tableFiles(dataDir, table) {
  const override = process.env[`TPCH_${table.toUpperCase()}_GLOB`];
  const patterns = override ? [override]
    : [path.join(dataDir, `${table}.tbl*`), path.join(dataDir, table, "*.tbl*")];
  const files = [...new Set(patterns.flatMap(expandGlob))].sort();
  if (files.length === 0) {
    throw new Error(`no data files for table ${table}: tried ${patterns.join(", ")}`);
  }
  return files;
}

module.exports = { TABLES, QUERY_TABLES, QUERIES, COMPARE_ARGS, tableFiles, expandGlob };

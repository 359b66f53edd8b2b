#!/usr/bin/env node
// DuckDB reference for the TPC-H correctness test and benchmark.
//   node duckdb_run.js DATA_DIR QUERY_NUMBER OUT.csv [--threads N] [--tables]
// Creates a view per TPC-H table over its '|'-delimited .tbl files in DATA_DIR (see
// tpch_schema.js for the file lookup) with explicit column names and types, runs
// queries/qN.sql, writes the result to OUT.csv (header row; dates YYYY-MM-DD; DECIMALs exact;
// doubles as the shortest string that round-trips) and prints the query's wall time.
// By default the timed query includes scanning and parsing the .tbl files (as the quokka and
// polars peers do); --tables first loads the tables into memory (timed separately) and times
// the query over the loaded tables only.
// Needs @duckdb/node-api on NODE_PATH (scripts/tpch-peers.sh installs it into build/tpch-npm).
"use strict";
const fs = require("fs");
const path = require("path");
const { TABLES, QUERY_TABLES, tableFiles } = require("./tpch_schema");
const { writeCsv } = require("./csv_util");

const SQL_TYPES = { int: "BIGINT", money: "DECIMAL(15,2)", date: "DATE", text: "VARCHAR" };

function usage(msg) {
  if (msg) console.error(`duckdb_run: ${msg}`);
  console.error("usage: node duckdb_run.js DATA_DIR QUERY_NUMBER OUT.csv [--threads N] [--tables]");
  process.exit(2);
}

function parseArgs(argv) {
  const positional = [];
  const opts = { threads: null, tables: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--threads") {
      opts.threads = Number(argv[++i]);
      if (!Number.isInteger(opts.threads) || opts.threads < 1) usage("--threads needs a positive integer");
    } else if (a.startsWith("--threads=")) {
      opts.threads = Number(a.slice(10));
      if (!Number.isInteger(opts.threads) || opts.threads < 1) usage("--threads needs a positive integer");
    } else if (a === "--tables") opts.tables = true;
    else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 3) usage();
  const q = Number(String(positional[1]).replace(/^q/i, ""));
  if (!QUERY_TABLES[q]) usage(`no query ${positional[1]} (have ${Object.keys(QUERY_TABLES).join(", ")})`);
  return { dataDir: positional[0], query: q, out: positional[2], ...opts };
}

const sqlString = (s) => "'" + String(s).replace(/'/g, "''") + "'";

// The SQL that reads TABLE's files: every column typed, the empty column after the trailing '|'
// read as VARCHAR and dropped.
function scanSql(table, files) {
  const cols = TABLES[table].map(([name, type]) => `${sqlString(name)}: ${sqlString(SQL_TYPES[type])}`);
  cols.push(`'trailing_delimiter_': 'VARCHAR'`);
  const names = TABLES[table].map(([name]) => name).join(", ");
  return `SELECT ${names} FROM read_csv([${files.map(sqlString).join(", ")}], ` +
         `delim = '|', header = false, quote = '', escape = '', auto_detect = false, ` +
         `dateformat = '%Y-%m-%d', columns = {${cols.join(", ")}})`;
}

// Formats one result value for the CSV file.
function formatValue(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") {
    if (Number.isInteger(v) && Math.abs(v) < 1e21) return v.toFixed(1);  // keep it a float
    return String(v);
  }
  return String(v);  // bigint, string, DECIMAL (exact), DATE (YYYY-MM-DD)
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let duckdb;
  try {
    duckdb = require("@duckdb/node-api");
  } catch (e) {
    console.error("duckdb_run: @duckdb/node-api not found; run scripts/tpch-peers.sh and set " +
                  "NODE_PATH=build/tpch-npm/node_modules");
    process.exit(2);
  }
  const sql = fs.readFileSync(path.join(__dirname, "queries", `q${args.query}.sql`), "utf8");
  const config = {};
  if (args.threads) config.threads = String(args.threads);
  const instance = await duckdb.DuckDBInstance.create(":memory:", config);
  const con = await instance.connect();

  const loadStart = process.hrtime.bigint();
  for (const table of QUERY_TABLES[args.query]) {
    const files = tableFiles(args.dataDir, table);
    const kind = args.tables ? "TABLE" : "VIEW";
    await con.run(`CREATE ${kind} ${table} AS ${scanSql(table, files)}`);
  }
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;

  const start = process.hrtime.bigint();
  const reader = await con.runAndReadAll(sql);
  const queryMs = Number(process.hrtime.bigint() - start) / 1e6;

  const header = reader.columnNames();
  const rows = reader.getRows().map((row) => row.map(formatValue));
  writeCsv(args.out, header, rows);
  const load = args.tables ? ` load_ms=${loadMs.toFixed(3)}` : "";
  console.log(`duckdb q${args.query}: rows=${rows.length}${load} time_ms=${queryMs.toFixed(3)} ` +
              `threads=${args.threads || "default"} -> ${args.out}`);
  con.closeSync?.();
  instance.closeSync?.();
}

main().catch((e) => {
  console.error(`duckdb_run: ${(process.env.TPCH_DEBUG && e && e.stack) || (e && e.message) || e}`);
  process.exit(1);
});

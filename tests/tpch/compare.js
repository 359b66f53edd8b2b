#!/usr/bin/env node
// Compares two TPC-H result CSV files (header row + rows).
//   node compare.js EXPECTED.csv ACTUAL.csv --ordered|--unordered [--ties COL,...] [--max-diffs N]
// Same header (column names, in order), same row count, same rows (in the same order with
// --ordered; as a multiset with --unordered). A field that is an integer in both files must
// match exactly; a number with a decimal point or an exponent in either file is compared with
// tolerance |a - b| <= max(1e-6 * max(|a|, |b|), 1e-9); everything else (strings, dates, empty
// for NULL) must match exactly. Prints the first mismatches and exits 1 on a mismatch, 0 on a
// match, 2 on a usage or read error.
// --ties COL,... (with --ordered): the ORDER BY columns. Consecutive expected rows equal on them
// (within the tolerance) are a tie, and the actual rows at the same positions may come in any
// order among themselves. (A tie that straddles a LIMIT can still pick different rows.)
"use strict";
const fs = require("fs");
const { parseCsv } = require("./csv_util");

const REL_TOL = 1e-6;
const ABS_TOL = 1e-9;
const INT_RE = /^[+-]?\d+$/;
const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function usage(msg) {
  if (msg) console.error(`compare: ${msg}`);
  console.error("usage: node compare.js EXPECTED.csv ACTUAL.csv --ordered|--unordered " +
                "[--ties COL,...] [--max-diffs N]");
  process.exit(2);
}

// Whether two fields match; the reason when they do not.
function fieldMismatch(e, a) {
  if (e === a) return null;
  if (INT_RE.test(e) && INT_RE.test(a)) {
    return BigInt(e) === BigInt(a) ? null : "integers differ";
  }
  if (NUM_RE.test(e) && NUM_RE.test(a)) {
    const x = Number(e);
    const y = Number(a);
    const diff = Math.abs(x - y);
    const tol = Math.max(REL_TOL * Math.max(Math.abs(x), Math.abs(y)), ABS_TOL);
    if (diff <= tol) return null;
    return `numbers differ by ${diff.toPrecision(3)}` +
           (x !== 0 ? ` (relative ${(diff / Math.abs(x)).toPrecision(3)})` : "");
  }
  return "values differ";
}

function rowMismatches(e, a) {
  const out = [];
  if (e.length !== a.length) {
    out.push({ col: -1, why: `row has ${a.length} fields, expected ${e.length}` });
    return out;
  }
  for (let i = 0; i < e.length; i++) {
    const why = fieldMismatch(e[i], a[i]);
    if (why) out.push({ col: i, why });
  }
  return out;
}

// A sort key that puts equal-within-tolerance rows next to each other in most cases: strings
// and integers as they are, other numbers rounded to 6 significant digits.
function sortKey(row) {
  return row.map((f) => {
    if (INT_RE.test(f)) return "i" + f;
    if (NUM_RE.test(f)) return "n" + Number(f).toPrecision(6);
    return "s" + f;
  }).join("\u0001");
}

function read(file) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    console.error(`compare: cannot read ${file}: ${e.message}`);
    process.exit(2);
  }
  const records = parseCsv(text);
  if (records.length === 0) {
    console.error(`compare: ${file} is empty (no header row)`);
    process.exit(2);
  }
  return { header: records[0], rows: records.slice(1) };
}

function main() {
  const argv = process.argv.slice(2);
  const files = [];
  let mode = null;
  let maxDiffs = 10;
  let ties = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--ordered" || argv[i] === "--unordered") mode = argv[i].slice(2);
    else if (argv[i] === "--max-diffs") maxDiffs = Number(argv[++i]);
    else if (argv[i] === "--ties") ties = String(argv[++i] || "").split(",").filter((c) => c);
    else if (argv[i].startsWith("--")) usage(`unknown option ${argv[i]}`);
    else files.push(argv[i]);
  }
  if (files.length !== 2 || !mode) usage();
  if (ties && mode !== "ordered") usage("--ties needs --ordered");
  const [expFile, actFile] = files;
  const exp = read(expFile);
  const act = read(actFile);
  const label = `${expFile} vs ${actFile}`;
  const fmtRow = (r) => JSON.stringify(r);
  const problems = [];

  if (exp.header.join("\u0001") !== act.header.join("\u0001")) {
    problems.push(`header differs:\n  expected: ${fmtRow(exp.header)}\n  actual:   ${fmtRow(act.header)}`);
  }
  if (exp.rows.length !== act.rows.length) {
    problems.push(`row count differs: expected ${exp.rows.length}, actual ${act.rows.length}`);
  }

  const describe = (where, e, a, mism) => {
    const cols = mism.map((m) => m.col < 0 ? m.why
      : `${exp.header[m.col] ?? "#" + m.col}: expected ${JSON.stringify(e[m.col])}, ` +
        `actual ${JSON.stringify(a[m.col])} (${m.why})`);
    return `${where}:\n  expected: ${fmtRow(e)}\n  actual:   ${fmtRow(a)}\n    ` + cols.join("\n    ");
  };

  // Matches EXP_ROWS against ACT_ROWS as multisets; reports what is left over.
  const matchUnordered = (expRows, actRows, where) => {
    // Sort both and pair them up; rows left over (the rounding of the sort key can split equal
    // rows) are matched greedily against each other.
    const sortRows = (rows) => rows.map((r) => [sortKey(r), r])
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map((x) => x[1]);
    const es = sortRows(expRows);
    const as = sortRows(actRows);
    const leftE = [];
    const leftA = [];
    let i = 0;
    let j = 0;
    while (i < es.length && j < as.length) {
      if (rowMismatches(es[i], as[j]).length === 0) { i++; j++; continue; }
      if (sortKey(es[i]) <= sortKey(as[j])) leftE.push(es[i++]); else leftA.push(as[j++]);
    }
    while (i < es.length) leftE.push(es[i++]);
    while (j < as.length) leftA.push(as[j++]);
    const unmatchedE = [];
    for (const e of leftE) {
      const k = leftA.findIndex((a) => rowMismatches(e, a).length === 0);
      if (k >= 0) leftA.splice(k, 1); else unmatchedE.push(e);
    }
    // Show each unmatched expected row next to the unmatched actual row closest to it.
    for (const e of unmatchedE) {
      let best = -1;
      let bestMism = null;
      leftA.forEach((a, k) => {
        const m = rowMismatches(e, a);
        if (best < 0 || m.length < bestMism.length) { best = k; bestMism = m; }
      });
      if (best >= 0) {
        problems.push(describe(`${where}row not found (closest actual row shown)`, e, leftA[best], bestMism));
        leftA.splice(best, 1);
      } else {
        problems.push(`${where}expected row missing: ${fmtRow(e)}`);
      }
    }
    for (const a of leftA) problems.push(`${where}unexpected row: ${fmtRow(a)}`);
  };

  if (mode === "ordered") {
    const n = Math.min(exp.rows.length, act.rows.length);
    const tieCols = (ties || []).map((c) => {
      const k = exp.header.indexOf(c);
      if (k < 0) { console.error(`compare: --ties column ${c} not in ${expFile}`); process.exit(2); }
      return k;
    });
    const sameKey = (x, y) => tieCols.every((k) => fieldMismatch(x[k], y[k]) === null);
    for (let i = 0; i < n;) {
      let end = i + 1;
      if (tieCols.length) while (end < n && sameKey(exp.rows[i], exp.rows[end])) end++;
      if (end - i === 1) {
        const mism = rowMismatches(exp.rows[i], act.rows[i]);
        if (mism.length) problems.push(describe(`row ${i + 1}`, exp.rows[i], act.rows[i], mism));
      } else {
        matchUnordered(exp.rows.slice(i, end), act.rows.slice(i, end), `rows ${i + 1}-${end} (a tie): `);
      }
      i = end;
    }
    for (let i = n; i < exp.rows.length; i++) problems.push(`row ${i + 1} missing: ${fmtRow(exp.rows[i])}`);
    for (let i = n; i < act.rows.length; i++) problems.push(`row ${i + 1} extra: ${fmtRow(act.rows[i])}`);
  } else {
    matchUnordered(exp.rows, act.rows, "");
  }

  if (problems.length === 0) {
    console.log(`compare: OK ${label}: ${exp.rows.length} rows x ${exp.header.length} columns (${mode})`);
    return 0;
  }
  console.log(`compare: MISMATCH ${label} (${mode}): ${problems.length} problem(s)`);
  for (const p of problems.slice(0, maxDiffs)) console.log("  " + p.replace(/\n/g, "\n  "));
  if (problems.length > maxDiffs) console.log(`  ... ${problems.length - maxDiffs} more`);
  return 1;
}

process.exit(main());

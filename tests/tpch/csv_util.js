// Minimal RFC 4180 CSV writing and reading for the TPC-H result files (tests/tpch).
"use strict";
const fs = require("fs");

function formatField(value) {
  const s = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

// Writes HEADER (names) and ROWS (arrays of already formatted strings, or null for NULL).
function writeCsv(file, header, rows) {
  const lines = [header.map(formatField).join(",")];
  for (const row of rows) lines.push(row.map(formatField).join(","));
  fs.writeFileSync(file, lines.join("\n") + "\n");
}

// Parses CSV text into an array of records (arrays of strings). Accepts \n and \r\n.
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = "";
  let i = 0;
  let quoted = false;
  let any = false;  // the current record has content
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      field += c; i++; continue;
    }
    if (c === '"' && field === "") { quoted = true; any = true; i++; continue; }
    if (c === ",") { record.push(field); field = ""; any = true; i++; continue; }
    if (c === "\r" && text[i + 1] === "\n") { i++; continue; }
    if (c === "\n") {
      if (any || field !== "") { record.push(field); records.push(record); }
      record = []; field = ""; any = false; i++; continue;
    }
    field += c; any = true; i++;
  }
  if (quoted) throw new Error("unterminated quoted field at end of CSV");
  if (any || field !== "") { record.push(field); records.push(record); }
  return records;
}

module.exports = { writeCsv, parseCsv, formatField };

// Reads an Arrow IPC file written by `quokka convert` with apache-arrow and nodejs-polars and
// compares it with the CSV it came from (parsed here by hand: id,name,amount,day columns).
//   node convert_check.js FILE.arrow FILE.csv
"use strict";

const fs = require("fs");
const arrow = require("apache-arrow");
const pl = require("nodejs-polars");

const [arrowPath, csvPath] = process.argv.slice(2);
const lines = fs.readFileSync(csvPath, "utf8").trim().split("\n").slice(1);
const expected = lines.map((line) => {
  const [id, name, amount, day] = line.split(",");
  return { id: Number(id), name, amount: Number(amount), day };
});
let failures = 0;
function check(ok, label) {
  console.log(`${ok ? "ok  " : "FAIL"} ${label}`);
  if (!ok) failures++;
}

const bytes = fs.readFileSync(arrowPath);
const table = arrow.tableFromIPC(bytes);
check(table.numRows === expected.length, `apache-arrow reads ${table.numRows} rows`);
const ids = table.getChild("id").toArray();
const names = table.getChild("name").toArray();
const amounts = table.getChild("amount").toArray();
let same = true;
for (let i = 0; i < expected.length; i++) {
  same = same && Number(ids[i]) === expected[i].id && names[i] === expected[i].name &&
         Math.abs(Number(amounts[i]) - expected[i].amount) < 1e-9;
}
check(same, "apache-arrow values equal the CSV (id, name, amount)");

const df = pl.readIPC(bytes);
check(df.height === expected.length, `nodejs-polars reads ${df.height} rows`);
const pIds = df.getColumn("id").toArray();
const pNames = df.getColumn("name").toArray();
let pSame = true;
for (let i = 0; i < expected.length; i++) {
  pSame = pSame && Number(pIds[i]) === expected[i].id && pNames[i] === expected[i].name;
}
check(pSame, "nodejs-polars values equal the CSV (id, name)");
process.exit(failures === 0 ? 0 : 1);

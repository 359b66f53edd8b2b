// Arrow IPC interop between quokka and real npm peers: apache-arrow (JavaScript) and
// nodejs-polars. Run by tests/interop/run.sh as
//   node interop.js IPC_TOOL DIR
// after `IPC_TOOL write DIR`. Checks, in both formats (file and stream):
//   1. quokka's files (DIR/quokka.arrow, DIR/quokka.arrows) read by apache-arrow (tableFromIPC)
//      and nodejs-polars (readIPC/readIPCStream) equal DIR/quokka_expected.json;
//   2. files written by apache-arrow (tableToIPC) and nodejs-polars (writeIPC/writeIPCStream)
//      read by quokka (`IPC_TOOL dump`) equal what the peers were given;
//   3. unsupported input (dictionary, list, compression, too-wide decimal) gives an error
//      naming the field or the problem.
// Prints one line per check and what the peers write; exits 1 if any check failed.
"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync, spawnSync } = require("child_process");
const arrow = require("apache-arrow");
const pl = require("nodejs-polars");

const [ipcTool, dir] = process.argv.slice(2);
if (!ipcTool || !dir) {
  console.error("usage: node interop.js IPC_TOOL DIR");
  process.exit(2);
}

let failures = 0;
function report(ok, label, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${label}${detail ? ": " + detail : ""}`);
  if (!ok) failures++;
}

// ---- Comparing dumps --------------------------------------------------------------------------

function sameValue(expected, actual) {
  if (expected === null || actual === null) return expected === actual;
  if (typeof expected === "number" || typeof actual === "number") {
    return Number(expected) === Number(actual);
  }
  return expected === actual;
}

// Compare {fields, columns} dumps; `options.nullable` also compares field nullability.
function compareDump(label, expected, actual, options = {}) {
  const problems = [];
  const names = (d) => d.fields.map((f) => f.name).join(",");
  if (names(expected) !== names(actual)) {
    problems.push(`fields ${names(actual)} != ${names(expected)}`);
  } else {
    expected.fields.forEach((field, i) => {
      const got = actual.fields[i];
      if (field.type !== got.type) problems.push(`${field.name}: type ${got.type} != ${field.type}`);
      if (options.nullable && field.nullable !== got.nullable) {
        problems.push(`${field.name}: nullable ${got.nullable} != ${field.nullable}`);
      }
      const want = expected.columns[field.name];
      const have = actual.columns[field.name];
      if (want.length !== have.length) {
        problems.push(`${field.name}: ${have.length} rows != ${want.length}`);
        return;
      }
      for (let r = 0; r < want.length; r++) {
        if (!sameValue(want[r], have[r])) {
          problems.push(`${field.name}[${r}]: ${JSON.stringify(have[r])} != ${JSON.stringify(want[r])}`);
          break;
        }
      }
    });
  }
  if (options.batches !== undefined && actual.num_batches !== options.batches) {
    problems.push(`${actual.num_batches} batches != ${options.batches}`);
  }
  report(problems.length === 0, label, problems.slice(0, 5).join("; "));
}

// ---- apache-arrow tables as dumps -------------------------------------------------------------

const TS_UNITS = ["s", "ms", "us", "ns"];

function arrowTypeName(type) {
  const T = arrow.Type;
  switch (type.typeId) {
    case T.Bool:
      return "bool";
    case T.Int:
      return (type.isSigned ? "int" : "uint") + type.bitWidth;
    case T.Float:
      return type.precision === arrow.Precision.DOUBLE ? "float64" : "float" + type.precision;
    case T.Decimal:
      return `decimal(${type.precision},${type.scale})`;
    case T.Utf8:
      return "utf8";
    case T.Date:
      return type.unit === arrow.DateUnit.DAY ? "date32" : "date64";
    case T.Timestamp:
      return `timestamp[${TS_UNITS[type.unit]}]`;
    default:
      return String(type);
  }
}

// Raw value of row i of a Data chunk, in the dump's representation.
function arrowValue(data, i) {
  const T = arrow.Type;
  const type = data.type;
  const at = data.offset + i;
  switch (type.typeId) {
    case T.Bool:
      return ((data.values[at >> 3] >> (at & 7)) & 1) === 1;
    case T.Float:
      return data.values[at];
    case T.Utf8: {
      const start = data.valueOffsets[at];
      const end = data.valueOffsets[at + 1];
      return Buffer.from(data.values.subarray(start, end)).toString("utf8");
    }
    case T.Decimal: {
      const words = data.values.subarray(at * 4, at * 4 + 4);
      let value = 0n;
      for (let w = 3; w >= 0; w--) value = (value << 32n) | BigInt(words[w]);
      if (words[3] & 0x80000000) value -= 1n << 128n;
      return value.toString();
    }
    default:
      return String(data.values[at]);
  }
}

function arrowDump(table) {
  const fields = table.schema.fields.map((f) => ({
    name: f.name,
    type: arrowTypeName(f.type),
    nullable: f.nullable,
  }));
  const columns = {};
  table.schema.fields.forEach((field, c) => {
    const values = [];
    for (const batch of table.batches) {
      const data = batch.data.children[c];
      const vector = arrow.makeVector(data);
      for (let i = 0; i < data.length; i++) {
        values.push(vector.isValid(i) ? arrowValue(data, i) : null);
      }
    }
    columns[field.name] = values;
  });
  return { fields, columns, num_batches: table.batches.length };
}

// ---- nodejs-polars data frames as dumps -------------------------------------------------------

function polarsTypeName(dtype) {
  const text = String(dtype).replace(/^DataType\((.*)\)$/, "$1");
  const simple = {
    Bool: "bool", Int8: "int8", Int16: "int16", Int32: "int32", Int64: "int64",
    Float64: "float64", String: "utf8", Utf8: "utf8", Date: "date32",
  };
  if (simple[text]) return simple[text];
  let m = text.match(/^Datetime\((\w+),/);
  if (m) return `timestamp[${m[1]}]`;
  m = text.match(/^Decimal\((\d+),\s*(\d+)\)/);
  if (m) return `decimal(${m[1]},${m[2]})`;
  return text;
}

// "123456.700" (polars' decimal text) -> "123456700" (the scaled integer).
function decimalTextToScaled(text, scale) {
  const negative = text.startsWith("-");
  let [whole, frac = ""] = text.replace("-", "").split(".");
  frac = (frac + "0".repeat(scale)).slice(0, scale);
  const scaled = BigInt(whole + frac);
  return (negative ? -scaled : scaled).toString();
}

function polarsDump(df) {
  const fields = [];
  const columns = {};
  for (const name of df.columns) {
    const series = df.getColumn(name);
    const type = polarsTypeName(series.dtype);
    fields.push({ name, type, nullable: true });
    let values;
    if (type === "bool" || type === "float64" || type === "utf8") {
      values = series.toArray();
    } else if (type.startsWith("decimal")) {
      const scale = Number(type.match(/,(\d+)\)/)[1]);
      values = series
        .cast(pl.Utf8)
        .toArray()
        .map((v) => (v === null ? null : decimalTextToScaled(v, scale)));
    } else if (type === "date32") {
      values = series.cast(pl.Int32).cast(pl.Utf8).toArray();
    } else {
      values = series.cast(pl.Int64).cast(pl.Utf8).toArray();
    }
    columns[name] = values;
  }
  return { fields, columns };
}

// ---- quokka reading peer files ----------------------------------------------------------------

function quokkaDump(file, stream) {
  const out = execFileSync(ipcTool, [stream ? "dump-stream" : "dump", file], { encoding: "utf8" });
  return JSON.parse(out);
}

function expectQuokkaError(label, file, stream, needles) {
  const result = spawnSync(ipcTool, [stream ? "dump-stream" : "dump", file], { encoding: "utf8" });
  const message = (result.stderr || "").trim();
  const ok = result.status === 1 && needles.every((n) => message.includes(n));
  report(ok, label, message || `exit ${result.status}`);
}

// Describe the schema a peer wrote, as stored in the file (apache-arrow reads it back).
function describeSchema(bytes) {
  const table = arrow.tableFromIPC(bytes);
  return table.schema.fields.map((f) => `${f.name}: ${f.type}`).join(", ");
}

// ---- 1. quokka -> peers ----------------------------------------------------------------------

const expected = JSON.parse(fs.readFileSync(path.join(dir, "quokka_expected.json"), "utf8"));
const quokkaFile = fs.readFileSync(path.join(dir, "quokka.arrow"));
const quokkaStream = fs.readFileSync(path.join(dir, "quokka.arrows"));

for (const [label, bytes] of [["file", quokkaFile], ["stream", quokkaStream]]) {
  try {
    const table = arrow.tableFromIPC(bytes);
    compareDump(`apache-arrow reads quokka ${label}`, expected, arrowDump(table), {
      nullable: true,
      batches: expected.num_batches,
    });
  } catch (e) {
    report(false, `apache-arrow reads quokka ${label}`, e.message);
  }
}

// nodejs-polars takes a string as a path only if it ends in ".ipc" (else as inline data).
const ipcPath = path.join(dir, "quokka_file.ipc");
fs.copyFileSync(path.join(dir, "quokka.arrow"), ipcPath);
for (const [label, read] of [
  ["file (path)", () => pl.readIPC(ipcPath)],
  ["file (buffer)", () => pl.readIPC(quokkaFile)],
  ["stream (buffer)", () => pl.readIPCStream(quokkaStream)],
]) {
  try {
    compareDump(`nodejs-polars reads quokka ${label}`, expected, polarsDump(read()));
  } catch (e) {
    report(false, `nodejs-polars reads quokka ${label}`, e.message);
  }
}

// ---- 2. apache-arrow -> quokka ---------------------------------------------------------------

// Validity bitmap from a list of values (null = invalid).
function bitmap(values) {
  const bits = new Uint8Array(Math.ceil(values.length / 8) || 1);
  values.forEach((v, i) => {
    if (v !== null) bits[i >> 3] |= 1 << (i & 7);
  });
  return bits;
}
function nulls(values) {
  return values.filter((v) => v === null).length;
}

// One arrow Data of `type` from JS values; returns [data, dump values].
function fixedData(type, Array_, values, toRaw = (v) => v, toDump = (v) => String(v)) {
  const raw = new Array_(values.length);
  values.forEach((v, i) => {
    raw[i] = v === null ? toRaw(0) : toRaw(v);
  });
  const data = arrow.makeData({
    type, length: values.length, nullCount: nulls(values), nullBitmap: bitmap(values), data: raw,
  });
  return [data, values.map((v) => (v === null ? null : toDump(v)))];
}

function stringData(type, values) {
  const encoded = values.map((v) => Buffer.from(v === null ? "" : v, "utf8"));
  const total = encoded.reduce((n, b) => n + b.length, 0);
  const Offsets = type instanceof arrow.LargeUtf8 ? BigInt64Array : Int32Array;
  const offsets = new Offsets(values.length + 1);
  const bytes = new Uint8Array(total);
  let at = 0;
  encoded.forEach((b, i) => {
    bytes.set(b, at);
    at += b.length;
    offsets[i + 1] = Offsets === BigInt64Array ? BigInt(at) : at;
  });
  const data = arrow.makeData({
    type, length: values.length, nullCount: nulls(values), nullBitmap: bitmap(values),
    valueOffsets: offsets, data: bytes,
  });
  return [data, values];
}

function boolData(values) {
  const bits = new Uint8Array(Math.ceil(values.length / 8) || 1);
  values.forEach((v, i) => {
    if (v) bits[i >> 3] |= 1 << (i & 7);
  });
  const data = arrow.makeData({
    type: new arrow.Bool(), length: values.length, nullCount: nulls(values),
    nullBitmap: bitmap(values), data: bits,
  });
  return [data, values];
}

function decimalData(precision, scale, values /* BigInt or null */) {
  const words = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    let x = BigInt.asUintN(128, v === null ? 0n : v);
    for (let w = 0; w < 4; w++) {
      words[i * 4 + w] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
  });
  const data = arrow.makeData({
    type: new arrow.Decimal(scale, precision, 128), length: values.length,
    nullCount: nulls(values), nullBitmap: bitmap(values), data: words,
  });
  return [data, values.map((v) => (v === null ? null : v.toString()))];
}

// Columns of one arrow batch starting at row `first`: [name, quokka type, [data, dump values]].
function arrowColumns(first, rows) {
  const pick = (f) => Array.from({ length: rows }, (_, k) => {
    const r = first + k;
    return r % 4 === 1 ? null : f(r);
  });
  const big = (f) => (v) => BigInt(v);
  return [
    ["b", "bool", boolData(pick((r) => r % 3 === 0))],
    ["i8", "int8", fixedData(new arrow.Int8(), Int8Array, pick((r) => (r * 37) % 256 - 128))],
    ["i16", "int16", fixedData(new arrow.Int16(), Int16Array, pick((r) => -((r * 999) % 30000)))],
    ["i32", "int32", fixedData(new arrow.Int32(), Int32Array, pick((r) => r * 1234567 - 9))],
    ["i64", "int64", fixedData(new arrow.Int64(), BigInt64Array,
      pick((r) => BigInt(r) * 1000000000007n - 3n), big(), (v) => v.toString())],
    ["u8", "int16", fixedData(new arrow.Uint8(), Uint8Array, pick((r) => (200 + r) % 256))],
    ["u16", "int32", fixedData(new arrow.Uint16(), Uint16Array, pick((r) => 65000 + r))],
    ["u32", "int64", fixedData(new arrow.Uint32(), Uint32Array, pick((r) => 4000000000 + r))],
    ["f32", "float64", fixedData(new arrow.Float32(), Float32Array, pick((r) => r * 0.25 - 1),
      (v) => v, (v) => v)],
    ["f64", "float64", fixedData(new arrow.Float64(), Float64Array, pick((r) => r / 3),
      (v) => v, (v) => v)],
    ["dec", "decimal(10,2)", decimalData(10, 2, pick((r) => BigInt(r) * 12345n - 99999n))],
    ["s", "utf8", stringData(new arrow.Utf8(), pick((r) => (r % 5 === 0 ? "" : `js ${r} ü`)))],
    ["ls", "utf8", stringData(new arrow.LargeUtf8(), pick((r) => `large string ${r}`))],
    ["d", "date32", fixedData(new arrow.DateDay(), Int32Array, pick((r) => 19000 + r * 3 - 40))],
    ["dms", "date32", fixedData(new arrow.DateMillisecond(), BigInt64Array,
      pick((r) => (r - 3) * 86400000), big(), (v) => String(Math.floor(v / 86400000)))],
    ["ts_s", "timestamp[s]", fixedData(new arrow.TimestampSecond(), BigInt64Array,
      pick((r) => 1700000000 + r), big(), (v) => String(v))],
    ["ts_ms", "timestamp[ms]", fixedData(new arrow.TimestampMillisecond(), BigInt64Array,
      pick((r) => 1700000000000 - r * 1001), big(), (v) => String(v))],
    ["ts_us", "timestamp[us]", fixedData(new arrow.TimestampMicrosecond(), BigInt64Array,
      pick((r) => 1700000000000000 + r * 7), big(), (v) => String(v))],
    ["ts_ns_utc", "timestamp[ns]", fixedData(new arrow.TimestampNanosecond("UTC"), BigInt64Array,
      pick((r) => BigInt(r) * 1000000000000001n), big(), (v) => String(v))],
  ];
}

function arrowBatch(first, rows) {
  const columns = arrowColumns(first, rows);
  const fields = columns.map(([name, , [data]]) => new arrow.Field(name, data.type, true));
  const schema = new arrow.Schema(fields);
  const struct = arrow.makeData({
    type: new arrow.Struct(fields), length: rows, nullCount: 0,
    children: columns.map(([, , [data]]) => data),
  });
  return { batch: new arrow.RecordBatch(schema, struct), columns };
}

{
  const parts = [arrowBatch(0, 13), arrowBatch(13, 0), arrowBatch(50, 9)];
  const table = new arrow.Table(parts.map((p) => p.batch));
  const expectedJs = { fields: [], columns: {} };
  parts[0].columns.forEach(([name, type], c) => {
    expectedJs.fields.push({ name, type, nullable: true });
    expectedJs.columns[name] = parts.flatMap((p) => p.columns[c][2][1]);
  });
  const file = path.join(dir, "arrow_js.arrow");
  const stream = path.join(dir, "arrow_js.arrows");
  fs.writeFileSync(file, arrow.tableToIPC(table, "file"));
  fs.writeFileSync(stream, arrow.tableToIPC(table, "stream"));
  console.log(`     apache-arrow writes: ${describeSchema(fs.readFileSync(file))}`);
  for (const [label, name, isStream] of [["file", file, false], ["stream", stream, true]]) {
    try {
      compareDump(`quokka reads apache-arrow ${label}`, expectedJs, quokkaDump(name, isStream), {
        nullable: true,
        batches: 3,
      });
    } catch (e) {
      report(false, `quokka reads apache-arrow ${label}`, e.message);
    }
  }

  // Unsupported input is refused with the field named.
  const dict = arrow.tableFromArrays({
    id: Int32Array.from([1, 2, 3]),
    category: arrow.vectorFromArray(["a", "b", "a"], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
  });
  fs.writeFileSync(path.join(dir, "arrow_js_dictionary.arrow"), arrow.tableToIPC(dict, "file"));
  expectQuokkaError("quokka refuses a dictionary column", path.join(dir, "arrow_js_dictionary.arrow"),
    false, ["'category'", "dictionary"]);
  const list = arrow.tableFromArrays({
    xs: arrow.vectorFromArray([[1, 2], [3]], new arrow.List(new arrow.Field("item", new arrow.Int32()))),
  });
  fs.writeFileSync(path.join(dir, "arrow_js_list.arrows"), arrow.tableToIPC(list, "stream"));
  expectQuokkaError("quokka refuses a list column", path.join(dir, "arrow_js_list.arrows"), true,
    ["'xs'", "List"]);
  const [bigDec] = decimalData(30, 2, [10n ** 25n, null]);
  const bigField = new arrow.Field("amount", bigDec.type, true);
  const bigTable = new arrow.Table([new arrow.RecordBatch(new arrow.Schema([bigField]),
    arrow.makeData({ type: new arrow.Struct([bigField]), length: 2, nullCount: 0, children: [bigDec] }))]);
  fs.writeFileSync(path.join(dir, "arrow_js_decimal38.arrow"), arrow.tableToIPC(bigTable, "file"));
  expectQuokkaError("quokka refuses decimal(30,2)", path.join(dir, "arrow_js_decimal38.arrow"), false,
    ["'amount'", "18 digits"]);
}

// ---- 3. nodejs-polars -> quokka --------------------------------------------------------------

{
  const rows = 11;
  const pick = (f) => Array.from({ length: rows }, (_, r) => (r % 4 === 2 ? null : f(r)));
  const ints = pick((r) => r * 1000003 - 7);
  const floats = pick((r) => r * 1.5 - 4);
  const strings = pick((r) => (r === 5 ? "a string longer than twelve bytes " + r : `pl${r}`));
  const bools = pick((r) => r % 2 === 0);
  const days = pick((r) => 19500 + r * 11);
  const millis = pick((r) => 1700000000000 + r * 86400001);
  const df = pl.DataFrame([
    pl.Series("i64", ints, pl.Int64),
    pl.Series("i32", ints.map((v) => (v === null ? null : v % 100000)), pl.Int32),
    pl.Series("i8", ints.map((v) => (v === null ? null : v % 100)), pl.Int8),
    pl.Series("f64", floats, pl.Float64),
    pl.Series("s", strings, pl.Utf8),
    pl.Series("b", bools, pl.Bool),
    pl.Series("d", days.map((v) => (v === null ? null : new Date(v * 86400000))), pl.Date),
    pl.Series("ts", millis.map((v) => (v === null ? null : new Date(v))), pl.Datetime("ms")),
  ]).withColumns(pl.col("ts").cast(pl.Datetime("us")).alias("ts_us"));
  const expectedPl = {
    fields: [
      ["i64", "int64"], ["i32", "int32"], ["i8", "int8"], ["f64", "float64"], ["s", "utf8"],
      ["b", "bool"], ["d", "date32"], ["ts", "timestamp[ms]"], ["ts_us", "timestamp[us]"],
    ].map(([name, type]) => ({ name, type, nullable: true })),
    columns: {
      i64: ints.map((v) => (v === null ? null : String(v))),
      i32: ints.map((v) => (v === null ? null : String(v % 100000))),
      i8: ints.map((v) => (v === null ? null : String(v % 100))),
      f64: floats,
      s: strings,
      b: bools,
      d: days.map((v) => (v === null ? null : String(v))),
      ts: millis.map((v) => (v === null ? null : String(v))),
      ts_us: millis.map((v) => (v === null ? null : String(v * 1000))),
    },
  };
  const file = path.join(dir, "polars.arrow");
  const stream = path.join(dir, "polars.arrows");
  df.writeIPC(file);
  df.writeIPCStream(stream);
  console.log(`     nodejs-polars writes: ${describeSchema(fs.readFileSync(file))}`);
  for (const [label, name, isStream] of [["file", file, false], ["stream", stream, true]]) {
    try {
      compareDump(`quokka reads nodejs-polars ${label}`, expectedPl, quokkaDump(name, isStream));
    } catch (e) {
      report(false, `quokka reads nodejs-polars ${label}`, e.message);
    }
  }
  df.writeIPC(path.join(dir, "polars_lz4.arrow"), { compression: "lz4" });
  expectQuokkaError("quokka refuses an LZ4-compressed file", path.join(dir, "polars_lz4.arrow"),
    false, ["compressed", "LZ4"]);
}

console.log(failures === 0 ? "interop: all checks passed" : `interop: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);

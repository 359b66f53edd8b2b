// Helper for the Arrow IPC interop test (tests/interop/run.sh).
//
//   ipc_tool write DIR          write DIR/quokka.arrow (file format, 3 batches), DIR/quokka.arrows
//                               (stream format, same batches) and DIR/quokka_expected.json (their
//                               contents, as `dump` prints them)
//   ipc_tool dump PATH          print the contents of an Arrow IPC file as JSON
//   ipc_tool dump-stream PATH   same for an Arrow IPC stream
//
// The JSON: {"fields": [{"name", "type", "nullable"}], "num_batches": N, "columns": {name:
// [values]}} with every batch's rows concatenated. Values: null, true/false for bool, a JSON
// number for float64, a string for utf8, and a string holding the exact integer for every
// integer-backed type (int8..int64, date32 days, timestamp ticks, decimal scaled value).
// Errors are printed to stderr with exit status 1.
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "quokka/ipc.h"
#include "quokka/table.h"

namespace {

using namespace quokka;

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
      out += buffer;
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
  return out;
}

std::string JsonValue(const Column& column, int64_t row) {
  if (column.IsNull(row)) return "null";
  switch (column.type().id) {
    case TypeId::kBool:
      return column.GetBool(row) ? "true" : "false";
    case TypeId::kFloat64: {
      char buffer[64];
      auto result = std::to_chars(buffer, buffer + sizeof(buffer), column.values<double>()[row]);
      return std::string(buffer, result.ptr);
    }
    case TypeId::kUtf8:
      return JsonString(column.GetString(row));
    default:
      std::string out = "\"";
      out += std::to_string(column.GetInt64(row));
      out.push_back('"');
      return out;
  }
}

std::string Dump(const SchemaPtr& schema, const std::vector<Table>& tables) {
  std::ostringstream out;
  out << "{\"fields\": [";
  for (int i = 0; i < schema->num_fields(); ++i) {
    const Field& field = schema->field(i);
    out << (i ? ", " : "") << "{\"name\": " << JsonString(field.name)
        << ", \"type\": " << JsonString(field.type.ToString())
        << ", \"nullable\": " << (field.nullable ? "true" : "false") << "}";
  }
  out << "],\n \"num_batches\": " << tables.size() << ",\n \"columns\": {";
  for (int i = 0; i < schema->num_fields(); ++i) {
    out << (i ? ",\n  " : "\n  ") << JsonString(schema->field(i).name) << ": [";
    bool first = true;
    for (const Table& table : tables) {
      for (int64_t row = 0; row < table.num_rows(); ++row) {
        out << (first ? "" : ", ") << JsonValue(*table.column(i), row);
        first = false;
      }
    }
    out << "]";
  }
  out << "}}\n";
  return out.str();
}

// The table quokka writes for the peers: every type, nulls, a sliced batch.
std::vector<Table> InteropTables() {
  SchemaPtr schema = std::make_shared<const Schema>(std::vector<Field>{
      {"b", DataType::Bool()},
      {"i8", DataType::Int8()},
      {"i16", DataType::Int16()},
      {"i32", DataType::Int32()},
      {"i64", DataType::Int64()},
      {"f64", DataType::Float64()},
      {"dec", DataType::Decimal(12, 3)},
      {"s", DataType::Utf8()},
      {"d", DataType::Date32()},
      {"ts_ms", DataType::Timestamp(TimeUnit::kMilli)},
      {"ts_us", DataType::Timestamp(TimeUnit::kMicro)},
      {"ts_ns", DataType::Timestamp(TimeUnit::kNano)},
      {"id", DataType::Int64(), false},
  });
  auto make = [&](int64_t first, int64_t rows) {
    TableBuilder builder(schema);
    for (int64_t r = first; r < first + rows; ++r) {
      int64_t sign = r % 2 ? -1 : 1;
      for (int c = 0; c < builder.num_columns(); ++c) {
        ColumnBuilder& column = builder.column(c);
        if (c != 12 && (r + c) % 5 == 2) {
          column.AppendNull();
          continue;
        }
        switch (c) {
          case 0:
            column.AppendBool(r % 3 == 0);
            break;
          case 1:
            column.AppendInt64(sign * (r * 7 % 128));
            break;
          case 2:
            column.AppendInt64(sign * (r * 1001 % 32768));
            break;
          case 3:
            column.AppendInt64(sign * r * 123'457);
            break;
          case 4:
            column.AppendInt64(sign * r * 1'000'000'000'039);
            break;
          case 5:
            column.AppendDouble(sign * r * 0.375);
            break;
          case 6:
            column.AppendInt64(sign * r * 1'234'567);
            break;
          case 7:
            column.AppendString(r % 6 == 0 ? std::string()
                                           : "row " + std::to_string(r) + " \xc3\xa9\"q\"");
            break;
          case 8:
            column.AppendInt64(18'000 + sign * r * 37);
            break;
          case 9:
            column.AppendInt64(1'700'000'000'000 + sign * r * 3'600'001);
            break;
          case 10:
            column.AppendInt64(1'700'000'000'000'000 + sign * r * 3'600'000'001);
            break;
          case 11:
            column.AppendInt64(1'700'000'000'000'000'000 + sign * r * 3'600'000'000'001);
            break;
          case 12:
            column.AppendInt64(r);
            break;
        }
      }
    }
    return builder.Finish();
  };
  Table big = make(0, 40);
  return {make(100, 7), big.Slice(3, 29), Table::Empty(schema), make(200, 1)};
}

int Fail(const Status& status) {
  std::cerr << status.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "write") {
    std::vector<Table> tables = InteropTables();
    const std::string& dir = args[1];
    Status status = WriteIpcFile(dir + "/quokka.arrow", tables);
    if (!status.ok()) return Fail(status);
    auto stream = WriteIpcStream(tables);
    if (!stream.ok()) return Fail(stream.status());
    std::ofstream(dir + "/quokka.arrows", std::ios::binary) << *stream;
    std::ofstream(dir + "/quokka_expected.json") << Dump(tables[0].schema(), tables);
    return 0;
  }
  if (args.size() == 2 && (args[0] == "dump" || args[0] == "dump-stream")) {
    SchemaPtr schema;
    Result<std::vector<Table>> tables = Status::Invalid("unread");
    if (args[0] == "dump") {
      tables = ReadIpcFile(args[1], &schema);
    } else {
      std::ifstream in(args[1], std::ios::binary);
      if (!in) return Fail(Status::IOError(args[1] + ": cannot open"));
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      tables = ReadIpcStream(bytes, &schema);
      if (!tables.ok()) return Fail(tables.status().WithContext(args[1]));
    }
    if (!tables.ok()) return Fail(tables.status());
    std::cout << Dump(schema, *tables);
    return 0;
  }
  std::cerr << "usage: ipc_tool write DIR | dump FILE | dump-stream FILE\n";
  return 2;
}

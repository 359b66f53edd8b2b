// Shipping a CsvReader: its resolved files and options as one array, and the io types'
// registration. A worker rebuilds the reader from the same paths (no glob or directory listing
// again) with the column types pinned, so every worker parses the same schema without sampling.
#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "quokka/csv.h"
#include "quokka/ipc.h"
#include "quokka/serialize.h"

namespace quokka {
namespace {

constexpr uint32_t kFields = 18;  // entries of the encoded array

[[noreturn]] void Fail(const std::string& what) {
  throw Error(Status::Invalid("cannot decode quokka.csv_reader: " + what));
}

char DecodeChar(Decoder& in, const char* what) {
  const int64_t value = in.Int();
  if (value < -128 || value > 255) Fail(std::string(what) + " " + std::to_string(value));
  return static_cast<char>(value);
}

// A worker opens exactly these paths: refuse anything but regular files (opening a FIFO or a
// device named by malformed input would block or never end).
void CheckRegularFiles(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    if (IsS3Path(path)) continue;  // objects are checked when opened
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      throw Error(Status::NotFound("quokka.csv_reader: CSV file '" + path +
                                   "' does not exist on this machine"));
    }
    if (!S_ISREG(st.st_mode)) Fail("'" + path + "' is not a regular file");
  }
}

}  // namespace

void CsvReader::Encode(Encoder& out) const {
  const CsvReadOptions& o = options();
  if (o.batch_function) {
    throw Error(Status::Invalid(
        "CsvReader cannot be shipped: CsvReadOptions::batch_function is a std::function, which "
        "cannot be serialized; use CsvReadOptions::filter and projection (expressions) instead"));
  }
  // The resolved types of the parsed columns (given or inferred here); types are given by
  // name, so a name the files use twice keeps being inferred.
  std::map<std::string, DataType> types = o.column_types;
  const std::vector<Field>& all = file_schema()->fields();
  for (const Field& field : schema()->fields()) {
    auto same_name = [&](const Field& other) { return other.name == field.name; };
    if (std::count_if(all.begin(), all.end(), same_name) == 1) types[field.name] = field.type;
  }
  out.ArrayHeader(kFields);
  EncodeStrings(files(), out);
  out.Int(static_cast<unsigned char>(o.delimiter));
  out.Int(static_cast<unsigned char>(o.quote));
  out.Bool(o.quoting);
  out.Bool(o.header);
  EncodeStrings(o.column_names, out);
  out.MapHeader(static_cast<uint32_t>(types.size()));
  for (const auto& [name, type] : types) {
    out.String(name);
    EncodeDataType(type, out);
  }
  EncodeStrings(o.include_columns, out);
  out.Bool(o.newlines_in_values);
  out.Bool(o.allow_trailing_delimiter);
  out.Bool(o.skip_empty_lines);
  out.Int(o.infer_rows);
  out.Bool(o.infer_decimal);
  out.Int(static_cast<int64_t>(o.timestamp_unit));
  out.Int(o.stride);
  out.Bool(o.collect_errors);
  if (o.filter) {
    o.filter->Encode(out);
  } else {
    out.Nil();
  }
  out.ArrayHeader(static_cast<uint32_t>(o.projection.size()));
  for (const Expr& expr : o.projection) expr.Encode(out);
}

CsvReader CsvReader::Decode(Decoder& in) {
  const uint32_t fields = in.ArrayHeader();
  if (fields != kFields) {
    Fail("expected " + std::to_string(kFields) + " fields, got " + std::to_string(fields));
  }
  std::vector<std::string> files = DecodeStrings(in);
  CsvReadOptions o;
  o.delimiter = DecodeChar(in, "delimiter");
  o.quote = DecodeChar(in, "quote");
  o.quoting = in.Bool();
  o.header = in.Bool();
  o.column_names = DecodeStrings(in);
  const uint32_t num_types = in.MapHeader();
  for (uint32_t i = 0; i < num_types; ++i) {
    std::string name = in.String();
    o.column_types[std::move(name)] = DecodeDataType(in);
  }
  o.include_columns = DecodeStrings(in);
  o.newlines_in_values = in.Bool();
  o.allow_trailing_delimiter = in.Bool();
  o.skip_empty_lines = in.Bool();
  o.infer_rows = in.Int();
  o.infer_decimal = in.Bool();
  const int64_t unit = in.Int();
  if (unit < 0 || unit > static_cast<int64_t>(TimeUnit::kNano)) {
    Fail("timestamp unit " + std::to_string(unit));
  }
  o.timestamp_unit = static_cast<TimeUnit>(unit);
  o.stride = in.Int();
  o.collect_errors = in.Bool();
  if (in.IsNil()) {
    in.Nil();
  } else {
    o.filter = Expr::Decode(in);
  }
  const uint32_t num_exprs = in.ArrayHeader();
  for (uint32_t i = 0; i < num_exprs; ++i) o.projection.push_back(Expr::Decode(in));
  CheckRegularFiles(files);
  std::vector<FileEntry> entries;
  for (std::string& path : files) entries.push_back({std::move(path), -1});
  return MakeFromFiles(std::move(entries), std::move(o)).ValueOrThrow();
}

Status RegisterIoTypes() {
  static const Status status = [] {
    QK_RETURN_NOT_OK(RegisterIpcTypes());
    return RegisterType<CsvReader>("quokka.csv_reader");
  }();
  return status;
}

}  // namespace quokka

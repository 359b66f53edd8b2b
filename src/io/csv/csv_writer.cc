// WriteCsv: tables -> RFC 4180 text.
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

#include "csv/csv_parse.h"
#include "quokka/csv.h"
#include "quokka/filesystem.h"

namespace quokka {
namespace {

void AppendInt(std::string* out, int64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  out->append(digits, end);
}

// At least `width` digits, zero padded.
void AppendPadded(std::string* out, uint64_t value, int width) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  for (int i = static_cast<int>(end - digits); i < width; ++i) out->push_back('0');
  out->append(digits, end);
}

void AppendDate(std::string* out, int64_t days) {
  int64_t year;
  unsigned month, day;
  csv::CivilFromDaysInline(days, &year, &month, &day);
  if (year < 0) {
    out->push_back('-');
    year = -year;
  }
  AppendPadded(out, static_cast<uint64_t>(year), 4);
  out->push_back('-');
  AppendPadded(out, month, 2);
  out->push_back('-');
  AppendPadded(out, day, 2);
}

void AppendTimestamp(std::string* out, int64_t value, TimeUnit unit) {
  const int64_t per_second = csv::UnitsPerSecond(unit);
  int64_t seconds = value / per_second, fraction = value % per_second;
  if (fraction < 0) {
    fraction += per_second;
    --seconds;
  }
  int64_t days = seconds / 86400, second_of_day = seconds % 86400;
  if (second_of_day < 0) {
    second_of_day += 86400;
    --days;
  }
  AppendDate(out, days);
  out->push_back(' ');
  AppendPadded(out, second_of_day / 3600, 2);
  out->push_back(':');
  AppendPadded(out, second_of_day / 60 % 60, 2);
  out->push_back(':');
  AppendPadded(out, second_of_day % 60, 2);
  if (fraction != 0) {
    int digits = csv::UnitDigits(unit);
    while (fraction % 10 == 0) {
      fraction /= 10;
      --digits;
    }
    out->push_back('.');
    AppendPadded(out, static_cast<uint64_t>(fraction), digits);
  }
}

void AppendDecimal(std::string* out, int64_t value, int scale) {
  uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value) : value;
  if (value < 0) out->push_back('-');
  if (scale == 0) {
    AppendPadded(out, magnitude, 1);
    return;
  }
  const uint64_t divisor = static_cast<uint64_t>(Pow10(scale));
  AppendPadded(out, magnitude / divisor, 1);
  out->push_back('.');
  AppendPadded(out, magnitude % divisor, scale);
}

void AppendText(std::string* out, std::string_view text, const CsvWriteOptions& options) {
  bool quote = text.empty();
  for (char c : text) {
    if (c == options.delimiter || c == options.quote || c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (!quote) {
    out->append(text);
    return;
  }
  out->push_back(options.quote);
  for (char c : text) {
    if (c == options.quote) out->push_back(c);
    out->push_back(c);
  }
  out->push_back(options.quote);
}

void AppendValue(std::string* out, const Column& column, int64_t row,
                 const CsvWriteOptions& options) {
  const DataType& type = column.type();
  switch (type.id) {
    case TypeId::kBool:
      out->append(column.GetBool(row) ? "true" : "false");
      break;
    case TypeId::kInt8:
      AppendInt(out, column.values<int8_t>()[row]);
      break;
    case TypeId::kInt16:
      AppendInt(out, column.values<int16_t>()[row]);
      break;
    case TypeId::kInt32:
      AppendInt(out, column.values<int32_t>()[row]);
      break;
    case TypeId::kInt64:
      AppendInt(out, column.values<int64_t>()[row]);
      break;
    case TypeId::kFloat64: {
      char digits[32];
      auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), column.values<double>()[row]);
      out->append(digits, end);
      break;
    }
    case TypeId::kDecimal:
      AppendDecimal(out, column.values<int64_t>()[row], type.scale);
      break;
    case TypeId::kUtf8:
      AppendText(out, column.GetString(row), options);
      break;
    case TypeId::kDate32:
      AppendDate(out, column.values<int32_t>()[row]);
      break;
    case TypeId::kTimestamp:
      AppendTimestamp(out, column.values<int64_t>()[row], type.unit);
      break;
  }
}

}  // namespace

Status WriteCsv(const Table& table, std::ostream& out, const CsvWriteOptions& options) {
  QK_RETURN_NOT_OK(options.Validate());
  std::string buffer;
  buffer.reserve(1 << 20);
  auto flush = [&]() -> Status {
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    buffer.clear();
    if (!out) return Status::IOError("writing CSV failed");
    return Status::OK();
  };
  const int columns = table.num_columns();
  if (options.header && columns > 0) {
    for (int i = 0; i < columns; ++i) {
      if (i > 0) buffer.push_back(options.delimiter);
      AppendText(&buffer, table.column_name(i), options);
    }
    buffer.append(options.line_terminator);
  }
  for (int64_t row = 0; row < table.num_rows(); ++row) {
    for (int i = 0; i < columns; ++i) {
      if (i > 0) buffer.push_back(options.delimiter);
      const Column& column = *table.column(i);
      if (column.IsValid(row)) AppendValue(&buffer, column, row, options);
    }
    buffer.append(options.line_terminator);
    if (buffer.size() >= (1 << 20)) QK_RETURN_NOT_OK(flush());
  }
  return flush();
}

Status WriteCsv(const Table& table, const std::string& path, const CsvWriteOptions& options) {
  QK_RETURN_NOT_OK(options.Validate());
  QK_ASSIGN_OR_RAISE(std::unique_ptr<OutputFile> file, OpenOutputFile(path));
  std::ostringstream text;
  Status status = WriteCsv(table, text, options);
  if (!status.ok()) return status.WithContext("writing '" + path + "'");
  QK_RETURN_NOT_OK(file->Write(text.view()));
  return file->Close();
}

}  // namespace quokka

// libFuzzer target for the CSV reader: a differential test of the SIMD scanner and column
// converters (csv::ScanRows + ConvertColumn, driven through CsvReader with byte-range channels)
// against the byte-at-a-time reference splitter (csv::SplitRow). See fuzz/README.md.
//
// Input: 2 option bytes, then the file. The options choose the delimiter, header, quoting,
// newlines_in_values, allow_trailing_delimiter, a channel count (1..8) and a stride (1..64
// bytes or the default). Every column is read as utf8 with collect_errors, so that any input
// is a valid read: the test checks that
//   - the reader never crashes, hangs or trips AddressSanitizer / UBSan,
//   - the rows (values and nulls) equal what the reference splitter yields, in file order,
//   - the number of skipped rows equals the reference's count of malformed rows,
//   - every channel count and stride yields the same rows, each once.
// Any difference aborts with both results printed.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "csv/csv_internal.h"
#include "quokka/csv.h"

namespace {

using quokka::csv::SplitResult;

struct Expected {
  bool construct_fails = false;
  std::vector<std::vector<std::optional<std::string>>> rows;
  size_t errors = 0;
};

// What CsvReader must produce, computed with the reference splitter.
Expected Reference(const std::string& text, const quokka::CsvReadOptions& options) {
  quokka::csv::Dialect dialect;
  dialect.delimiter = options.delimiter;
  dialect.quote = options.quote;
  dialect.quoting = options.quoting;
  dialect.newlines_in_values = options.newlines_in_values;
  dialect.allow_trailing_delimiter = options.allow_trailing_delimiter;
  dialect.skip_empty_lines = options.skip_empty_lines;
  Expected expected;
  const char* data = text.data();
  const size_t size = text.size();
  size_t pos = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  auto drop_trailing = [&](SplitResult& row) {
    if (options.allow_trailing_delimiter && row.fields.size() > 1 && row.fields.back().empty() &&
        !row.quoted.back()) {
      row.fields.pop_back();
      row.quoted.pop_back();
    }
  };
  int num_fields = -1;
  if (options.header && pos < size) {
    quokka::csv::Dialect header = dialect;
    header.skip_empty_lines = false;
    SplitResult row = quokka::csv::SplitRow(data, size, true, pos, header);
    if (row.status == SplitResult::kError) {
      expected.construct_fails = true;
      return expected;
    }
    drop_trailing(row);
    num_fields = static_cast<int>(row.fields.size());
    pos = row.next;
  }
  if (!options.header) {
    // The field count of the first row that is not empty.
    for (size_t p = pos; p < size;) {
      SplitResult row = quokka::csv::SplitRow(data, size, true, p, dialect);
      if (row.status == SplitResult::kError) {
        expected.construct_fails = true;
        return expected;
      }
      if (row.status == SplitResult::kRow) {
        drop_trailing(row);
        num_fields = static_cast<int>(row.fields.size());
        break;
      }
      p = row.next;
    }
  }
  if (num_fields <= 0) return expected;  // no columns: nothing is read
  while (pos < size) {
    SplitResult row = quokka::csv::SplitRow(data, size, true, pos, dialect);
    pos = row.next;
    if (row.status == SplitResult::kEmpty) continue;
    if (row.status == SplitResult::kError) {
      ++expected.errors;
      continue;
    }
    if (static_cast<int>(row.fields.size()) == num_fields + 1) drop_trailing(row);
    if (static_cast<int>(row.fields.size()) != num_fields) {
      ++expected.errors;
      continue;
    }
    std::vector<std::optional<std::string>> values;
    for (size_t i = 0; i < row.fields.size(); ++i) {
      if (row.fields[i].empty() && !row.quoted[i]) {
        values.push_back(std::nullopt);
      } else {
        values.push_back(row.fields[i]);
      }
    }
    expected.rows.push_back(std::move(values));
  }
  return expected;
}

std::string Show(const std::vector<std::vector<std::optional<std::string>>>& rows) {
  std::string out;
  for (const auto& row : rows) {
    out += "  [";
    for (const auto& value : row) out += value ? "'" + *value + "' " : "null ";
    out += "]\n";
  }
  return out;
}

[[noreturn]] void Mismatch(const std::string& what, const std::string& text,
                           const Expected& expected,
                           const std::vector<std::vector<std::optional<std::string>>>& got) {
  std::fprintf(stderr,
               "MISMATCH: %s\ninput (%zu bytes): '%s'\nexpected %zu rows, %zu errors:\n%s"
               "got %zu rows:\n%s",
               what.c_str(), text.size(), text.c_str(), expected.rows.size(), expected.errors,
               Show(expected.rows).c_str(), got.size(), Show(got).c_str());
  std::abort();
}

const std::string& FilePath() {
  static const std::string path =
      std::string(::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") + "/quokka_csv_fuzz_" +
      std::to_string(::getpid()) + ".csv";
  static const bool cleanup = [] { return std::atexit([] { ::unlink(path.c_str()); }) == 0; }();
  (void)cleanup;
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 2) return 0;
  const uint8_t a = bytes[0], b = bytes[1];
  const std::string text(reinterpret_cast<const char*>(bytes) + 2, size - 2);

  quokka::CsvReadOptions options;
  options.delimiter = ",|;\t"[a & 3];
  options.header = (a >> 2) & 1;
  options.quoting = ((a >> 3) & 3) != 0;  // mostly on
  options.newlines_in_values = (a >> 5) & 1;
  options.allow_trailing_delimiter = (a >> 6) & 1;
  options.collect_errors = true;
  options.infer_rows = 0;  // every column utf8 (no type given, nothing inferred)
  const int channels = 1 + (b & 7);
  options.stride = (b >> 3) == 31 ? options.stride : 1 + ((b >> 3) & 31) * 2;

  {
    std::ofstream out(FilePath(), std::ios::binary | std::ios::trunc);
    out << text;
  }
  const Expected expected = Reference(text, options);
  quokka::Result<quokka::CsvReader> made = quokka::CsvReader::Make({FilePath()}, options);
  if (!made.ok()) {
    if (!expected.construct_fails) {
      Mismatch("reader construction failed: " + made.status().ToString(), text, expected, {});
    }
    return 0;
  }
  if (expected.construct_fails) Mismatch("reader construction succeeded", text, expected, {});

  std::vector<std::vector<std::optional<std::string>>> got;
  try {
    for (int channel = 0; channel < channels; ++channel) {
      quokka::CsvReader reader = *made;
      reader.Start(channel, channels, 0);
      int64_t previous = 0;
      while (std::optional<quokka::ReadItem> item = reader.Next()) {
        if (item->position <= previous) Mismatch("positions not increasing", text, expected, got);
        previous = item->position;
        const quokka::Table& table = item->object.As<quokka::Table>();
        for (int64_t r = 0; r < table.num_rows(); ++r) {
          std::vector<std::optional<std::string>> row;
          for (int c = 0; c < table.num_columns(); ++c) {
            const quokka::Column& column = *table.column(c);
            if (column.IsNull(r)) {
              row.push_back(std::nullopt);
            } else {
              row.push_back(std::string(column.GetString(r)));
            }
          }
          got.push_back(std::move(row));
        }
      }
    }
  } catch (const quokka::Error& error) {
    Mismatch("reader threw " + error.status().ToString(), text, expected, got);
  }
  if (got != expected.rows) Mismatch("rows differ", text, expected, got);
  const size_t errors = made->errors().size();
  if (errors != expected.errors) {
    Mismatch("error count " + std::to_string(errors) + " != " + std::to_string(expected.errors),
             text, expected, got);
  }
  return 0;
}

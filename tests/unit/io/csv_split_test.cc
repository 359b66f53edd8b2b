// Property test of CsvReader's byte-range splitting: random files (quoted fields with
// delimiters, quotes and line breaks, CRLF, empty fields, trailing delimiters, missing final
// newline, several files) read with 1..64 channels and random strides produce exactly the rows
// of a single-channel read, each once; restarting from any yielded position continues exactly.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "quokka/csv.h"
#include "quokka/table.h"
#include "test_util.h"

namespace quokka {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "quokka_csv_split_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string path = path_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

 private:
  std::string path_;
};

struct Generated {
  std::string text;
  std::vector<std::vector<std::string>> rows;  // expected values ("\x01" = null)
};

const std::string kNull = "\x01";

// A random field value and its CSV encoding.
std::pair<std::string, std::string> RandomField(std::mt19937_64& rng, bool newlines) {
  static const std::string kAlphabet = "abcxyz0129 ,\"|;";
  const int kind = static_cast<int>(rng() % 10);
  if (kind == 0) return {kNull, ""};
  std::string value;
  const int length = static_cast<int>(rng() % (kind == 9 ? 300 : 12));
  for (int i = 0; i < length; ++i) {
    const int pick = static_cast<int>(rng() % 40);
    if (newlines && pick == 0) {
      value += "\n";
    } else if (newlines && pick == 1) {
      value += "\r\n";
    } else {
      value += kAlphabet[rng() % kAlphabet.size()];
    }
  }
  bool must_quote = value.empty() || value.find_first_of(",\"\n\r") != std::string::npos;
  if (!must_quote && rng() % 4 != 0) return {value, value};
  std::string encoded = "\"";
  for (char c : value) {
    if (c == '"') encoded += '"';
    encoded += c;
  }
  return {value, encoded + "\""};
}

// A file of `rows` rows of: id, then `columns` random text columns.
Generated RandomFile(std::mt19937_64& rng, int64_t first_id, int rows, int columns, bool newlines) {
  Generated out;
  out.text = "id";
  for (int c = 0; c < columns; ++c) out.text += ",c" + std::to_string(c);
  out.text += rng() % 2 ? "\r\n" : "\n";
  const bool trailing = rng() % 4 == 0;
  for (int r = 0; r < rows; ++r) {
    std::vector<std::string> row = {std::to_string(first_id + r)};
    std::string line = row[0];
    for (int c = 0; c < columns; ++c) {
      auto [value, encoded] = RandomField(rng, newlines);
      row.push_back(value);
      line += "," + encoded;
    }
    if (trailing) line += ",";
    const bool last = r == rows - 1;
    if (!(last && rng() % 3 == 0)) line += rng() % 3 == 0 ? "\r\n" : "\n";
    if (rng() % 20 == 0 && !last) line += "\n";  // an empty line
    out.text += line;
    out.rows.push_back(std::move(row));
  }
  return out;
}

using RowMap = std::map<int64_t, std::vector<std::string>>;

// Add the rows of `table` to `rows`, failing on a duplicate id.
void AddRows(const Table& table, RowMap* rows, const std::string& context) {
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    const int64_t id = table.column(0)->values<int64_t>()[r];
    std::vector<std::string> values = {std::to_string(id)};
    for (int c = 1; c < table.num_columns(); ++c) {
      const Column& column = *table.column(c);
      values.push_back(column.IsNull(r) ? kNull : std::string(column.GetString(r)));
    }
    ASSERT_TRUE(rows->emplace(id, std::move(values)).second)
        << "row " << id << " produced twice; " << context;
  }
}

void CheckSplitting(bool newlines, uint64_t seed) {
  std::mt19937_64 rng(seed);
  TempDir dir;
  std::vector<std::string> paths;
  RowMap expected;
  const int files = 1 + static_cast<int>(rng() % 3);
  const int columns = 1 + static_cast<int>(rng() % 4);
  int64_t next_id = 0;
  for (int f = 0; f < files; ++f) {
    const int rows = static_cast<int>(rng() % 400);
    Generated file = RandomFile(rng, next_id, rows, columns, newlines);
    for (auto& row : file.rows) expected.emplace(std::stoll(row[0]), row);
    next_id += rows;
    paths.push_back(dir.Write("part" + std::to_string(f) + ".csv", file.text));
  }
  CsvReadOptions options;
  options.newlines_in_values = newlines;
  options.column_types["id"] = DataType::Int64();
  for (int c = 0; c < columns; ++c)
    options.column_types["c" + std::to_string(c)] = DataType::Utf8();

  // Single channel, default stride: the reference.
  CsvReader single(paths, options);
  RowMap reference;
  for (const ReadItem& item : test::ReadChannel(single, 0, 1)) {
    AddRows(item.object.As<Table>(), &reference, "single channel");
  }
  ASSERT_EQ(reference, expected) << "seed " << seed;

  for (int trial = 0; trial < 6; ++trial) {
    const int channels = 1 + static_cast<int>(rng() % 64);
    options.stride = 1 + static_cast<int64_t>(rng() % (trial % 2 ? 5000 : 200));
    CsvReader reader(paths, options);
    RowMap got;
    const std::string context = "seed " + std::to_string(seed) + ", " + std::to_string(channels) +
                                " channels, stride " + std::to_string(options.stride);
    for (int channel = 0; channel < channels; ++channel) {
      std::vector<ReadItem> items = test::ReadChannel(reader, channel, channels);
      int64_t previous = 0;
      for (const ReadItem& item : items) {
        ASSERT_GT(item.position, previous) << context;
        previous = item.position;
        AddRows(item.object.As<Table>(), &got, context);
      }
      // Restarting from a yielded position gives exactly the remaining items.
      if (!items.empty()) {
        const size_t k = rng() % items.size();
        std::vector<ReadItem> rest =
            test::ReadChannel(reader, channel, channels, items[k].position);
        ASSERT_EQ(rest.size(), items.size() - k - 1) << context;
        for (size_t j = 0; j < rest.size(); ++j) {
          ASSERT_TRUE(rest[j].object.As<Table>().Equals(items[k + 1 + j].object.As<Table>()))
              << context;
        }
      }
    }
    ASSERT_EQ(got.size(), expected.size()) << context;
    ASSERT_EQ(got, expected) << context;
  }
}

TEST(CsvSplitTest, RandomFilesAnyChannelsAndStrides) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    CheckSplitting(/*newlines=*/false, seed);
    if (HasFatalFailure()) return;
  }
}

TEST(CsvSplitTest, RandomFilesWithQuotedNewlines) {
  for (uint64_t seed = 100; seed <= 140; ++seed) {
    CheckSplitting(/*newlines=*/true, seed);
    if (HasFatalFailure()) return;
  }
}

// Quoted line breaks right at channel boundaries: every byte offset of the file is a boundary
// for some channel count when the file is small.
TEST(CsvSplitTest, QuotedNewlinesAtEveryBoundary) {
  TempDir dir;
  std::string text = "id,v\n";
  RowMap expected;
  for (int i = 0; i < 12; ++i) {
    std::string value = std::string(i % 3, 'a') + "\n" + (i % 2 ? "\"\",x\n" : "") + "b";
    std::string encoded = "\"";
    for (char c : value) encoded += c == '"' ? std::string("\"\"") : std::string(1, c);
    text += std::to_string(i) + "," + encoded + "\"\n";
    expected[i] = {std::to_string(i), value};
  }
  std::string path = dir.Write("b.csv", text);
  CsvReadOptions options;
  options.newlines_in_values = true;
  options.column_types = {{"id", DataType::Int64()}, {"v", DataType::Utf8()}};
  const int size = static_cast<int>(text.size());
  for (int channels : {1, 2, 3, 5, 8, 16, 64, size / 2, size, size + 7}) {
    for (int64_t stride : {1, 2, 7, 1000}) {
      options.stride = stride;
      CsvReader reader(path, options);
      RowMap got;
      for (int channel = 0; channel < channels; ++channel) {
        for (const ReadItem& item : test::ReadChannel(reader, channel, channels)) {
          AddRows(item.object.As<Table>(), &got, std::to_string(channels));
        }
      }
      ASSERT_EQ(got, expected) << channels << " channels, stride " << stride;
    }
  }
  // In line mode the same file is refused; every channel's message names the option (channels
  // that start inside a quoted field see pieces of rows with quotes in them).
  options.newlines_in_values = false;
  bool refused = false;
  for (int channel = 0; channel < 4; ++channel) {
    auto error = test::CatchError([&] { test::ReadChannel(CsvReader(path, options), channel, 4); });
    if (error) {
      refused = true;
      QK_EXPECT_CONTAINS(error->status().message(), "newlines_in_values");
    }
  }
  EXPECT_TRUE(refused);
}

// Without quoted line breaks every row boundary is a line break: check all offsets exhaustively.
TEST(CsvSplitTest, EveryByteOffsetAsABoundary) {
  TempDir dir;
  std::string text = "id,v\n0,\"a,b\"\n1,\"\"\"\"\n2,\n\n3,x\r\n4,\"y\"";
  std::string path = dir.Write("e.csv", text);
  CsvReadOptions options;
  options.column_types = {{"id", DataType::Int64()}, {"v", DataType::Utf8()}};
  const int size = static_cast<int>(text.size());
  for (int channels = 1; channels <= size + 2; ++channels) {
    for (int64_t stride : {1, 3, 100}) {
      options.stride = stride;
      CsvReader reader(path, options);
      std::vector<int64_t> ids;
      for (int channel = 0; channel < channels; ++channel) {
        for (const ReadItem& item : test::ReadChannel(reader, channel, channels)) {
          const Table& table = item.object.As<Table>();
          for (int64_t r = 0; r < table.num_rows(); ++r) {
            ids.push_back(table.column(0)->values<int64_t>()[r]);
          }
        }
      }
      ASSERT_EQ(ids, (std::vector<int64_t>{0, 1, 2, 3, 4})) << channels << " " << stride;
    }
  }
}

}  // namespace
}  // namespace quokka

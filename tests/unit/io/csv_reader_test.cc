// Tests of CsvReader: syntax edge cases, types and inference, projection, batch functions,
// inputs (files, lists, directories, globs), error messages, collected errors, and a graph.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "quokka/csv.h"
#include "quokka/table.h"
#include "test_util.h"

namespace quokka {
namespace {

namespace fs = std::filesystem;
using test::CatchError;
using test::Describe;

// A fresh directory under /tmp, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "quokka_csv_XXXXXX").string();
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
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Everything one channel of `reader` yields.
std::vector<Table> ReadAll(const CsvReader& reader, int channel = 0, int channels = 1) {
  std::vector<Table> tables;
  for (const ReadItem& item : test::ReadChannel(reader, channel, channels)) {
    tables.push_back(item.object.As<Table>());
  }
  return tables;
}

Table ReadTable(const std::string& path, CsvReadOptions options = {}) {
  return ReadCsv(path, std::move(options)).ValueOrThrow();
}

// Row `row` of `table` as text cells ("<null>" for nulls).
std::vector<std::string> Row(const Table& table, int64_t row) {
  std::vector<std::string> cells;
  for (int c = 0; c < table.num_columns(); ++c) {
    const Column& column = *table.column(c);
    cells.push_back(column.IsNull(row) ? "<null>" : column.ValueToString(row));
  }
  return cells;
}

using Cells = std::vector<std::string>;

CsvReadOptions AllUtf8(const std::vector<std::string>& names) {
  CsvReadOptions options;
  for (const auto& name : names) options.column_types[name] = DataType::Utf8();
  return options;
}

// ------------------------------------------------------------------------------------------
// Syntax

TEST(CsvReaderTest, QuotesDelimitersAndDoubledQuotes) {
  TempDir dir;
  std::string path = dir.Write("q.csv",
                               "a,b\n"
                               "\"x,y\",\"say \"\"hi\"\"\"\n"
                               "plain,\"\"\n");
  Table table = ReadTable(path, AllUtf8({"a", "b"}));
  ASSERT_EQ(table.num_rows(), 2);
  EXPECT_EQ(Row(table, 0), (Cells{"x,y", "say \"hi\""}));
  // A quoted empty string is an empty string, not null.
  EXPECT_EQ(table.column(1)->IsNull(1), false);
  EXPECT_EQ(table.column(1)->GetString(1), "");
}

TEST(CsvReaderTest, EmbeddedNewlinesWithNewlinesInValues) {
  TempDir dir;
  std::string path = dir.Write("n.csv", "id,text\n1,\"line one\nline two\"\n2,\"a\r\nb\"\n3,c\n");
  CsvReadOptions options = AllUtf8({"text"});
  options.newlines_in_values = true;
  Table table = ReadTable(path, options);
  ASSERT_EQ(table.num_rows(), 3);
  EXPECT_EQ(table.column(1)->GetString(0), "line one\nline two");
  EXPECT_EQ(table.column(1)->GetString(1), "a\r\nb");
  EXPECT_EQ(table.column(0)->values<int64_t>()[2], 3);
}

TEST(CsvReaderTest, EmbeddedNewlinesWithoutTheOptionAreAClearError) {
  TempDir dir;
  std::string path = dir.Write("n.csv", "id,text\n1,ok\n2,\"line one\nline two\"\n");
  auto error = CatchError([&] { ReadTable(path); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status().code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(error->status().message(), path);
  QK_EXPECT_CONTAINS(error->status().message(), "line 3");
  QK_EXPECT_CONTAINS(error->status().message(), "column 'text'");
  QK_EXPECT_CONTAINS(error->status().message(), "\"line one");
  QK_EXPECT_CONTAINS(error->status().message(), "newlines_in_values");
}

TEST(CsvReaderTest, CrlfLineEnds) {
  TempDir dir;
  std::string path = dir.Write("crlf.csv", "a,b\r\n1,x\r\n2,\"y\"\r\n3,\r\n");
  Table table = ReadTable(path);
  ASSERT_EQ(table.num_rows(), 3);
  EXPECT_EQ(table.column_name(1), "b");
  EXPECT_EQ(table.schema()->field(0).type, DataType::Int64());
  EXPECT_EQ(Row(table, 0), (Cells{"1", "x"}));
  EXPECT_EQ(Row(table, 1), (Cells{"2", "y"}));
  EXPECT_EQ(Row(table, 2), (Cells{"3", "<null>"}));
}

TEST(CsvReaderTest, MissingFinalNewline) {
  TempDir dir;
  for (std::string last : {"3,z", "3,\"z\"", "3,z\r"}) {
    std::string path = dir.Write("last.csv", "a,b\n1,x\n2,y\n" + last);
    Table table = ReadTable(path, AllUtf8({"b"}));
    ASSERT_EQ(table.num_rows(), 3) << last;
    EXPECT_EQ(Row(table, 2), (Cells{"3", "z"})) << last;
  }
}

TEST(CsvReaderTest, EmptyFileAndHeaderOnly) {
  TempDir dir;
  std::string empty = dir.Write("empty.csv", "");
  CsvReader reader(empty);
  EXPECT_EQ(reader.schema()->num_fields(), 0);
  EXPECT_TRUE(ReadAll(reader).empty());
  EXPECT_EQ(ReadTable(empty).num_rows(), 0);

  for (std::string content : {"a,b\n", "a,b", "a,b\r\n"}) {
    std::string path = dir.Write("header.csv", content);
    Table table = ReadTable(path);
    EXPECT_EQ(table.num_rows(), 0);
    ASSERT_EQ(table.num_columns(), 2);
    EXPECT_EQ(table.column_name(0), "a");
    EXPECT_EQ(table.schema()->field(1).type, DataType::Utf8());  // nothing to infer from
  }
}

TEST(CsvReaderTest, VeryLongField) {
  TempDir dir;
  std::string big(1 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 1000) big[i] = ',';  // quoted delimiters
  std::string path = dir.Write("long.csv", "a,b,c\n1,\"" + big + "\",2\n3,y,4\n");
  CsvReadOptions options = AllUtf8({"b"});
  options.stride = 4096;  // the field is far longer than a batch
  Table table = ReadTable(path, options);
  ASSERT_EQ(table.num_rows(), 2);
  EXPECT_EQ(table.column(1)->GetString(0), big);
  EXPECT_EQ(Row(table, 1), (Cells{"3", "y", "4"}));
}

TEST(CsvReaderTest, Unicode) {
  TempDir dir;
  std::string path = dir.Write("u.csv",
                               "\xEF\xBB\xBFnäme,city\n"  // a byte order mark is skipped
                               "Zoë,Zürich\n"
                               "\"田中, 太郎\",東京\n"
                               "🦘,\"🐨\"\n");
  Table table = ReadTable(path);
  ASSERT_EQ(table.num_rows(), 3);
  EXPECT_EQ(table.column_name(0), "näme");
  EXPECT_EQ(Row(table, 0), (Cells{"Zoë", "Zürich"}));
  EXPECT_EQ(Row(table, 1), (Cells{"田中, 太郎", "東京"}));
  EXPECT_EQ(Row(table, 2), (Cells{"🦘", "🐨"}));
}

TEST(CsvReaderTest, TrailingDelimiterTpchStyle) {
  TempDir dir;
  std::string path = dir.Write("orders.tbl",
                               "1|36901|O|173665.47|1996-01-02|\n"
                               "2|78002|F|46929.18|1996-12-01|\n");
  CsvReadOptions options;
  options.delimiter = '|';
  options.header = false;
  options.column_names = {"o_orderkey", "o_custkey", "o_orderstatus", "o_totalprice",
                          "o_orderdate"};
  options.column_types["o_totalprice"] = DataType::Decimal(15, 2);
  Table table = ReadTable(path, options);
  ASSERT_EQ(table.num_rows(), 2);
  ASSERT_EQ(table.num_columns(), 5);
  EXPECT_EQ(table.schema()->field(0).type, DataType::Int64());
  EXPECT_EQ(table.schema()->field(2).type, DataType::Utf8());
  EXPECT_EQ(table.schema()->field(4).type, DataType::Date32());
  EXPECT_EQ(table.column(3)->values<int64_t>()[0], 17366547);
  EXPECT_EQ(Row(table, 1), (Cells{"2", "78002", "F", "46929.18", "1996-12-01"}));

  // Without the option the trailing delimiter is an extra field.
  options.allow_trailing_delimiter = false;
  auto error = CatchError([&] { ReadTable(path, options); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(error->status().message(), "expected 5 fields, found 6");
}

TEST(CsvReaderTest, EmptyFieldsAreNulls) {
  TempDir dir;
  std::string path = dir.Write("nulls.csv",
                               "i,f,d,s,b\n"
                               "1,,2020-01-01,,true\n"
                               ",2.5,,x,\n"
                               "3,1e3,2021-12-31,\"\",false\n");
  Table table = ReadTable(path);
  ASSERT_EQ(table.num_rows(), 3);
  EXPECT_EQ(table.schema()->field(0).type, DataType::Int64());
  EXPECT_EQ(table.schema()->field(1).type, DataType::Float64());
  EXPECT_EQ(table.schema()->field(2).type, DataType::Date32());
  EXPECT_EQ(table.schema()->field(3).type, DataType::Utf8());
  EXPECT_EQ(table.schema()->field(4).type, DataType::Bool());
  EXPECT_EQ(Row(table, 0), (Cells{"1", "<null>", "2020-01-01", "<null>", "true"}));
  EXPECT_EQ(Row(table, 1), (Cells{"<null>", "2.5", "<null>", "x", "<null>"}));
  EXPECT_EQ(table.column(3)->IsNull(2), false);  // "" is an empty string
  EXPECT_EQ(table.column(0)->null_count(), 1);
  EXPECT_EQ(table.column(1)->null_count(), 1);
  EXPECT_EQ(table.column(1)->values<double>()[2], 1000.0);
}

TEST(CsvReaderTest, EmptyLinesAreSkipped) {
  TempDir dir;
  std::string path = dir.Write("blank.csv", "a,b\n1,2\n\n3,4\r\n\r\n\n");
  Table table = ReadTable(path);
  EXPECT_EQ(table.num_rows(), 2);
}

TEST(CsvReaderTest, OtherDelimiterAndNoQuoting) {
  TempDir dir;
  std::string path = dir.Write("t.tsv", "a\tb\n1\t\"x\n");
  CsvReadOptions options;
  options.delimiter = '\t';
  options.quoting = false;
  Table table = ReadTable(path, options);
  ASSERT_EQ(table.num_rows(), 1);
  EXPECT_EQ(table.column(1)->GetString(0), "\"x");
}

TEST(CsvReaderTest, HeaderlessDefaultNames) {
  TempDir dir;
  std::string path = dir.Write("h.csv", "1,a\n2,b\n");
  CsvReadOptions options;
  options.header = false;
  Table table = ReadTable(path, options);
  ASSERT_EQ(table.num_columns(), 2);
  EXPECT_EQ(table.column_name(0), "f0");
  EXPECT_EQ(table.column_name(1), "f1");
  EXPECT_EQ(table.num_rows(), 2);
}

TEST(CsvReaderTest, ColumnNamesReplaceTheHeader) {
  TempDir dir;
  std::string path = dir.Write("h.csv", "x,y\n1,a\n");
  CsvReadOptions options;
  options.column_names = {"id", "name"};
  Table table = ReadTable(path, options);
  EXPECT_EQ(table.column_name(0), "id");
  EXPECT_EQ(table.num_rows(), 1);
  options.column_names = {"id"};
  auto error = CatchError([&] { CsvReader reader(path, options); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(error->status().message(), "gives 1 names but the header");
}

// ------------------------------------------------------------------------------------------
// Types

TEST(CsvInferenceTest, InfersEveryType) {
  TempDir dir;
  std::string path = dir.Write("types.csv",
                               "b,i,f,d,t,s,mixed,empty\n"
                               "true,1,1.5,2020-02-29,2020-01-01 10:11:12,abc,1,\n"
                               "False,-20,-2,1970-01-01,2020-01-01T00:00:00.5,def,x,\n"
                               "TRUE,300,1e-3,1999-12-31,2020-01-01,,2,\n");
  Table table = ReadTable(path);
  const Schema& schema = *table.schema();
  EXPECT_EQ(schema.field(0).type, DataType::Bool());
  EXPECT_EQ(schema.field(1).type, DataType::Int64());
  EXPECT_EQ(schema.field(2).type, DataType::Float64());
  EXPECT_EQ(schema.field(3).type, DataType::Date32());
  EXPECT_EQ(schema.field(4).type, DataType::Timestamp(TimeUnit::kMicro));
  EXPECT_EQ(schema.field(5).type, DataType::Utf8());
  EXPECT_EQ(schema.field(6).type, DataType::Utf8());
  EXPECT_EQ(schema.field(7).type, DataType::Utf8());
  EXPECT_EQ(table.column(3)->values<int32_t>()[0], 18321);  // 2020-02-29
  EXPECT_EQ(table.column(3)->values<int32_t>()[1], 0);
  EXPECT_EQ(table.column(4)->values<int64_t>()[0], 1577873472000000);
  EXPECT_EQ(table.column(4)->values<int64_t>()[1], 1577836800500000);
  EXPECT_FALSE(table.column(0)->GetBool(1));
}

TEST(CsvInferenceTest, DecimalsWhenAsked) {
  TempDir dir;
  std::string path = dir.Write("dec.csv", "p\n1.5\n-0.25\n12\n");
  EXPECT_EQ(ReadTable(path).schema()->field(0).type, DataType::Float64());
  CsvReadOptions options;
  options.infer_decimal = true;
  Table table = ReadTable(path, options);
  EXPECT_EQ(table.schema()->field(0).type, DataType::Decimal(18, 2));
  EXPECT_EQ(table.column(0)->values<int64_t>()[0], 150);
  EXPECT_EQ(table.column(0)->values<int64_t>()[1], -25);
  EXPECT_EQ(table.column(0)->values<int64_t>()[2], 1200);
}

TEST(CsvInferenceTest, GivenTypes) {
  TempDir dir;
  std::string path = dir.Write("given.csv",
                               "a,b,c,d,e\n"
                               "1,2.50,1,2020-01-01 00:00:01.123,7\n"
                               "-128,-0.05,0,2020-01-01,-7\n");
  CsvReadOptions options;
  options.column_types = {{"a", DataType::Int8()},
                          {"b", DataType::Decimal(5, 2)},
                          {"c", DataType::Bool()},
                          {"d", DataType::Timestamp(TimeUnit::kMilli)},
                          {"e", DataType::Float64()}};
  Table table = ReadTable(path, options);
  EXPECT_EQ(table.column(0)->values<int8_t>()[1], -128);
  EXPECT_EQ(table.column(1)->values<int64_t>()[0], 250);
  EXPECT_EQ(table.column(1)->values<int64_t>()[1], -5);
  EXPECT_TRUE(table.column(2)->GetBool(0));
  EXPECT_FALSE(table.column(2)->GetBool(1));
  EXPECT_EQ(table.column(3)->values<int64_t>()[0], 1577836801123);
  EXPECT_EQ(table.column(4)->values<double>()[1], -7.0);
}

TEST(CsvInferenceTest, SampleIsLimitedToInferRows) {
  TempDir dir;
  std::string content = "a\n";
  for (int i = 0; i < 100; ++i) content += std::to_string(i) + "\n";
  content += "oops\n";
  std::string path = dir.Write("late.csv", content);
  CsvReadOptions options;
  options.infer_rows = 50;
  CsvReader reader(path, options);
  EXPECT_EQ(reader.schema()->field(0).type, DataType::Int64());
  // The late non-integer is then a parse error naming the column and the text.
  auto error = CatchError([&] { ReadAll(reader); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(error->status().message(), "line 102, column 'a'");
  QK_EXPECT_CONTAINS(error->status().message(), "'oops'");
  options.infer_rows = 1000;
  EXPECT_EQ(CsvReader(path, options).schema()->field(0).type, DataType::Utf8());
}

// ------------------------------------------------------------------------------------------
// Projection and batch functions

std::string Lineitem(int rows) {
  std::string text;
  for (int i = 0; i < rows; ++i) {
    text += std::to_string(i) + "|" + std::to_string(i * 7 % 1000) + "|" +
            std::to_string(i % 50 + 1) + "|" + std::to_string(i % 100) + ".25|0.0" +
            std::to_string(i % 10) + "|N|O|1996-0" + std::to_string(i % 9 + 1) + "-1" +
            std::to_string(i % 10) + "|comment, \"" + std::to_string(i) + "\"|\n";
  }
  return text;
}

CsvReadOptions LineitemOptions() {
  CsvReadOptions options;
  options.delimiter = '|';
  options.header = false;
  options.quoting = false;
  options.column_names = {"l_orderkey",      "l_partkey",  "l_quantity",
                          "l_extendedprice", "l_discount", "l_returnflag",
                          "l_linestatus",    "l_shipdate", "l_comment"};
  options.column_types["l_extendedprice"] = DataType::Decimal(15, 2);
  options.column_types["l_discount"] = DataType::Decimal(15, 2);
  return options;
}

TEST(CsvReaderTest, ProjectionParsesOnlyRequestedColumns) {
  TempDir dir;
  std::string path = dir.Write("lineitem.tbl", Lineitem(1000));
  CsvReadOptions options = LineitemOptions();
  options.include_columns = {"l_shipdate", "l_extendedprice", "l_orderkey"};
  // A wrong type for an unprojected column does not matter: it is never converted.
  options.column_types["l_comment"] = DataType::Int64();
  CsvReader reader(path, options);
  ASSERT_EQ(reader.schema()->num_fields(), 3);
  EXPECT_EQ(reader.schema()->field(0).name, "l_shipdate");
  EXPECT_EQ(reader.schema()->field(0).type, DataType::Date32());
  EXPECT_EQ(reader.file_schema()->num_fields(), 9);
  Table table = ReadTable(path, options);
  ASSERT_EQ(table.num_rows(), 1000);
  EXPECT_EQ(Row(table, 13), (Cells{"1996-05-13", "13.25", "13"}));

  options.include_columns = {"l_nope"};
  auto error = CatchError([&] { CsvReader bad(path, options); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(error->status().message(), "unknown column 'l_nope'");
  QK_EXPECT_CONTAINS(error->status().message(), "'l_orderkey'");
}

TEST(CsvReaderTest, BatchFunctionRunsInTheChannel) {
  TempDir dir;
  std::string path = dir.Write("lineitem.tbl", Lineitem(5000));
  CsvReadOptions options = LineitemOptions();
  options.include_columns = {"l_orderkey", "l_quantity"};
  options.stride = 10000;
  // Keep the rows with l_quantity == 7 (predicate pushdown), through a ColumnBuilder.
  options.batch_function = [](const Table& batch) {
    ColumnBuilder keys(DataType::Int64()), quantities(DataType::Int64());
    const int64_t* key = batch.column(0)->values<int64_t>();
    const int64_t* quantity = batch.column(1)->values<int64_t>();
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      if (quantity[r] != 7) continue;
      keys.AppendInt64(key[r]);
      quantities.AppendInt64(quantity[r]);
    }
    return Table(batch.schema(), {keys.Finish(), quantities.Finish()});
  };
  CsvReader reader(path, options);
  std::vector<Table> tables = ReadAll(reader);
  EXPECT_GT(tables.size(), 5u);
  int64_t rows = 0;
  for (const Table& table : tables) {
    EXPECT_GT(table.num_rows(), 0);  // empty results are not yielded
    for (int64_t r = 0; r < table.num_rows(); ++r) {
      EXPECT_EQ(table.column(0)->values<int64_t>()[r] % 50, 6);
    }
    rows += table.num_rows();
  }
  EXPECT_EQ(rows, 100);
}

TEST(CsvReaderTest, BatchesFollowTheStride) {
  TempDir dir;
  std::string content = Lineitem(20000);
  std::string path = dir.Write("lineitem.tbl", content);
  CsvReadOptions options = LineitemOptions();
  options.stride = 100000;
  std::vector<ReadItem> items = test::ReadChannel(CsvReader(path, options), 0, 1);
  const int64_t expected = (static_cast<int64_t>(content.size()) + 99999) / 100000;
  EXPECT_NEAR(static_cast<double>(items.size()), static_cast<double>(expected), 1.0);
  int64_t previous = 0;
  for (const ReadItem& item : items) {
    EXPECT_GT(item.position, previous);
    EXPECT_LE(item.position - previous, 100000 + 200);
    // Every position is the start of a row (or the end).
    EXPECT_TRUE(item.position == static_cast<int64_t>(content.size()) ||
                content[item.position - 1] == '\n');
    previous = item.position;
  }
  EXPECT_EQ(previous, static_cast<int64_t>(content.size()));
}

TEST(CsvReaderTest, RestartFromAYieldedPosition) {
  TempDir dir;
  std::string path = dir.Write("lineitem.tbl", Lineitem(3000));
  CsvReadOptions options = LineitemOptions();
  options.stride = 5000;
  CsvReader reader(path, options);
  for (int channels : {1, 3}) {
    for (int channel = 0; channel < channels; ++channel) {
      std::vector<ReadItem> all = test::ReadChannel(reader, channel, channels);
      ASSERT_GE(all.size(), 3u);
      for (size_t k : {size_t{0}, all.size() / 2, all.size() - 1}) {
        std::vector<ReadItem> rest = test::ReadChannel(reader, channel, channels, all[k].position);
        ASSERT_EQ(rest.size(), all.size() - k - 1) << channel << "/" << channels << " after " << k;
        for (size_t j = 0; j < rest.size(); ++j) {
          EXPECT_EQ(rest[j].position, all[k + 1 + j].position);
          EXPECT_TRUE(rest[j].object.As<Table>().Equals(all[k + 1 + j].object.As<Table>()));
        }
      }
    }
  }
}

// ------------------------------------------------------------------------------------------
// Inputs

TEST(CsvReaderTest, ListDirectoryAndGlob) {
  TempDir dir;
  dir.Write("b.csv", "k,v\n3,c\n4,d\n");
  dir.Write("a.csv", "k,v\n1,a\n2,b\n");
  dir.Write("c.txt", "k,v\n5,e\n");
  fs::create_directory(dir.path() + "/sub");  // not a regular file: ignored

  auto keys = [](const Table& table) {
    std::vector<int64_t> values;
    for (int64_t r = 0; r < table.num_rows(); ++r) {
      values.push_back(table.column(0)->values<int64_t>()[r]);
    }
    return values;
  };
  EXPECT_EQ(keys(ReadTable(dir.path())), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(keys(ReadTable(dir.path() + "/*.csv")), (std::vector<int64_t>{1, 2, 3, 4}));
  CsvReader list(std::vector<std::string>{dir.path() + "/c.txt", dir.path() + "/a.csv"});
  EXPECT_EQ(list.files().size(), 2u);
  std::vector<Table> tables = ReadAll(list);
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(keys(tables[0]), (std::vector<int64_t>{5}));
  EXPECT_EQ(keys(tables[1]), (std::vector<int64_t>{1, 2}));
}

TEST(CsvErrorTest, MissingInputsNameThePath) {
  TempDir dir;
  auto missing = CatchError([&] { CsvReader reader(dir.path() + "/nope.csv"); });
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(missing->status().message(), dir.path() + "/nope.csv");

  auto no_match = CatchError([&] { CsvReader reader(dir.path() + "/*.csv"); });
  ASSERT_TRUE(no_match.has_value());
  EXPECT_EQ(no_match->status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(no_match->status().message(), "no file matches the pattern");
  QK_EXPECT_CONTAINS(no_match->status().message(), dir.path() + "/*.csv");

  auto empty_dir = CatchError([&] { CsvReader reader(dir.path()); });
  ASSERT_TRUE(empty_dir.has_value());
  QK_EXPECT_CONTAINS(empty_dir->status().message(), "contains no regular files");

  if (::geteuid() != 0) {  // root reads everything
    std::string locked = dir.path() + "/locked";
    fs::create_directory(locked);
    fs::permissions(locked, fs::perms::none);
    auto unreadable = CatchError([&] { CsvReader reader(locked); });
    ASSERT_TRUE(unreadable.has_value());
    EXPECT_EQ(unreadable->status().code(), StatusCode::kIOError);
    QK_EXPECT_CONTAINS(unreadable->status().message(), locked);
    fs::permissions(locked, fs::perms::owner_all);
  }
  Result<Table> result = ReadCsv(dir.path() + "/nope.csv");
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
}

TEST(CsvErrorTest, DifferentHeadersAreRefused) {
  TempDir dir;
  std::string a = dir.Write("a.csv", "k,v\n1,a\n");
  std::string b = dir.Write("b.csv", "k,w\n2,b\n");
  std::string c = dir.Write("c.csv", "k,v,x\n2,b,3\n");
  auto error = CatchError([&] { CsvReader reader(std::vector<std::string>{a, b}); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status().code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(error->status().message(), "header of '" + b + "' differs from '" + a);
  QK_EXPECT_CONTAINS(error->status().message(), "column 2 is 'w'");
  error = CatchError([&] { CsvReader reader(std::vector<std::string>{a, c}); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(error->status().message(), "it has 3 columns, the first has 2");
}

// ------------------------------------------------------------------------------------------
// Errors

struct ErrorCase {
  std::string content;
  std::string line;    // "line N"
  std::string column;  // "column 'x'" or ""
  std::string text;    // the offending text
  std::string what;
};

TEST(CsvErrorTest, EveryParseErrorNamesFileLineColumnAndText) {
  TempDir dir;
  const std::string header = "id,price,day,name\n";
  const std::string good = "1,2.50,2020-01-01,x\n";
  std::vector<ErrorCase> cases = {
      {header + good + "2,2.50,2020-01-01\n", "line 3", "", "2,2.50,2020-01-01",
       "expected 4 fields, found 3"},
      {header + good + good + "3,1,2020-01-01,x,extra\n", "line 4", "", "extra",
       "expected 4 fields, found 5"},
      {header + good + "x7,2.50,2020-01-01,x\n", "line 3", "column 'id'", "'x7'",
       "cannot parse as int64"},
      {header + good + "99999999999999999999,1,2020-01-01,x\n", "line 3", "column 'id'",
       "'99999999999999999999'", "cannot parse as int64"},
      {header + good + "2,2.505,2020-01-01,x\n", "line 3", "column 'price'", "'2.505'",
       "cannot parse as decimal(10,2)"},
      {header + good + "2,1,2020-02-30,x\n", "line 3", "column 'day'", "'2020-02-30'",
       "cannot parse as date32"},
      {header + good + "2,1,2020-01-01,\"abc\n", "line 3", "column 'name'", "\"abc",
       "unterminated quoted field"},
      {header + good + "2,1,2020-01-01,\"ab\"c\n", "line 3", "column 'name'", "'\"ab\"c'",
       "invalid quoted field"},
      {header + "\"1\n\",1,2020-01-01,x\n", "line 2", "column 'id'", "\"1",
       "line break inside a quoted field"},
  };
  for (const ErrorCase& c : cases) {
    std::string path = dir.Write("bad.csv", c.content);
    CsvReadOptions options;
    options.column_types = {{"id", DataType::Int64()},
                            {"price", DataType::Decimal(10, 2)},
                            {"day", DataType::Date32()},
                            {"name", DataType::Utf8()}};
    if (c.what == "unterminated quoted field") options.newlines_in_values = true;
    auto error = CatchError([&] { ReadTable(path, options); });
    ASSERT_TRUE(error.has_value()) << c.content;
    const std::string message = error->status().message();
    EXPECT_EQ(error->status().code(), StatusCode::kInvalid) << message;
    QK_EXPECT_CONTAINS(message, "'" + path + "' " + c.line);
    if (!c.column.empty()) {
      QK_EXPECT_CONTAINS(message, c.line + ", " + c.column);
    }
    QK_EXPECT_CONTAINS(message, c.text);
    QK_EXPECT_CONTAINS(message, c.what);
  }
}

TEST(CsvErrorTest, LineNumbersCountPhysicalLinesInEveryChannel) {
  TempDir dir;
  std::string content = "a,b\n";
  for (int i = 0; i < 3000; ++i) {
    content += i % 100 == 0 ? "\"quoted\nvalue\"," + std::to_string(i) + "\n"
                            : "v," + std::to_string(i) + "\n";
  }
  content += "v,bad\n";  // physical line 3000 + 30 + 2
  std::string path = dir.Write("lines.csv", content);
  CsvReadOptions options;
  options.newlines_in_values = true;
  options.column_types["b"] = DataType::Int64();
  auto error = CatchError([&] { ReadTable(path, options); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(error->status().message(), "line 3032, column 'b'");

  // Line mode, many channels: the channel that owns the bad row counts from the file start.
  std::string plain = "a,b\n";
  for (int i = 0; i < 3000; ++i) plain += "v," + std::to_string(i) + "\n";
  plain += "v,bad\n";
  path = dir.Write("plain.csv", plain);
  options.newlines_in_values = false;
  options.stride = 1000;
  CsvReader reader(path, options);
  std::optional<Error> found;
  for (int channel = 0; channel < 7; ++channel) {
    auto e = CatchError([&] { test::ReadChannel(reader, channel, 7); });
    if (e) found = e;
  }
  ASSERT_TRUE(found.has_value());
  QK_EXPECT_CONTAINS(found->status().message(), "line 3002, column 'b'");
}

TEST(CsvErrorTest, CollectErrorsSkipsBadRows) {
  TempDir dir;
  std::string path = dir.Write("mixed.csv",
                               "id,day\n"
                               "1,2020-01-01\n"
                               "oops,2020-01-02\n"
                               "3\n"
                               "4,2020-13-01\n"
                               "5,2020-01-05\n"
                               "6,\"2020-01-06\n");
  CsvReadOptions options;
  options.column_types = {{"id", DataType::Int64()}, {"day", DataType::Date32()}};
  options.collect_errors = true;
  options.stride = 16;
  CsvReader reader(path, options);
  int64_t rows = 0;
  std::vector<int64_t> ids;
  for (int channel = 0; channel < 2; ++channel) {
    for (const Table& table : ReadAll(reader, channel, 2)) {
      for (int64_t r = 0; r < table.num_rows(); ++r) {
        ids.push_back(table.column(0)->values<int64_t>()[r]);
      }
      rows += table.num_rows();
    }
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 5}));
  std::vector<CsvRowError> errors = reader.errors();
  ASSERT_EQ(errors.size(), 4u);
  std::sort(errors.begin(), errors.end(),
            [](const CsvRowError& a, const CsvRowError& b) { return a.line < b.line; });
  EXPECT_EQ(errors[0].file, path);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].column, "id");
  EXPECT_EQ(errors[0].text, "oops");
  EXPECT_EQ(errors[1].line, 4);
  EXPECT_EQ(errors[1].column, "");
  QK_EXPECT_CONTAINS(errors[1].message, "expected 2 fields, found 1");
  EXPECT_EQ(errors[2].line, 5);
  EXPECT_EQ(errors[2].column, "day");
  EXPECT_EQ(errors[2].text, "2020-13-01");
  EXPECT_EQ(errors[3].line, 7);
  EXPECT_EQ(errors[3].column, "day");
  QK_EXPECT_CONTAINS(errors[3].message, "line break inside a quoted field");
}

TEST(CsvErrorTest, InvalidOptions) {
  TempDir dir;
  std::string path = dir.Write("a.csv", "a\n1\n");
  CsvReadOptions options;
  options.stride = 0;
  EXPECT_FALSE(options.Validate().ok());
  auto error = CatchError([&] { CsvReader reader(path, options); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(error->status().message(), "stride");
  options = CsvReadOptions::Defaults();
  QK_EXPECT_OK(options.Validate());
  options.delimiter = '\n';
  EXPECT_FALSE(options.Validate().ok());
  options = CsvReadOptions::Defaults();
  options.quote = ',';
  EXPECT_FALSE(options.Validate().ok());
  options = CsvReadOptions::Defaults();
  options.column_types["zz"] = DataType::Int64();
  error = CatchError([&] { CsvReader reader(path, options); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(error->status().message(), "unknown column 'zz'");
  options = CsvReadOptions::Defaults();
  options.column_types["a"] = DataType::Decimal(30, 2);
  EXPECT_FALSE(options.Validate().ok());
}

// ------------------------------------------------------------------------------------------
// Through a graph

TEST(CsvReaderTest, ThroughATaskGraph) {
  TempDir dir;
  std::string content = Lineitem(20000);
  dir.Write("part1.tbl", content);
  dir.Write("part2.tbl", Lineitem(7000));
  CsvReadOptions options = LineitemOptions();
  options.include_columns = {"l_orderkey", "l_quantity"};
  options.stride = 64 << 10;
  CsvReader reader(dir.path() + "/*.tbl", options);

  LocalCluster cluster;
  TaskGraph graph(cluster);
  Stream batches = graph.NewInputReaderNode(reader, test::Named("csv", 5));
  Dataset collected = graph.NewBlockingNode({{0, batches}}, Collect(), test::Named("collect", 2));
  graph.Create();
  graph.Run(test::Quiet());
  int64_t rows = 0, key_sum = 0, quantity_sum = 0;
  for (const Object& object : collected) {
    const Table& table = object.As<Table>();
    rows += table.num_rows();
    for (int64_t r = 0; r < table.num_rows(); ++r) {
      key_sum += table.column(0)->values<int64_t>()[r];
      quantity_sum += table.column(1)->values<int64_t>()[r];
    }
  }
  EXPECT_EQ(rows, 27000);
  EXPECT_EQ(key_sum, test::SumBelow(20000) + test::SumBelow(7000));
  int64_t expected_quantity = 0;
  for (int i = 0; i < 20000; ++i) expected_quantity += i % 50 + 1;
  for (int i = 0; i < 7000; ++i) expected_quantity += i % 50 + 1;
  EXPECT_EQ(quantity_sum, expected_quantity);
}

TEST(CsvReaderTest, ParseErrorsFailTheRun) {
  TempDir dir;
  std::string path = dir.Write("bad.csv", "a\n1\n2\nthree\n");
  CsvReadOptions options;
  options.column_types["a"] = DataType::Int64();
  LocalCluster cluster;
  TaskGraph graph(cluster);
  Stream batches = graph.NewInputReaderNode(CsvReader(path, options), test::Named("csv", 2));
  graph.NewBlockingNode({{0, batches}}, Collect());
  auto error = CatchError([&] { graph.Run(test::Quiet()); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(Describe(*error), "line 4, column 'a'");
  QK_EXPECT_CONTAINS(Describe(*error), "'three'");
}

}  // namespace
}  // namespace quokka

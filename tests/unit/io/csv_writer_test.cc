// Tests of WriteCsv: formatting of every type, quoting, nulls, options, and round trips
// through CsvReader.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "quokka/csv.h"
#include "quokka/table.h"
#include "test_util.h"

namespace quokka {
namespace {

namespace fs = std::filesystem;

std::string Write(const Table& table, const CsvWriteOptions& options = {}) {
  std::ostringstream out;
  Status status = WriteCsv(table, out, options);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out.str();
}

SchemaPtr MakeSchema(std::vector<Field> fields) {
  return std::make_shared<Schema>(std::move(fields));
}

Table AllTypes() {
  SchemaPtr schema = MakeSchema({{"b", DataType::Bool()},
                                 {"i8", DataType::Int8()},
                                 {"i64", DataType::Int64()},
                                 {"f", DataType::Float64()},
                                 {"dec", DataType::Decimal(15, 2)},
                                 {"s", DataType::Utf8()},
                                 {"d", DataType::Date32()},
                                 {"ts", DataType::Timestamp(TimeUnit::kMicro)}});
  TableBuilder builder(schema);
  // Row 0
  builder.column(0).AppendBool(true);
  builder.column(1).AppendInt64(-128);
  builder.column(2).AppendInt64(std::numeric_limits<int64_t>::min());
  builder.column(3).AppendDouble(0.1);
  builder.column(4).AppendInt64(-5);
  builder.column(5).AppendString("plain");
  builder.column(6).AppendInt64(0);
  builder.column(7).AppendInt64(1577836800500000);
  // Row 1: special strings, nulls
  builder.column(0).AppendBool(false);
  builder.column(1).AppendNull();
  builder.column(2).AppendInt64(42);
  builder.column(3).AppendDouble(1e300);
  builder.column(4).AppendInt64(123456);
  builder.column(5).AppendString("a,\"b\"\nc");
  builder.column(6).AppendInt64(-1);
  builder.column(7).AppendNull();
  // Row 2: empty string, more nulls
  builder.column(0).AppendNull();
  builder.column(1).AppendInt64(7);
  builder.column(2).AppendNull();
  builder.column(3).AppendDouble(-2.5);
  builder.column(4).AppendNull();
  builder.column(5).AppendString("");
  builder.column(6).AppendInt64(18321);
  builder.column(7).AppendInt64(-1);
  return builder.Finish();
}

TEST(CsvWriterTest, FormatsEveryType) {
  EXPECT_EQ(Write(AllTypes()),
            "b,i8,i64,f,dec,s,d,ts\n"
            "true,-128,-9223372036854775808,0.1,-0.05,plain,1970-01-01,2020-01-01 00:00:00.5\n"
            "false,,42,1e+300,1234.56,\"a,\"\"b\"\"\nc\",1969-12-31,\n"
            ",7,,-2.5,,\"\",2020-02-29,1969-12-31 23:59:59.999999\n");
}

TEST(CsvWriterTest, Options) {
  SchemaPtr schema = MakeSchema({{"a|b", DataType::Utf8()}, {"n", DataType::Int64()}});
  TableBuilder builder(schema);
  builder.column(0).AppendString("x|y");
  builder.column(1).AppendInt64(1);
  Table table = builder.Finish();
  CsvWriteOptions options;
  options.delimiter = '|';
  options.line_terminator = "\r\n";
  EXPECT_EQ(Write(table, options), "\"a|b\"|n\r\n\"x|y\"|1\r\n");
  options.header = false;
  EXPECT_EQ(Write(table, options), "\"x|y\"|1\r\n");
  options.line_terminator = "\n\n";
  std::ostringstream out;
  EXPECT_FALSE(WriteCsv(table, out, options).ok());
}

TEST(CsvWriterTest, RoundTripThroughTheReader) {
  std::string dir =
      (fs::temp_directory_path() / ("quokka_csv_writer_" + std::to_string(::getpid()))).string();
  fs::create_directories(dir);
  Table table = AllTypes();
  std::string path = dir + "/all.csv";
  QK_ASSERT_OK(WriteCsv(table, path));
  CsvReadOptions options;
  options.newlines_in_values = true;  // row 1 has a line break inside a string
  for (const Field& field : table.schema()->fields()) options.column_types[field.name] = field.type;
  Result<Table> read = ReadCsv(path, options);
  QK_ASSERT_OK(read);
  EXPECT_TRUE(read->Equals(table)) << read->ToString() << "\n" << table.ToString();

  // Random doubles survive exactly (shortest round-trip formatting).
  std::mt19937_64 rng(7);
  SchemaPtr schema = MakeSchema({{"x", DataType::Float64()}});
  TableBuilder builder(schema);
  for (int i = 0; i < 2000; ++i) {
    double value;
    uint64_t bits = rng();
    std::memcpy(&value, &bits, sizeof(value));
    if (!std::isfinite(value)) value = static_cast<double>(bits) * 1e-10;
    builder.column(0).AppendDouble(value);
  }
  Table doubles = builder.Finish();
  QK_ASSERT_OK(WriteCsv(doubles, path));
  read = ReadCsv(path, CsvReadOptions());
  QK_ASSERT_OK(read);
  EXPECT_EQ(read->schema()->field(0).type, DataType::Float64());
  EXPECT_TRUE(read->Equals(doubles));
  fs::remove_all(dir);
}

TEST(CsvWriterTest, UnwritablePathIsAnIOError) {
  Status status = WriteCsv(AllTypes(), std::string("/nonexistent-dir/x.csv"));
  EXPECT_EQ(status.code(), StatusCode::kIOError);
  QK_EXPECT_CONTAINS(status.message(), "/nonexistent-dir/x.csv");
}

}  // namespace
}  // namespace quokka

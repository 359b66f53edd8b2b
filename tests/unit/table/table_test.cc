// Table core: builders, slicing, projection, concatenation, printing, dates, equality.
#include "quokka/table.h"

#include <gtest/gtest.h>

#include <random>

#include "quokka/object.h"

namespace quokka {
namespace {

SchemaPtr MixedSchema() {
  return std::make_shared<const Schema>(std::vector<Field>{
      {"id", DataType::Int64()},
      {"price", DataType::Decimal(15, 2)},
      {"name", DataType::Utf8()},
      {"day", DataType::Date32()},
      {"flag", DataType::Bool()},
      {"ratio", DataType::Float64()},
      {"small", DataType::Int16()},
  });
}

// Row r: id r, price r*101 (cents), name "n<r>", day r, flag r%3==0, ratio r/4; every 5th row
// has nulls in price and name.
Table MakeMixed(int64_t rows) {
  TableBuilder builder(MixedSchema());
  for (int64_t r = 0; r < rows; ++r) {
    builder.column(0).AppendInt64(r);
    if (r % 5 == 4) {
      builder.column(1).AppendNull();
      builder.column(2).AppendNull();
    } else {
      builder.column(1).AppendInt64(r * 101);
      builder.column(2).AppendString("n" + std::to_string(r));
    }
    builder.column(3).AppendInt64(r);
    builder.column(4).AppendBool(r % 3 == 0);
    builder.column(5).AppendDouble(r / 4.0);
    builder.column(6).AppendInt64(r - 50);
  }
  return builder.Finish();
}

void ExpectRow(const Table& table, int64_t row, int64_t r) {
  EXPECT_EQ(table.column(0)->GetInt64(row), r);
  if (r % 5 == 4) {
    EXPECT_TRUE(table.column(1)->IsNull(row));
    EXPECT_TRUE(table.column(2)->IsNull(row));
  } else {
    EXPECT_EQ(table.column(1)->GetInt64(row), r * 101);
    EXPECT_EQ(table.column(2)->GetString(row), "n" + std::to_string(r));
  }
  EXPECT_EQ(table.column(3)->GetInt64(row), r);
  EXPECT_EQ(table.column(4)->GetBool(row), r % 3 == 0);
  EXPECT_DOUBLE_EQ(table.column(5)->GetDouble(row), r / 4.0);
  EXPECT_EQ(table.column(6)->GetInt64(row), r - 50);
}

TEST(TableTest, BuildAndRead) {
  Table table = MakeMixed(1000);
  EXPECT_EQ(table.num_rows(), 1000);
  EXPECT_EQ(table.num_columns(), 7);
  EXPECT_EQ(table.column(1)->null_count(), 200);
  EXPECT_EQ(table.column(0)->null_count(), 0);
  for (int64_t r = 0; r < 1000; ++r) ExpectRow(table, r, r);
}

TEST(TableTest, SliceSharesBuffersAndKeepsValues) {
  Table table = MakeMixed(200);
  for (int64_t offset : {0, 1, 7, 63, 64, 65, 199}) {
    Table slice = table.Slice(offset, 37);
    EXPECT_EQ(slice.num_rows(), std::min<int64_t>(37, 200 - offset));
    EXPECT_EQ(slice.column(2)->values_buffer(), table.column(2)->values_buffer());
    for (int64_t row = 0; row < slice.num_rows(); ++row) ExpectRow(slice, row, offset + row);
    // A slice of a slice.
    Table inner = slice.Slice(3, 5);
    for (int64_t row = 0; row < inner.num_rows(); ++row) ExpectRow(inner, row, offset + 3 + row);
  }
  EXPECT_EQ(table.Slice(500, 10).num_rows(), 0);
}

TEST(TableTest, ProjectSelectAndMissingColumn) {
  Table table = MakeMixed(10);
  Table projected = table.Select({"name", "id"});
  EXPECT_EQ(projected.num_columns(), 2);
  EXPECT_EQ(projected.column_name(0), "name");
  EXPECT_EQ(projected.column(1)->GetInt64(3), 3);
  try {
    table.Select({"nope"});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("nope"), std::string::npos);
  }
}

TEST(TableTest, ConcatOfSlicesEqualsWhole) {
  Table table = MakeMixed(300);
  Table joined = Table::Concat({table.Slice(0, 7), table.Slice(7, 100), table.Slice(107, 193)});
  EXPECT_TRUE(joined.Equals(table));
  EXPECT_FALSE(joined.Equals(table.Slice(0, 299)));
}

TEST(TableTest, ConcatRefusesDifferentSchemas) {
  Table a = MakeMixed(3);
  Table b = a.Select({"id"});
  EXPECT_THROW(Table::Concat({a, b}), Error);
}

TEST(TableTest, MakeChecksColumns) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"a", DataType::Int64()}});
  ColumnBuilder strings(DataType::Utf8());
  strings.AppendString("x");
  EXPECT_FALSE(Table::Make(schema, {strings.Finish()}).ok());
  EXPECT_FALSE(Table::Make(schema, {}).ok());
}

TEST(TableTest, PrettyPrint) {
  Table table = MakeMixed(5);
  std::string text = table.ToString();
  EXPECT_NE(text.find("┌"), std::string::npos);
  EXPECT_NE(text.find("decimal(15,2)"), std::string::npos);
  EXPECT_NE(text.find("3.03"), std::string::npos);        // price of row 3
  EXPECT_NE(text.find("1970-01-04"), std::string::npos);  // day 3
  EXPECT_NE(text.find("null"), std::string::npos);        // row 4
  EXPECT_NE(text.find("5 rows × 7 columns"), std::string::npos);
  std::string elided = MakeMixed(100).ToString(6);
  EXPECT_NE(elided.find("…"), std::string::npos);
  EXPECT_NE(elided.find("99"), std::string::npos);
  EXPECT_EQ(elided.find("│ 50 "), std::string::npos);
}

TEST(TableTest, TableIsAnObject) {
  Table table = MakeMixed(10);
  Object object = Object::Make(table);
  EXPECT_TRUE(object.Is<Table>());
  EXPECT_EQ(object.As<Table>().num_rows(), 10);
  EXPECT_GT(object.byte_size(), 10 * 8u);
  EXPECT_EQ(object, Object::Make(MakeMixed(10)));
}

TEST(DateTest, RoundTripsEveryDayOverFourCenturies) {
  for (int32_t days = -150000; days < 150000; days += 7) {
    int y, m, d;
    CivilFromDays(days, &y, &m, &d);
    EXPECT_EQ(DaysFromCivil(y, m, d), days);
  }
  int32_t days;
  ASSERT_TRUE(ParseDate("1998-09-02", &days));
  EXPECT_EQ(days, 10471);
  ASSERT_TRUE(ParseDate("2000-02-29", &days));
  EXPECT_FALSE(ParseDate("1999-02-29", &days));
  EXPECT_FALSE(ParseDate("1999-13-01", &days));
  EXPECT_FALSE(ParseDate("1999-1-01", &days));
  EXPECT_FALSE(ParseDate("19990101xx", &days));
}

TEST(TypeTest, NamesRoundTrip) {
  for (DataType type :
       {DataType::Bool(), DataType::Int8(), DataType::Int16(), DataType::Int32(), DataType::Int64(),
        DataType::Float64(), DataType::Decimal(15, 2), DataType::Utf8(), DataType::Date32(),
        DataType::Timestamp(TimeUnit::kMilli)}) {
    DataType parsed;
    ASSERT_TRUE(ParseDataType(type.ToString(), &parsed)) << type.ToString();
    EXPECT_EQ(parsed, type);
  }
  DataType parsed;
  EXPECT_FALSE(ParseDataType("decimal(40,2)", &parsed));
  EXPECT_FALSE(ParseDataType("varchar", &parsed));
  EXPECT_EQ(FormatDecimal(-1205, 2), "-12.05");
  EXPECT_EQ(FormatDecimal(5, 3), "0.005");
}

}  // namespace
}  // namespace quokka

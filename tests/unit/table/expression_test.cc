// The expression API: building, printing, evaluating, filtering and projecting over a
// TPC-H-like lineitem table, checked row by row against plain C++ computations.
#include "quokka/expression.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "quokka/compute.h"
#include "quokka/table.h"
#include "test_util.h"

namespace quokka {
namespace {

int32_t Day(const char* text) {
  int32_t days = 0;
  EXPECT_TRUE(ParseDate(text, &days)) << text;
  return days;
}

// l_quantity int64, l_extendedprice/l_discount/l_tax decimal(15,2), l_returnflag utf8,
// l_shipdate date32, l_comment utf8, x float64 (with nulls).
Table Lineitem(int64_t n, uint64_t seed) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{
      {"l_quantity", DataType::Int64()},
      {"l_extendedprice", DataType::Decimal(15, 2)},
      {"l_discount", DataType::Decimal(15, 2)},
      {"l_tax", DataType::Decimal(15, 2)},
      {"l_returnflag", DataType::Utf8()},
      {"l_shipdate", DataType::Date32()},
      {"l_comment", DataType::Utf8()},
      {"x", DataType::Float64()},
  });
  std::mt19937_64 rng(seed);
  TableBuilder builder(schema);
  const int32_t start = Day("1992-01-01");
  for (int64_t i = 0; i < n; ++i) {
    builder.column(0).AppendInt64(1 + rng() % 50);
    builder.column(1).AppendInt64(90000 + rng() % 10000000);
    builder.column(2).AppendInt64(rng() % 11);
    builder.column(3).AppendInt64(rng() % 9);
    builder.column(4).AppendString(std::string(1, "ANR"[rng() % 3]));
    builder.column(5).AppendInt64(start + rng() % 2526);
    std::string comment;
    for (int k = 0; k < 8; ++k) comment.push_back("abcdxyz "[rng() % 8]);
    builder.column(6).AppendString(comment);
    if (rng() % 5 == 0) {
      builder.column(7).AppendNull();
    } else {
      builder.column(7).AppendDouble(static_cast<double>(rng() % 200) / 10.0 - 10.0);
    }
  }
  return builder.Finish();
}

int64_t Int(const Table& t, const char* name, int64_t row) { return t.column(name)->GetInt64(row); }

TEST(ExpressionTest, RevenueIsExactDecimal) {
  for (int64_t offset : {0, 37}) {
    Table table = Lineitem(1000 + offset, 1).Slice(offset, 1000);
    Expr revenue = col("l_extendedprice") * (lit(1) - col("l_discount"));
    Expr charge = revenue * (1 + col("l_tax"));
    Result<ColumnPtr> r = Evaluate(revenue, table);
    Result<ColumnPtr> c = Evaluate(charge, table);
    QK_ASSERT_OK(r);
    QK_ASSERT_OK(c);
    EXPECT_EQ((*r)->type(), DataType::Decimal(18, 4));
    EXPECT_EQ((*c)->type().scale, 6);
    for (int64_t i = 0; i < table.num_rows(); ++i) {
      const int64_t price = Int(table, "l_extendedprice", i);
      const int64_t disc = Int(table, "l_discount", i);
      const int64_t tax = Int(table, "l_tax", i);
      ASSERT_EQ((*r)->GetInt64(i), price * (100 - disc));
      ASSERT_EQ((*c)->GetInt64(i), price * (100 - disc) * (100 + tax));
    }
  }
}

TEST(ExpressionTest, FilterShipdateAndQ6Predicate) {
  Table table = Lineitem(5000, 2).Slice(3, 4990);
  Result<Table> shipped = Filter(table, col("l_shipdate") <= date("1998-09-02"));
  QK_ASSERT_OK(shipped);
  int64_t expected = 0;
  for (int64_t i = 0; i < table.num_rows(); ++i) {
    expected += Int(table, "l_shipdate", i) <= Day("1998-09-02");
  }
  EXPECT_EQ(shipped->num_rows(), expected);

  Expr q6 = col("l_shipdate") >= date("1994-01-01") &&
            col("l_shipdate") < date("1994-01-01").cast(DataType::Date32()).add_years(1) &&
            col("l_discount")
                .between(lit_decimal("0.05") - lit_decimal("0.01"),
                         lit_decimal("0.05") + lit_decimal("0.01")) &&
            col("l_quantity") < 24;
  Result<Table> q6_rows = Filter(table, q6);
  QK_ASSERT_OK(q6_rows);
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < table.num_rows(); ++i) {
    const int64_t d = Int(table, "l_shipdate", i), disc = Int(table, "l_discount", i);
    if (d >= Day("1994-01-01") && d < Day("1995-01-01") && disc >= 4 && disc <= 6 &&
        Int(table, "l_quantity", i) < 24) {
      rows.push_back(i);
    }
  }
  ASSERT_EQ(q6_rows->num_rows(), static_cast<int64_t>(rows.size()));
  for (size_t r = 0; r < rows.size(); ++r) {
    EXPECT_EQ(q6_rows->column("l_quantity")->GetInt64(r), Int(table, "l_quantity", rows[r]));
    EXPECT_EQ(q6_rows->column("l_comment")->GetString(r),
              table.column("l_comment")->GetString(rows[r]));
  }
  // Whole-query revenue matches the reference sum.
  Result<ColumnPtr> revenue = Evaluate(col("l_extendedprice") * col("l_discount"), *q6_rows);
  QK_ASSERT_OK(revenue);
  int64_t sum = 0, expected_sum = 0;
  for (int64_t r = 0; r < (*revenue)->length(); ++r) sum += (*revenue)->GetInt64(r);
  for (int64_t row : rows) {
    expected_sum += Int(table, "l_extendedprice", row) * Int(table, "l_discount", row);
  }
  EXPECT_EQ(sum, expected_sum);
}

TEST(ExpressionTest, ProjectNamesAndLiterals) {
  Table table = Lineitem(10, 3);
  Result<Table> out = Project(
      table, {col("l_quantity"), (col("l_quantity") * 2).alias("double_q"), col("l_quantity") + 1,
              lit(1) + lit(2), lit("x"), col("l_shipdate").year().alias("y")});
  QK_ASSERT_OK(out);
  ASSERT_EQ(out->num_columns(), 6);
  EXPECT_EQ(out->column_name(0), "l_quantity");
  EXPECT_EQ(out->column_name(1), "double_q");
  EXPECT_EQ(out->column_name(2), "(l_quantity + 1)");
  EXPECT_EQ(out->column_name(3), "(1 + 2)");
  EXPECT_EQ(out->column(3)->type(), DataType::Int64());
  EXPECT_EQ(out->column(4)->type(), DataType::Utf8());
  for (int64_t i = 0; i < 10; ++i) {
    EXPECT_EQ(out->column(1)->GetInt64(i), 2 * Int(table, "l_quantity", i));
    EXPECT_EQ(out->column(3)->GetInt64(i), 3);
    EXPECT_EQ(out->column(4)->GetString(i), "x");
    int y, m, d;
    CivilFromDays(static_cast<int32_t>(Int(table, "l_shipdate", i)), &y, &m, &d);
    EXPECT_EQ(out->column(5)->GetInt64(i), y);
  }
  EXPECT_EQ(Project(Table::Empty(table.schema()), {col("l_quantity") + 1})->num_rows(), 0);
}

TEST(ExpressionTest, StringsDatesCastsAndNulls) {
  Table table = Lineitem(2000, 4).Slice(11, 1900);
  Expr e1 = col("l_comment").like("%a%b%") || col("l_comment").starts_with("x");
  Expr e2 = col("l_returnflag").isin({"A", "R"}) && !(col("l_returnflag") == "R");
  Expr e3 = col("l_shipdate").month() == 2 && col("l_shipdate").day() == 29;
  Expr e4 = col("l_quantity").cast(DataType::Float64()) / 4 > col("x");
  Expr e5 = col("x").is_null() || col("x") > 0;
  Expr e6 = col("l_shipdate").add_months(1) - col("l_shipdate");
  for (const Expr& e : {e1, e2, e3, e4, e5, e6}) QK_ASSERT_OK(Evaluate(e, table));
  ColumnPtr r1 = *Evaluate(e1, table), r2 = *Evaluate(e2, table), r3 = *Evaluate(e3, table);
  ColumnPtr r4 = *Evaluate(e4, table), r5 = *Evaluate(e5, table), r6 = *Evaluate(e6, table);
  for (int64_t i = 0; i < table.num_rows(); ++i) {
    std::string comment(table.column("l_comment")->GetString(i));
    size_t a = comment.find('a');
    bool like = a != std::string::npos && comment.find('b', a + 1) != std::string::npos;
    EXPECT_EQ(r1->GetBool(i), like || comment[0] == 'x') << comment;
    std::string flag(table.column("l_returnflag")->GetString(i));
    EXPECT_EQ(r2->GetBool(i), flag == "A");
    int y, m, d;
    CivilFromDays(static_cast<int32_t>(Int(table, "l_shipdate", i)), &y, &m, &d);
    EXPECT_EQ(r3->GetBool(i), m == 2 && d == 29);
    const Column& x = *table.column("x");
    EXPECT_EQ(r4->IsValid(i), x.IsValid(i));
    if (x.IsValid(i)) {
      EXPECT_EQ(r4->GetBool(i), Int(table, "l_quantity", i) / 4.0 > x.GetDouble(i));
    }
    // Kleene: null OR null-comparison stays valid because is_null is true
    ASSERT_TRUE(r5->IsValid(i));
    EXPECT_EQ(r5->GetBool(i), x.IsNull(i) || x.GetDouble(i) > 0);
    EXPECT_GE(r6->GetInt64(i), 28);
    EXPECT_LE(r6->GetInt64(i), 31);
  }
  // A null literal propagates.
  Result<ColumnPtr> nulls = Evaluate(col("l_quantity") + null_literal(DataType::Int64()), table);
  QK_ASSERT_OK(nulls);
  EXPECT_EQ((*nulls)->null_count(), table.num_rows());
}

TEST(ExpressionTest, ErrorsNameTheProblem) {
  Table table = Lineitem(20, 5);
  Result<ColumnPtr> missing = Evaluate(col("l_nope") + 1, table);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(missing.status().message(), "l_nope");
  QK_EXPECT_CONTAINS(missing.status().message(), "l_quantity");  // lists the columns

  Result<ColumnPtr> mismatch = Evaluate(col("l_returnflag") + 1, table);
  EXPECT_EQ(mismatch.status().code(), StatusCode::kTypeError);
  QK_EXPECT_CONTAINS(mismatch.status().message(), "utf8");
  QK_EXPECT_CONTAINS(mismatch.status().message(), "l_returnflag");

  Result<ColumnPtr> compare = Evaluate(col("l_shipdate") < 5, table);
  EXPECT_EQ(compare.status().code(), StatusCode::kTypeError);
  QK_EXPECT_CONTAINS(compare.status().message(), "date32");

  Result<ColumnPtr> bad_date = Evaluate(col("l_shipdate") < date("1998-13-01"), table);
  EXPECT_EQ(bad_date.status().code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(bad_date.status().message(), "1998-13-01");

  Result<ColumnPtr> bad_decimal = Evaluate(lit_decimal("0.0x5"), table);
  QK_EXPECT_CONTAINS(bad_decimal.status().message(), "0.0x5");

  Result<ColumnPtr> bad_cast = Evaluate(col("l_comment").cast(DataType::Int64()), table);
  EXPECT_EQ(bad_cast.status().code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(bad_cast.status().message(), table.column("l_comment")->GetString(0));
  QK_EXPECT_CONTAINS(bad_cast.status().message(), "l_comment");

  Result<Table> not_bool = Filter(table, col("l_quantity") + 1);
  EXPECT_EQ(not_bool.status().code(), StatusCode::kTypeError);
  Result<Table> project = Project(table, {col("l_quantity"), col("zz")});
  EXPECT_EQ(project.status().code(), StatusCode::kNotFound);
}

TEST(ExpressionTest, LiteralPredicatesAndPrinting) {
  Table table = Lineitem(30, 6);
  EXPECT_EQ(Filter(table, lit(true))->num_rows(), 30);
  EXPECT_EQ(Filter(table, lit(1) > lit(2))->num_rows(), 0);
  EXPECT_EQ(Filter(table, null_literal(DataType::Bool()))->num_rows(), 0);
  Expr e = col("l_extendedprice") * (lit(1) - col("l_discount"));
  EXPECT_EQ(e.ToString(), "(l_extendedprice * (1 - l_discount))");
  EXPECT_EQ((col("d") <= date("1998-09-02")).ToString(), "(d <= date '1998-09-02')");
  EXPECT_EQ(col("s").isin({"a", "b"}).ToString(), "s IN ('a', 'b')");
  Expr copy = e;  // cheap: shares the nodes
  EXPECT_EQ(copy.node(), e.node());
  // Non-literal isin values
  Result<ColumnPtr> in = Evaluate(col("l_quantity").isin({col("l_quantity"), 3}), table);
  QK_ASSERT_OK(in);
  for (int64_t i = 0; i < 30; ++i) EXPECT_TRUE((*in)->GetBool(i));
}

TEST(ExpressionTest, SameExpressionFromManyThreads) {
  Table table = Lineitem(20000, 7);
  Expr predicate =
      col("l_shipdate") <= date("1998-09-02") && col("l_discount") > lit_decimal("0.03");
  Expr revenue = (col("l_extendedprice") * (lit(1) - col("l_discount"))).alias("revenue");
  Result<Table> reference = Project(*Filter(table, predicate), {revenue});
  QK_ASSERT_OK(reference);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        Result<Table> filtered = Filter(table, predicate);
        if (!filtered.ok()) return;
        Result<Table> projected = Project(*filtered, {revenue});
        if (!projected.ok() || !projected->Equals(*reference)) return;
      }
      ok[t] = 1;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(ok[t], 1) << "thread " << t;
}

}  // namespace
}  // namespace quokka

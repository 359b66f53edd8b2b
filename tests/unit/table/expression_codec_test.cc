// Expr serialization: every node kind, literal type and function survives encode -> decode
// (same text, same evaluation result or the same error), and malformed encodings (truncated,
// bytes flipped, hand-made bad nodes) give quokka::Error, never a crash.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "quokka/compute.h"
#include "quokka/expression.h"
#include "quokka/serialize.h"
#include "quokka/table.h"
#include "test_util.h"

namespace quokka {
namespace {

// Columns of every type, with nulls in most of them.
Table AllTypes(int64_t rows) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{
      {"b", DataType::Bool()},
      {"i8", DataType::Int8()},
      {"i16", DataType::Int16()},
      {"i32", DataType::Int32()},
      {"i64", DataType::Int64()},
      {"f", DataType::Float64()},
      {"d", DataType::Decimal(15, 2)},
      {"s", DataType::Utf8()},
      {"day", DataType::Date32()},
      {"ts", DataType::Timestamp(TimeUnit::kMilli)},
  });
  std::mt19937_64 rng(11);
  TableBuilder builder(schema);
  for (int64_t r = 0; r < rows; ++r) {
    const bool null = r % 7 == 3;
    auto append_int = [&](int c, int64_t value) {
      null ? builder.column(c).AppendNull() : builder.column(c).AppendInt64(value);
    };
    append_int(0, static_cast<int64_t>(rng() % 2));
    append_int(1, static_cast<int64_t>(rng() % 200) - 100);
    append_int(2, static_cast<int64_t>(rng() % 20000) - 10000);
    append_int(3, static_cast<int64_t>(rng() % 2000000) - 1000000);
    append_int(4, static_cast<int64_t>(rng() % 100) - 20);
    null ? builder.column(5).AppendNull()
         : builder.column(5).AppendDouble(static_cast<double>(rng() % 1000) / 8.0 - 40.0);
    append_int(6, static_cast<int64_t>(rng() % 1000000));
    builder.column(7).AppendString(std::vector<std::string>{
        "MAIL", "SHIP", "AIR REG", "special requests", "PROMO BRUSHED", ""}[rng() % 6]);
    append_int(8, 8000 + static_cast<int64_t>(rng() % 3000));
    append_int(9, static_cast<int64_t>(rng() % 2000000000000));
  }
  return builder.Finish();
}

Scalar Typed(Scalar value, DataType type) {
  value.type = type;
  return value;
}

std::vector<Expr> Expressions() {
  const Expr disc_price = col("d") * (lit(1) - lit_decimal("0.05"));
  return {
      // columns and literals of every type
      col("i64"),
      col("missing"),
      lit(5),
      lit(int64_t{-9000000000}),
      lit(2.5),
      lit("text with 'quotes'"),
      lit(true),
      lit(false),
      lit_decimal("-12.345"),
      lit_decimal("0.05"),
      date("1995-03-15"),
      lit(Scalar::Timestamp(1234567, TimeUnit::kNano)),
      lit(Typed(Scalar::Int64(-7), DataType::Int8())),
      lit(Typed(Scalar::Int64(300), DataType::Int16())),
      lit(Typed(Scalar::Int64(70000), DataType::Int32())),
      null_literal(DataType::Decimal(10, 2)),
      null_literal(DataType::Utf8()),
      null_literal(DataType::Int64()),
      null_literal(DataType::Timestamp(TimeUnit::kSecond)),
      // literals that failed to parse fail when evaluated, after shipping too
      date("1995-02-30"),
      lit_decimal("1.2.3"),
      // arithmetic
      col("i64") + 1,
      col("i32") - col("i16"),
      col("d") * col("d"),
      col("f") / 3,
      col("d") / col("i64"),
      -col("i8"),
      -col("d"),
      disc_price,
      // comparisons and logic
      col("i64") == 3,
      col("i64") != col("i32"),
      col("f") < 1.5,
      col("d") <= lit_decimal("5000.00"),
      col("s") > "M",
      col("day") >= date("1994-01-01"),
      col("b") && col("i64") > 0,
      col("b") || col("f") < 0,
      !col("b"),
      col("i64").between(1, 30),
      col("d").between(lit_decimal("0.05"), lit_decimal("0.07")),
      col("s").isin({"MAIL", "SHIP"}),
      col("s").isin({}),
      col("i64").isin({col("i32"), 3, null_literal(DataType::Int64())}),
      col("f").is_null(),
      col("s").is_not_null(),
      // strings and dates
      col("s").starts_with("PROMO"),
      col("s").ends_with("REG"),
      col("s").contains("ec"),
      col("s").like("%special%requests%"),
      !col("s").like("A_R%"),
      col("day").year(),
      col("day").month(),
      col("day").day(),
      col("day").add_days(-90),
      col("day").add_months(3),
      col("day").add_years(-1),
      col("day").add_months(int64_t{1} << 40),  // out of range: an error, shipped or not
      // casts to every type, and aliases
      col("i64").cast(DataType::Bool()),
      col("i64").cast(DataType::Int8()),
      col("i64").cast(DataType::Int16()),
      col("i64").cast(DataType::Int32()),
      col("i32").cast(DataType::Int64()),
      col("d").cast(DataType::Float64()),
      col("i64").cast(DataType::Decimal(18, 3)),
      col("i64").cast(DataType::Utf8()),
      lit("1995-01-01").cast(DataType::Date32()),
      col("day").cast(DataType::Timestamp(TimeUnit::kMicro)),
      col("s").cast(DataType::Int64()),  // fails on most rows: same error
      (col("i64") * 2).alias("twice"),
      col("i64").alias(""),
      // the TPC-H expressions
      col("day") <= date("1998-12-01").add_days(-90),
      (disc_price * (lit(1) + col("d"))).alias("charge"),
      (col("s") == "1-URGENT" || col("s") == "2-HIGH").cast(DataType::Int64()),
      col("s").like("PROMO%").cast(DataType::Int64()) * col("d"),
      (lit(100.0) * col("d") / col("d")).alias("promo_revenue"),
      col("day") >= date("1994-01-01") && col("day") < date("1995-01-01") &&
          col("d").between(lit_decimal("0.05"), lit_decimal("0.07")) && col("i64") < 24,
      (col("s") == "Brand#12" && col("s").isin({"SM CASE", "SM BOX", "SM PACK", "SM PKG"}) &&
       col("i64").between(1, 1 + 10) && col("i32").between(1, 5)) ||
          (col("s") == "Brand#23" && col("i64").between(10, 20)),
  };
}

std::string EncodeExpr(const Expr& expr) {
  Encoder out;
  expr.Encode(out);
  return std::string(out.bytes());
}

Expr DecodeExpr(const std::string& bytes) {
  Decoder in(bytes);
  Expr expr = Expr::Decode(in);
  EXPECT_TRUE(in.AtEnd());
  return expr;
}

// Evaluation outcome as text: every value, or the error.
std::string Outcome(const Expr& expr, const Table& table) {
  Result<ColumnPtr> column = Evaluate(expr, table);
  if (!column.ok()) return "error: " + column.status().ToString();
  std::string text = (*column)->type().ToString() + ":";
  for (int64_t r = 0; r < (*column)->length(); ++r) {
    text += " " + ((*column)->IsNull(r) ? std::string("null") : (*column)->ValueToString(r));
  }
  return text;
}

TEST(ExprCodecTest, RoundTripsEvaluateTheSame) {
  const Table table = AllTypes(50);
  for (const Expr& expr : Expressions()) {
    SCOPED_TRACE(expr.ToString());
    Expr decoded = DecodeExpr(EncodeExpr(expr));
    EXPECT_EQ(decoded.ToString(), expr.ToString());
    EXPECT_EQ(decoded.name(), expr.name());
    EXPECT_EQ(Outcome(decoded, table), Outcome(expr, table));
    // Encoding is deterministic, so a decoded tree encodes to the same bytes.
    EXPECT_EQ(EncodeExpr(decoded), EncodeExpr(expr));
  }
}

TEST(ExprCodecTest, LiteralsKeepTypesAndValues) {
  const std::vector<Scalar> scalars = {
      Scalar::Bool(true),
      Scalar::Int64(INT64_MIN),
      Scalar::Float64(-0.0),
      Scalar::Float64(1e300),
      Scalar::Utf8(std::string("nul\0byte", 8)),
      Scalar::Decimal(-123456789012345678, 18, 18),
      Scalar::Date32(-719162),
      Scalar::Timestamp(INT64_MAX, TimeUnit::kSecond),
      Scalar::Null(DataType::Date32()),
      Scalar::Null(DataType::Bool()),
  };
  for (const Scalar& scalar : scalars) {
    SCOPED_TRACE(scalar.type.ToString() + " " + scalar.ToString());
    Expr decoded = DecodeExpr(EncodeExpr(lit(scalar)));
    Result<ColumnPtr> column = Evaluate(decoded, AllTypes(1));
    QK_ASSERT_OK(column);
    EXPECT_TRUE(Scalar::FromColumn(**column, 0).Equals(scalar));
  }
}

TEST(ExprCodecTest, FiltersAndProjectsTheSame) {
  const Table table = AllTypes(200);
  const Expr predicate = col("s").isin({"MAIL", "SHIP"}) && col("day") < date("1996-01-01");
  const std::vector<Expr> projection = {col("i64"), (col("d") * 2).alias("d2"),
                                        col("day").year().alias("y")};
  Table expected = *Project(*Filter(table, predicate), projection);
  std::vector<Expr> decoded_projection;
  for (const Expr& expr : projection) decoded_projection.push_back(DecodeExpr(EncodeExpr(expr)));
  Table actual = *Project(*Filter(table, DecodeExpr(EncodeExpr(predicate))), decoded_projection);
  EXPECT_TRUE(actual.Equals(expected));
  EXPECT_GT(actual.num_rows(), 0);
}

// Decoding `bytes` either gives an expression (which then evaluates to a value or an error)
// or throws quokka::Error; anything else fails the test.
void DecodeAnything(const std::string& bytes, const Table& table) {
  try {
    Decoder in(bytes);
    Expr expr = Expr::Decode(in);
    (void)Evaluate(expr, table);
    (void)expr.ToString();
  } catch (const Error& error) {
    EXPECT_FALSE(error.status().ok());
  }
}

TEST(ExprCodecTest, TruncatedAndFlippedBytesNeverCrash) {
  const Table table = AllTypes(10);
  std::mt19937_64 rng(5);
  for (const Expr& expr : Expressions()) {
    const std::string bytes = EncodeExpr(expr);
    for (size_t n = 0; n < bytes.size(); ++n) {
      std::string cut = bytes.substr(0, n);
      EXPECT_THROW(
          {
            Decoder in(cut);
            Expr::Decode(in);
          },
          Error)
          << expr.ToString() << " cut to " << n << " bytes";
    }
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (unsigned char mask : {0x01, 0x10, 0x80, 0xff}) {
        std::string flipped = bytes;
        flipped[i] = static_cast<char>(flipped[i] ^ mask);
        DecodeAnything(flipped, table);
      }
      std::string random = bytes;
      random[i] = static_cast<char>(rng());
      DecodeAnything(random, table);
    }
  }
}

// The encoding of an expression written by hand: an array of `nodes` nodes in postorder.
template <typename Fn>
std::string Nodes(uint32_t nodes, Fn write) {
  Encoder out;
  out.ArrayHeader(nodes);
  write(out);
  return std::string(out.bytes());
}

void Column(Encoder& out) {
  out.ArrayHeader(3);
  out.Int(0);  // column
  out.Int(0);  // no arguments
  out.String("x");
}

std::string DecodeError(const std::string& bytes) {
  try {
    Decoder in(bytes);
    Expr::Decode(in);
  } catch (const Error& error) {
    return error.status().message();
  }
  return "decoded";
}

TEST(ExprCodecTest, MalformedNodesGiveClearErrors) {
  EXPECT_EQ(DecodeError(Nodes(1, Column)), "decoded");
  QK_EXPECT_CONTAINS(DecodeError(Nodes(0, [](Encoder&) {})), "0 roots");
  QK_EXPECT_CONTAINS(DecodeError(Nodes(2,
                                       [](Encoder& out) {
                                         Column(out);
                                         Column(out);
                                       })),
                     "2 roots");
  QK_EXPECT_CONTAINS(DecodeError(Nodes(1, [](Encoder& out) { out.ArrayHeader(0); })),
                     "needs a kind");
  for (int64_t kind : {int64_t{99}, int64_t{-1}}) {
    QK_EXPECT_CONTAINS(DecodeError(Nodes(1,
                                         [&](Encoder& out) {
                                           out.ArrayHeader(2);
                                           out.Int(kind);
                                           out.Int(0);
                                         })),
                       "unknown node kind " + std::to_string(kind));
  }
  // A comparison with one argument, a negation with two, arguments that are not there.
  QK_EXPECT_CONTAINS(DecodeError(Nodes(2,
                                       [](Encoder& out) {
                                         Column(out);
                                         out.ArrayHeader(3);
                                         out.Int(3);
                                         out.Int(1);
                                         out.Int(0);
                                       })),
                     "has 1 arguments");
  QK_EXPECT_CONTAINS(DecodeError(Nodes(3,
                                       [](Encoder& out) {
                                         Column(out);
                                         Column(out);
                                         out.ArrayHeader(2);
                                         out.Int(5);
                                         out.Int(2);
                                       })),
                     "has 2 arguments");
  QK_EXPECT_CONTAINS(DecodeError(Nodes(1,
                                       [](Encoder& out) {
                                         out.ArrayHeader(2);
                                         out.Int(5);
                                         out.Int(1);
                                       })),
                     "(0 available)");
  // An unknown comparison operator, date part, and cast type.
  QK_EXPECT_CONTAINS(DecodeError(Nodes(3,
                                       [](Encoder& out) {
                                         Column(out);
                                         Column(out);
                                         out.ArrayHeader(3);
                                         out.Int(3);
                                         out.Int(2);
                                         out.Int(6);
                                       })),
                     "unknown comparison 6");
  QK_EXPECT_CONTAINS(DecodeError(Nodes(2,
                                       [](Encoder& out) {
                                         Column(out);
                                         out.ArrayHeader(3);
                                         out.Int(17);
                                         out.Int(1);
                                         out.Int(3);
                                       })),
                     "unknown date part 3");
  QK_EXPECT_CONTAINS(DecodeError(Nodes(2,
                                       [](Encoder& out) {
                                         Column(out);
                                         out.ArrayHeader(3);
                                         out.Int(20);
                                         out.Int(1);
                                         out.String("decimal(40,2)");
                                       })),
                     "unknown data type 'decimal(40,2)'");
  // Literals: a value out of its type's range, and a value of the wrong kind.
  QK_EXPECT_CONTAINS(DecodeError(Nodes(1,
                                       [](Encoder& out) {
                                         out.ArrayHeader(4);
                                         out.Int(1);
                                         out.Int(0);
                                         out.String("int8");
                                         out.Int(1000);
                                       })),
                     "out of range for int8");
  QK_EXPECT_CONTAINS(DecodeError(Nodes(1,
                                       [](Encoder& out) {
                                         out.ArrayHeader(4);
                                         out.Int(1);
                                         out.Int(0);
                                         out.String("utf8");
                                         out.Int(1);
                                       })),
                     "expected a string");
  // A node missing its parameter.
  QK_EXPECT_CONTAINS(DecodeError(Nodes(1,
                                       [](Encoder& out) {
                                         out.ArrayHeader(2);
                                         out.Int(0);
                                         out.Int(0);
                                       })),
                     "has 2 fields, expected 3");
}

TEST(ExprCodecTest, DepthIsBoundedBothWays) {
  // Deep trees ship (MessagePack nesting does not grow with the depth) ...
  Expr deep = col("i64");
  for (int i = 1; i < 1000; ++i) deep = -deep;
  Expr decoded = DecodeExpr(EncodeExpr(deep));
  EXPECT_EQ(Outcome(decoded, AllTypes(5)), Outcome(deep, AllTypes(5)));
  // ... up to a depth that recursive evaluation handles; deeper ones fail on both sides.
  Expr deeper = -deep;
  Encoder out;
  EXPECT_THROW(deeper.Encode(out), Error);
  const std::string bytes = Nodes(100001, [](Encoder& out) {
    Column(out);
    for (int i = 0; i < 100000; ++i) {
      out.ArrayHeader(2);
      out.Int(5);  // negate
      out.Int(1);
    }
  });
  QK_EXPECT_CONTAINS(DecodeError(bytes), "nested deeper than 1000");
}

}  // namespace
}  // namespace quokka

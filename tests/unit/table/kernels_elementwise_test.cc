// Element-wise kernels (compare, arithmetic, logic, strings, dates, casts) against plain
// row-by-row reference implementations, on random columns with nulls, of several sizes, and
// sliced (non-zero offsets).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "quokka/column.h"
#include "quokka/compute.h"
#include "quokka/table.h"
#include "test_util.h"

namespace quokka {
namespace {

using compute::ArithmeticOp;
using compute::CompareOp;

const int64_t kSizes[] = {0, 1, 7, 63, 64, 65, 1000};
const int64_t kOffsets[] = {0, 3, 8, 13};

int64_t Pow10(int n) {
  int64_t r = 1;
  while (n-- > 0) r *= 10;
  return r;
}

// A random column of `type`: small value ranges (so equal values occur), ~15% nulls, built
// with `offset` extra leading rows and sliced so that its offset is non-zero.
ColumnPtr RandomColumn(const DataType& type, int64_t n, uint64_t seed, int64_t offset = 0,
                       double null_probability = 0.15) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  ColumnBuilder builder(type);
  for (int64_t i = 0; i < n + offset; ++i) {
    if (unit(rng) < null_probability) {
      builder.AppendNull();
      continue;
    }
    switch (type.id) {
      case TypeId::kBool:
        builder.AppendBool(rng() % 2);
        break;
      case TypeId::kInt8:
        builder.AppendInt64(static_cast<int64_t>(rng() % 21) - 10);
        break;
      case TypeId::kInt16:
      case TypeId::kInt32:
      case TypeId::kInt64:
        builder.AppendInt64(static_cast<int64_t>(rng() % 41) - 20);
        break;
      case TypeId::kFloat64: {
        static const double kValues[] = {-2.5, -1, -0.0, 0, 0.5, 1, 1.25, 3, 1e10, 7.75};
        builder.AppendDouble(kValues[rng() % 10]);
        break;
      }
      case TypeId::kDecimal:
        builder.AppendInt64(static_cast<int64_t>(rng() % 2001) - 1000);
        break;
      case TypeId::kUtf8: {
        std::string s;
        const int len = static_cast<int>(rng() % 6);
        for (int k = 0; k < len; ++k) s.push_back("abc"[rng() % 3]);
        builder.AppendString(s);
        break;
      }
      case TypeId::kDate32:
        builder.AppendInt64(static_cast<int64_t>(rng() % 20000) - 3000);
        break;
      case TypeId::kTimestamp:
        builder.AppendInt64(static_cast<int64_t>(rng() % 2000000000000) - 100000000000);
        break;
    }
  }
  ColumnPtr column = builder.Finish();
  return offset == 0 ? column : column->Slice(offset, n);
}

Scalar RandomScalar(const DataType& type, uint64_t seed) {
  ColumnPtr c = RandomColumn(type, 1, seed, 0, 0.0);
  return Scalar::FromColumn(*c, 0);
}

// Expect a bool column equal to `expected` (nullopt = null).
void ExpectBools(const ColumnPtr& actual, const std::vector<std::optional<bool>>& expected,
                 const std::string& what) {
  ASSERT_EQ(actual->type(), DataType::Bool()) << what;
  ASSERT_EQ(actual->length(), static_cast<int64_t>(expected.size())) << what;
  int64_t nulls = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(actual->IsValid(i), expected[i].has_value()) << what << " row " << i;
    if (expected[i]) {
      ASSERT_EQ(actual->GetBool(i), *expected[i]) << what << " row " << i;
    }
    nulls += !expected[i].has_value();
  }
  EXPECT_EQ(actual->null_count(), nulls) << what;
}

// ---- reference comparison -------------------------------------------------------------------

int ScaleOf(const DataType& t) { return t.id == TypeId::kDecimal ? t.scale : 0; }

// Three-way comparison of two non-null values in exact arithmetic.
int ReferenceCompare(const Scalar& a, const Scalar& b) {
  auto sign = [](auto x) { return (x > 0) - (x < 0); };
  if (a.type.id == TypeId::kUtf8) return sign(a.string_value.compare(b.string_value));
  auto as_double = [](const Scalar& s) {
    return s.type.id == TypeId::kFloat64
               ? s.double_value
               : static_cast<double>(s.int_value) / static_cast<double>(Pow10(ScaleOf(s.type)));
  };
  if (a.type.id == TypeId::kFloat64 || b.type.id == TypeId::kFloat64) {
    double x = as_double(a), y = as_double(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  auto units = [](const Scalar& s, const Scalar& other) -> __int128 {
    // Dates against timestamps compare in the timestamp's unit.
    if (s.type.id == TypeId::kDate32 && other.type.id == TypeId::kTimestamp) {
      return static_cast<__int128>(s.int_value) * 86400 * 1000000;
    }
    return s.int_value;
  };
  const int scale = std::max(ScaleOf(a.type), ScaleOf(b.type));
  __int128 x = units(a, b) * Pow10(scale - ScaleOf(a.type));
  __int128 y = units(b, a) * Pow10(scale - ScaleOf(b.type));
  return x < y ? -1 : x > y ? 1 : 0;
}

bool Holds(CompareOp op, int c) {
  switch (op) {
    case CompareOp::kEq:
      return c == 0;
    case CompareOp::kNe:
      return c != 0;
    case CompareOp::kLt:
      return c < 0;
    case CompareOp::kLe:
      return c <= 0;
    case CompareOp::kGt:
      return c > 0;
    case CompareOp::kGe:
      return c >= 0;
  }
  return false;
}

Scalar ScalarAt(const Datum& d, int64_t i) {
  return d.is_scalar() ? d.scalar() : Scalar::FromColumn(*d.column(), i);
}

const CompareOp kCompareOps[] = {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt,
                                 CompareOp::kLe, CompareOp::kGt, CompareOp::kGe};

TEST(KernelCompareTest, MatchesReferenceForAllTypePairs) {
  const std::vector<std::pair<DataType, DataType>> pairs = {
      {DataType::Int64(), DataType::Int64()},
      {DataType::Int32(), DataType::Int64()},
      {DataType::Int8(), DataType::Int16()},
      {DataType::Float64(), DataType::Float64()},
      {DataType::Int64(), DataType::Float64()},
      {DataType::Decimal(15, 2), DataType::Decimal(15, 2)},
      {DataType::Decimal(15, 2), DataType::Decimal(12, 4)},
      {DataType::Decimal(15, 2), DataType::Int64()},
      {DataType::Decimal(15, 2), DataType::Float64()},
      {DataType::Utf8(), DataType::Utf8()},
      {DataType::Date32(), DataType::Date32()},
      {DataType::Timestamp(), DataType::Timestamp()},
      {DataType::Date32(), DataType::Timestamp()},
      {DataType::Bool(), DataType::Bool()},
  };
  uint64_t seed = 1;
  for (const auto& [lt, rt] : pairs) {
    for (int64_t n : kSizes) {
      for (int64_t offset : {int64_t{0}, int64_t{13}}) {
        ColumnPtr a = RandomColumn(lt, n, ++seed, offset);
        ColumnPtr b = RandomColumn(rt, n, ++seed, offset == 0 ? 5 : 0);
        const std::vector<std::pair<Datum, Datum>> operands = {
            {a, b}, {a, RandomScalar(rt, ++seed)}, {RandomScalar(lt, ++seed), b}};
        for (const auto& [l, r] : operands) {
          for (CompareOp op : kCompareOps) {
            const std::string what =
                lt.ToString() + " " + compute::ToString(op) + " " + rt.ToString() +
                " n=" + std::to_string(n) + " offset=" + std::to_string(offset) +
                (l.is_scalar() ? " scalar-left" : "") + (r.is_scalar() ? " scalar-right" : "");
            Result<ColumnPtr> result = compute::Compare(op, l, r);
            ASSERT_TRUE(result.ok()) << what << ": " << result.status().ToString();
            std::vector<std::optional<bool>> expected(n);
            for (int64_t i = 0; i < n; ++i) {
              Scalar x = ScalarAt(l, i), y = ScalarAt(r, i);
              if (x.is_valid && y.is_valid) expected[i] = Holds(op, ReferenceCompare(x, y));
            }
            ExpectBools(*result, expected, what);
          }
        }
      }
    }
  }
}

TEST(KernelCompareTest, NullScalarGivesAllNull) {
  ColumnPtr a = RandomColumn(DataType::Int64(), 65, 7, 3);
  Result<ColumnPtr> r = compute::Compare(CompareOp::kEq, a, Scalar::Null(DataType::Int64()));
  QK_ASSERT_OK(r);
  EXPECT_EQ((*r)->null_count(), 65);
}

TEST(KernelCompareTest, TypeMismatchNamesTypes) {
  ColumnPtr a = RandomColumn(DataType::Utf8(), 10, 1);
  Result<ColumnPtr> r = compute::Compare(CompareOp::kLt, a, Scalar::Int64(3));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTypeError);
  QK_EXPECT_CONTAINS(r.status().message(), "utf8");
  QK_EXPECT_CONTAINS(r.status().message(), "int64");
  ColumnPtr b = RandomColumn(DataType::Int64(), 11, 1);
  EXPECT_FALSE(compute::Compare(CompareOp::kEq, RandomColumn(DataType::Int64(), 10, 1), b).ok());
}

TEST(KernelCompareTest, Utf8ScalarAgainstDate) {
  ColumnPtr d = RandomColumn(DataType::Date32(), 100, 3);
  Result<ColumnPtr> r = compute::Compare(CompareOp::kLe, d, Scalar::Utf8("1998-09-02"));
  QK_ASSERT_OK(r);
  int32_t limit = 0;
  ASSERT_TRUE(ParseDate("1998-09-02", &limit));
  for (int64_t i = 0; i < 100; ++i) {
    if (d->IsValid(i)) {
      EXPECT_EQ((*r)->GetBool(i), d->values<int32_t>()[i] <= limit);
    }
  }
  EXPECT_FALSE(compute::Compare(CompareOp::kLe, d, Scalar::Utf8("1998-13-02")).ok());
}

TEST(KernelCompareTest, BetweenIsInIsNull) {
  uint64_t seed = 100;
  for (int64_t n : kSizes) {
    for (int64_t offset : kOffsets) {
      ColumnPtr a = RandomColumn(DataType::Decimal(15, 2), n, ++seed, offset);
      // between decimal(15,2) and integers / decimals of another scale
      Result<ColumnPtr> between =
          compute::Between(a, Scalar::Int64(-3), Scalar::Decimal(2500, 12, 3));
      QK_ASSERT_OK(between);
      std::vector<std::optional<bool>> expected(n);
      for (int64_t i = 0; i < n; ++i) {
        if (a->IsValid(i)) {
          int64_t v = a->values<int64_t>()[i];  // in cents
          expected[i] = v >= -300 && v * 10 <= 2500;
        }
      }
      ExpectBools(*between, expected, "between n=" + std::to_string(n));

      // is_in over int64 with and without a null in the set, small and large sets
      ColumnPtr b = RandomColumn(DataType::Int32(), n, ++seed, offset);
      for (int set_size : {3, 40}) {
        for (bool with_null : {false, true}) {
          std::vector<Scalar> values;
          std::vector<int64_t> raw;
          for (int k = 0; k < set_size; ++k) {
            raw.push_back((k * 7) % 41 - 20);
            values.push_back(Scalar::Int64(raw.back()));
          }
          if (with_null) values.push_back(Scalar::Null(DataType::Int64()));
          Result<ColumnPtr> in = compute::IsIn(b, values);
          QK_ASSERT_OK(in);
          std::vector<std::optional<bool>> exp(n);
          for (int64_t i = 0; i < n; ++i) {
            if (!b->IsValid(i)) continue;
            bool found = std::find(raw.begin(), raw.end(), b->GetInt64(i)) != raw.end();
            if (found || !with_null) exp[i] = found;
          }
          ExpectBools(*in, exp, "is_in size " + std::to_string(set_size));
        }
      }

      // is_null / is_not_null
      QK_ASSERT_OK(compute::IsNull(b));
      std::vector<std::optional<bool>> nulls(n), valid(n);
      for (int64_t i = 0; i < n; ++i) {
        nulls[i] = b->IsNull(i);
        valid[i] = b->IsValid(i);
      }
      ExpectBools(*compute::IsNull(b), nulls, "is_null");
      ExpectBools(*compute::IsNotNull(b), valid, "is_not_null");
    }
  }
}

TEST(KernelCompareTest, IsInStrings) {
  ColumnPtr s = RandomColumn(DataType::Utf8(), 500, 9, 5);
  std::vector<std::string> set = {"a", "bc", "", "cab"};
  std::vector<Scalar> values;
  for (const std::string& v : set) values.push_back(Scalar::Utf8(v));
  Result<ColumnPtr> in = compute::IsIn(s, values);
  QK_ASSERT_OK(in);
  std::vector<std::optional<bool>> expected(500);
  for (int64_t i = 0; i < 500; ++i) {
    if (s->IsValid(i)) {
      expected[i] = std::find(set.begin(), set.end(), s->GetString(i)) != set.end();
    }
  }
  ExpectBools(*in, expected, "is_in utf8");
  EXPECT_FALSE(compute::IsIn(s, {Scalar::Int64(1)}).ok());
}

// ---- logic ----------------------------------------------------------------------------------

std::optional<bool> B(const Datum& d, int64_t i) {
  Scalar s = ScalarAt(d, i);
  if (!s.is_valid) return std::nullopt;
  return s.int_value != 0;
}

TEST(KernelLogicalTest, KleeneAndOrNot) {
  uint64_t seed = 200;
  for (int64_t n : kSizes) {
    for (int64_t offset : kOffsets) {
      ColumnPtr a = RandomColumn(DataType::Bool(), n, ++seed, offset, 0.3);
      ColumnPtr b = RandomColumn(DataType::Bool(), n, ++seed, (offset + 5) % 16, 0.3);
      ColumnPtr no_nulls = RandomColumn(DataType::Bool(), n, ++seed, offset, 0.0);
      const std::vector<std::pair<Datum, Datum>> operands = {{a, b},
                                                             {a, no_nulls},
                                                             {no_nulls, no_nulls},
                                                             {a, Scalar::Bool(true)},
                                                             {Scalar::Bool(false), b},
                                                             {a, Scalar::Null(DataType::Bool())}};
      for (const auto& [l, r] : operands) {
        std::vector<std::optional<bool>> and_expected(n), or_expected(n);
        for (int64_t i = 0; i < n; ++i) {
          std::optional<bool> x = B(l, i), y = B(r, i);
          if ((x && !*x) || (y && !*y)) {
            and_expected[i] = false;
          } else if (x && y) {
            and_expected[i] = true;
          }
          if ((x && *x) || (y && *y)) {
            or_expected[i] = true;
          } else if (x && y) {
            or_expected[i] = false;
          }
        }
        Result<ColumnPtr> and_result = compute::And(l, r);
        Result<ColumnPtr> or_result = compute::Or(l, r);
        QK_ASSERT_OK(and_result);
        QK_ASSERT_OK(or_result);
        ExpectBools(*and_result, and_expected, "and n=" + std::to_string(n));
        ExpectBools(*or_result, or_expected, "or n=" + std::to_string(n));
      }
      std::vector<std::optional<bool>> not_expected(n);
      for (int64_t i = 0; i < n; ++i) {
        if (a->IsValid(i)) not_expected[i] = !a->GetBool(i);
      }
      ExpectBools(*compute::Not(a), not_expected, "not");
    }
  }
  EXPECT_EQ(compute::And(RandomColumn(DataType::Int64(), 3, 1), Scalar::Bool(true)).status().code(),
            StatusCode::kTypeError);
}

// ---- arithmetic -----------------------------------------------------------------------------

struct Expected {
  bool valid = false;
  __int128 i = 0;  // integer or unscaled decimal
  double d = 0;
};

TEST(KernelArithmeticTest, IntegersFloatsDecimals) {
  struct Case {
    DataType l, r;
    DataType out_id;  // expected result type
  };
  const std::vector<Case> cases = {
      {DataType::Int64(), DataType::Int64(), DataType::Int64()},
      {DataType::Int32(), DataType::Int8(), DataType::Int64()},
      {DataType::Float64(), DataType::Float64(), DataType::Float64()},
      {DataType::Int64(), DataType::Float64(), DataType::Float64()},
      {DataType::Decimal(15, 2), DataType::Decimal(15, 2), DataType::Decimal(15, 2)},
      {DataType::Decimal(15, 2), DataType::Decimal(10, 3), DataType::Decimal(15, 3)},
      {DataType::Decimal(15, 2), DataType::Int64(), DataType::Decimal(15, 2)},
      {DataType::Decimal(15, 2), DataType::Float64(), DataType::Float64()},
  };
  const ArithmeticOp ops[] = {ArithmeticOp::kAdd, ArithmeticOp::kSub, ArithmeticOp::kMul,
                              ArithmeticOp::kDiv};
  uint64_t seed = 300;
  for (const Case& c : cases) {
    for (int64_t n : kSizes) {
      for (int64_t offset : {int64_t{0}, int64_t{11}}) {
        ColumnPtr a = RandomColumn(c.l, n, ++seed, offset);
        ColumnPtr b = RandomColumn(c.r, n, ++seed, 3);
        const std::vector<std::pair<Datum, Datum>> operands = {
            {a, b}, {a, RandomScalar(c.r, ++seed)}, {RandomScalar(c.l, ++seed), b}};
        for (const auto& [l, r] : operands) {
          for (ArithmeticOp op : ops) {
            const std::string what = c.l.ToString() + " " + compute::ToString(op) + " " +
                                     c.r.ToString() + " n=" + std::to_string(n);
            Result<ColumnPtr> result = compute::Arithmetic(op, l, r);
            ASSERT_TRUE(result.ok()) << what << ": " << result.status().ToString();
            const ColumnPtr& out = *result;
            ASSERT_EQ(out->length(), n) << what;
            const bool is_decimal = c.out_id.id == TypeId::kDecimal && op != ArithmeticOp::kDiv;
            const bool is_float = c.out_id.id == TypeId::kFloat64 ||
                                  (op == ArithmeticOp::kDiv && c.out_id.id != TypeId::kInt64);
            if (is_float) {
              ASSERT_EQ(out->type(), DataType::Float64()) << what;
            } else if (is_decimal) {
              ASSERT_EQ(out->type().id, TypeId::kDecimal) << what;
              const int expected_scale = op == ArithmeticOp::kMul
                                             ? ScaleOf(c.l) + ScaleOf(c.r)
                                             : std::max(ScaleOf(c.l), ScaleOf(c.r));
              ASSERT_EQ(out->type().scale, expected_scale) << what;
            } else {
              ASSERT_EQ(out->type(), DataType::Int64()) << what;
            }
            for (int64_t i = 0; i < n; ++i) {
              Scalar x = ScalarAt(l, i), y = ScalarAt(r, i);
              bool valid = x.is_valid && y.is_valid;
              if (!is_float && !is_decimal && op == ArithmeticOp::kDiv && valid &&
                  y.int_value == 0) {
                valid = false;  // integer division by zero
              }
              ASSERT_EQ(out->IsValid(i), valid) << what << " row " << i;
              if (!valid) continue;
              if (is_float) {
                auto dbl = [](const Scalar& s) {
                  return s.type.id == TypeId::kFloat64
                             ? s.double_value
                             : static_cast<double>(s.int_value) /
                                   static_cast<double>(Pow10(ScaleOf(s.type)));
                };
                double xv = dbl(x), yv = dbl(y), e = 0;
                switch (op) {
                  case ArithmeticOp::kAdd:
                    e = xv + yv;
                    break;
                  case ArithmeticOp::kSub:
                    e = xv - yv;
                    break;
                  case ArithmeticOp::kMul:
                    e = xv * yv;
                    break;
                  case ArithmeticOp::kDiv:
                    e = xv / yv;
                    break;
                }
                double got = out->values<double>()[i];
                if (std::isnan(e)) {
                  EXPECT_TRUE(std::isnan(got)) << what << " row " << i;
                } else {
                  EXPECT_EQ(got, e) << what << " row " << i;
                }
              } else {
                const int sx = ScaleOf(x.type), sy = ScaleOf(y.type);
                const int s = std::max(sx, sy);
                __int128 xv = x.int_value, yv = y.int_value, e = 0;
                switch (op) {
                  case ArithmeticOp::kAdd:
                    e = xv * Pow10(s - sx) + yv * Pow10(s - sy);
                    break;
                  case ArithmeticOp::kSub:
                    e = xv * Pow10(s - sx) - yv * Pow10(s - sy);
                    break;
                  case ArithmeticOp::kMul:
                    e = xv * yv;
                    break;
                  case ArithmeticOp::kDiv:
                    e = xv / yv;
                    break;
                }
                EXPECT_EQ(out->values<int64_t>()[i], static_cast<int64_t>(e))
                    << what << " row " << i;
              }
            }
          }
        }
      }
    }
  }
}

TEST(KernelArithmeticTest, DecimalPrecisionAndTpchExpression) {
  // l_extendedprice * (1 - l_discount): decimal(15,2) * decimal(16,2) -> decimal(18,4)
  ColumnBuilder price(DataType::Decimal(15, 2)), discount(DataType::Decimal(15, 2));
  price.AppendInt64(123456);  // 1234.56
  discount.AppendInt64(5);    // 0.05
  ColumnPtr p = price.Finish(), d = discount.Finish();
  Result<ColumnPtr> one_minus = compute::Arithmetic(ArithmeticOp::kSub, Scalar::Int64(1), d);
  QK_ASSERT_OK(one_minus);
  EXPECT_EQ((*one_minus)->type(), DataType::Decimal(16, 2));
  EXPECT_EQ((*one_minus)->values<int64_t>()[0], 95);
  Result<ColumnPtr> revenue = compute::Arithmetic(ArithmeticOp::kMul, p, *one_minus);
  QK_ASSERT_OK(revenue);
  EXPECT_EQ((*revenue)->type(), DataType::Decimal(18, 4));
  EXPECT_EQ((*revenue)->ValueToString(0), "1172.8320");
  // decimal / decimal -> float64
  Result<ColumnPtr> ratio = compute::Arithmetic(ArithmeticOp::kDiv, p, d);
  QK_ASSERT_OK(ratio);
  EXPECT_EQ((*ratio)->type(), DataType::Float64());
  EXPECT_DOUBLE_EQ((*ratio)->values<double>()[0], 1234.56 / 0.05);
  // scale overflow is an error naming the types
  ColumnBuilder big(DataType::Decimal(18, 10));
  big.AppendInt64(1);
  ColumnPtr b = big.Finish();
  Result<ColumnPtr> too_fine = compute::Arithmetic(ArithmeticOp::kMul, b, b);
  ASSERT_FALSE(too_fine.ok());
  QK_EXPECT_CONTAINS(too_fine.status().message(), "decimal(18,10)");
  // type errors
  Result<ColumnPtr> bad =
      compute::Arithmetic(ArithmeticOp::kAdd, RandomColumn(DataType::Utf8(), 1, 1), p);
  EXPECT_EQ(bad.status().code(), StatusCode::kTypeError);
}

TEST(KernelArithmeticTest, Negate) {
  uint64_t seed = 400;
  for (DataType type :
       {DataType::Int64(), DataType::Int16(), DataType::Float64(), DataType::Decimal(15, 2)}) {
    for (int64_t n : kSizes) {
      ColumnPtr a = RandomColumn(type, n, ++seed, 9);
      Result<ColumnPtr> neg = compute::Negate(a);
      QK_ASSERT_OK(neg);
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ((*neg)->IsValid(i), a->IsValid(i));
        if (!a->IsValid(i)) continue;
        if (type.id == TypeId::kFloat64) {
          EXPECT_EQ((*neg)->values<double>()[i], -a->values<double>()[i]);
        } else {
          EXPECT_EQ((*neg)->GetInt64(i), -a->GetInt64(i));
        }
      }
    }
  }
  EXPECT_FALSE(compute::Negate(RandomColumn(DataType::Utf8(), 2, 1)).ok());
}

// ---- dates ----------------------------------------------------------------------------------

TEST(KernelDateTest, PartsAndArithmetic) {
  uint64_t seed = 500;
  for (int64_t n : kSizes) {
    for (int64_t offset : kOffsets) {
      ColumnPtr d = RandomColumn(DataType::Date32(), n, ++seed, offset);
      Result<ColumnPtr> year = compute::ExtractDatePart(d, compute::DatePart::kYear);
      Result<ColumnPtr> month = compute::ExtractDatePart(d, compute::DatePart::kMonth);
      Result<ColumnPtr> day = compute::ExtractDatePart(d, compute::DatePart::kDay);
      QK_ASSERT_OK(year);
      QK_ASSERT_OK(month);
      QK_ASSERT_OK(day);
      Result<ColumnPtr> plus = compute::AddDays(d, 45);
      Result<ColumnPtr> minus = compute::Arithmetic(ArithmeticOp::kSub, d, Scalar::Int64(45));
      Result<ColumnPtr> months = compute::AddMonths(d, 13);
      Result<ColumnPtr> back = compute::AddMonths(d, -25);
      QK_ASSERT_OK(plus);
      QK_ASSERT_OK(minus);
      QK_ASSERT_OK(months);
      QK_ASSERT_OK(back);
      EXPECT_EQ((*minus)->type(), DataType::Date32());
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ((*year)->IsValid(i), d->IsValid(i));
        ASSERT_EQ((*months)->IsValid(i), d->IsValid(i));
        if (!d->IsValid(i)) continue;
        const int32_t days = d->values<int32_t>()[i];
        int y, m, dd;
        CivilFromDays(days, &y, &m, &dd);
        EXPECT_EQ((*year)->GetInt64(i), y);
        EXPECT_EQ((*month)->GetInt64(i), m);
        EXPECT_EQ((*day)->GetInt64(i), dd);
        EXPECT_EQ((*plus)->values<int32_t>()[i], days + 45);
        EXPECT_EQ((*minus)->values<int32_t>()[i], days - 45);
        for (auto [delta, result] : {std::pair{13, *months}, std::pair{-25, *back}}) {
          int total = y * 12 + (m - 1) + delta;
          int ny = total / 12, nm = total % 12 + 1;  // years here are positive
          int last = 31;
          while (last > 28) {
            int32_t probe;
            char text[48];
            std::snprintf(text, sizeof(text), "%04d-%02d-%02d", ny, nm, last);
            if (ParseDate(text, &probe)) break;
            --last;
          }
          EXPECT_EQ(result->values<int32_t>()[i], DaysFromCivil(ny, nm, std::min(dd, last)))
              << "from " << d->ValueToString(i) << " add " << delta;
        }
      }
    }
  }
}

TEST(KernelDateTest, EndOfMonthClampingAndErrors) {
  ColumnBuilder b(DataType::Date32());
  for (const char* text : {"2000-01-31", "1999-01-31", "2000-03-31", "2000-02-29"}) {
    int32_t days;
    ASSERT_TRUE(ParseDate(text, &days));
    b.AppendInt64(days);
  }
  ColumnPtr d = b.Finish();
  ColumnPtr plus1 = *compute::AddMonths(d, 1);
  EXPECT_EQ(plus1->ValueToString(0), "2000-02-29");
  EXPECT_EQ(plus1->ValueToString(1), "1999-02-28");
  EXPECT_EQ(plus1->ValueToString(2), "2000-04-30");
  ColumnPtr plus_year = *compute::AddMonths(d, 12);
  EXPECT_EQ(plus_year->ValueToString(3), "2001-02-28");
  ColumnPtr minus = *compute::AddMonths(d, -1);
  EXPECT_EQ(minus->ValueToString(2), "2000-02-29");
  Result<ColumnPtr> diff = compute::Arithmetic(ArithmeticOp::kSub, d, d);
  QK_ASSERT_OK(diff);
  EXPECT_EQ((*diff)->type(), DataType::Int64());
  Result<ColumnPtr> bad =
      compute::ExtractDatePart(RandomColumn(DataType::Int64(), 3, 1), compute::DatePart::kYear);
  EXPECT_EQ(bad.status().code(), StatusCode::kTypeError);
  QK_EXPECT_CONTAINS(bad.status().message(), "int64");
  EXPECT_FALSE(compute::Arithmetic(ArithmeticOp::kMul, d, Scalar::Int64(2)).ok());
}

// ---- strings --------------------------------------------------------------------------------

// Reference LIKE by recursion.
bool LikeReference(std::string_view s, std::string_view p) {
  if (p.empty()) return s.empty();
  if (p[0] == '%') {
    for (size_t k = 0; k <= s.size(); ++k) {
      if (LikeReference(s.substr(k), p.substr(1))) return true;
    }
    return false;
  }
  if (s.empty()) return false;
  if (p[0] == '_' || p[0] == s[0]) return LikeReference(s.substr(1), p.substr(1));
  return false;
}

TEST(KernelStringTest, PredicatesAndLike) {
  const std::vector<std::string> patterns = {"",    "%",    "a%",  "%a",  "%ab%", "%a%b%", "ab",
                                             "a%b", "_",    "a_",  "%_%", "__b",  "%a_c",  "b%c%a",
                                             "%%",  "abc%", "%ca", "c%",  "a%b%c"};
  uint64_t seed = 600;
  for (int64_t n : kSizes) {
    for (int64_t offset : kOffsets) {
      ColumnPtr s = RandomColumn(DataType::Utf8(), n, ++seed, offset);
      for (const std::string& needle : {std::string(""), std::string("a"), std::string("bc")}) {
        std::vector<std::optional<bool>> sw(n), ew(n), ct(n);
        for (int64_t i = 0; i < n; ++i) {
          if (!s->IsValid(i)) continue;
          std::string_view v = s->GetString(i);
          sw[i] = v.starts_with(needle);
          ew[i] = v.ends_with(needle);
          ct[i] = v.find(needle) != std::string_view::npos;
        }
        ExpectBools(*compute::StartsWith(s, needle), sw, "starts_with " + needle);
        ExpectBools(*compute::EndsWith(s, needle), ew, "ends_with " + needle);
        ExpectBools(*compute::Contains(s, needle), ct, "contains " + needle);
      }
      for (const std::string& pattern : patterns) {
        std::vector<std::optional<bool>> expected(n);
        for (int64_t i = 0; i < n; ++i) {
          if (s->IsValid(i)) expected[i] = LikeReference(s->GetString(i), pattern);
        }
        Result<ColumnPtr> like = compute::Like(s, pattern);
        QK_ASSERT_OK(like);
        ExpectBools(*like, expected, "like '" + pattern + "' n=" + std::to_string(n));
      }
    }
  }
}

TEST(KernelStringTest, LikeUtf8AndOverlap) {
  ColumnBuilder b(DataType::Utf8());
  for (const char* s : {"aba", "ab", "ba", "héllo", "h€llo", "hello"}) b.AppendString(s);
  ColumnPtr c = b.Finish();
  std::vector<std::optional<bool>> expected = {true, false, false, false, false, false};
  ExpectBools(*compute::Like(c, "ab%ba"), {false, false, false, false, false, false}, "overlap");
  ExpectBools(*compute::Like(c, "ab%a"), expected, "ab%a");
  ExpectBools(*compute::Like(c, "h_llo"), {false, false, false, true, true, true}, "utf8 _");
  EXPECT_EQ(compute::Like(RandomColumn(DataType::Int64(), 2, 1), "%").status().code(),
            StatusCode::kTypeError);
}

// ---- casts ----------------------------------------------------------------------------------

TEST(KernelCastTest, NumericCastsMatchReference) {
  uint64_t seed = 700;
  for (int64_t n : kSizes) {
    for (int64_t offset : kOffsets) {
      ColumnPtr i64 = RandomColumn(DataType::Int64(), n, ++seed, offset);
      ColumnPtr i32 = RandomColumn(DataType::Int32(), n, ++seed, offset);
      ColumnPtr f64 = RandomColumn(DataType::Float64(), n, ++seed, offset);
      ColumnPtr dec = RandomColumn(DataType::Decimal(15, 2), n, ++seed, offset);

      ColumnPtr to_double = *compute::Cast(i64, DataType::Float64());
      ColumnPtr widened = *compute::Cast(i32, DataType::Int64());
      ColumnPtr narrowed = *compute::Cast(i64, DataType::Int8());
      ColumnPtr to_decimal = *compute::Cast(i32, DataType::Decimal(10, 3));
      ColumnPtr dec_double = *compute::Cast(dec, DataType::Float64());
      ColumnPtr dec_rescaled = *compute::Cast(dec, DataType::Decimal(15, 1));
      ColumnPtr dec_int = *compute::Cast(dec, DataType::Int64());
      for (int64_t i = 0; i < n; ++i) {
        if (i64->IsValid(i)) {
          EXPECT_EQ(to_double->values<double>()[i], static_cast<double>(i64->GetInt64(i)));
          EXPECT_EQ(narrowed->values<int8_t>()[i], i64->GetInt64(i));
        }
        EXPECT_EQ(to_double->IsValid(i), i64->IsValid(i));
        EXPECT_EQ(widened->IsValid(i), i32->IsValid(i));
        if (i32->IsValid(i)) {
          EXPECT_EQ(widened->values<int64_t>()[i], i32->GetInt64(i));
          EXPECT_EQ(to_decimal->values<int64_t>()[i], i32->GetInt64(i) * 1000);
        }
        if (dec->IsValid(i)) {
          const int64_t v = dec->values<int64_t>()[i];
          EXPECT_DOUBLE_EQ(dec_double->values<double>()[i], v / 100.0);
          // round half away from zero
          const int64_t expected_rescaled = v >= 0 ? (v + 5) / 10 : -((-v + 5) / 10);
          EXPECT_EQ(dec_rescaled->values<int64_t>()[i], expected_rescaled) << v;
          EXPECT_EQ(dec_int->values<int64_t>()[i], v / 100);
        }
      }
      if (n > 0) {
        ColumnPtr f_int = *compute::Cast(f64, DataType::Int64());
        for (int64_t i = 0; i < n; ++i) {
          if (f64->IsValid(i)) {
            EXPECT_EQ(f_int->values<int64_t>()[i], static_cast<int64_t>(f64->values<double>()[i]));
          }
        }
      }
    }
  }
}

TEST(KernelCastTest, RangeErrorsNameTheValue) {
  ColumnBuilder b(DataType::Int64());
  b.AppendInt64(5);
  b.AppendNull();
  b.AppendInt64(300);
  Result<ColumnPtr> r = compute::Cast(b.Finish(), DataType::Int8());
  ASSERT_FALSE(r.ok());
  QK_EXPECT_CONTAINS(r.status().message(), "300");
  QK_EXPECT_CONTAINS(r.status().message(), "int8");
  ColumnBuilder d(DataType::Decimal(15, 2));
  d.AppendInt64(99999);
  Result<ColumnPtr> tight = compute::Cast(d.Finish(), DataType::Decimal(4, 2));
  ASSERT_FALSE(tight.ok());
  QK_EXPECT_CONTAINS(tight.status().message(), "999.99");
  EXPECT_FALSE(compute::Cast(RandomColumn(DataType::Date32(), 3, 1), DataType::Float64()).ok());
}

TEST(KernelCastTest, FromUtf8) {
  ColumnBuilder b(DataType::Utf8());
  for (const char* s : {"12", "-7", "+3", "0"}) b.AppendString(s);
  b.AppendNull();
  ColumnPtr ints = b.Finish()->Slice(1, 4);
  ColumnPtr parsed = *compute::Cast(ints, DataType::Int64());
  EXPECT_EQ(parsed->GetInt64(0), -7);
  EXPECT_EQ(parsed->GetInt64(1), 3);
  EXPECT_TRUE(parsed->IsNull(3));
  ColumnPtr as_double = *compute::Cast(ints, DataType::Float64());
  EXPECT_EQ(as_double->values<double>()[0], -7.0);
  ColumnPtr as_decimal = *compute::Cast(ints, DataType::Decimal(5, 2));
  EXPECT_EQ(as_decimal->ValueToString(0), "-7.00");

  ColumnBuilder bad(DataType::Utf8());
  bad.AppendString("12");
  bad.AppendString("12x");
  Result<ColumnPtr> r = compute::Cast(bad.Finish(), DataType::Int64());
  ASSERT_FALSE(r.ok());
  QK_EXPECT_CONTAINS(r.status().message(), "'12x'");
  QK_EXPECT_CONTAINS(r.status().message(), "row 1");

  ColumnBuilder dates(DataType::Utf8());
  dates.AppendString("1998-09-02");
  dates.AppendString("1998-02-30");
  Result<ColumnPtr> dr = compute::Cast(dates.Finish(), DataType::Date32());
  ASSERT_FALSE(dr.ok());
  QK_EXPECT_CONTAINS(dr.status().message(), "'1998-02-30'");
  ColumnBuilder good(DataType::Utf8());
  good.AppendString("1998-09-02");
  good.AppendString("2.5e3");
  ColumnPtr g = good.Finish();
  ColumnPtr date = *compute::Cast(g->Slice(0, 1), DataType::Date32());
  EXPECT_EQ(date->ValueToString(0), "1998-09-02");
  ColumnPtr dbl = *compute::Cast(g->Slice(1, 1), DataType::Float64());
  EXPECT_EQ(dbl->values<double>()[0], 2500.0);
  EXPECT_FALSE(compute::Cast(g, DataType::Float64()).ok());
}

TEST(KernelCastTest, ToUtf8MatchesValueToString) {
  uint64_t seed = 800;
  for (DataType type : {DataType::Bool(), DataType::Int8(), DataType::Int64(), DataType::Float64(),
                        DataType::Decimal(15, 2), DataType::Decimal(5, 0), DataType::Date32(),
                        DataType::Timestamp(TimeUnit::kMilli), DataType::Utf8()}) {
    for (int64_t n : kSizes) {
      ColumnPtr c = RandomColumn(type, n, ++seed, 5);
      Result<ColumnPtr> s = compute::Cast(c, DataType::Utf8());
      QK_ASSERT_OK(s);
      ASSERT_EQ((*s)->type(), DataType::Utf8());
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ((*s)->IsValid(i), c->IsValid(i));
        if (c->IsValid(i)) {
          EXPECT_EQ((*s)->GetString(i), c->ValueToString(i)) << type.ToString();
        }
      }
      // and back, for the types that parse
      if (type.id == TypeId::kInt64 || type.id == TypeId::kDecimal || type.id == TypeId::kDate32 ||
          type.id == TypeId::kFloat64 || type.id == TypeId::kBool) {
        Result<ColumnPtr> back = compute::Cast(*s, type);
        QK_ASSERT_OK(back);
        EXPECT_TRUE((*back)->Equals(*c)) << type.ToString();
      }
    }
  }
}

TEST(KernelCastTest, ScalarsAndDateTimestamp) {
  Result<Scalar> d = compute::Cast(Scalar::Int64(7), DataType::Decimal(5, 2));
  QK_ASSERT_OK(d);
  EXPECT_EQ(d->int_value, 700);
  Result<Scalar> s = compute::Cast(Scalar::Decimal(-1205, 10, 2), DataType::Utf8());
  QK_ASSERT_OK(s);
  EXPECT_EQ(s->string_value, "-12.05");
  EXPECT_FALSE(compute::Cast(Scalar::Utf8("x"), DataType::Int64()).ok());
  Result<Scalar> n = compute::Cast(Scalar::Null(DataType::Int64()), DataType::Float64());
  QK_ASSERT_OK(n);
  EXPECT_FALSE(n->is_valid);

  ColumnPtr dates = RandomColumn(DataType::Date32(), 100, 5, 3);
  ColumnPtr ts = *compute::Cast(dates, DataType::Timestamp(TimeUnit::kSecond));
  ColumnPtr back = *compute::Cast(ts, DataType::Date32());
  EXPECT_TRUE(back->Equals(*dates));
}

}  // namespace
}  // namespace quokka

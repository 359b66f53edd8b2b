#pragma once
// Vectorized compute kernels over columns and tables.
//
// Every kernel loops over the typed arrays of its inputs (no per-row virtual call, no Object)
// and returns a new immutable column or table; inputs are never modified. Nulls propagate:
// unless a kernel says otherwise, an output row is null when any input row is null, and
// validity bitmaps are combined bytewise. Operands are Datums: a column, or a Scalar that is
// broadcast to the length of the other operand (if every operand is a scalar, the result has
// length 1). Operands of different types are brought to a common type first: integers widen
// to int64, integers and decimals to a decimal of the larger scale, anything numeric with
// float64 to float64, date32 with timestamp to timestamp, a utf8 scalar with date32 to date32.
// Failures (type mismatch, bad cast, out-of-range index) come back as a Status naming the type
// or value; kernels never throw and never crash on valid columns. All functions are
// thread-safe (they only read their inputs). The expression API (expression.h) builds on these.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "quokka/column.h"
#include "quokka/status.h"
#include "quokka/table.h"
#include "quokka/type.h"

namespace quokka {

/// \brief One typed value, or a typed null: a literal operand of a kernel or an expression.
///
/// `int_value` holds bool (0/1), integers, decimals (the unscaled value * 10^scale), date32
/// (days) and timestamps; `double_value` holds float64; `string_value` holds utf8.
struct Scalar {
  DataType type = DataType::Int64();
  bool is_valid = false;
  int64_t int_value = 0;
  double double_value = 0;
  std::string string_value;

  static Scalar Null(DataType type);
  static Scalar Bool(bool value);
  static Scalar Int64(int64_t value);
  static Scalar Float64(double value);
  static Scalar Utf8(std::string value);
  /// \brief A decimal(precision, scale) holding `unscaled` / 10^scale.
  static Scalar Decimal(int64_t unscaled, int precision, int scale);
  static Scalar Date32(int32_t days);
  static Scalar Timestamp(int64_t value, TimeUnit unit = TimeUnit::kMicro);
  /// \brief Parse "-12.345" into decimal(digits, digits after the point), e.g. "0.05" ->
  ///        decimal(3,2) 5. At most 18 digits.
  static Result<Scalar> ParseDecimal(std::string_view text);
  /// \brief Parse "YYYY-MM-DD" strictly into a date32.
  static Result<Scalar> ParseDate(std::string_view text);
  /// \brief Row `row` of `column` as a scalar.
  static Scalar FromColumn(const Column& column, int64_t row);

  /// \brief The value as text (as Cast to utf8 renders it), "null" for a null.
  std::string ToString() const;
  /// \brief Same type and value (nulls equal nulls).
  bool Equals(const Scalar& other) const;
};

/// \brief A kernel operand: a column, or a scalar broadcast to the other operand's length.
class Datum {
 public:
  Datum(ColumnPtr column);  // NOLINT: implicit by design
  Datum(Scalar scalar);     // NOLINT: implicit by design

  bool is_scalar() const { return column_ == nullptr; }
  /// \brief Requires: !is_scalar().
  const ColumnPtr& column() const { return column_; }
  /// \brief Requires: is_scalar().
  const Scalar& scalar() const { return scalar_; }
  const DataType& type() const;

 private:
  ColumnPtr column_;
  Scalar scalar_;
};

namespace compute {

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
enum class ArithmeticOp : uint8_t { kAdd, kSub, kMul, kDiv };
enum class DatePart : uint8_t { kYear, kMonth, kDay };

/// \brief "==", "<", "+", ... for messages and expression printing.
const char* ToString(CompareOp op);
const char* ToString(ArithmeticOp op);

// ---- Comparison and predicates (bool results) ----------------------------------------------

/// \brief Compare two operands of comparable types: numeric (decimals of different scales are
///        rescaled), utf8 (bytewise), date32, timestamp, bool.
Result<ColumnPtr> Compare(CompareOp op, const Datum& left, const Datum& right);
/// \brief low <= value AND value <= high (Kleene AND of the two comparisons).
Result<ColumnPtr> Between(const Datum& value, const Datum& low, const Datum& high);
/// \brief Whether each row equals one of `values` (SQL IN): a null row gives null; a row found
///        nowhere gives null if `values` holds a null, false otherwise.
Result<ColumnPtr> IsIn(const ColumnPtr& input, const std::vector<Scalar>& values);
/// \brief Whether each row is null / not null (never null itself).
Result<ColumnPtr> IsNull(const ColumnPtr& input);
Result<ColumnPtr> IsNotNull(const ColumnPtr& input);

// ---- Boolean logic: SQL three-valued (Kleene) -----------------------------------------------

/// \brief false AND null = false, true AND null = null.
Result<ColumnPtr> And(const Datum& left, const Datum& right);
/// \brief true OR null = true, false OR null = null.
Result<ColumnPtr> Or(const Datum& left, const Datum& right);
/// \brief NOT null = null.
Result<ColumnPtr> Not(const ColumnPtr& input);

// ---- Arithmetic ----------------------------------------------------------------------------

/// \brief + - * / on integers (result int64), float64, decimals and mixes of them:
///        integer with float64 or decimal with float64 -> float64; decimal +/- decimal or
///        integer -> decimal of the larger scale; decimal * decimal -> scales add (at most 18);
///        decimal / anything -> float64; integer / integer -> int64 (truncating; division by
///        zero gives null). date32 +/- integer -> date32 (days); date32 - date32 -> int64 days.
///        Integer and decimal overflow wraps around (not checked).
Result<ColumnPtr> Arithmetic(ArithmeticOp op, const Datum& left, const Datum& right);
/// \brief -x for integers (-> int64), float64 and decimals.
Result<ColumnPtr> Negate(const ColumnPtr& input);

// ---- Strings (utf8 input, bool result) -----------------------------------------------------

Result<ColumnPtr> StartsWith(const ColumnPtr& input, std::string_view prefix);
Result<ColumnPtr> EndsWith(const ColumnPtr& input, std::string_view suffix);
Result<ColumnPtr> Contains(const ColumnPtr& input, std::string_view needle);
/// \brief SQL LIKE: '%' matches any run of characters, '_' exactly one (UTF-8) character,
///        everything else itself (case-sensitive; no escape character). Patterns made of
///        literals and '%' only ('abc%', '%abc', '%abc%', '%a%b%') use substring search.
Result<ColumnPtr> Like(const ColumnPtr& input, std::string_view pattern);

// ---- Dates ---------------------------------------------------------------------------------

/// \brief Year, month (1..12) or day of month (1..31) of a date32 or timestamp, as int64.
Result<ColumnPtr> ExtractDatePart(const ColumnPtr& input, DatePart part);
/// \brief date32 + `days`.
Result<ColumnPtr> AddDays(const ColumnPtr& dates, int64_t days);
/// \brief date32 + `months` calendar months (negative allowed); a day past the end of the
///        target month clamps to its last day (2000-01-31 + 1 month = 2000-02-29). Years: 12 *.
Result<ColumnPtr> AddMonths(const ColumnPtr& dates, int64_t months);

// ---- Casts ---------------------------------------------------------------------------------

/// \brief Convert to `to`: between integers (range checked), float64, decimals (rescaled,
///        rounding half away from zero, precision checked) and bool; date32 <-> timestamp;
///        utf8 -> integers, float64, decimal, bool, date32 (a bad value fails naming it and
///        its row); anything -> utf8 (as Column::ValueToString renders it). Nulls stay null.
Result<ColumnPtr> Cast(const ColumnPtr& input, const DataType& to);
/// \brief Cast one scalar (same rules).
Result<Scalar> Cast(const Scalar& input, const DataType& to);
/// \brief A column of `length` copies of `value` (all null for a null scalar).
ColumnPtr MakeColumnFromScalar(const Scalar& value, int64_t length);

// ---- Selection, sorting, hashing -----------------------------------------------------------

/// \brief The rows whose `mask` (bool, same length) is true; null counts as false.
Result<Table> Filter(const Table& table, const ColumnPtr& mask);
Result<ColumnPtr> Filter(const ColumnPtr& column, const ColumnPtr& mask);
/// \brief Rows `indices[0]`, `indices[1]`, ... (int32 or int64 indices, bounds checked; a null
///        index gives a null row).
Result<Table> Take(const Table& table, const ColumnPtr& indices);
Result<ColumnPtr> Take(const ColumnPtr& column, const ColumnPtr& indices);
Result<Table> Take(const Table& table, const std::vector<int64_t>& indices);

struct SortKey {
  std::string column;
  bool ascending = true;
  bool nulls_first = false;
};
/// \brief The int64 row indices that sort `table` by `keys` (first key most significant).
///        Stable: equal rows keep their order. float64 NaN sorts after every number.
Result<ColumnPtr> SortIndices(const Table& table, const std::vector<SortKey>& keys);

/// \brief XXH3 64-bit hash of each row over the named columns, combined in order. Integers
///        of any width, date32, timestamp, bool and decimal hash as their int64 value, float64
///        as its bits (0.0 == -0.0), utf8 as its bytes, a null as a fixed value. For one int64,
///        float64 or utf8 column this equals HashObject() of the value (partition.h).
Result<std::vector<uint64_t>> HashRows(const Table& table, const std::vector<std::string>& columns);
/// \brief Split `table` into `num_partitions` tables: row r goes to hash(r) % num_partitions.
Result<std::vector<Table>> HashPartition(const Table& table, const std::vector<std::string>& keys,
                                         int num_partitions);

}  // namespace compute
}  // namespace quokka

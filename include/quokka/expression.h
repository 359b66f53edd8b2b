#pragma once
// Expressions over the columns of a table, evaluated with the vectorized kernels (compute.h).
//
// An Expr is an immutable tree of shared nodes: copying one copies a pointer, and the same
// Expr may be evaluated from many threads at once. Build them from col(), lit() and friends
// with C++ operators and methods:
//
//   Expr revenue = col("l_extendedprice") * (lit(1) - col("l_discount"));
//   Expr shipped = col("l_shipdate") <= date("1998-09-02");
//   Result<Table> out = Project(*Filter(lineitem, shipped), {revenue.alias("revenue")});
//
// Numbers and strings convert to literals implicitly (col("x") + 1, col("s") == "abc").
// Errors in an expression (unknown column, type mismatch, a malformed date literal, a bad cast)
// are reported when it is evaluated, as a Status naming the column, type or value; a
// sub-expression whose inputs are all literals is computed once, not per row.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "quokka/compute.h"
#include "quokka/status.h"
#include "quokka/table.h"
#include "quokka/type.h"

namespace quokka {

class Encoder;
class Decoder;

namespace internal {
struct ExprNode;
}  // namespace internal

class Expr {
 public:
  /// \brief Implicit literals: integers (int64), double (float64), strings (utf8).
  Expr(int value);          // NOLINT
  Expr(long value);         // NOLINT
  Expr(long long value);    // NOLINT
  Expr(double value);       // NOLINT
  Expr(const char* value);  // NOLINT
  Expr(std::string value);  // NOLINT
  Expr(Scalar value);       // NOLINT
  explicit Expr(std::shared_ptr<const internal::ExprNode> node) : node_(std::move(node)) {}

  /// \brief low <= this <= high.
  Expr between(const Expr& low, const Expr& high) const;
  /// \brief SQL IN over literal values (other expressions are compared one by one).
  Expr isin(const std::vector<Expr>& values) const;
  Expr is_null() const;
  Expr is_not_null() const;
  Expr starts_with(std::string prefix) const;
  Expr ends_with(std::string suffix) const;
  Expr contains(std::string needle) const;
  /// \brief SQL LIKE with % and _ (see compute::Like).
  Expr like(std::string pattern) const;
  Expr year() const;
  Expr month() const;
  Expr day() const;
  /// \brief Date arithmetic on a date32 (end-of-month clamping for months and years).
  Expr add_days(int64_t days) const;
  Expr add_months(int64_t months) const;
  Expr add_years(int64_t years) const;
  Expr cast(DataType type) const;
  /// \brief Name of the output column in Project().
  Expr alias(std::string name) const;

  /// \brief The output name: the alias, the column name, or the printed expression.
  std::string name() const;
  /// \brief Readable form, e.g. "(l_extendedprice * (1 - l_discount))".
  std::string ToString() const;
  const std::shared_ptr<const internal::ExprNode>& node() const { return node_; }

  /// \brief Serialization, for shipping readers and executors that hold expressions: every
  ///        node kind, literal and function round-trips. Trees deeper than 1000 levels are
  ///        refused (Encode throws quokka::Error). Decode throws quokka::Error (Invalid or
  ///        TypeError) on malformed input: unknown node kinds or operators, wrong argument
  ///        counts, unknown types, literals out of range, trees too deep.
  void Encode(Encoder& out) const;
  static Expr Decode(Decoder& in);

 private:
  std::shared_ptr<const internal::ExprNode> node_;
};

/// \brief The column named `name` of the table being evaluated.
Expr col(std::string name);
/// \brief Literals.
Expr lit(int64_t value);
Expr lit(int value);
Expr lit(double value);
Expr lit(const char* value);
Expr lit(std::string value);
Expr lit(bool value);
Expr lit(Scalar value);
/// \brief A decimal literal, e.g. lit_decimal("0.05") is decimal(3,2).
Expr lit_decimal(std::string text);
/// \brief A date32 literal from "YYYY-MM-DD".
Expr date(std::string text);
/// \brief A typed null literal.
Expr null_literal(DataType type);

/// \brief Arithmetic (see compute::Arithmetic for the result types).
Expr operator+(const Expr& left, const Expr& right);
Expr operator-(const Expr& left, const Expr& right);
Expr operator*(const Expr& left, const Expr& right);
Expr operator/(const Expr& left, const Expr& right);
Expr operator-(const Expr& operand);
/// \brief Comparisons; the result is a bool expression.
Expr operator==(const Expr& left, const Expr& right);
Expr operator!=(const Expr& left, const Expr& right);
Expr operator<(const Expr& left, const Expr& right);
Expr operator<=(const Expr& left, const Expr& right);
Expr operator>(const Expr& left, const Expr& right);
Expr operator>=(const Expr& left, const Expr& right);
/// \brief Kleene logic (no short-circuit: both sides are evaluated).
Expr operator&&(const Expr& left, const Expr& right);
Expr operator||(const Expr& left, const Expr& right);
Expr operator!(const Expr& operand);

/// \brief Evaluate `expr` over `table`: a column of table.num_rows() rows.
Result<ColumnPtr> Evaluate(const Expr& expr, const Table& table);
/// \brief The rows of `table` where `predicate` (a bool expression) is true (null = false).
Result<Table> Filter(const Table& table, const Expr& predicate);
/// \brief One column per expression, named by Expr::name().
Result<Table> Project(const Table& table, const std::vector<Expr>& exprs);

}  // namespace quokka

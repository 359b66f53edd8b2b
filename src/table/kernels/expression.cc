// Expression trees and their evaluation with the compute kernels.
#include "quokka/expression.h"

#include <utility>

#include "kernels/expression_node.h"
#include "kernels/selection.h"
#include "kernels/util.h"

namespace quokka {

using internal::ExprKind;
using internal::ExprNode;

namespace {

Expr MakeExpr(ExprNode node) { return Expr(std::make_shared<const ExprNode>(std::move(node))); }

Expr Literal(Scalar value) {
  ExprNode node;
  node.kind = ExprKind::kLiteral;
  node.literal = std::move(value);
  return MakeExpr(std::move(node));
}

Expr Call(ExprKind kind, std::vector<Expr> args) {
  ExprNode node;
  node.kind = kind;
  node.args = std::move(args);
  return MakeExpr(std::move(node));
}

Expr WithText(ExprKind kind, const Expr& arg, std::string text) {
  ExprNode node;
  node.kind = kind;
  node.args = {arg};
  node.text = std::move(text);
  return MakeExpr(std::move(node));
}

Expr CompareExpr(compute::CompareOp op, const Expr& l, const Expr& r) {
  ExprNode node;
  node.kind = ExprKind::kCompare;
  node.compare_op = op;
  node.args = {l, r};
  return MakeExpr(std::move(node));
}

Expr ArithmeticExpr(compute::ArithmeticOp op, const Expr& l, const Expr& r) {
  ExprNode node;
  node.kind = ExprKind::kArithmetic;
  node.arithmetic_op = op;
  node.args = {l, r};
  return MakeExpr(std::move(node));
}

Expr DatePartExpr(const Expr& arg, compute::DatePart part) {
  ExprNode node;
  node.kind = ExprKind::kDatePart;
  node.part = part;
  node.args = {arg};
  return MakeExpr(std::move(node));
}

Expr AmountExpr(ExprKind kind, const Expr& arg, int64_t amount) {
  ExprNode node;
  node.kind = kind;
  node.amount = amount;
  node.args = {arg};
  return MakeExpr(std::move(node));
}

std::string Quote(const std::string& text) { return "'" + text + "'"; }

std::string LiteralToString(const Scalar& s) {
  if (!s.is_valid) return "null";
  if (s.type.id == TypeId::kUtf8) return Quote(s.string_value);
  if (s.type.id == TypeId::kDate32) return "date " + Quote(s.ToString());
  return s.ToString();
}

}  // namespace

// ---- construction --------------------------------------------------------------------------

Expr::Expr(int value) : Expr(Literal(Scalar::Int64(value))) {}
Expr::Expr(long value) : Expr(Literal(Scalar::Int64(value))) {}
Expr::Expr(long long value) : Expr(Literal(Scalar::Int64(value))) {}
Expr::Expr(double value) : Expr(Literal(Scalar::Float64(value))) {}
Expr::Expr(const char* value) : Expr(Literal(Scalar::Utf8(value))) {}
Expr::Expr(std::string value) : Expr(Literal(Scalar::Utf8(std::move(value)))) {}
Expr::Expr(Scalar value) : Expr(Literal(std::move(value))) {}

Expr col(std::string name) {
  ExprNode node;
  node.kind = ExprKind::kColumn;
  node.text = std::move(name);
  return MakeExpr(std::move(node));
}
Expr lit(int64_t value) { return Literal(Scalar::Int64(value)); }
Expr lit(int value) { return Literal(Scalar::Int64(value)); }
Expr lit(double value) { return Literal(Scalar::Float64(value)); }
Expr lit(const char* value) { return Literal(Scalar::Utf8(value)); }
Expr lit(std::string value) { return Literal(Scalar::Utf8(std::move(value))); }
Expr lit(bool value) { return Literal(Scalar::Bool(value)); }
Expr lit(Scalar value) { return Literal(std::move(value)); }
Expr null_literal(DataType type) { return Literal(Scalar::Null(type)); }

Expr lit_decimal(std::string text) {
  Result<Scalar> parsed = Scalar::ParseDecimal(text);
  if (parsed.ok()) return Literal(*parsed);
  ExprNode node;
  node.kind = ExprKind::kError;
  node.text = parsed.status().message();
  return MakeExpr(std::move(node));
}

Expr date(std::string text) {
  Result<Scalar> parsed = Scalar::ParseDate(text);
  if (parsed.ok()) return Literal(*parsed);
  ExprNode node;
  node.kind = ExprKind::kError;
  node.text = parsed.status().message();
  return MakeExpr(std::move(node));
}

Expr operator+(const Expr& l, const Expr& r) {
  return ArithmeticExpr(compute::ArithmeticOp::kAdd, l, r);
}
Expr operator-(const Expr& l, const Expr& r) {
  return ArithmeticExpr(compute::ArithmeticOp::kSub, l, r);
}
Expr operator*(const Expr& l, const Expr& r) {
  return ArithmeticExpr(compute::ArithmeticOp::kMul, l, r);
}
Expr operator/(const Expr& l, const Expr& r) {
  return ArithmeticExpr(compute::ArithmeticOp::kDiv, l, r);
}
Expr operator-(const Expr& operand) { return Call(ExprKind::kNegate, {operand}); }
Expr operator==(const Expr& l, const Expr& r) { return CompareExpr(compute::CompareOp::kEq, l, r); }
Expr operator!=(const Expr& l, const Expr& r) { return CompareExpr(compute::CompareOp::kNe, l, r); }
Expr operator<(const Expr& l, const Expr& r) { return CompareExpr(compute::CompareOp::kLt, l, r); }
Expr operator<=(const Expr& l, const Expr& r) { return CompareExpr(compute::CompareOp::kLe, l, r); }
Expr operator>(const Expr& l, const Expr& r) { return CompareExpr(compute::CompareOp::kGt, l, r); }
Expr operator>=(const Expr& l, const Expr& r) { return CompareExpr(compute::CompareOp::kGe, l, r); }
Expr operator&&(const Expr& l, const Expr& r) { return Call(ExprKind::kAnd, {l, r}); }
Expr operator||(const Expr& l, const Expr& r) { return Call(ExprKind::kOr, {l, r}); }
Expr operator!(const Expr& operand) { return Call(ExprKind::kNot, {operand}); }

Expr Expr::between(const Expr& low, const Expr& high) const {
  return Call(ExprKind::kBetween, {*this, low, high});
}
Expr Expr::isin(const std::vector<Expr>& values) const {
  std::vector<Expr> args{*this};
  args.insert(args.end(), values.begin(), values.end());
  return Call(ExprKind::kIsIn, std::move(args));
}
Expr Expr::is_null() const { return Call(ExprKind::kIsNull, {*this}); }
Expr Expr::is_not_null() const { return Call(ExprKind::kIsNotNull, {*this}); }
Expr Expr::starts_with(std::string prefix) const {
  return WithText(ExprKind::kStartsWith, *this, std::move(prefix));
}
Expr Expr::ends_with(std::string suffix) const {
  return WithText(ExprKind::kEndsWith, *this, std::move(suffix));
}
Expr Expr::contains(std::string needle) const {
  return WithText(ExprKind::kContains, *this, std::move(needle));
}
Expr Expr::like(std::string pattern) const {
  return WithText(ExprKind::kLike, *this, std::move(pattern));
}
Expr Expr::year() const { return DatePartExpr(*this, compute::DatePart::kYear); }
Expr Expr::month() const { return DatePartExpr(*this, compute::DatePart::kMonth); }
Expr Expr::day() const { return DatePartExpr(*this, compute::DatePart::kDay); }
Expr Expr::add_days(int64_t days) const { return AmountExpr(ExprKind::kAddDays, *this, days); }
Expr Expr::add_months(int64_t months) const {
  return AmountExpr(ExprKind::kAddMonths, *this, months);
}
Expr Expr::add_years(int64_t years) const {
  return AmountExpr(ExprKind::kAddMonths, *this, years * 12);
}
Expr Expr::cast(DataType type) const {
  ExprNode node;
  node.kind = ExprKind::kCast;
  node.type = type;
  node.args = {*this};
  return MakeExpr(std::move(node));
}
Expr Expr::alias(std::string name) const { return WithText(ExprKind::kAlias, *this, name); }

std::string Expr::name() const {
  if (node_->kind == ExprKind::kAlias || node_->kind == ExprKind::kColumn) return node_->text;
  return ToString();
}

std::string Expr::ToString() const {
  const ExprNode& n = *node_;
  auto arg = [&](size_t i) { return n.args[i].ToString(); };
  switch (n.kind) {
    case ExprKind::kColumn:
      return n.text;
    case ExprKind::kLiteral:
      return LiteralToString(n.literal);
    case ExprKind::kError:
      return "<error: " + n.text + ">";
    case ExprKind::kCompare:
      return "(" + arg(0) + " " + compute::ToString(n.compare_op) + " " + arg(1) + ")";
    case ExprKind::kArithmetic:
      return "(" + arg(0) + " " + compute::ToString(n.arithmetic_op) + " " + arg(1) + ")";
    case ExprKind::kNegate:
      return "-" + arg(0);
    case ExprKind::kAnd:
      return "(" + arg(0) + " AND " + arg(1) + ")";
    case ExprKind::kOr:
      return "(" + arg(0) + " OR " + arg(1) + ")";
    case ExprKind::kNot:
      return "NOT " + arg(0);
    case ExprKind::kBetween:
      return "(" + arg(0) + " BETWEEN " + arg(1) + " AND " + arg(2) + ")";
    case ExprKind::kIsIn: {
      std::string s = arg(0) + " IN (";
      for (size_t i = 1; i < n.args.size(); ++i) s += (i > 1 ? ", " : "") + arg(i);
      return s + ")";
    }
    case ExprKind::kIsNull:
      return arg(0) + " IS NULL";
    case ExprKind::kIsNotNull:
      return arg(0) + " IS NOT NULL";
    case ExprKind::kStartsWith:
      return "starts_with(" + arg(0) + ", " + Quote(n.text) + ")";
    case ExprKind::kEndsWith:
      return "ends_with(" + arg(0) + ", " + Quote(n.text) + ")";
    case ExprKind::kContains:
      return "contains(" + arg(0) + ", " + Quote(n.text) + ")";
    case ExprKind::kLike:
      return "(" + arg(0) + " LIKE " + Quote(n.text) + ")";
    case ExprKind::kDatePart:
      return std::string(n.part == compute::DatePart::kYear    ? "year("
                         : n.part == compute::DatePart::kMonth ? "month("
                                                               : "day(") +
             arg(0) + ")";
    case ExprKind::kAddDays:
      return "add_days(" + arg(0) + ", " + std::to_string(n.amount) + ")";
    case ExprKind::kAddMonths:
      return "add_months(" + arg(0) + ", " + std::to_string(n.amount) + ")";
    case ExprKind::kCast:
      return "cast(" + arg(0) + " AS " + n.type.ToString() + ")";
    case ExprKind::kAlias:
      return arg(0) + " AS " + n.text;
  }
  return "?";
}

// ---- evaluation ----------------------------------------------------------------------------

namespace {

// A kernel result, folded back to a scalar when every input was a scalar.
Datum Fold(ColumnPtr result, bool all_scalar) {
  if (all_scalar) return Datum(Scalar::FromColumn(*result, 0));
  return Datum(std::move(result));
}

ColumnPtr AsColumn(const Datum& d) {
  return d.is_scalar() ? compute::MakeColumnFromScalar(d.scalar(), 1) : d.column();
}

Result<Datum> Eval(const Expr& expr, const Table& table);

Result<Datum> EvalNode(const Expr& expr, const Table& table) {
  const ExprNode& n = *expr.node();
  switch (n.kind) {
    case ExprKind::kColumn: {
      const int index = table.schema()->FieldIndex(n.text);
      if (index < 0) return compute::ColumnNotFound(table, n.text, "expression");
      return Datum(table.column(index));
    }
    case ExprKind::kLiteral:
      return Datum(n.literal);
    case ExprKind::kError:
      return Status::Invalid(n.text);
    case ExprKind::kAlias:
      return Eval(n.args[0], table);
    default:
      break;
  }
  std::vector<Datum> args;
  bool all_scalar = true;
  for (const Expr& arg : n.args) {
    QK_ASSIGN_OR_RAISE(Datum d, Eval(arg, table));
    all_scalar &= d.is_scalar();
    args.push_back(std::move(d));
  }
  Result<ColumnPtr> result = Status::Internal("unhandled expression");
  switch (n.kind) {
    case ExprKind::kCompare:
      result = compute::Compare(n.compare_op, args[0], args[1]);
      break;
    case ExprKind::kArithmetic:
      result = compute::Arithmetic(n.arithmetic_op, args[0], args[1]);
      break;
    case ExprKind::kNegate:
      result = compute::Negate(AsColumn(args[0]));
      break;
    case ExprKind::kAnd:
      result = compute::And(args[0], args[1]);
      break;
    case ExprKind::kOr:
      result = compute::Or(args[0], args[1]);
      break;
    case ExprKind::kNot:
      result = compute::Not(AsColumn(args[0]));
      break;
    case ExprKind::kBetween:
      result = compute::Between(args[0], args[1], args[2]);
      break;
    case ExprKind::kIsIn: {
      bool literal_set = true;
      std::vector<Scalar> values;
      for (size_t i = 1; i < args.size(); ++i) {
        literal_set &= args[i].is_scalar();
        if (args[i].is_scalar()) values.push_back(args[i].scalar());
      }
      if (literal_set) {
        result = compute::IsIn(AsColumn(args[0]), values);
      } else {
        // Non-literal values: x = v1 OR x = v2 OR ... (same three-valued result).
        Result<ColumnPtr> acc = compute::MakeColumnFromScalar(Scalar::Bool(false), 1);
        for (size_t i = 1; i < args.size() && acc.ok(); ++i) {
          Result<ColumnPtr> eq = compute::Compare(compute::CompareOp::kEq, args[0], args[i]);
          if (!eq.ok()) {
            acc = eq.status();
            break;
          }
          acc = (*acc)->length() == 1 && (*eq)->length() != 1
                    ? compute::Or(Datum(Scalar::FromColumn(**acc, 0)), *eq)
                    : compute::Or(*acc, *eq);
        }
        result = std::move(acc);
      }
      break;
    }
    case ExprKind::kIsNull:
      result = compute::IsNull(AsColumn(args[0]));
      break;
    case ExprKind::kIsNotNull:
      result = compute::IsNotNull(AsColumn(args[0]));
      break;
    case ExprKind::kStartsWith:
      result = compute::StartsWith(AsColumn(args[0]), n.text);
      break;
    case ExprKind::kEndsWith:
      result = compute::EndsWith(AsColumn(args[0]), n.text);
      break;
    case ExprKind::kContains:
      result = compute::Contains(AsColumn(args[0]), n.text);
      break;
    case ExprKind::kLike:
      result = compute::Like(AsColumn(args[0]), n.text);
      break;
    case ExprKind::kDatePart:
      result = compute::ExtractDatePart(AsColumn(args[0]), n.part);
      break;
    case ExprKind::kAddDays:
      result = compute::AddDays(AsColumn(args[0]), n.amount);
      break;
    case ExprKind::kAddMonths:
      result = compute::AddMonths(AsColumn(args[0]), n.amount);
      break;
    case ExprKind::kCast:
      if (args[0].is_scalar()) {
        Result<Scalar> cast = compute::Cast(args[0].scalar(), n.type);
        if (!cast.ok()) return cast.status().WithContext("in " + expr.ToString());
        return Datum(*cast);
      }
      result = compute::Cast(args[0].column(), n.type);
      break;
    default:
      break;
  }
  if (!result.ok()) return result.status().WithContext("in " + expr.ToString());
  return Fold(std::move(*result), all_scalar);
}

Result<Datum> Eval(const Expr& expr, const Table& table) { return EvalNode(expr, table); }

}  // namespace

Result<ColumnPtr> Evaluate(const Expr& expr, const Table& table) {
  QK_ASSIGN_OR_RAISE(Datum d, Eval(expr, table));
  if (d.is_scalar()) return compute::MakeColumnFromScalar(d.scalar(), table.num_rows());
  if (d.column()->length() != table.num_rows()) {
    return Status::Internal("expression " + expr.ToString() + " produced " +
                            std::to_string(d.column()->length()) + " rows for a table of " +
                            std::to_string(table.num_rows()));
  }
  return d.column();
}

Result<Table> Filter(const Table& table, const Expr& predicate) {
  QK_ASSIGN_OR_RAISE(Datum d, Eval(predicate, table));
  if (d.type().id != TypeId::kBool) {
    return Status::TypeError("filter predicate " + predicate.ToString() + " is " +
                             d.type().ToString() + ", not bool");
  }
  if (d.is_scalar()) {
    if (d.scalar().is_valid && d.scalar().int_value != 0) return table;
    return table.Slice(0, 0);
  }
  return compute::Filter(table, d.column());
}

Result<Table> Project(const Table& table, const std::vector<Expr>& exprs) {
  std::vector<Field> fields;
  std::vector<ColumnPtr> columns;
  for (const Expr& expr : exprs) {
    QK_ASSIGN_OR_RAISE(ColumnPtr column, Evaluate(expr, table));
    fields.push_back(Field{expr.name(), column->type(), true});
    columns.push_back(std::move(column));
  }
  return Table::Make(std::make_shared<const Schema>(std::move(fields)), std::move(columns));
}

}  // namespace quokka

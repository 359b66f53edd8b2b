#pragma once
// The node of an expression tree, shared by building and evaluating (expression.cc) and by
// serialization (expression_codec.cc). The numeric values of ExprKind and of the compute enums
// are the wire format of a serialized Expr: only append to them (and teach the codec).

#include <cstdint>
#include <string>
#include <vector>

#include "quokka/expression.h"

namespace quokka::internal {

enum class ExprKind : uint8_t {
  kColumn,
  kLiteral,
  kError,  // a literal that failed to parse; fails at evaluation
  kCompare,
  kArithmetic,
  kNegate,
  kAnd,
  kOr,
  kNot,
  kBetween,
  kIsIn,
  kIsNull,
  kIsNotNull,
  kStartsWith,
  kEndsWith,
  kContains,
  kLike,
  kDatePart,
  kAddDays,
  kAddMonths,
  kCast,
  kAlias,
};

struct ExprNode {
  ExprKind kind = ExprKind::kLiteral;
  std::string text;  // column name, alias, string argument or error message
  Scalar literal;
  std::vector<Expr> args;
  compute::CompareOp compare_op = compute::CompareOp::kEq;
  compute::ArithmeticOp arithmetic_op = compute::ArithmeticOp::kAdd;
  compute::DatePart part = compute::DatePart::kYear;
  int64_t amount = 0;
  DataType type;
};

}  // namespace quokka::internal

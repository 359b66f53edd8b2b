// Serialization of expression trees: one flat array of the nodes in postorder, each node an
// array [kind, number of arguments, parameters...] whose parameters depend on the kind (a column
// name, a literal, an operator, ...); its arguments are the nodes just before it. Flat, because
// MessagePack readers limit nesting (msgpack-c: 32 levels) far below useful expression depths;
// decoding builds the tree with an explicit stack. It checks every kind, operator, type,
// argument count and the depth, so a decoded tree is one the builders could have made
// (evaluation relies on that).
#include <algorithm>
#include <climits>
#include <utility>
#include <vector>

#include "kernels/expression_node.h"
#include "quokka/serialize.h"

namespace quokka {

using internal::ExprKind;
using internal::ExprNode;

namespace {

// Deep enough for any expression people write; shallow enough for recursive evaluation.
constexpr int kMaxExprDepth = 1000;

[[noreturn]] void Fail(const std::string& what) {
  throw Error(Status::Invalid("cannot decode expression: " + what));
}

// Parameters written between the kind and the arguments.
int NumParameters(ExprKind kind) {
  switch (kind) {
    case ExprKind::kLiteral:
      return 2;  // type, value
    case ExprKind::kColumn:
    case ExprKind::kError:
    case ExprKind::kCompare:
    case ExprKind::kArithmetic:
    case ExprKind::kStartsWith:
    case ExprKind::kEndsWith:
    case ExprKind::kContains:
    case ExprKind::kLike:
    case ExprKind::kDatePart:
    case ExprKind::kAddDays:
    case ExprKind::kAddMonths:
    case ExprKind::kCast:
    case ExprKind::kAlias:
      return 1;
    default:
      return 0;
  }
}

// Whether `count` arguments fit `kind` (evaluation indexes them without checking).
bool ArityFits(ExprKind kind, uint32_t count) {
  switch (kind) {
    case ExprKind::kColumn:
    case ExprKind::kLiteral:
    case ExprKind::kError:
      return count == 0;
    case ExprKind::kCompare:
    case ExprKind::kArithmetic:
    case ExprKind::kAnd:
    case ExprKind::kOr:
      return count == 2;
    case ExprKind::kBetween:
      return count == 3;
    case ExprKind::kIsIn:
      return count >= 1;
    default:
      return count == 1;
  }
}

// An enum written as its integer value, checked against its largest value.
template <typename E>
E DecodeEnum(Decoder& in, E last, const char* what) {
  int64_t value = in.Int();
  if (value < 0 || value > static_cast<int64_t>(last)) {
    Fail("unknown " + std::string(what) + " " + std::to_string(value));
  }
  return static_cast<E>(value);
}

void EncodeScalar(const Scalar& scalar, Encoder& out) {
  EncodeDataType(scalar.type, out);
  if (!scalar.is_valid) return out.Nil();
  switch (scalar.type.id) {
    case TypeId::kUtf8:
      return out.String(scalar.string_value);
    case TypeId::kFloat64:
      return out.Double(scalar.double_value);
    default:
      return out.Int(scalar.int_value);
  }
}

Scalar DecodeScalar(Decoder& in) {
  Scalar scalar = Scalar::Null(DecodeDataType(in));
  if (in.IsNil()) {
    in.Nil();
    return scalar;
  }
  scalar.is_valid = true;
  switch (scalar.type.id) {
    case TypeId::kUtf8:
      scalar.string_value = in.String();
      break;
    case TypeId::kFloat64:
      scalar.double_value = in.Double();
      break;
    default:
      scalar.int_value = in.Int();
      break;
  }
  // Narrow types are read back from int_value by casting: keep them in range.
  int64_t low = INT64_MIN, high = INT64_MAX;
  switch (scalar.type.id) {
    case TypeId::kBool:
      low = 0, high = 1;
      break;
    case TypeId::kInt8:
      low = INT8_MIN, high = INT8_MAX;
      break;
    case TypeId::kInt16:
      low = INT16_MIN, high = INT16_MAX;
      break;
    case TypeId::kInt32:
    case TypeId::kDate32:
      low = INT32_MIN, high = INT32_MAX;
      break;
    default:
      break;
  }
  if (scalar.int_value < low || scalar.int_value > high) {
    Fail("literal " + std::to_string(scalar.int_value) + " is out of range for " +
         scalar.type.ToString());
  }
  return scalar;
}

}  // namespace

namespace {

void EncodeNode(const ExprNode& n, Encoder& out) {
  out.ArrayHeader(static_cast<uint32_t>(2 + NumParameters(n.kind)));
  out.Int(static_cast<int64_t>(n.kind));
  out.Int(static_cast<int64_t>(n.args.size()));
  switch (n.kind) {
    case ExprKind::kLiteral:
      EncodeScalar(n.literal, out);
      break;
    case ExprKind::kCompare:
      out.Int(static_cast<int64_t>(n.compare_op));
      break;
    case ExprKind::kArithmetic:
      out.Int(static_cast<int64_t>(n.arithmetic_op));
      break;
    case ExprKind::kDatePart:
      out.Int(static_cast<int64_t>(n.part));
      break;
    case ExprKind::kAddDays:
    case ExprKind::kAddMonths:
      out.Int(n.amount);
      break;
    case ExprKind::kCast:
      EncodeDataType(n.type, out);
      break;
    default:
      if (NumParameters(n.kind) == 1) out.String(n.text);
      break;
  }
}

// Counts the nodes below `expr` (postorder), failing beyond the depth a decoder accepts.
void CountNodes(const Expr& expr, int depth, uint32_t* count) {
  if (depth > kMaxExprDepth) {
    throw Error(Status::Invalid("an expression nested deeper than " +
                                std::to_string(kMaxExprDepth) + " levels cannot be serialized"));
  }
  for (const Expr& arg : expr.node()->args) CountNodes(arg, depth + 1, count);
  ++*count;
}

void EncodePostorder(const Expr& expr, Encoder& out) {
  for (const Expr& arg : expr.node()->args) EncodePostorder(arg, out);
  EncodeNode(*expr.node(), out);
}

}  // namespace

void Expr::Encode(Encoder& out) const {
  uint32_t count = 0;
  CountNodes(*this, 1, &count);
  out.ArrayHeader(count);
  EncodePostorder(*this, out);
}

Expr Expr::Decode(Decoder& in) {
  struct Built {
    Expr expr;
    int depth;
  };
  std::vector<Built> stack;  // finished subtrees, waiting for their parent
  const uint32_t count = in.ArrayHeader();
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t size = in.ArrayHeader();
    if (size < 2) Fail("a node needs a kind and an argument count");
    ExprNode node;
    node.kind = DecodeEnum(in, ExprKind::kAlias, "node kind");
    const int64_t num_args = in.Int();
    const int parameters = NumParameters(node.kind);
    if (size != 2u + parameters) {
      Fail("node of kind " + std::to_string(int(node.kind)) + " has " + std::to_string(size) +
           " fields, expected " + std::to_string(2 + parameters));
    }
    if (num_args < 0 || num_args > static_cast<int64_t>(stack.size()) ||
        !ArityFits(node.kind, static_cast<uint32_t>(num_args))) {
      Fail("node of kind " + std::to_string(int(node.kind)) + " has " + std::to_string(num_args) +
           " arguments (" + std::to_string(stack.size()) + " available)");
    }
    switch (node.kind) {
      case ExprKind::kLiteral:
        node.literal = DecodeScalar(in);
        break;
      case ExprKind::kCompare:
        node.compare_op = DecodeEnum(in, compute::CompareOp::kGe, "comparison");
        break;
      case ExprKind::kArithmetic:
        node.arithmetic_op = DecodeEnum(in, compute::ArithmeticOp::kDiv, "arithmetic operator");
        break;
      case ExprKind::kDatePart:
        node.part = DecodeEnum(in, compute::DatePart::kDay, "date part");
        break;
      case ExprKind::kAddDays:
      case ExprKind::kAddMonths:
        node.amount = in.Int();
        break;
      case ExprKind::kCast:
        node.type = DecodeDataType(in);
        break;
      default:
        if (parameters == 1) node.text = in.String();
        break;
    }
    int depth = 1;
    const size_t first = stack.size() - static_cast<size_t>(num_args);
    for (size_t a = first; a < stack.size(); ++a) {
      node.args.push_back(std::move(stack[a].expr));
      depth = std::max(depth, stack[a].depth + 1);
    }
    stack.erase(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
    // Evaluation recurses once per level: keep decoded trees as shallow as encodable ones.
    if (depth > kMaxExprDepth) Fail("nested deeper than " + std::to_string(kMaxExprDepth));
    stack.push_back({Expr(std::make_shared<const ExprNode>(std::move(node))), depth});
  }
  if (stack.size() != 1) Fail(std::to_string(stack.size()) + " roots instead of one");
  return std::move(stack[0].expr);
}

}  // namespace quokka

// Comparison kernels: Compare, Between, IsIn, IsNull, IsNotNull.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "kernels/util.h"

namespace quokka::compute {
using namespace internal;

namespace {

template <typename T>
struct ArrayAccess {
  const T* values;
  T operator()(int64_t i) const { return values[i]; }
};
template <typename T>
struct ScalarAccess {
  T value;
  T operator()(int64_t) const { return value; }
};
struct StringArrayAccess {
  StringView view;
  std::string_view operator()(int64_t i) const { return view[i]; }
};

template <typename F>
decltype(auto) DispatchCompareOp(CompareOp op, F&& f) {
  switch (op) {
    case CompareOp::kEq:
      return f(std::equal_to<>());
    case CompareOp::kNe:
      return f(std::not_equal_to<>());
    case CompareOp::kLt:
      return f(std::less<>());
    case CompareOp::kLe:
      return f(std::less_equal<>());
    case CompareOp::kGt:
      return f(std::greater<>());
    case CompareOp::kGe:
      return f(std::greater_equal<>());
  }
  return f(std::equal_to<>());
}

template <typename T>
ColumnPtr CompareFixed(CompareOp op, const Datum& l, const Datum& r, int64_t n,
                       BufferPtr validity) {
  return DispatchCompareOp(op, [&](auto cmp) {
    if (!l.is_scalar() && !r.is_scalar()) {
      ArrayAccess<T> a{l.column()->values<T>()}, b{r.column()->values<T>()};
      return MakeBoolColumn(n, validity, [&](int64_t i) { return cmp(a(i), b(i)); });
    }
    if (!l.is_scalar()) {
      ArrayAccess<T> a{l.column()->values<T>()};
      ScalarAccess<T> b{ScalarValueAs<T>(r.scalar())};
      return MakeBoolColumn(n, validity, [&](int64_t i) { return cmp(a(i), b(i)); });
    }
    if (!r.is_scalar()) {
      ScalarAccess<T> a{ScalarValueAs<T>(l.scalar())};
      ArrayAccess<T> b{r.column()->values<T>()};
      return MakeBoolColumn(n, validity, [&](int64_t i) { return cmp(a(i), b(i)); });
    }
    const bool result = cmp(ScalarValueAs<T>(l.scalar()), ScalarValueAs<T>(r.scalar()));
    return MakeBoolColumn(n, validity, [&](int64_t) { return result; });
  });
}

ColumnPtr CompareStrings(CompareOp op, const Datum& l, const Datum& r, int64_t n,
                         BufferPtr validity) {
  return DispatchCompareOp(op, [&](auto cmp) {
    if (!l.is_scalar() && !r.is_scalar()) {
      StringArrayAccess a{StringView(*l.column())}, b{StringView(*r.column())};
      return MakeBoolColumn(n, validity, [&](int64_t i) { return cmp(a(i), b(i)); });
    }
    if (!l.is_scalar()) {
      StringArrayAccess a{StringView(*l.column())};
      std::string_view b = r.scalar().string_value;
      return MakeBoolColumn(n, validity, [&](int64_t i) { return cmp(a(i), b); });
    }
    if (!r.is_scalar()) {
      std::string_view a = l.scalar().string_value;
      StringArrayAccess b{StringView(*r.column())};
      return MakeBoolColumn(n, validity, [&](int64_t i) { return cmp(a, b(i)); });
    }
    const bool result =
        cmp(std::string_view(l.scalar().string_value), std::string_view(r.scalar().string_value));
    return MakeBoolColumn(n, validity, [&](int64_t) { return result; });
  });
}

bool IsNullScalar(const Datum& d) { return d.is_scalar() && !d.scalar().is_valid; }
const Column* ColumnOrNull(const Datum& d) { return d.is_scalar() ? nullptr : d.column().get(); }

Status CheckLengths(const Datum& a, const Datum& b) {
  if (!a.is_scalar() && !b.is_scalar() && a.column()->length() != b.column()->length()) {
    return Status::Invalid(
        "operands have different lengths: " + std::to_string(a.column()->length()) + " and " +
        std::to_string(b.column()->length()));
  }
  return Status::OK();
}

// Whether a literal integer can be compared in the (narrower) integer type of a column, which
// avoids widening the column.
bool LiteralFits(const Datum& column, const Datum& literal) {
  if (column.is_scalar() || !literal.is_scalar() || !literal.scalar().is_valid) return false;
  const TypeId c = column.type().id;
  if (!IsIntegerId(c) || !IsIntegerId(literal.type().id)) return false;
  const int64_t v = literal.scalar().int_value;
  switch (c) {
    case TypeId::kInt8:
      return v >= INT8_MIN && v <= INT8_MAX;
    case TypeId::kInt16:
      return v >= INT16_MIN && v <= INT16_MAX;
    case TypeId::kInt32:
      return v >= INT32_MIN && v <= INT32_MAX;
    default:
      return true;
  }
}

}  // namespace

Result<ColumnPtr> Compare(CompareOp op, const Datum& left, const Datum& right) {
  QK_RETURN_NOT_OK(CheckLengths(left, right));
  QK_ASSIGN_OR_RAISE(DataType common, CommonCompareType(left.type(), right.type()));
  if (LiteralFits(left, right)) common = left.type();
  if (LiteralFits(right, left)) common = right.type();
  if (common.id == TypeId::kBool) common = DataType::Int8();
  QK_ASSIGN_OR_RAISE(Datum l, ConvertDatum(left, common));
  QK_ASSIGN_OR_RAISE(Datum r, ConvertDatum(right, common));
  const int64_t n = DatumLength(l, &r);
  if (IsNullScalar(l) || IsNullScalar(r)) return MakeNullColumn(DataType::Bool(), n);
  BufferPtr validity = CombineValidity(ColumnOrNull(l), ColumnOrNull(r));
  if (common.id == TypeId::kUtf8) return CompareStrings(op, l, r, n, std::move(validity));
  return DispatchFixedWidth(
      common.id, [&](auto tag) { return CompareFixed<decltype(tag)>(op, l, r, n, validity); });
}

Result<ColumnPtr> Between(const Datum& value, const Datum& low, const Datum& high) {
  QK_ASSIGN_OR_RAISE(ColumnPtr ge, Compare(CompareOp::kGe, value, low));
  QK_ASSIGN_OR_RAISE(ColumnPtr le, Compare(CompareOp::kLe, value, high));
  if (ge->length() != le->length()) {
    // One side compared scalars only: broadcast it.
    if (ge->length() == 1) ge = MakeColumnFromScalar(Scalar::FromColumn(*ge, 0), le->length());
    if (le->length() == 1) le = MakeColumnFromScalar(Scalar::FromColumn(*le, 0), ge->length());
  }
  return And(ge, le);
}

namespace {

template <typename T, typename Access>
ColumnPtr IsInFixed(Access access, int64_t n, std::vector<T> set, BufferPtr validity) {
  std::sort(set.begin(), set.end());
  set.erase(std::unique(set.begin(), set.end()), set.end());
  if (set.size() <= 16) {
    const T* begin = set.data();
    const size_t size = set.size();
    return MakeBoolColumn(n, validity, [&](int64_t i) {
      const T v = access(i);
      bool found = false;
      for (size_t k = 0; k < size; ++k) found |= begin[k] == v;
      return found;
    });
  }
  return MakeBoolColumn(n, validity, [&](int64_t i) {
    return std::binary_search(set.begin(), set.end(), access(i));
  });
}

}  // namespace

Result<ColumnPtr> IsIn(const ColumnPtr& input, const std::vector<Scalar>& values) {
  DataType common = input->type();
  bool set_has_null = false;
  for (const Scalar& v : values) {
    if (!v.is_valid) {
      set_has_null = true;
      continue;
    }
    auto next = CommonCompareType(common, v.type);
    if (!next.ok()) {
      return Status::TypeError("is_in: cannot compare " + input->type().ToString() +
                               " with the value " + v.ToString() + " of type " + v.type.ToString());
    }
    common = *next;
  }
  if (IsIntegerId(input->type().id)) {
    bool all_fit = true;
    for (const Scalar& v : values) all_fit &= !v.is_valid || LiteralFits(input, v);
    if (all_fit) common = input->type();
  }
  if (common.id == TypeId::kBool) common = DataType::Int8();
  QK_ASSIGN_OR_RAISE(Datum converted, ConvertDatum(Datum(input), common));
  const ColumnPtr& column = converted.column();
  std::vector<Scalar> set;
  for (const Scalar& v : values) {
    if (!v.is_valid) continue;
    QK_ASSIGN_OR_RAISE(Datum s, ConvertDatum(Datum(v), common));
    set.push_back(s.scalar());
  }
  const int64_t n = column->length();
  BufferPtr validity = ZeroOffsetValidity(*column);
  ColumnPtr found;
  if (common.id == TypeId::kUtf8) {
    std::vector<std::string_view> strings;
    for (const Scalar& s : set) strings.push_back(s.string_value);
    StringView view(*column);
    found = IsInFixed<std::string_view>([&](int64_t i) { return view[i]; }, n, std::move(strings),
                                        validity);
  } else {
    found = DispatchFixedWidth(common.id, [&](auto tag) {
      using T = decltype(tag);
      std::vector<T> typed;
      for (const Scalar& s : set) typed.push_back(ScalarValueAs<T>(s));
      const T* data = column->values<T>();
      return IsInFixed<T>([data](int64_t i) { return data[i]; }, n, std::move(typed), validity);
    });
  }
  if (!set_has_null) return found;
  // Not found + a null in the set = null: validity &= found.
  std::shared_ptr<Buffer> out_validity = AllocateBuffer(BitmapBytes(n));
  const uint8_t* f = found->values_buffer()->data();
  uint8_t* dst = out_validity->mutable_data();
  for (int64_t i = 0; i < BitmapBytes(n); ++i) {
    dst[i] = f[i] & (validity ? validity->data()[i] : 0xff);
  }
  return MakeColumn(DataType::Bool(), n, std::move(out_validity), found->values_buffer());
}

namespace {

ColumnPtr ValidityAsBool(const Column& input, bool invert) {
  const int64_t n = input.length();
  if (!MayHaveNulls(input)) {
    return MakeColumn(DataType::Bool(), n, nullptr, AllocateBitmap(n, !invert));
  }
  std::shared_ptr<Buffer> bits = CopyBitmap(input.validity()->data(), input.offset(), n);
  if (invert) {
    uint8_t* data = bits->mutable_data();
    for (int64_t i = 0; i < BitmapBytes(n); ++i) data[i] = static_cast<uint8_t>(~data[i]);
    if (n % 8 != 0) data[n / 8] &= static_cast<uint8_t>((1u << (n % 8)) - 1);
  }
  return MakeColumn(DataType::Bool(), n, nullptr, std::move(bits));
}

}  // namespace

Result<ColumnPtr> IsNull(const ColumnPtr& input) { return ValidityAsBool(*input, true); }
Result<ColumnPtr> IsNotNull(const ColumnPtr& input) { return ValidityAsBool(*input, false); }

}  // namespace quokka::compute

// Arithmetic kernels (+ - * / negate on integers, float64, decimals; date +/- days) and date
// kernels (date parts, adding days and months).
#include <algorithm>
#include <cmath>

#include "kernels/util.h"

namespace quokka::compute {
using namespace internal;

namespace {

// Integer arithmetic wraps around (computed in uint64: no undefined behaviour).
struct AddOp {
  int64_t operator()(int64_t a, int64_t b) const {
    return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  }
  double operator()(double a, double b) const { return a + b; }
};
struct SubOp {
  int64_t operator()(int64_t a, int64_t b) const {
    return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
  }
  double operator()(double a, double b) const { return a - b; }
};
struct MulOp {
  int64_t operator()(int64_t a, int64_t b) const {
    return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  }
  double operator()(double a, double b) const { return a * b; }
};
struct DivOp {
  // Division by zero gives 0 here; the caller marks those rows null.
  int64_t operator()(int64_t a, int64_t b) const {
    if (b == 0) return 0;
    if (b == -1) return static_cast<int64_t>(0 - static_cast<uint64_t>(a));
    return a / b;
  }
  double operator()(double a, double b) const { return a / b; }
};

template <typename T, typename Op>
std::shared_ptr<Buffer> BinaryLoop(const Datum& l, const Datum& r, int64_t n, Op op) {
  std::shared_ptr<Buffer> buffer = AllocateBuffer(n * int64_t{sizeof(T)});
  T* out = reinterpret_cast<T*>(buffer->mutable_data());
  if (!l.is_scalar() && !r.is_scalar()) {
    const T* a = l.column()->values<T>();
    const T* b = r.column()->values<T>();
    for (int64_t i = 0; i < n; ++i) out[i] = op(a[i], b[i]);
  } else if (!l.is_scalar()) {
    const T* a = l.column()->values<T>();
    const T b = ScalarValueAs<T>(r.scalar());
    for (int64_t i = 0; i < n; ++i) out[i] = op(a[i], b);
  } else if (!r.is_scalar()) {
    const T a = ScalarValueAs<T>(l.scalar());
    const T* b = r.column()->values<T>();
    for (int64_t i = 0; i < n; ++i) out[i] = op(a, b[i]);
  } else {
    const T v = op(ScalarValueAs<T>(l.scalar()), ScalarValueAs<T>(r.scalar()));
    for (int64_t i = 0; i < n; ++i) out[i] = v;
  }
  return buffer;
}

template <typename T>
ColumnPtr Compute(ArithmeticOp op, const Datum& l, const Datum& r, int64_t n,
                  const DataType& out_type) {
  const Column* lc = l.is_scalar() ? nullptr : l.column().get();
  const Column* rc = r.is_scalar() ? nullptr : r.column().get();
  if ((l.is_scalar() && !l.scalar().is_valid) || (r.is_scalar() && !r.scalar().is_valid)) {
    return MakeNullColumn(out_type, n);
  }
  BufferPtr validity = CombineValidity(lc, rc);
  std::shared_ptr<Buffer> values;
  switch (op) {
    case ArithmeticOp::kAdd:
      values = BinaryLoop<T>(l, r, n, AddOp());
      break;
    case ArithmeticOp::kSub:
      values = BinaryLoop<T>(l, r, n, SubOp());
      break;
    case ArithmeticOp::kMul:
      values = BinaryLoop<T>(l, r, n, MulOp());
      break;
    case ArithmeticOp::kDiv:
      values = BinaryLoop<T>(l, r, n, DivOp());
      if constexpr (std::is_same_v<T, int64_t>) {
        // Integer division by zero: null.
        if (r.is_scalar()) {
          if (r.scalar().int_value == 0) return MakeNullColumn(out_type, n);
        } else {
          const int64_t* b = r.column()->values<int64_t>();
          std::shared_ptr<Buffer> nonzero = AllocateBuffer(BitmapBytes(n));
          uint8_t* bits = nonzero->mutable_data();
          PackBits(n, bits, [&](int64_t i) { return b[i] != 0; });
          if (validity != nullptr) {
            for (int64_t i = 0; i < BitmapBytes(n); ++i) bits[i] &= validity->data()[i];
          }
          validity = std::move(nonzero);
        }
      }
      break;
  }
  return MakeColumn(out_type, n, std::move(validity), std::move(values));
}

/// Digits an integer-typed operand can have (for decimal precision).
int IntegerPrecision(const Datum& d) {
  if (d.type().id == TypeId::kDecimal) return d.type().precision;
  if (d.is_scalar()) return DigitCount(d.scalar().int_value);
  switch (d.type().id) {
    case TypeId::kInt8:
      return 3;
    case TypeId::kInt16:
      return 5;
    case TypeId::kInt32:
      return 10;
    default:
      return 18;
  }
}

/// The same values seen as another type of the same physical layout (date32 <-> int32).
Datum Reinterpret(const Datum& d, const DataType& type) {
  if (d.is_scalar()) {
    Scalar s = d.scalar();
    s.type = type;
    return s;
  }
  const Column& c = *d.column();
  return Datum(std::make_shared<Column>(type, c.length(), c.validity(), c.values_buffer(),
                                        c.offsets_buffer(), c.null_count(), c.offset()));
}

Result<ColumnPtr> DateArithmetic(ArithmeticOp op, const Datum& left, const Datum& right,
                                 int64_t n) {
  const bool l_date = left.type().id == TypeId::kDate32;
  const bool r_date = right.type().id == TypeId::kDate32;
  QK_ASSIGN_OR_RAISE(Datum l, ConvertDatum(l_date ? Reinterpret(left, DataType::Int32()) : left,
                                           DataType::Int64()));
  QK_ASSIGN_OR_RAISE(Datum r, ConvertDatum(r_date ? Reinterpret(right, DataType::Int32()) : right,
                                           DataType::Int64()));
  ColumnPtr days = Compute<int64_t>(op, l, r, n, DataType::Int64());
  if (l_date && r_date) return days;  // date - date: int64 days
  QK_ASSIGN_OR_RAISE(ColumnPtr narrowed, Cast(days, DataType::Int32()));
  return Reinterpret(narrowed, DataType::Date32()).column();
}

Status ArithmeticTypeError(ArithmeticOp op, const DataType& a, const DataType& b) {
  return Status::TypeError(std::string("cannot compute ") + a.ToString() + " " + ToString(op) +
                           " " + b.ToString());
}

}  // namespace

Result<ColumnPtr> Arithmetic(ArithmeticOp op, const Datum& left, const Datum& right) {
  if (!left.is_scalar() && !right.is_scalar() &&
      left.column()->length() != right.column()->length()) {
    return Status::Invalid(
        "operands have different lengths: " + std::to_string(left.column()->length()) + " and " +
        std::to_string(right.column()->length()));
  }
  const DataType& lt = left.type();
  const DataType& rt = right.type();
  const int64_t n = DatumLength(left, &right);
  const bool l_int = IsIntegerId(lt.id), r_int = IsIntegerId(rt.id);
  const bool l_num = l_int || lt.id == TypeId::kFloat64 || lt.id == TypeId::kDecimal;
  const bool r_num = r_int || rt.id == TypeId::kFloat64 || rt.id == TypeId::kDecimal;

  // Dates.
  if (lt.id == TypeId::kDate32 || rt.id == TypeId::kDate32) {
    const bool ok =
        (lt.id == TypeId::kDate32 && r_int &&
         (op == ArithmeticOp::kAdd || op == ArithmeticOp::kSub)) ||
        (l_int && rt.id == TypeId::kDate32 && op == ArithmeticOp::kAdd) ||
        (lt.id == TypeId::kDate32 && rt.id == TypeId::kDate32 && op == ArithmeticOp::kSub);
    if (!ok) return ArithmeticTypeError(op, lt, rt);
    return DateArithmetic(op, left, right, n);
  }
  if (!l_num || !r_num) return ArithmeticTypeError(op, lt, rt);

  // Integers.
  if (l_int && r_int) {
    QK_ASSIGN_OR_RAISE(Datum l, ConvertDatum(left, DataType::Int64()));
    QK_ASSIGN_OR_RAISE(Datum r, ConvertDatum(right, DataType::Int64()));
    return Compute<int64_t>(op, l, r, n, DataType::Int64());
  }
  // Anything with float64, and decimal division: float64.
  if (lt.id == TypeId::kFloat64 || rt.id == TypeId::kFloat64 || op == ArithmeticOp::kDiv) {
    QK_ASSIGN_OR_RAISE(Datum l, ConvertDatum(left, DataType::Float64()));
    QK_ASSIGN_OR_RAISE(Datum r, ConvertDatum(right, DataType::Float64()));
    return Compute<double>(op, l, r, n, DataType::Float64());
  }
  // Decimals (with decimals or integers).
  const int ls = lt.id == TypeId::kDecimal ? lt.scale : 0;
  const int rs = rt.id == TypeId::kDecimal ? rt.scale : 0;
  const int lp = IntegerPrecision(left), rp = IntegerPrecision(right);
  if (op == ArithmeticOp::kMul) {
    const int scale = ls + rs;
    if (scale > 18) {
      return Status::TypeError("decimal product " + lt.ToString() + " * " + rt.ToString() +
                               " would have scale " + std::to_string(scale) +
                               " (at most 18); cast to float64 first");
    }
    QK_ASSIGN_OR_RAISE(Datum l, ConvertDatum(left, DataType::Decimal(18, ls)));
    QK_ASSIGN_OR_RAISE(Datum r, ConvertDatum(right, DataType::Decimal(18, rs)));
    return Compute<int64_t>(op, l, r, n, DataType::Decimal(std::min(18, lp + rp), scale));
  }
  const int scale = std::max(ls, rs);
  const int precision = std::min(18, std::max(lp - ls, rp - rs) + scale + 1);
  QK_ASSIGN_OR_RAISE(Datum l, ConvertDatum(left, DataType::Decimal(18, scale)));
  QK_ASSIGN_OR_RAISE(Datum r, ConvertDatum(right, DataType::Decimal(18, scale)));
  return Compute<int64_t>(op, l, r, n, DataType::Decimal(precision, scale));
}

Result<ColumnPtr> Negate(const ColumnPtr& input) {
  const DataType& type = input->type();
  if (IsIntegerId(type.id) || type.id == TypeId::kDecimal) {
    DataType out = type.id == TypeId::kDecimal ? type : DataType::Int64();
    QK_ASSIGN_OR_RAISE(Datum d, ConvertDatum(Datum(input), out));
    return Compute<int64_t>(ArithmeticOp::kSub, Datum(Scalar::Int64(0)), d, input->length(), out);
  }
  if (type.id == TypeId::kFloat64) {
    const int64_t n = input->length();
    std::shared_ptr<Buffer> values = AllocateBuffer(n * 8);
    double* out = reinterpret_cast<double*>(values->mutable_data());
    const double* in = input->values<double>();
    for (int64_t i = 0; i < n; ++i) out[i] = -in[i];
    return MakeColumn(type, n, ZeroOffsetValidity(*input), std::move(values));
  }
  return Status::TypeError("cannot negate " + type.ToString());
}

// ---- dates -----------------------------------------------------------------------------------

namespace {

Status CheckDate(const Column& c, const char* what, bool allow_timestamp) {
  if (c.type().id == TypeId::kDate32) return Status::OK();
  if (allow_timestamp && c.type().id == TypeId::kTimestamp) return Status::OK();
  return Status::TypeError(std::string(what) + " needs a date32" +
                           (allow_timestamp ? " or timestamp" : "") + " column, got " +
                           c.type().ToString());
}

template <typename F>
ColumnPtr MapDays(const Column& input, const DataType& out_type, F&& f) {
  const int64_t n = input.length();
  using Out = decltype(f(int64_t{0}));
  std::shared_ptr<Buffer> values = AllocateBuffer(n * int64_t{sizeof(Out)});
  Out* out = reinterpret_cast<Out*>(values->mutable_data());
  if (input.type().id == TypeId::kDate32) {
    const int32_t* days = input.values<int32_t>();
    for (int64_t i = 0; i < n; ++i) out[i] = f(days[i]);
  } else {
    const int64_t per_day = UnitsPerSecond(input.type().unit) * 86400;
    const int64_t* ts = input.values<int64_t>();
    for (int64_t i = 0; i < n; ++i) {
      int64_t d = ts[i] / per_day;
      if (ts[i] % per_day < 0) --d;
      out[i] = f(d);
    }
  }
  return MakeColumn(out_type, n, ZeroOffsetValidity(input), std::move(values));
}

}  // namespace

Result<ColumnPtr> ExtractDatePart(const ColumnPtr& input, DatePart part) {
  QK_RETURN_NOT_OK(CheckDate(*input, "year/month/day", true));
  return MapDays(*input, DataType::Int64(), [part](int64_t days) -> int64_t {
    int y, m, d;
    CivilFromDaysFast(days, &y, &m, &d);
    return part == DatePart::kYear ? y : part == DatePart::kMonth ? m : d;
  });
}

Result<ColumnPtr> AddDays(const ColumnPtr& dates, int64_t days) {
  QK_RETURN_NOT_OK(CheckDate(*dates, "add_days", false));
  return MapDays(*dates, DataType::Date32(), [days](int64_t d) -> int32_t {
    return static_cast<int32_t>(static_cast<uint64_t>(d) + static_cast<uint64_t>(days));
  });
}

Result<ColumnPtr> AddMonths(const ColumnPtr& dates, int64_t months) {
  QK_RETURN_NOT_OK(CheckDate(*dates, "add_months", false));
  if (months > 12 * 100000 || months < -12 * 100000) {
    return Status::Invalid("add_months: " + std::to_string(months) + " months is out of range");
  }
  return MapDays(*dates, DataType::Date32(), [months](int64_t days) -> int32_t {
    int y, m, d;
    CivilFromDaysFast(days, &y, &m, &d);
    int64_t total = static_cast<int64_t>(y) * 12 + (m - 1) + months;
    int64_t ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
    int nm = static_cast<int>(total - ny * 12) + 1;
    int nd = std::min(d, DaysInMonth(static_cast<int>(ny), nm));
    return static_cast<int32_t>(DaysFromCivilFast(ny, nm, nd));
  });
}

}  // namespace quokka::compute

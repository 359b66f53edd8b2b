// Cast kernels: numbers <-> numbers, dates and timestamps, utf8 parsing and rendering.
#include <charconv>
#include <cmath>
#include <limits>

#include "kernels/util.h"

namespace quokka::compute {
using namespace internal;

namespace {

Status CastError(const Column& in, int64_t row, const DataType& to, const char* why) {
  std::string message = "cannot cast ";
  if (in.type().id == TypeId::kUtf8) {
    message.push_back('\'');
    message.append(in.GetString(row));
    message.push_back('\'');
  } else {
    message.append(Scalar::FromColumn(in, row).ToString());
  }
  message.append(" (row ").append(std::to_string(row)).append(", ");
  message.append(in.type().ToString()).append(") to ").append(to.ToString());
  message.append(": ").append(why);
  return Status::Invalid(std::move(message));
}

Status Unsupported(const DataType& from, const DataType& to) {
  return Status::TypeError("cannot cast " + from.ToString() + " to " + to.ToString());
}

// Out[i] = f(in[i]) for every row; no failure possible.
template <typename Out, typename In, typename F>
ColumnPtr MapUnchecked(const Column& in, const DataType& to, F&& f) {
  const int64_t n = in.length();
  std::shared_ptr<Buffer> buffer = AllocateBuffer(n * int64_t{sizeof(Out)});
  Out* out = reinterpret_cast<Out*>(buffer->mutable_data());
  const In* v = in.values<In>();
  for (int64_t i = 0; i < n; ++i) out[i] = f(v[i]);
  return MakeColumn(to, n, ZeroOffsetValidity(in), std::move(buffer));
}

// f(value, &out) returns false when the value cannot be converted (`why` says why); null rows
// are skipped.
template <typename Out, typename In, typename F>
Result<ColumnPtr> MapChecked(const Column& in, const DataType& to, const char* why, F&& f) {
  const int64_t n = in.length();
  std::shared_ptr<Buffer> buffer = AllocateBuffer(n * int64_t{sizeof(Out)});
  Out* out = reinterpret_cast<Out*>(buffer->mutable_data());
  const In* v = in.values<In>();
  const bool nulls = MayHaveNulls(in);
  for (int64_t i = 0; i < n; ++i) {
    if (nulls && in.IsNull(i)) {
      out[i] = Out();
      continue;
    }
    if (!f(v[i], &out[i])) return CastError(in, i, to, why);
  }
  return MakeColumn(to, n, ZeroOffsetValidity(in), std::move(buffer));
}

template <typename Out>
bool FitsInt(int64_t v) {
  return v >= std::numeric_limits<Out>::min() && v <= std::numeric_limits<Out>::max();
}

bool DoubleToInt64(double v, int64_t* out) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

// value * 10^up, or value / 10^down rounded half away from zero; checked against 10^precision.
bool Rescale(int64_t v, int from_scale, int to_scale, int precision, int64_t* out) {
  int64_t r;
  if (to_scale >= from_scale) {
    if (__builtin_mul_overflow(v, Pow10(to_scale - from_scale), &r)) return false;
  } else {
    const int64_t d = Pow10(from_scale - to_scale);
    r = v / d;
    const int64_t rem = v % d;
    if (rem >= (d + 1) / 2) ++r;
    if (-rem >= (d + 1) / 2) --r;
  }
  const int64_t limit = Pow10(precision);
  if (precision < 19 && (r >= limit || r <= -limit)) return false;
  *out = r;
  return true;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// A fixed-width source of C type In (integers, float64, decimal, date32, timestamp).
template <typename In>
Result<ColumnPtr> CastFixed(const Column& in, const DataType& to) {
  const DataType& from = in.type();
  const bool from_int = IsIntegerId(from.id);
  const bool from_float = from.id == TypeId::kFloat64;
  const bool from_decimal = from.id == TypeId::kDecimal;
  const int from_scale = from_decimal ? from.scale : 0;

  switch (to.id) {
    case TypeId::kBool: {
      if (!(from_int || from_float || from_decimal)) break;
      const In* v = in.values<In>();
      return MakeBoolColumn(in.length(), ZeroOffsetValidity(in),
                            [v](int64_t i) { return v[i] != 0; });
    }
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: {
      const bool from_days =
          from.id == TypeId::kDate32 && (to.id == TypeId::kInt32 || to.id == TypeId::kInt64);
      const bool from_ts = from.id == TypeId::kTimestamp && to.id == TypeId::kInt64;
      if (!(from_int || from_float || from_decimal || from_days || from_ts)) break;
      return DispatchFixedWidth(to.id, [&](auto tag) -> Result<ColumnPtr> {
        using Out = decltype(tag);
        if constexpr (std::is_same_v<In, double>) {
          return MapChecked<Out, In>(in, to, "out of range", [](double v, Out* out) {
            int64_t i;
            if (!DoubleToInt64(v, &i) || !FitsInt<Out>(i)) return false;
            *out = static_cast<Out>(i);
            return true;
          });
        } else {
          if (from_decimal) {
            const int64_t d = Pow10(from_scale);
            return MapChecked<Out, In>(in, to, "out of range", [d](In v, Out* out) {
              const int64_t i = static_cast<int64_t>(v) / d;
              if (!FitsInt<Out>(i)) return false;
              *out = static_cast<Out>(i);
              return true;
            });
          }
          if (sizeof(Out) >= sizeof(In)) {
            return MapUnchecked<Out, In>(in, to, [](In v) { return static_cast<Out>(v); });
          }
          return MapChecked<Out, In>(in, to, "out of range", [](In v, Out* out) {
            if (!FitsInt<Out>(v)) return false;
            *out = static_cast<Out>(v);
            return true;
          });
        }
      });
    }
    case TypeId::kFloat64: {
      if (from_int || from_float) {
        return MapUnchecked<double, In>(in, to, [](In v) { return static_cast<double>(v); });
      }
      if (from_decimal) {
        const double d = static_cast<double>(Pow10(from_scale));
        return MapUnchecked<double, In>(in, to, [d](In v) { return static_cast<double>(v) / d; });
      }
      break;
    }
    case TypeId::kDecimal: {
      if (to.precision < 1 || to.precision > 18 || to.scale < 0 || to.scale > to.precision) {
        return Status::TypeError("invalid decimal type " + to.ToString());
      }
      const int precision = to.precision, scale = to.scale;
      const char* why = "does not fit";
      if constexpr (std::is_same_v<In, double>) {
        const double factor = static_cast<double>(Pow10(scale));
        const double limit = static_cast<double>(Pow10(precision));
        return MapChecked<int64_t, In>(in, to, why, [=](double v, int64_t* out) {
          const double x = std::round(v * factor);
          if (!(x > -limit && x < limit)) return false;
          *out = static_cast<int64_t>(x);
          return true;
        });
      } else {
        if (!(from_int || from_decimal)) break;
        if (from_decimal && from_scale == scale && precision >= from.precision) {
          // Same values, wider type: share the buffers.
          return ColumnPtr(std::make_shared<Column>(to, in.length(), in.validity(),
                                                    in.values_buffer(), nullptr, in.null_count(),
                                                    in.offset()));
        }
        return MapChecked<int64_t, In>(in, to, why, [=](In v, int64_t* out) {
          return Rescale(static_cast<int64_t>(v), from_scale, scale, precision, out);
        });
      }
    }
    case TypeId::kDate32: {
      if (from.id != TypeId::kTimestamp) break;
      const int64_t per_day = UnitsPerSecond(from.unit) * 86400;
      return MapChecked<int32_t, In>(in, to, "out of range", [per_day](In v, int32_t* out) {
        const int64_t d = FloorDiv(static_cast<int64_t>(v), per_day);
        if (!FitsInt<int32_t>(d)) return false;
        *out = static_cast<int32_t>(d);
        return true;
      });
    }
    case TypeId::kTimestamp: {
      if constexpr (std::is_same_v<In, double>) {
        break;
      } else {
        int64_t mul = 1, div = 1;
        if (from.id == TypeId::kDate32) {
          mul = UnitsPerSecond(to.unit) * 86400;
        } else if (from.id == TypeId::kTimestamp) {
          const int64_t a = UnitsPerSecond(from.unit), b = UnitsPerSecond(to.unit);
          if (b >= a) {
            mul = b / a;
          } else {
            div = a / b;
          }
        } else if (from.id != TypeId::kInt64) {
          break;
        }
        return MapChecked<int64_t, In>(in, to, "out of range", [mul, div](In v, int64_t* out) {
          if (div != 1) {
            *out = FloorDiv(static_cast<int64_t>(v), div);
            return true;
          }
          return !__builtin_mul_overflow(static_cast<int64_t>(v), mul, out);
        });
      }
    }
    default:
      break;
  }
  return Unsupported(from, to);
}

// ---- utf8 -> anything ------------------------------------------------------------------------

bool ParseInt64(std::string_view s, int64_t* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

bool ParseDouble(std::string_view s, double* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

template <typename Out, typename F>
Result<ColumnPtr> ParseStrings(const Column& in, const DataType& to, const char* why, F&& f) {
  const int64_t n = in.length();
  std::shared_ptr<Buffer> buffer = AllocateBuffer(n * int64_t{sizeof(Out)});
  Out* out = reinterpret_cast<Out*>(buffer->mutable_data());
  StringView view(in);
  const bool nulls = MayHaveNulls(in);
  for (int64_t i = 0; i < n; ++i) {
    if (nulls && in.IsNull(i)) {
      out[i] = Out();
      continue;
    }
    if (!f(view[i], &out[i])) return CastError(in, i, to, why);
  }
  return MakeColumn(to, n, ZeroOffsetValidity(in), std::move(buffer));
}

Result<ColumnPtr> CastFromString(const Column& in, const DataType& to) {
  switch (to.id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
      return DispatchFixedWidth(to.id, [&](auto tag) {
        using Out = decltype(tag);
        return ParseStrings<Out>(in, to, "not an integer in range", [](std::string_view s, Out* o) {
          int64_t v;
          if (!ParseInt64(s, &v) || !FitsInt<Out>(v)) return false;
          *o = static_cast<Out>(v);
          return true;
        });
      });
    case TypeId::kFloat64:
      return ParseStrings<double>(in, to, "not a number", ParseDouble);
    case TypeId::kDecimal: {
      if (to.precision < 1 || to.precision > 18 || to.scale < 0 || to.scale > to.precision) {
        return Status::TypeError("invalid decimal type " + to.ToString());
      }
      const int precision = to.precision, scale = to.scale;
      return ParseStrings<int64_t>(in, to, "not a decimal that fits",
                                   [=](std::string_view s, int64_t* o) {
                                     int64_t v;
                                     if (!ParseDecimalText(s, scale, &v)) return false;
                                     const int64_t limit = Pow10(precision);
                                     if (v >= limit || v <= -limit) return false;
                                     *o = v;
                                     return true;
                                   });
    }
    case TypeId::kDate32:
      return ParseStrings<int32_t>(in, to, "not a date (YYYY-MM-DD)", ParseDateText);
    case TypeId::kBool: {
      ColumnPtr parsed;
      QK_ASSIGN_OR_RAISE(
          parsed, ParseStrings<int8_t>(in, DataType::Int8(), "not a bool",
                                       [](std::string_view s, int8_t* o) {
                                         if (EqualsIgnoreCase(s, "true") || s == "1") {
                                           *o = 1;
                                         } else if (EqualsIgnoreCase(s, "false") || s == "0") {
                                           *o = 0;
                                         } else {
                                           return false;
                                         }
                                         return true;
                                       }));
      const int8_t* v = parsed->values<int8_t>();
      return MakeBoolColumn(in.length(), parsed->validity(), [v](int64_t i) { return v[i] != 0; });
    }
    default:
      return Unsupported(in.type(), to);
  }
}

// ---- anything -> utf8 ------------------------------------------------------------------------

ColumnPtr CastToString(const Column& in) {
  const int64_t n = in.length();
  const TypeId id = in.type().id;
  StringColumnWriter writer(n, n * 8);
  const bool nulls = MayHaveNulls(in);
  char buffer[32];
  for (int64_t i = 0; i < n; ++i) {
    if (nulls && in.IsNull(i)) {
      writer.AppendEmpty();
      continue;
    }
    switch (id) {
      case TypeId::kBool:
        writer.Append(in.GetBool(i) ? "true" : "false");
        break;
      case TypeId::kInt8:
      case TypeId::kInt16:
      case TypeId::kInt32:
      case TypeId::kInt64: {
        int64_t v = DispatchFixedWidth(
            id, [&](auto tag) { return static_cast<int64_t>(in.values<decltype(tag)>()[i]); });
        auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), v);
        writer.Append(std::string_view(buffer, end - buffer));
        break;
      }
      case TypeId::kDecimal:
        writer.Append(FormatDecimal(in.values<int64_t>()[i], in.type().scale));
        break;
      case TypeId::kDate32:
        writer.Append(FormatDate(in.values<int32_t>()[i]));
        break;
      default:
        writer.Append(in.ValueToString(i));
        break;
    }
  }
  return writer.Finish(ZeroOffsetValidity(in));
}

}  // namespace

Result<ColumnPtr> Cast(const ColumnPtr& input, const DataType& to) {
  const DataType& from = input->type();
  if (from == to) return input;
  if (to.id == TypeId::kUtf8) return CastToString(*input);
  if (from.id == TypeId::kUtf8) return CastFromString(*input, to);
  if (from.id == TypeId::kBool) {
    // Through 0/1 integers.
    const int64_t n = input->length();
    std::shared_ptr<Buffer> values = AllocateBuffer(n);
    int8_t* out = reinterpret_cast<int8_t*>(values->mutable_data());
    for (int64_t i = 0; i < n; ++i) out[i] = input->GetBool(i) ? 1 : 0;
    ColumnPtr ints = MakeColumn(DataType::Int8(), n, ZeroOffsetValidity(*input), values);
    if (to.id == TypeId::kInt8) return ints;
    if (!IsIntegerId(to.id) && to.id != TypeId::kFloat64 && to.id != TypeId::kDecimal) {
      return Unsupported(from, to);
    }
    return Cast(ints, to);
  }
  return DispatchFixedWidth(
      from.id, [&](auto tag) -> Result<ColumnPtr> { return CastFixed<decltype(tag)>(*input, to); });
}

Result<Scalar> Cast(const Scalar& input, const DataType& to) {
  if (input.type == to) return input;
  if (!input.is_valid) {
    // Check the cast is supported at all.
    QK_RETURN_NOT_OK(Cast(MakeColumnFromScalar(input, 0), to).status());
    return Scalar::Null(to);
  }
  QK_ASSIGN_OR_RAISE(ColumnPtr column, Cast(MakeColumnFromScalar(input, 1), to));
  return Scalar::FromColumn(*column, 0);
}

}  // namespace quokka::compute

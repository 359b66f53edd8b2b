// Shared kernel helpers, Scalar and Datum.
#include "kernels/util.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace quokka {

// ---- Scalar ----------------------------------------------------------------------------------

Scalar Scalar::Null(DataType type) {
  Scalar s;
  s.type = type;
  s.is_valid = false;
  return s;
}
Scalar Scalar::Bool(bool value) {
  Scalar s;
  s.type = DataType::Bool();
  s.is_valid = true;
  s.int_value = value ? 1 : 0;
  return s;
}
Scalar Scalar::Int64(int64_t value) {
  Scalar s;
  s.type = DataType::Int64();
  s.is_valid = true;
  s.int_value = value;
  return s;
}
Scalar Scalar::Float64(double value) {
  Scalar s;
  s.type = DataType::Float64();
  s.is_valid = true;
  s.double_value = value;
  return s;
}
Scalar Scalar::Utf8(std::string value) {
  Scalar s;
  s.type = DataType::Utf8();
  s.is_valid = true;
  s.string_value = std::move(value);
  return s;
}
Scalar Scalar::Decimal(int64_t unscaled, int precision, int scale) {
  Scalar s;
  s.type = DataType::Decimal(precision, scale);
  s.is_valid = true;
  s.int_value = unscaled;
  return s;
}
Scalar Scalar::Date32(int32_t days) {
  Scalar s;
  s.type = DataType::Date32();
  s.is_valid = true;
  s.int_value = days;
  return s;
}
Scalar Scalar::Timestamp(int64_t value, TimeUnit unit) {
  Scalar s;
  s.type = DataType::Timestamp(unit);
  s.is_valid = true;
  s.int_value = value;
  return s;
}

Result<Scalar> Scalar::ParseDecimal(std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
  size_t point = digits.find('.');
  std::string_view whole = digits.substr(0, point);
  std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : digits.substr(point + 1);
  while (whole.size() > 1 && whole[0] == '0') whole.remove_prefix(1);
  const int scale = static_cast<int>(fraction.size());
  const int precision = static_cast<int>(std::max<size_t>(whole.size(), 1)) + scale;
  int64_t value = 0;
  if (precision > 18 || (whole.empty() && fraction.empty()) ||
      !compute::internal::ParseDecimalText(text, scale, &value)) {
    return Status::Invalid("malformed decimal literal '" + std::string(text) +
                           "' (expected [-]digits[.digits], at most 18 digits)");
  }
  return Decimal(value, precision, scale);
}

Result<Scalar> Scalar::ParseDate(std::string_view text) {
  int32_t days = 0;
  if (!compute::internal::ParseDateText(text, &days)) {
    return Status::Invalid("malformed date literal '" + std::string(text) +
                           "' (expected YYYY-MM-DD)");
  }
  return Date32(days);
}

Scalar Scalar::FromColumn(const Column& column, int64_t row) {
  const DataType& type = column.type();
  if (column.IsNull(row)) return Null(type);
  Scalar s;
  s.type = type;
  s.is_valid = true;
  switch (compute::internal::PhysicalOf(type.id)) {
    case compute::internal::Physical::kBool:
      s.int_value = column.GetBool(row) ? 1 : 0;
      break;
    case compute::internal::Physical::kString:
      s.string_value = std::string(column.GetString(row));
      break;
    case compute::internal::Physical::kDouble:
      s.double_value = column.values<double>()[row];
      break;
    default:
      compute::internal::DispatchFixedWidth(type.id, [&](auto tag) {
        using T = decltype(tag);
        s.int_value = static_cast<int64_t>(column.values<T>()[row]);
      });
  }
  return s;
}

std::string Scalar::ToString() const {
  if (!is_valid) return "null";
  switch (type.id) {
    case TypeId::kBool:
      return int_value ? "true" : "false";
    case TypeId::kUtf8:
      return string_value;
    case TypeId::kDecimal:
      return compute::internal::FormatDecimal(int_value, type.scale);
    case TypeId::kDate32:
      return compute::internal::FormatDate(int_value);
    case TypeId::kFloat64:
    case TypeId::kTimestamp:
      return compute::MakeColumnFromScalar(*this, 1)->ValueToString(0);
    default:
      return std::to_string(int_value);
  }
}

bool Scalar::Equals(const Scalar& other) const {
  if (type != other.type || is_valid != other.is_valid) return false;
  if (!is_valid) return true;
  if (type.id == TypeId::kUtf8) return string_value == other.string_value;
  if (type.id == TypeId::kFloat64) {
    return double_value == other.double_value ||
           (std::isnan(double_value) && std::isnan(other.double_value));
  }
  return int_value == other.int_value;
}

// ---- Datum -----------------------------------------------------------------------------------

Datum::Datum(ColumnPtr column) : column_(std::move(column)) {}
Datum::Datum(Scalar scalar) : scalar_(std::move(scalar)) {}
const DataType& Datum::type() const { return column_ ? column_->type() : scalar_.type; }

namespace compute {

const char* ToString(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "==";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

const char* ToString(ArithmeticOp op) {
  switch (op) {
    case ArithmeticOp::kAdd:
      return "+";
    case ArithmeticOp::kSub:
      return "-";
    case ArithmeticOp::kMul:
      return "*";
    case ArithmeticOp::kDiv:
      return "/";
  }
  return "?";
}

ColumnPtr MakeColumnFromScalar(const Scalar& value, int64_t length) {
  using namespace internal;
  const DataType& type = value.type;
  if (!value.is_valid) return MakeNullColumn(type, length);
  switch (PhysicalOf(type.id)) {
    case Physical::kBool:
      return MakeColumn(type, length, nullptr, AllocateBitmap(length, value.int_value != 0));
    case Physical::kString: {
      const std::string& s = value.string_value;
      StringColumnWriter writer(length, static_cast<int64_t>(s.size()) * length);
      for (int64_t i = 0; i < length; ++i) writer.Append(s);
      return writer.Finish(nullptr);
    }
    default:
      return DispatchFixedWidth(type.id, [&](auto tag) {
        using T = decltype(tag);
        std::shared_ptr<Buffer> values = AllocateBuffer(length * sizeof(T));
        T v = ScalarValueAs<T>(value);
        std::fill_n(reinterpret_cast<T*>(values->mutable_data()), length, v);
        return MakeColumn(type, length, nullptr, std::move(values));
      });
  }
}

namespace internal {

std::shared_ptr<Buffer> AllocateBuffer(int64_t bytes) {
  return Buffer::Allocate(std::max<int64_t>(bytes, 0));
}

std::shared_ptr<Buffer> AllocateBitmap(int64_t bits, bool value) {
  std::shared_ptr<Buffer> buffer = AllocateBuffer(BitmapBytes(bits));
  std::memset(buffer->mutable_data(), value ? 0xff : 0, BitmapBytes(bits));
  if (value && bits % 8 != 0) {
    buffer->mutable_data()[bits / 8] = static_cast<uint8_t>((1u << (bits % 8)) - 1);
  }
  return buffer;
}

std::shared_ptr<Buffer> CopyBitmap(const uint8_t* bits, int64_t offset, int64_t length) {
  const int64_t nbytes = BitmapBytes(length);
  std::shared_ptr<Buffer> out = AllocateBuffer(nbytes);
  if (nbytes == 0) return out;
  uint8_t* dst = out->mutable_data();
  const uint8_t* src = bits + offset / 8;
  const int shift = static_cast<int>(offset % 8);
  if (shift == 0) {
    std::memcpy(dst, src, nbytes);
  } else {
    const int64_t src_bytes = BitmapBytes(offset + length) - offset / 8;
    int64_t i = 0;
    // Eight bytes at a time while a ninth source byte exists.
    for (; i + 8 < src_bytes && i + 8 <= nbytes; i += 8) {
      uint64_t word, next;
      std::memcpy(&word, src + i, 8);
      next = src[i + 8];
      word = (word >> shift) | (next << (64 - shift));
      std::memcpy(dst + i, &word, 8);
    }
    for (; i < nbytes; ++i) {
      const uint8_t lo = static_cast<uint8_t>(src[i] >> shift);
      const uint8_t hi = i + 1 < src_bytes ? static_cast<uint8_t>(src[i + 1] << (8 - shift)) : 0;
      dst[i] = lo | hi;
    }
  }
  if (length % 8 != 0) dst[nbytes - 1] &= static_cast<uint8_t>((1u << (length % 8)) - 1);
  return out;
}

const uint8_t* AlignBitmap(const uint8_t* bits, int64_t offset, int64_t length,
                           std::shared_ptr<const Buffer>* scratch) {
  if (offset % 8 == 0) return bits + offset / 8;
  std::shared_ptr<Buffer> copy = CopyBitmap(bits, offset, length);
  const uint8_t* data = copy->data();
  *scratch = std::move(copy);
  return data;
}

BufferPtr ZeroOffsetValidity(const Column& column) {
  if (!MayHaveNulls(column)) return nullptr;
  if (column.offset() == 0) return column.validity();
  return CopyBitmap(column.validity()->data(), column.offset(), column.length());
}

BufferPtr CombineValidity(const Column* a, const Column* b, const Column* c) {
  const Column* with_nulls[3];
  int n = 0;
  for (const Column* column : {a, b, c}) {
    if (column != nullptr && MayHaveNulls(*column)) with_nulls[n++] = column;
  }
  if (n == 0) return nullptr;
  if (n == 1) return ZeroOffsetValidity(*with_nulls[0]);
  const int64_t length = with_nulls[0]->length();
  const int64_t nbytes = BitmapBytes(length);
  std::shared_ptr<Buffer> out = AllocateBuffer(nbytes);
  std::shared_ptr<const Buffer> scratch[3];
  const uint8_t* bits[3];
  for (int k = 0; k < n; ++k) {
    bits[k] = AlignBitmap(with_nulls[k]->validity()->data(), with_nulls[k]->offset(), length,
                          &scratch[k]);
  }
  uint8_t* dst = out->mutable_data();
  for (int64_t i = 0; i < nbytes; ++i) dst[i] = bits[0][i] & bits[1][i];
  if (n == 3) {
    for (int64_t i = 0; i < nbytes; ++i) dst[i] &= bits[2][i];
  }
  return out;
}

ColumnPtr MakeColumn(const DataType& type, int64_t length, BufferPtr validity, BufferPtr values,
                     BufferPtr offsets, int64_t null_count) {
  if (validity != nullptr && null_count < 0) {
    null_count = length - CountSetBits(validity->data(), length);
  }
  if (validity == nullptr || null_count == 0) {
    return std::make_shared<Column>(type, length, nullptr, std::move(values), std::move(offsets), 0,
                                    0);
  }
  return std::make_shared<Column>(type, length, std::move(validity), std::move(values),
                                  std::move(offsets), null_count, 0);
}

ColumnPtr MakeNullColumn(const DataType& type, int64_t length) {
  BufferPtr validity = AllocateBitmap(length, false);
  if (type.id == TypeId::kUtf8) {
    std::shared_ptr<Buffer> offsets = AllocateBuffer((length + 1) * 4);
    std::memset(offsets->mutable_data(), 0, (length + 1) * 4);
    return MakeColumn(type, length, validity, AllocateBuffer(0), offsets, length);
  }
  int64_t bytes =
      type.id == TypeId::kBool
          ? BitmapBytes(length)
          : DispatchFixedWidth(type.id, [&](auto tag) { return length * int64_t{sizeof(tag)}; });
  std::shared_ptr<Buffer> values = AllocateBuffer(bytes);
  std::memset(values->mutable_data(), 0, bytes);
  return MakeColumn(type, length, validity, values, nullptr, length);
}

StringColumnWriter::StringColumnWriter(int64_t length, int64_t bytes_hint) : length_(length) {
  offsets_buffer_ = AllocateBuffer((length + 1) * 4);
  offsets_ = reinterpret_cast<int32_t*>(offsets_buffer_->mutable_data());
  offsets_[0] = 0;
  capacity_ = std::max<int64_t>(bytes_hint, 64);
  data_ = AllocateBuffer(capacity_);
}

void StringColumnWriter::Grow(size_t extra) {
  int64_t capacity = std::max<int64_t>(capacity_ * 2, size_ + static_cast<int64_t>(extra));
  std::shared_ptr<Buffer> data = AllocateBuffer(capacity);
  std::memcpy(data->mutable_data(), data_->data(), size_);
  data_ = std::move(data);
  capacity_ = capacity;
}

ColumnPtr StringColumnWriter::Finish(BufferPtr validity) {
  data_->Truncate(size_);
  return MakeColumn(DataType::Utf8(), length_, std::move(validity), std::move(data_),
                    std::move(offsets_buffer_));
}

int DigitCount(int64_t v) {
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int digits = 1;
  while (u >= 10) {
    u /= 10;
    ++digits;
  }
  return digits;
}

bool ParseDateText(std::string_view text, int32_t* days) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  auto number = [&](size_t from, size_t count, int* out) {
    int value = 0;
    for (size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + (text[i] - '0');
    }
    *out = value;
    return true;
  };
  int year, month, day;
  if (!number(0, 4, &year) || !number(5, 2, &month) || !number(8, 2, &day)) return false;
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  *days = static_cast<int32_t>(DaysFromCivilFast(year, month, day));
  return true;
}

std::string FormatDate(int64_t days) {
  int year, month, day;
  CivilFromDaysFast(days, &year, &month, &day);
  char buffer[32];
  int n = std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02d", year, month, day);
  return std::string(buffer, n);
}

std::string FormatDecimal(int64_t unscaled, int scale) {
  const bool negative = unscaled < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(unscaled) : static_cast<uint64_t>(unscaled);
  std::string digits = std::to_string(u);
  if (scale > 0) {
    if (static_cast<int>(digits.size()) <= scale) {
      digits.insert(0, scale + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - scale, 1, '.');
  }
  if (negative) digits.insert(0, 1, '-');
  return digits;
}

bool ParseDecimalText(std::string_view text, int scale, int64_t* out) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  __int128 value = 0;
  const __int128 kLimit = static_cast<__int128>(INT64_MAX);
  int digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    value = value * 10 + (text[i] - '0');
    if (value > kLimit) return false;
  }
  int fraction_digits = 0;
  bool round_up = false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
      if (fraction_digits < scale) {
        value = value * 10 + (text[i] - '0');
        ++fraction_digits;
        if (value > kLimit) return false;
      } else if (fraction_digits == scale) {
        round_up = text[i] >= '5';
        ++fraction_digits;  // only the first dropped digit decides
      }
    }
  }
  if (i != text.size() || digits == 0) return false;
  for (; fraction_digits < scale; ++fraction_digits) {
    value *= 10;
    if (value > kLimit) return false;
  }
  if (round_up) ++value;
  if (value > kLimit) return false;
  *out = static_cast<int64_t>(negative ? -value : value);
  return true;
}

int64_t UnitsPerSecond(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond:
      return 1;
    case TimeUnit::kMilli:
      return 1000;
    case TimeUnit::kMicro:
      return 1000000;
    case TimeUnit::kNano:
      return 1000000000;
  }
  return 1;
}

static bool IsNumericId(TypeId id) {
  return IsIntegerId(id) || id == TypeId::kFloat64 || id == TypeId::kDecimal;
}

Result<DataType> CommonCompareType(const DataType& a, const DataType& b) {
  if (a.id == b.id) {
    if (a.id == TypeId::kDecimal && a.scale != b.scale) {
      return DataType::Decimal(18, std::max(a.scale, b.scale));
    }
    if (a.id == TypeId::kTimestamp && a.unit != b.unit) {
      return DataType::Timestamp(std::max(a.unit, b.unit));
    }
    return a;
  }
  if (IsNumericId(a.id) && IsNumericId(b.id)) {
    if (a.id == TypeId::kFloat64 || b.id == TypeId::kFloat64) return DataType::Float64();
    if (a.id == TypeId::kDecimal || b.id == TypeId::kDecimal) {
      int scale = a.id == TypeId::kDecimal ? a.scale : 0;
      if (b.id == TypeId::kDecimal) scale = std::max<int>(scale, b.scale);
      return DataType::Decimal(18, scale);
    }
    return DataType::Int64();
  }
  if (a.id == TypeId::kDate32 && b.id == TypeId::kTimestamp) return b;
  if (a.id == TypeId::kTimestamp && b.id == TypeId::kDate32) return a;
  if ((a.id == TypeId::kUtf8 && b.id == TypeId::kDate32) ||
      (a.id == TypeId::kDate32 && b.id == TypeId::kUtf8)) {
    return DataType::Date32();
  }
  return Status::TypeError("cannot compare " + a.ToString() + " with " + b.ToString());
}

bool SameRepresentation(const DataType& from, const DataType& to) {
  if (from.id != to.id) return false;
  if (from.id == TypeId::kDecimal) return from.scale == to.scale;
  if (from.id == TypeId::kTimestamp) return from.unit == to.unit;
  return true;
}

Result<Datum> ConvertDatum(const Datum& datum, const DataType& type) {
  if (SameRepresentation(datum.type(), type)) return datum;
  if (datum.is_scalar()) {
    QK_ASSIGN_OR_RAISE(Scalar s, Cast(datum.scalar(), type));
    return Datum(std::move(s));
  }
  QK_ASSIGN_OR_RAISE(ColumnPtr c, Cast(datum.column(), type));
  return Datum(std::move(c));
}

int64_t DatumLength(const Datum& a, const Datum* b, const Datum* c) {
  if (!a.is_scalar()) return a.column()->length();
  if (b != nullptr && !b->is_scalar()) return b->column()->length();
  if (c != nullptr && !c->is_scalar()) return c->column()->length();
  return 1;
}

ColumnPtr DatumToColumn(const Datum& datum, int64_t length) {
  if (!datum.is_scalar()) return datum.column();
  return MakeColumnFromScalar(datum.scalar(), length);
}

}  // namespace internal
}  // namespace compute
}  // namespace quokka

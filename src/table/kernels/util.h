#pragma once
// Internal helpers shared by the compute kernels: bitmaps, output buffers, type dispatch,
// calendar arithmetic, decimal text, and bringing operands to a common type.

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "quokka/column.h"
#include "quokka/compute.h"
#include "quokka/status.h"
#include "quokka/type.h"

namespace quokka::compute::internal {

// ---- buffers and bitmaps -------------------------------------------------------------------

inline int64_t BitmapBytes(int64_t bits) { return (bits + 7) / 8; }

/// A new buffer of `bytes` bytes (contents undefined within `bytes`).
std::shared_ptr<Buffer> AllocateBuffer(int64_t bytes);
/// A zero-offset bitmap of `bits` bits, all set (or all clear).
std::shared_ptr<Buffer> AllocateBitmap(int64_t bits, bool value);

/// Copy bits [offset, offset + length) of `bits` into a new bitmap starting at bit 0.
std::shared_ptr<Buffer> CopyBitmap(const uint8_t* bits, int64_t offset, int64_t length);

/// Bits [offset, offset + length) of `bits` as a byte pointer to bit 0: into `bits` itself
/// when offset is a multiple of 8, else into a copy kept alive by `*scratch`.
const uint8_t* AlignBitmap(const uint8_t* bits, int64_t offset, int64_t length,
                           std::shared_ptr<const Buffer>* scratch);

inline bool MayHaveNulls(const Column& column) {
  return column.validity() != nullptr && column.null_count() != 0;
}

/// The validity of `column` as a zero-offset bitmap, or nullptr when it has no nulls.
/// Shares the column's buffer when its offset is 0.
BufferPtr ZeroOffsetValidity(const Column& column);

/// The AND of the validities of the non-null columns given, as a zero-offset bitmap, or nullptr
/// when none of them has nulls.
BufferPtr CombineValidity(const Column* a, const Column* b, const Column* c = nullptr);

inline int64_t CountSetBits(const uint8_t* bits, int64_t length) {
  int64_t count = 0;
  int64_t words = length / 64;
  for (int64_t w = 0; w < words; ++w) {
    uint64_t word;
    std::memcpy(&word, bits + w * 8, 8);
    count += std::popcount(word);
  }
  for (int64_t i = words * 64; i < length; ++i) count += GetBit(bits, i);
  return count;
}

/// Write bit i of `out` (zero-offset) = f(i) for i in [0, n), eight results per byte.
template <typename F>
inline void PackBits(int64_t n, uint8_t* out, F&& f) {
  int64_t full = n / 8;
  for (int64_t b = 0; b < full; ++b) {
    const int64_t base = b * 8;
    uint8_t byte = 0;
    for (int k = 0; k < 8; ++k) byte |= static_cast<uint8_t>(f(base + k) ? 1 : 0) << k;
    out[b] = byte;
  }
  if (full * 8 < n) {
    uint8_t byte = 0;
    for (int64_t i = full * 8; i < n; ++i) {
      byte |= static_cast<uint8_t>(f(i) ? 1 : 0) << (i - full * 8);
    }
    out[full] = byte;
  }
}

ColumnPtr MakeColumn(const DataType& type, int64_t length, BufferPtr validity, BufferPtr values,
                     BufferPtr offsets = nullptr, int64_t null_count = -1);

/// A bool column of `n` rows computed by `f(i)` with the given validity.
template <typename F>
ColumnPtr MakeBoolColumn(int64_t n, BufferPtr validity, F&& f) {
  std::shared_ptr<Buffer> values = AllocateBuffer(BitmapBytes(n));
  PackBits(n, values->mutable_data(), f);
  return MakeColumn(DataType::Bool(), n, std::move(validity), std::move(values));
}

/// An all-null column of `type`.
ColumnPtr MakeNullColumn(const DataType& type, int64_t length);

/// Pointers to the utf8 data of a column (offset applied to the offsets).
struct StringView {
  const int32_t* offsets;
  const char* data;
  explicit StringView(const Column& column)
      : offsets(reinterpret_cast<const int32_t*>(column.offsets_buffer()->data()) +
                column.offset()),
        data(reinterpret_cast<const char*>(column.values_buffer()->data())) {}
  std::string_view operator[](int64_t i) const {
    return std::string_view(data + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i]));
  }
};

/// Builds a utf8 column: Append() strings, then Finish().
class StringColumnWriter {
 public:
  StringColumnWriter(int64_t length, int64_t bytes_hint);
  void Append(std::string_view value) {
    if (size_ + static_cast<int64_t>(value.size()) > capacity_) Grow(value.size());
    std::memcpy(data_->mutable_data() + size_, value.data(), value.size());
    size_ += static_cast<int64_t>(value.size());
    offsets_[++row_] = static_cast<int32_t>(size_);
  }
  void AppendEmpty() { offsets_[++row_] = static_cast<int32_t>(size_); }
  ColumnPtr Finish(BufferPtr validity);

 private:
  void Grow(size_t extra);
  int64_t length_;
  int64_t row_ = 0;
  int64_t size_ = 0;
  int64_t capacity_ = 0;
  std::shared_ptr<Buffer> offsets_buffer_, data_;
  int32_t* offsets_;
};

// ---- type dispatch -------------------------------------------------------------------------

enum class Physical { kBool, kInt8, kInt16, kInt32, kInt64, kDouble, kString };

inline Physical PhysicalOf(TypeId id) {
  switch (id) {
    case TypeId::kBool:
      return Physical::kBool;
    case TypeId::kInt8:
      return Physical::kInt8;
    case TypeId::kInt16:
      return Physical::kInt16;
    case TypeId::kInt32:
    case TypeId::kDate32:
      return Physical::kInt32;
    case TypeId::kInt64:
    case TypeId::kDecimal:
    case TypeId::kTimestamp:
      return Physical::kInt64;
    case TypeId::kFloat64:
      return Physical::kDouble;
    case TypeId::kUtf8:
      return Physical::kString;
  }
  return Physical::kInt64;
}

/// Calls f(T{}) with T the C type of a fixed-width (non-bool, non-utf8) physical type.
template <typename F>
decltype(auto) DispatchFixedWidth(TypeId id, F&& f) {
  switch (PhysicalOf(id)) {
    case Physical::kInt8:
      return f(int8_t{});
    case Physical::kInt16:
      return f(int16_t{});
    case Physical::kInt32:
      return f(int32_t{});
    case Physical::kDouble:
      return f(double{});
    default:
      return f(int64_t{});
  }
}

inline bool IsFixedWidth(TypeId id) { return id != TypeId::kBool && id != TypeId::kUtf8; }
inline bool IsIntegerId(TypeId id) {
  return id == TypeId::kInt8 || id == TypeId::kInt16 || id == TypeId::kInt32 ||
         id == TypeId::kInt64;
}

template <typename T>
inline T ScalarValueAs(const Scalar& s) {
  if constexpr (std::is_same_v<T, double>) {
    return s.double_value;
  } else {
    return static_cast<T>(s.int_value);
  }
}

// ---- numbers, dates and text ---------------------------------------------------------------

/// Number of decimal digits of |v| (1 for 0).
int DigitCount(int64_t v);

inline int64_t DaysFromCivilFast(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

inline void CivilFromDaysFast(int64_t z, int* year, int* month, int* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = static_cast<int>(yoe + era * 400 + (m <= 2));
  *month = m;
  *day = d;
}

inline int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

/// Strict "YYYY-MM-DD" (also "-YYYY"/more year digits are rejected).
bool ParseDateText(std::string_view text, int32_t* days);
std::string FormatDate(int64_t days);
std::string FormatDecimal(int64_t unscaled, int scale);
/// Parse "[-+]digits[.digits]" into value * 10^scale (rounding half away from zero beyond
/// `scale`); false if malformed or out of int64 range.
bool ParseDecimalText(std::string_view text, int scale, int64_t* out);
int64_t UnitsPerSecond(TimeUnit unit);

// ---- common types ----------------------------------------------------------------------------

/// The type both operands of a comparison are brought to.
Result<DataType> CommonCompareType(const DataType& a, const DataType& b);
/// Bring a datum to `type`: a no-op when the values are already laid out as `type` wants
/// (same id; decimals of equal scale; timestamps of equal unit).
Result<Datum> ConvertDatum(const Datum& datum, const DataType& type);
/// Whether values of `from` are valid values of `to` without conversion.
bool SameRepresentation(const DataType& from, const DataType& to);

/// Length of the operands (the first column's), or 1 if all are scalars.
int64_t DatumLength(const Datum& a, const Datum* b = nullptr, const Datum* c = nullptr);
/// Broadcast a scalar datum to a column of `length` rows (columns pass through).
ColumnPtr DatumToColumn(const Datum& datum, int64_t length);

}  // namespace quokka::compute::internal

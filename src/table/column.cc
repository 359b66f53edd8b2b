#include "quokka/column.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "quokka/status.h"
#include "quokka/table.h"

namespace quokka {

namespace {
int64_t CountNulls(const uint8_t* bits, int64_t offset, int64_t length) {
  int64_t valid = 0;
  for (int64_t i = 0; i < length; ++i) valid += GetBit(bits, offset + i);
  return length - valid;
}

}  // namespace

Column::Column(DataType type, int64_t length, BufferPtr validity, BufferPtr values,
               BufferPtr offsets, int64_t null_count, int64_t offset)
    : type_(type),
      length_(length),
      offset_(offset),
      null_count_(null_count),
      validity_(std::move(validity)),
      values_(std::move(values)),
      offsets_(std::move(offsets)) {
  if (null_count_ < 0) {
    null_count_ = validity_ ? CountNulls(validity_->data(), offset_, length_) : 0;
  }
  if (null_count_ == 0) validity_ = nullptr;  // cheaper checks downstream
}

int64_t Column::GetInt64(int64_t row) const {
  switch (type_.id) {
    case TypeId::kBool:
      return GetBool(row) ? 1 : 0;
    case TypeId::kInt8:
      return values<int8_t>()[row];
    case TypeId::kInt16:
      return values<int16_t>()[row];
    case TypeId::kInt32:
    case TypeId::kDate32:
      return values<int32_t>()[row];
    case TypeId::kInt64:
    case TypeId::kDecimal:
    case TypeId::kTimestamp:
      return values<int64_t>()[row];
    case TypeId::kFloat64:
      return static_cast<int64_t>(values<double>()[row]);
    case TypeId::kUtf8:
      break;
  }
  throw Error(Status::TypeError("GetInt64 on a " + type_.ToString() + " column"));
}

double Column::GetDouble(int64_t row) const {
  if (type_.id == TypeId::kFloat64) return values<double>()[row];
  if (type_.id == TypeId::kDecimal) {
    return static_cast<double>(values<int64_t>()[row]) / static_cast<double>(Pow10(type_.scale));
  }
  return static_cast<double>(GetInt64(row));
}

std::string FormatDecimal(int64_t value, int scale) {
  if (scale == 0) return std::to_string(value);
  const bool negative = value < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  const uint64_t divisor = static_cast<uint64_t>(Pow10(scale));
  char text[48];
  std::snprintf(text, sizeof(text), "%s%" PRIu64 ".%0*" PRIu64, negative ? "-" : "",
                magnitude / divisor, scale, magnitude % divisor);
  return text;
}

std::string Column::ValueToString(int64_t row) const {
  if (IsNull(row)) return "";
  char text[64];
  switch (type_.id) {
    case TypeId::kBool:
      return GetBool(row) ? "true" : "false";
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
      return std::to_string(GetInt64(row));
    case TypeId::kFloat64: {
      double value = values<double>()[row];
      std::snprintf(text, sizeof(text), "%.17g", value);
      // Prefer the shortest text that reads back to the same double.
      for (int precision = 1; precision < 17; ++precision) {
        char shorter[64];
        std::snprintf(shorter, sizeof(shorter), "%.*g", precision, value);
        if (std::strtod(shorter, nullptr) == value) return shorter;
      }
      return text;
    }
    case TypeId::kDecimal:
      return FormatDecimal(values<int64_t>()[row], type_.scale);
    case TypeId::kUtf8:
      return std::string(GetString(row));
    case TypeId::kDate32: {
      int year, month, day;
      CivilFromDays(values<int32_t>()[row], &year, &month, &day);
      std::snprintf(text, sizeof(text), "%04d-%02d-%02d", year, month, day);
      return text;
    }
    case TypeId::kTimestamp: {
      int64_t value = values<int64_t>()[row];
      int64_t per_second = type_.unit == TimeUnit::kSecond  ? 1
                           : type_.unit == TimeUnit::kMilli ? 1000
                           : type_.unit == TimeUnit::kMicro ? 1000000
                                                            : 1000000000;
      int64_t seconds = value / per_second, fraction = value % per_second;
      if (fraction < 0) {
        fraction += per_second;
        seconds -= 1;
      }
      int64_t days = seconds / 86400, second_of_day = seconds % 86400;
      if (second_of_day < 0) {
        second_of_day += 86400;
        days -= 1;
      }
      int year, month, day;
      CivilFromDays(static_cast<int32_t>(days), &year, &month, &day);
      std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day,
                    static_cast<int>(second_of_day / 3600),
                    static_cast<int>(second_of_day / 60 % 60),
                    static_cast<int>(second_of_day % 60));
      std::string out = text;
      if (per_second > 1) {
        int digits = type_.unit == TimeUnit::kMilli ? 3 : type_.unit == TimeUnit::kMicro ? 6 : 9;
        std::snprintf(text, sizeof(text), ".%0*" PRId64, digits, fraction);
        out += text;
      }
      return out;
    }
  }
  return "?";
}

ColumnPtr Column::Slice(int64_t offset, int64_t length) const {
  if (offset < 0) offset = 0;
  if (offset > length_) offset = length_;
  if (length < 0 || offset + length > length_) length = length_ - offset;
  return std::make_shared<Column>(type_, length, validity_, values_, offsets_, validity_ ? -1 : 0,
                                  offset_ + offset);
}

bool Column::Equals(const Column& other) const {
  if (type_ != other.type_ || length_ != other.length_) return false;
  for (int64_t row = 0; row < length_; ++row) {
    bool valid = IsValid(row);
    if (valid != other.IsValid(row)) return false;
    if (!valid) continue;
    switch (type_.id) {
      case TypeId::kBool:
        if (GetBool(row) != other.GetBool(row)) return false;
        break;
      case TypeId::kUtf8:
        if (GetString(row) != other.GetString(row)) return false;
        break;
      case TypeId::kFloat64: {
        double a = values<double>()[row], b = other.values<double>()[row];
        if (!(a == b || (std::isnan(a) && std::isnan(b)))) return false;
        break;
      }
      default:
        if (GetInt64(row) != other.GetInt64(row)) return false;
    }
  }
  return true;
}

int64_t Column::byte_size() const {
  int64_t total = static_cast<int64_t>(sizeof(Column));
  for (const BufferPtr* buffer : {&validity_, &values_, &offsets_}) {
    if (*buffer) total += (*buffer)->size();
  }
  return total;
}

}  // namespace quokka

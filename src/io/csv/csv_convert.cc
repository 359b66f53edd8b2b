// Phase 2 of CSV parsing: one field of every scanned row -> one column, in type-specialized
// loops writing straight into the column buffers.
#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "csv/csv_internal.h"
#include "csv/csv_parse.h"

namespace quokka::csv {
namespace {

// Validity bitmap allocated at the first null (no bitmap = no nulls).
class Validity {
 public:
  explicit Validity(int64_t rows) : rows_(rows) {}
  void SetNull(int64_t row) {
    if (bitmap_ == nullptr) {
      bitmap_ = Buffer::Allocate((rows_ + 7) / 8);
      std::memset(bitmap_->mutable_data(), 0xff, bitmap_->size());
    }
    ClearBit(bitmap_->mutable_data(), row);
    ++null_count_;
  }
  BufferPtr bitmap() const { return bitmap_; }
  int64_t null_count() const { return null_count_; }

 private:
  int64_t rows_;
  std::shared_ptr<Buffer> bitmap_;
  int64_t null_count_ = 0;
};

const char* TypeWord(const DataType& type) {
  switch (type.id) {
    case TypeId::kBool:
      return "bool";
    case TypeId::kInt8:
      return "int8";
    case TypeId::kInt16:
      return "int16";
    case TypeId::kInt32:
      return "int32";
    case TypeId::kInt64:
      return "int64";
    case TypeId::kFloat64:
      return "float64";
    case TypeId::kDecimal:
      return "decimal";
    case TypeId::kUtf8:
      return "utf8";
    case TypeId::kDate32:
      return "date32 (YYYY-MM-DD)";
    case TypeId::kTimestamp:
      return "timestamp";
  }
  return "?";
}

struct Context {
  const char* data;
  const uint32_t* slots;  // slots of row 0, field `field`: [0] = before the field, [1] = end
  int stride;
  int adjust;  // 1 if the field follows a delimiter
  int64_t rows;
  const Dialect* dialect;
  const DataType* type;
  bool stop_at_error;
  std::vector<FieldError>* errors;

  const char* begin(int64_t r) const { return data + slots[r * stride] + adjust; }
  const char* end(int64_t r) const { return data + slots[r * stride + 1]; }
  bool IsQuoted(const char* b) const { return dialect->quoting && *b == dialect->quote; }
  // Record a failure; returns true if conversion must stop.
  bool Fail(int64_t r, const char* what_prefix) {
    std::string what = what_prefix;
    if (what.empty()) {
      what = std::string("cannot parse as ") + TypeWord(*type);
      if (type->id == TypeId::kDecimal) what = "cannot parse as " + type->ToString();
    }
    errors->push_back({r, std::string(begin(r), end(r)), std::move(what)});
    return stop_at_error;
  }
};

// Fixed-width columns: `parse(begin, end, T*)` converts one non-empty field.
template <typename T, typename Parse>
ColumnPtr ConvertFixed(Context& c, Parse parse) {
  std::shared_ptr<Buffer> values = Buffer::Allocate(c.rows * static_cast<int64_t>(sizeof(T)));
  T* out = reinterpret_cast<T*>(values->mutable_data());
  Validity validity(c.rows);
  std::string scratch;
  for (int64_t r = 0; r < c.rows; ++r) {
    const char* b = c.begin(r);
    const char* e = c.end(r);
    if (b == e) {
      out[r] = T();
      validity.SetNull(r);
      continue;
    }
    if (c.IsQuoted(b)) [[unlikely]] {
      scratch.resize(e - b);
      int64_t length = Unquote(b, e, c.dialect->quote, scratch.data());
      if (length < 0) {
        out[r] = T();
        validity.SetNull(r);
        if (c.Fail(r, "invalid quoted field")) break;
        continue;
      }
      if (length == 0) {
        out[r] = T();
        validity.SetNull(r);
        continue;
      }
      b = scratch.data();
      e = b + length;
    }
    if (!parse(b, e, &out[r])) [[unlikely]] {
      out[r] = T();
      validity.SetNull(r);
      if (c.Fail(r, "")) break;
    }
  }
  return std::make_shared<Column>(*c.type, c.rows, validity.bitmap(), std::move(values), nullptr,
                                  validity.null_count());
}

template <typename T>
ColumnPtr ConvertSmallInt(Context& c) {
  return ConvertFixed<T>(c, [](const char* b, const char* e, T* out) {
    int64_t v;
    if (!ParseInt64(b, e, &v) || v < std::numeric_limits<T>::min() ||
        v > std::numeric_limits<T>::max()) {
      return false;
    }
    *out = static_cast<T>(v);
    return true;
  });
}

ColumnPtr ConvertBool(Context& c) {
  std::shared_ptr<Buffer> values = Buffer::Allocate((c.rows + 7) / 8);
  uint8_t* bits = values->mutable_data();
  std::memset(bits, 0, values->size());
  Validity validity(c.rows);
  std::string scratch;
  for (int64_t r = 0; r < c.rows; ++r) {
    const char* b = c.begin(r);
    const char* e = c.end(r);
    if (b != e && c.IsQuoted(b)) {
      scratch.resize(e - b);
      int64_t length = Unquote(b, e, c.dialect->quote, scratch.data());
      if (length < 0) {
        validity.SetNull(r);
        if (c.Fail(r, "invalid quoted field")) break;
        continue;
      }
      b = scratch.data();
      e = b + length;
    }
    if (b == e) {
      validity.SetNull(r);
      continue;
    }
    bool value;
    if (!ParseBool(b, e, &value)) {
      validity.SetNull(r);
      if (c.Fail(r, "")) break;
      continue;
    }
    if (value) SetBit(bits, r);
  }
  return std::make_shared<Column>(*c.type, c.rows, validity.bitmap(), std::move(values), nullptr,
                                  validity.null_count());
}

ColumnPtr ConvertUtf8(Context& c) {
  // Unquoting only shrinks a field: the raw lengths bound the bytes.
  int64_t total = 0;
  for (int64_t r = 0; r < c.rows; ++r) total += c.end(r) - c.begin(r);
  if (total > std::numeric_limits<int32_t>::max()) {
    c.errors->push_back({0, "", "more than 2 GiB of text in one batch (reduce stride)"});
    return nullptr;
  }
  std::shared_ptr<Buffer> offsets_buffer = Buffer::Allocate((c.rows + 1) * sizeof(int32_t));
  std::shared_ptr<Buffer> values = Buffer::Allocate(total);
  int32_t* offsets = reinterpret_cast<int32_t*>(offsets_buffer->mutable_data());
  char* out = reinterpret_cast<char*>(values->mutable_data());
  Validity validity(c.rows);
  int64_t size = 0;
  offsets[0] = 0;
  for (int64_t r = 0; r < c.rows; ++r) {
    const char* b = c.begin(r);
    const char* e = c.end(r);
    if (b == e) {
      validity.SetNull(r);
    } else if (c.IsQuoted(b)) {
      int64_t length = Unquote(b, e, c.dialect->quote, out + size);
      if (length < 0) {
        validity.SetNull(r);
        if (c.Fail(r, "invalid quoted field")) {
          for (int64_t k = r; k < c.rows; ++k) offsets[k + 1] = static_cast<int32_t>(size);
          break;
        }
      } else {
        size += length;
      }
    } else {
      std::memcpy(out + size, b, e - b);
      size += e - b;
    }
    offsets[r + 1] = static_cast<int32_t>(size);
  }
  values->Truncate(size);
  return std::make_shared<Column>(*c.type, c.rows, validity.bitmap(), std::move(values),
                                  std::move(offsets_buffer), validity.null_count());
}

}  // namespace

ColumnPtr ConvertColumn(const char* data, const ScanOutput& scan, int64_t rows, int field,
                        const DataType& type, const Dialect& dialect, bool stop_at_error,
                        std::vector<FieldError>* errors) {
  Context c{data,  scan.slots() + field, scan.stride(), field > 0 ? 1 : 0, rows, &dialect,
            &type, stop_at_error,        errors};
  switch (type.id) {
    case TypeId::kBool:
      return ConvertBool(c);
    case TypeId::kInt8:
      return ConvertSmallInt<int8_t>(c);
    case TypeId::kInt16:
      return ConvertSmallInt<int16_t>(c);
    case TypeId::kInt32:
      return ConvertSmallInt<int32_t>(c);
    case TypeId::kInt64:
      return ConvertFixed<int64_t>(
          c, [](const char* b, const char* e, int64_t* out) { return ParseInt64(b, e, out); });
    case TypeId::kFloat64:
      return ConvertFixed<double>(
          c, [](const char* b, const char* e, double* out) { return ParseFloat64(b, e, out); });
    case TypeId::kDecimal: {
      const int precision = type.precision, scale = type.scale;
      return ConvertFixed<int64_t>(c,
                                   [precision, scale](const char* b, const char* e, int64_t* out) {
                                     return ParseDecimal(b, e, precision, scale, out);
                                   });
    }
    case TypeId::kUtf8:
      return ConvertUtf8(c);
    case TypeId::kDate32:
      return ConvertFixed<int32_t>(
          c, [](const char* b, const char* e, int32_t* out) { return ParseDate32(b, e, out); });
    case TypeId::kTimestamp: {
      const TimeUnit unit = type.unit;
      return ConvertFixed<int64_t>(c, [unit](const char* b, const char* e, int64_t* out) {
        return ParseTimestamp(b, e, unit, out);
      });
    }
  }
  return nullptr;
}

}  // namespace quokka::csv

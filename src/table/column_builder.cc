#include <algorithm>
#include <cstring>

#include "quokka/column.h"
#include "quokka/status.h"

namespace quokka {

namespace {
int64_t BitmapBytes(int64_t bits) { return (bits + 7) / 8; }

// Copies `old` into a new buffer of `size` bytes (zero-filled beyond the old contents).
std::shared_ptr<Buffer> Grow(const std::shared_ptr<Buffer>& old, int64_t size) {
  auto grown = Buffer::Allocate(size);
  std::memset(grown->mutable_data(), 0, static_cast<size_t>(size));
  if (old) std::memcpy(grown->mutable_data(), old->data(), static_cast<size_t>(old->size()));
  return grown;
}
}  // namespace

ColumnBuilder::ColumnBuilder(DataType type, int64_t capacity) : type_(type) {
  if (type_.id == TypeId::kUtf8) {
    offsets_ = Buffer::Allocate(sizeof(int32_t));
    reinterpret_cast<int32_t*>(offsets_->mutable_data())[0] = 0;
  }
  if (capacity > 0) Reserve(capacity);
}

ColumnBuilder::~ColumnBuilder() = default;
ColumnBuilder::ColumnBuilder(ColumnBuilder&&) noexcept = default;
ColumnBuilder& ColumnBuilder::operator=(ColumnBuilder&&) noexcept = default;

void ColumnBuilder::Reserve(int64_t rows) {
  if (rows <= capacity_) return;
  int64_t capacity = std::max(rows, capacity_ * 2);
  if (type_.id == TypeId::kBool) {
    values_ = Grow(values_, BitmapBytes(capacity));
  } else if (type_.id == TypeId::kUtf8) {
    offsets_ = Grow(offsets_, (capacity + 1) * static_cast<int64_t>(sizeof(int32_t)));
    if (!values_) values_ = Grow(nullptr, std::max<int64_t>(64, capacity * 8));
  } else {
    values_ = Grow(values_, capacity * type_.byte_width());
  }
  if (validity_) validity_ = Grow(validity_, BitmapBytes(capacity));
  capacity_ = capacity;
}

void ColumnBuilder::GrowValues(int64_t rows) {
  if (length_ + rows > capacity_) Reserve(std::max<int64_t>(length_ + rows, 16));
}

void ColumnBuilder::MarkValid() {
  if (validity_) SetBit(validity_->mutable_data(), length_);
}

void ColumnBuilder::AppendNull() {
  GrowValues(1);
  if (!validity_) {
    // First null: every earlier row was valid.
    validity_ = Grow(nullptr, BitmapBytes(capacity_));
    for (int64_t row = 0; row < length_; ++row) SetBit(validity_->mutable_data(), row);
  }
  if (type_.id == TypeId::kUtf8) {
    auto* offsets = reinterpret_cast<int32_t*>(offsets_->mutable_data());
    offsets[length_ + 1] = offsets[length_];
  }
  ++null_count_;
  ++length_;
}

void ColumnBuilder::AppendInt64(int64_t value) {
  GrowValues(1);
  MarkValid();
  uint8_t* data = values_->mutable_data();
  switch (type_.id) {
    case TypeId::kBool:
      if (value) SetBit(data, length_);
      break;
    case TypeId::kInt8:
      reinterpret_cast<int8_t*>(data)[length_] = static_cast<int8_t>(value);
      break;
    case TypeId::kInt16:
      reinterpret_cast<int16_t*>(data)[length_] = static_cast<int16_t>(value);
      break;
    case TypeId::kInt32:
    case TypeId::kDate32:
      reinterpret_cast<int32_t*>(data)[length_] = static_cast<int32_t>(value);
      break;
    case TypeId::kInt64:
    case TypeId::kDecimal:
    case TypeId::kTimestamp:
      reinterpret_cast<int64_t*>(data)[length_] = value;
      break;
    case TypeId::kFloat64:
      reinterpret_cast<double*>(data)[length_] = static_cast<double>(value);
      break;
    case TypeId::kUtf8:
      throw Error(Status::TypeError("AppendInt64 on a utf8 column builder"));
  }
  ++length_;
}

void ColumnBuilder::AppendDouble(double value) {
  if (type_.id != TypeId::kFloat64) {
    throw Error(Status::TypeError("AppendDouble on a " + type_.ToString() + " column builder"));
  }
  GrowValues(1);
  MarkValid();
  reinterpret_cast<double*>(values_->mutable_data())[length_] = value;
  ++length_;
}

void ColumnBuilder::AppendString(std::string_view value) {
  if (type_.id != TypeId::kUtf8) {
    throw Error(Status::TypeError("AppendString on a " + type_.ToString() + " column builder"));
  }
  GrowValues(1);
  MarkValid();
  auto* offsets = reinterpret_cast<int32_t*>(offsets_->mutable_data());
  const int64_t end = static_cast<int64_t>(offsets[length_]) + static_cast<int64_t>(value.size());
  if (end > INT32_MAX) {
    throw Error(Status::Invalid("a utf8 column may hold at most 2 GiB of text"));
  }
  if (end > values_->size()) values_ = Grow(values_, std::max(end, values_->size() * 2));
  std::memcpy(values_->mutable_data() + offsets[length_], value.data(), value.size());
  offsets[length_ + 1] = static_cast<int32_t>(end);
  string_bytes_ = end;
  ++length_;
}

void ColumnBuilder::AppendFrom(const Column& column, int64_t row) {
  if (column.IsNull(row)) return AppendNull();
  switch (type_.id) {
    case TypeId::kUtf8:
      return AppendString(column.GetString(row));
    case TypeId::kFloat64:
      return AppendDouble(column.values<double>()[row]);
    default:
      return AppendInt64(column.GetInt64(row));
  }
}

ColumnPtr ColumnBuilder::Finish() {
  if (!values_) Reserve(1);
  if (type_.id == TypeId::kUtf8) {
    values_->Truncate(string_bytes_);
    offsets_->Truncate((length_ + 1) * static_cast<int64_t>(sizeof(int32_t)));
  } else if (type_.id == TypeId::kBool) {
    values_->Truncate(BitmapBytes(length_));
  } else {
    values_->Truncate(length_ * type_.byte_width());
  }
  if (validity_) validity_->Truncate(BitmapBytes(length_));
  auto column = std::make_shared<Column>(type_, length_, std::move(validity_), std::move(values_),
                                         std::move(offsets_), null_count_);
  // Start over, empty.
  *this = ColumnBuilder(type_);
  return column;
}

}  // namespace quokka

#pragma once
// Columns: immutable arrays in the Arrow memory layout, and the builders that make them.
//
// A Column has a type, a length, an offset into its buffers (so slicing copies nothing), an
// optional validity bitmap (bit i set = row i is valid; no bitmap = no nulls), a values buffer
// and, for utf8, an int32 offsets buffer. Buffers are immutable, 64-byte aligned and shared
// between columns. Columns may be read from any thread. Builders are used by one thread.

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "quokka/type.h"

namespace quokka {

/// \brief An immutable, 64-byte aligned block of bytes, shared by the columns that use it.
class Buffer {
 public:
  /// \brief Allocate `size` bytes (zero-filled past `size` up to the 64-byte padding).
  static std::shared_ptr<Buffer> Allocate(int64_t size);
  /// \brief Copy `size` bytes from `data`.
  static std::shared_ptr<Buffer> Copy(const void* data, int64_t size);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  const uint8_t* data() const { return data_; }
  uint8_t* mutable_data() { return data_; }  ///< Only while building, before sharing.
  int64_t size() const { return size_; }
  /// \brief Shrink the logical size (no reallocation). Only while building.
  void Truncate(int64_t size) { size_ = size; }

 private:
  Buffer(uint8_t* data, int64_t size) : data_(data), size_(size) {}
  uint8_t* data_;
  int64_t size_;
};

using BufferPtr = std::shared_ptr<const Buffer>;

inline bool GetBit(const uint8_t* bits, int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }
inline void SetBit(uint8_t* bits, int64_t i) { bits[i >> 3] |= uint8_t(1) << (i & 7); }
inline void ClearBit(uint8_t* bits, int64_t i) { bits[i >> 3] &= ~(uint8_t(1) << (i & 7)); }

class Column;
using ColumnPtr = std::shared_ptr<const Column>;

class Column {
 public:
  /// \brief Assemble a column from buffers. `validity` may be null (no nulls); `null_count`
  ///        -1 means "count it". For utf8, `offsets` holds length + 1 int32 offsets.
  Column(DataType type, int64_t length, BufferPtr validity, BufferPtr values,
         BufferPtr offsets = nullptr, int64_t null_count = -1, int64_t offset = 0);

  const DataType& type() const { return type_; }
  int64_t length() const { return length_; }
  int64_t offset() const { return offset_; }
  int64_t null_count() const { return null_count_; }
  const BufferPtr& validity() const { return validity_; }
  const BufferPtr& values_buffer() const { return values_; }
  const BufferPtr& offsets_buffer() const { return offsets_; }

  bool IsValid(int64_t row) const {
    return validity_ == nullptr || GetBit(validity_->data(), offset_ + row);
  }
  bool IsNull(int64_t row) const { return !IsValid(row); }

  /// \brief Typed pointer to the first value of this column (offset applied).
  ///        Requires: T matches the physical type (int32_t for date32, int64_t for decimal and
  ///        timestamp, double for float64).
  template <typename T>
  const T* values() const {
    return reinterpret_cast<const T*>(values_->data()) + offset_;
  }
  /// \brief For bool columns: the value bit of `row`.
  bool GetBool(int64_t row) const { return GetBit(values_->data(), offset_ + row); }
  /// \brief For utf8 columns: the string of `row` (empty for null).
  std::string_view GetString(int64_t row) const {
    const int32_t* offsets = reinterpret_cast<const int32_t*>(offsets_->data()) + offset_;
    return std::string_view(reinterpret_cast<const char*>(values_->data()) + offsets[row],
                            offsets[row + 1] - offsets[row]);
  }
  /// \brief Integer-like value of `row` widened to int64 (int8..int64, date32, decimal,
  ///        timestamp, bool).
  int64_t GetInt64(int64_t row) const;
  /// \brief Numeric value as double (decimals divided by 10^scale).
  double GetDouble(int64_t row) const;
  /// \brief The value of `row` rendered as text ("" for null): dates as YYYY-MM-DD, decimals
  ///        with `scale` digits, timestamps as ISO 8601.
  std::string ValueToString(int64_t row) const;

  /// \brief A view of rows [offset, offset + length): shares the buffers.
  ColumnPtr Slice(int64_t offset, int64_t length) const;
  /// \brief Same type, length and values (nulls equal nulls; float64 compared exactly).
  bool Equals(const Column& other) const;
  /// \brief Memory held by the buffers this column references.
  int64_t byte_size() const;

 private:
  DataType type_;
  int64_t length_;
  int64_t offset_;
  int64_t null_count_;
  BufferPtr validity_, values_, offsets_;
};

/// \brief Builds a column of any type value by value. Finish() exactly once.
class ColumnBuilder {
 public:
  explicit ColumnBuilder(DataType type, int64_t capacity = 0);
  ~ColumnBuilder();
  ColumnBuilder(const ColumnBuilder&) = delete;
  ColumnBuilder& operator=(const ColumnBuilder&) = delete;
  ColumnBuilder(ColumnBuilder&&) noexcept;
  ColumnBuilder& operator=(ColumnBuilder&&) noexcept;

  const DataType& type() const { return type_; }
  int64_t length() const { return length_; }
  void Reserve(int64_t rows);

  void AppendNull();
  /// \brief For bool, integers, date32, decimal (the scaled value) and timestamp.
  void AppendInt64(int64_t value);
  void AppendDouble(double value);            ///< For float64.
  void AppendString(std::string_view value);  ///< For utf8.
  void AppendBool(bool value) { AppendInt64(value ? 1 : 0); }
  /// \brief Append row `row` of `column` (same type).
  void AppendFrom(const Column& column, int64_t row);

  /// \brief Return the built column; the builder is empty afterwards.
  ColumnPtr Finish();

 private:
  void GrowValues(int64_t rows);
  void MarkValid();
  DataType type_;
  int64_t length_ = 0;
  int64_t capacity_ = 0;
  int64_t null_count_ = 0;
  std::shared_ptr<Buffer> validity_, values_, offsets_;
  int64_t string_bytes_ = 0;
};

}  // namespace quokka

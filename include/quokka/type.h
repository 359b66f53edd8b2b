#pragma once
// Data types, fields and schemas of columnar tables.
//
// Types follow the Arrow memory layout: bool (bit-packed), int8/16/32/64, float64, decimal
// (an int64 holding value * 10^scale, with a precision of at most 18 digits), utf8 (int32
// offsets + bytes), date32 (int32 days since 1970-01-01) and timestamp (int64 since the epoch
// in a unit). A Schema is immutable and shared between the tables that have it.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace quokka {

class Encoder;
class Decoder;

enum class TypeId : uint8_t {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFloat64,
  kDecimal,
  kUtf8,
  kDate32,
  kTimestamp
};

enum class TimeUnit : uint8_t { kSecond, kMilli, kMicro, kNano };

struct DataType {
  TypeId id = TypeId::kInt64;
  int8_t precision = 0;              ///< kDecimal: total digits (1..18)
  int8_t scale = 0;                  ///< kDecimal: digits after the point (0..precision)
  TimeUnit unit = TimeUnit::kMicro;  ///< kTimestamp

  static DataType Bool() { return {TypeId::kBool}; }
  static DataType Int8() { return {TypeId::kInt8}; }
  static DataType Int16() { return {TypeId::kInt16}; }
  static DataType Int32() { return {TypeId::kInt32}; }
  static DataType Int64() { return {TypeId::kInt64}; }
  static DataType Float64() { return {TypeId::kFloat64}; }
  static DataType Decimal(int precision, int scale) {
    return {TypeId::kDecimal, static_cast<int8_t>(precision), static_cast<int8_t>(scale)};
  }
  static DataType Utf8() { return {TypeId::kUtf8}; }
  static DataType Date32() { return {TypeId::kDate32}; }
  static DataType Timestamp(TimeUnit unit = TimeUnit::kMicro) {
    return {TypeId::kTimestamp, 0, 0, unit};
  }

  /// \brief Bytes per value in the values buffer (0 for bool and utf8, which are special).
  int byte_width() const;
  bool is_integer() const;  ///< int8..int64
  bool is_numeric() const;  ///< integers, float64, decimal
  /// \brief "int64", "decimal(15,2)", "timestamp[us]", ...
  std::string ToString() const;
  bool operator==(const DataType& other) const;
  bool operator!=(const DataType& other) const { return !(*this == other); }
};

/// \brief 10^exponent for the scales of decimals, 0..18 (clamped to that range).
inline int64_t Pow10(int exponent) {
  static constexpr int64_t kPowers[19] = {1,
                                          10,
                                          100,
                                          1000,
                                          10000,
                                          100000,
                                          1000000,
                                          10000000,
                                          100000000,
                                          1000000000,
                                          10000000000,
                                          100000000000,
                                          1000000000000,
                                          10000000000000,
                                          100000000000000,
                                          1000000000000000,
                                          10000000000000000,
                                          100000000000000000,
                                          1000000000000000000};
  return kPowers[exponent < 0 ? 0 : exponent > 18 ? 18 : exponent];
}

/// \brief Parse a type name as written by DataType::ToString() (also "string" for utf8,
///        "double" for float64, "date" for date32). Returns false if unknown.
bool ParseDataType(const std::string& text, DataType* type);

/// \brief Serialization of a type as its name (DataType::ToString), for registered types that
///        hold types. DecodeDataType throws quokka::Error for a name ParseDataType refuses.
void EncodeDataType(const DataType& type, Encoder& out);
DataType DecodeDataType(Decoder& in);

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;
  bool operator==(const Field& other) const = default;
};

class Schema {
 public:
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}
  const std::vector<Field>& fields() const { return fields_; }
  int num_fields() const { return static_cast<int>(fields_.size()); }
  const Field& field(int i) const { return fields_[i]; }
  /// \brief Index of the field named `name`, or -1.
  int FieldIndex(const std::string& name) const;
  std::string ToString() const;
  bool Equals(const Schema& other) const { return fields_ == other.fields_; }

 private:
  std::vector<Field> fields_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

}  // namespace quokka

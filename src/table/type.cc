#include "quokka/type.h"

#include <cstdlib>

#include "quokka/serialize.h"

namespace quokka {

int DataType::byte_width() const {
  switch (id) {
    case TypeId::kInt8:
      return 1;
    case TypeId::kInt16:
      return 2;
    case TypeId::kInt32:
    case TypeId::kDate32:
      return 4;
    case TypeId::kInt64:
    case TypeId::kFloat64:
    case TypeId::kDecimal:
    case TypeId::kTimestamp:
      return 8;
    case TypeId::kBool:
    case TypeId::kUtf8:
      return 0;
  }
  return 0;
}

bool DataType::is_integer() const {
  return id == TypeId::kInt8 || id == TypeId::kInt16 || id == TypeId::kInt32 ||
         id == TypeId::kInt64;
}

bool DataType::is_numeric() const {
  return is_integer() || id == TypeId::kFloat64 || id == TypeId::kDecimal;
}

namespace {
const char* UnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond:
      return "s";
    case TimeUnit::kMilli:
      return "ms";
    case TimeUnit::kMicro:
      return "us";
    case TimeUnit::kNano:
      return "ns";
  }
  return "?";
}
}  // namespace

std::string DataType::ToString() const {
  switch (id) {
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
      return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeId::kUtf8:
      return "utf8";
    case TypeId::kDate32:
      return "date32";
    case TypeId::kTimestamp:
      return std::string("timestamp[") + UnitName(unit) + "]";
  }
  return "?";
}

bool DataType::operator==(const DataType& other) const {
  if (id != other.id) return false;
  if (id == TypeId::kDecimal) return precision == other.precision && scale == other.scale;
  if (id == TypeId::kTimestamp) return unit == other.unit;
  return true;
}

bool ParseDataType(const std::string& text, DataType* type) {
  static const std::pair<const char*, DataType> kNames[] = {
      {"bool", DataType::Bool()},
      {"boolean", DataType::Bool()},
      {"int8", DataType::Int8()},
      {"int16", DataType::Int16()},
      {"int32", DataType::Int32()},
      {"int64", DataType::Int64()},
      {"float64", DataType::Float64()},
      {"double", DataType::Float64()},
      {"utf8", DataType::Utf8()},
      {"string", DataType::Utf8()},
      {"date32", DataType::Date32()},
      {"date", DataType::Date32()},
      {"timestamp", DataType::Timestamp()},
      {"timestamp[s]", DataType::Timestamp(TimeUnit::kSecond)},
      {"timestamp[ms]", DataType::Timestamp(TimeUnit::kMilli)},
      {"timestamp[us]", DataType::Timestamp(TimeUnit::kMicro)},
      {"timestamp[ns]", DataType::Timestamp(TimeUnit::kNano)},
  };
  for (const auto& [name, value] : kNames) {
    if (text == name) {
      *type = value;
      return true;
    }
  }
  // decimal(p,s)
  if (text.rfind("decimal(", 0) == 0 && text.back() == ')') {
    const char* p = text.c_str() + 8;
    char* end = nullptr;
    long precision = std::strtol(p, &end, 10);
    if (end == p || *end != ',') return false;
    const char* s = end + 1;
    long scale = std::strtol(s, &end, 10);
    if (end == s || *end != ')' || end + 1 != text.c_str() + text.size()) return false;
    if (precision < 1 || precision > 18 || scale < 0 || scale > precision) return false;
    *type = DataType::Decimal(static_cast<int>(precision), static_cast<int>(scale));
    return true;
  }
  return false;
}

void EncodeDataType(const DataType& type, Encoder& out) { out.String(type.ToString()); }

DataType DecodeDataType(Decoder& in) {
  std::string name = in.String();
  DataType type;
  if (!ParseDataType(name, &type)) {
    if (name.size() > 64) name = name.substr(0, 64) + "...";
    throw Error(Status::Invalid("cannot decode: unknown data type '" + name + "'"));
  }
  return type;
}

int Schema::FieldIndex(const std::string& name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string Schema::ToString() const {
  std::string out;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i > 0) out += ", ";
    out += fields_[i].name + ": " + fields_[i].type.ToString();
  }
  return out;
}

}  // namespace quokka

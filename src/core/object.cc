#include "quokka/object.h"

#include <cxxabi.h>

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "quokka/serialize.h"
#include "quokka/status.h"

namespace quokka {
namespace internal {

size_t ByteSizeOfList(const ObjectList& list) {
  size_t total = sizeof(ObjectList);
  for (const Object& object : list) total += object.byte_size();
  return total;
}

size_t ByteSizeOfMap(const ObjectMap& map) {
  size_t total = sizeof(ObjectMap);
  for (const auto& [key, value] : map) total += key.size() + 32 + value.byte_size();
  return total;
}

std::string DemangledName(const std::type_info& type) {
  int status = 0;
  char* name = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
  std::string result = (status == 0 && name != nullptr) ? name : type.name();
  std::free(name);
  return result;
}

void ThrowWrongType(const char* wanted, const Object& object) {
  throw Error(Status::TypeError("object holds " + object.type_name() + ", not " + wanted));
}

}  // namespace internal

const std::type_info& Object::type() const {
  switch (kind_) {
    case Kind::kNull:
      return typeid(void);
    case Kind::kInt64:
      return typeid(int64_t);
    case Kind::kDouble:
      return typeid(double);
    case Kind::kBoxed:
      return box_->type();
  }
  return typeid(void);
}

std::string Object::type_name() const {
  const TypeCodec* codec = FindCodec(type());
  if (codec != nullptr) return codec->name;
  return internal::DemangledName(type());
}

namespace {

void Render(const Object& object, std::ostringstream& out) {
  if (object.is_null()) {
    out << "null";
  } else if (const int64_t* i = object.GetIf<int64_t>()) {
    out << *i;
  } else if (const double* d = object.GetIf<double>()) {
    out << *d;
  } else if (const std::string* s = object.GetIf<std::string>()) {
    out << '"' << *s << '"';
  } else if (const Bytes* b = object.GetIf<Bytes>()) {
    out << "<" << b->data.size() << " bytes>";
  } else if (const ObjectList* list = object.GetIf<ObjectList>()) {
    out << '[';
    for (size_t i = 0; i < list->size(); ++i) {
      if (i > 0) out << ", ";
      if (i == 8 && list->size() > 10) {
        out << "... " << list->size() - 8 << " more";
        break;
      }
      Render((*list)[i], out);
    }
    out << ']';
  } else if (const ObjectMap* map = object.GetIf<ObjectMap>()) {
    out << '{';
    bool first = true;
    for (const auto& [key, value] : *map) {
      if (!first) out << ", ";
      first = false;
      out << '"' << key << "\": ";
      Render(value, out);
    }
    out << '}';
  } else {
    std::string own = object.box()->Describe();
    if (own.empty()) {
      out << '<' << object.type_name() << '>';
    } else {
      out << own;
    }
  }
}

}  // namespace

std::string Object::ToString() const {
  std::ostringstream out;
  Render(*this, out);
  return out.str();
}

bool Object::operator==(const Object& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::kNull:
      return true;
    case Kind::kInt64:
      return int_ == other.int_;
    case Kind::kDouble:
      return double_ == other.double_ || (std::isnan(double_) && std::isnan(other.double_));
    case Kind::kBoxed:
      return box_ == other.box_ || box_->Equals(*other.box_);
  }
  return false;
}

}  // namespace quokka

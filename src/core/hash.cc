// Hashing of partition keys with xxHash (XXH3, 64 bit).
#include <xxhash.h>

#include <cstring>

#include "quokka/partition.h"
#include "quokka/status.h"

namespace quokka {

uint64_t HashObject(const Object& key) {
  switch (key.kind()) {
    case Object::Kind::kNull:
      return 0x9e3779b97f4a7c15ULL;
    case Object::Kind::kInt64: {
      int64_t value = key.As<int64_t>();
      return XXH3_64bits(&value, sizeof(value));
    }
    case Object::Kind::kDouble: {
      double value = key.As<double>();
      if (value == 0) value = 0;  // -0.0 and 0.0 are equal keys
      return XXH3_64bits(&value, sizeof(value));
    }
    case Object::Kind::kBoxed:
      break;
  }
  if (const auto* text = key.GetIf<std::string>()) return XXH3_64bits(text->data(), text->size());
  if (const auto* bytes = key.GetIf<Bytes>()) {
    return XXH3_64bits(bytes->data.data(), bytes->data.size());
  }
  if (const auto* list = key.GetIf<ObjectList>()) {
    uint64_t hash = 0x243f6a8885a308d3ULL;
    for (const Object& item : *list) {
      uint64_t parts[2] = {hash, HashObject(item)};
      hash = XXH3_64bits(parts, sizeof(parts));
    }
    return hash;
  }
  throw Error(Status::TypeError("cannot hash a partition key of type " + key.type_name() +
                                "; keys must be int64, double, string, bytes or lists of them"));
}

}  // namespace quokka

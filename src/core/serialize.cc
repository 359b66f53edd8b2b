// MessagePack encoding of Objects. Built-in kinds map to native MessagePack values (nil, int,
// float64, str, bin, array, map); registered user types become an ext value (type 1) whose body
// is the type name (a str) followed by whatever the type's codec writes.
#include "quokka/serialize.h"

#include <msgpack.h>

#include <cstring>
#include <vector>

#include "msgpack_check.h"

namespace quokka {
namespace internal {
Status InsertCodec(TypeCodec codec);  // type_registry.cc
}

namespace {
constexpr int8_t kUserTypeExt = 1;
constexpr int kMaxDepth = 256;  // deeper nesting in input is treated as malformed

[[noreturn]] void ThrowDecode(const std::string& what) {
  throw Error(Status::TypeError("cannot decode: " + what));
}
}  // namespace

// ----------------------------------------------------------------------------------- Encoder

struct Encoder::Impl {
  msgpack_sbuffer buffer;
  msgpack_packer packer;
  Impl() {
    msgpack_sbuffer_init(&buffer);
    msgpack_packer_init(&packer, &buffer, msgpack_sbuffer_write);
  }
  ~Impl() { msgpack_sbuffer_destroy(&buffer); }
};

Encoder::Encoder() : impl_(std::make_unique<Impl>()) {}
Encoder::~Encoder() = default;

void Encoder::Nil() { msgpack_pack_nil(&impl_->packer); }
void Encoder::Bool(bool value) {
  value ? msgpack_pack_true(&impl_->packer) : msgpack_pack_false(&impl_->packer);
}
void Encoder::Int(int64_t value) { msgpack_pack_int64(&impl_->packer, value); }
void Encoder::Double(double value) { msgpack_pack_double(&impl_->packer, value); }
void Encoder::String(std::string_view value) {
  msgpack_pack_str(&impl_->packer, value.size());
  msgpack_pack_str_body(&impl_->packer, value.data(), value.size());
}
void Encoder::Binary(std::string_view value) {
  msgpack_pack_bin(&impl_->packer, value.size());
  msgpack_pack_bin_body(&impl_->packer, value.data(), value.size());
}
void Encoder::ArrayHeader(uint32_t size) { msgpack_pack_array(&impl_->packer, size); }
void Encoder::MapHeader(uint32_t size) { msgpack_pack_map(&impl_->packer, size); }

std::string_view Encoder::bytes() const {
  return std::string_view(impl_->buffer.data, impl_->buffer.size);
}

void Encoder::WriteObject(const Object& object) {
  switch (object.kind()) {
    case Object::Kind::kNull:
      return Nil();
    case Object::Kind::kInt64:
      return Int(object.As<int64_t>());
    case Object::Kind::kDouble:
      return Double(object.As<double>());
    case Object::Kind::kBoxed:
      break;
  }
  if (const auto* text = object.GetIf<std::string>()) return String(*text);
  if (const auto* bytes = object.GetIf<Bytes>()) return Binary(bytes->data);
  if (const auto* list = object.GetIf<ObjectList>()) {
    ArrayHeader(static_cast<uint32_t>(list->size()));
    for (const Object& item : *list) WriteObject(item);
    return;
  }
  if (const auto* map = object.GetIf<ObjectMap>()) {
    MapHeader(static_cast<uint32_t>(map->size()));
    for (const auto& [key, value] : *map) {
      String(key);
      WriteObject(value);
    }
    return;
  }
  const TypeCodec* codec = FindCodec(object.type());
  if (codec == nullptr) {
    throw Error(Status::NotFound("type " + object.type_name() +
                                 " is not registered for serialization; call "
                                 "quokka::RegisterType<T>(\"name\") before shipping it"));
  }
  Encoder body;
  body.String(codec->name);
  codec->encode(object, body);
  std::string_view payload = body.bytes();
  msgpack_pack_ext(&impl_->packer, payload.size(), kUserTypeExt);
  msgpack_pack_ext_body(&impl_->packer, payload.data(), payload.size());
}

// ----------------------------------------------------------------------------------- Decoder

struct Decoder::Impl {
  struct Cursor {
    const msgpack_object* items = nullptr;     // array elements
    const msgpack_object_kv* pairs = nullptr;  // map pairs
    uint32_t count = 0;                        // values to hand out (2 per map pair)
    uint32_t next = 0;
  };

  std::string_view data;
  size_t offset = 0;
  msgpack_unpacked top;
  bool top_pending = false;  // `top` holds a value not yet handed out
  std::vector<Cursor> stack;
  int depth = 0;

  explicit Impl(std::string_view bytes) : data(bytes) { msgpack_unpacked_init(&top); }
  ~Impl() { msgpack_unpacked_destroy(&top); }

  // Returns the next value; with consume = false it stays the next value.
  const msgpack_object* Next(bool consume) {
    while (!stack.empty() && stack.back().next >= stack.back().count) stack.pop_back();
    if (!stack.empty()) {
      Cursor& cursor = stack.back();
      uint32_t index = cursor.next;
      if (consume) ++cursor.next;
      if (cursor.pairs != nullptr) {
        const msgpack_object_kv& pair = cursor.pairs[index / 2];
        return index % 2 == 0 ? &pair.key : &pair.val;
      }
      return &cursor.items[index];
    }
    if (!top_pending) {
      if (offset >= data.size()) ThrowDecode("unexpected end of input");
      size_t end = 0;
      std::string error;
      if (!internal::CheckMsgpackValue(data, offset, &end, &error)) ThrowDecode(error);
      msgpack_unpack_return ret = msgpack_unpack_next(&top, data.data(), data.size(), &offset);
      if (ret == MSGPACK_UNPACK_CONTINUE) ThrowDecode("input is truncated");
      if (ret != MSGPACK_UNPACK_SUCCESS && ret != MSGPACK_UNPACK_EXTRA_BYTES) {
        ThrowDecode("malformed MessagePack at byte " + std::to_string(offset));
      }
      top_pending = true;
    }
    if (consume) top_pending = false;
    return &top.data;
  }

  const msgpack_object& Expect(msgpack_object_type type, const char* name) {
    const msgpack_object* value = Next(false);
    if (value->type != type) ThrowDecode(std::string("expected ") + name);
    return *Next(true);
  }
};

Decoder::Decoder(std::string_view bytes) : impl_(std::make_unique<Impl>(bytes)) {}
Decoder::~Decoder() = default;

bool Decoder::IsNil() { return impl_->Next(false)->type == MSGPACK_OBJECT_NIL; }
void Decoder::Nil() { impl_->Expect(MSGPACK_OBJECT_NIL, "nil"); }
bool Decoder::Bool() { return impl_->Expect(MSGPACK_OBJECT_BOOLEAN, "a bool").via.boolean; }

int64_t Decoder::Int() {
  const msgpack_object* value = impl_->Next(false);
  if (value->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) return impl_->Next(true)->via.i64;
  if (value->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
    if (value->via.u64 > static_cast<uint64_t>(INT64_MAX)) ThrowDecode("integer exceeds int64");
    return static_cast<int64_t>(impl_->Next(true)->via.u64);
  }
  ThrowDecode("expected an integer");
}

double Decoder::Double() {
  const msgpack_object* value = impl_->Next(false);
  if (value->type != MSGPACK_OBJECT_FLOAT64 && value->type != MSGPACK_OBJECT_FLOAT32) {
    ThrowDecode("expected a double");
  }
  return impl_->Next(true)->via.f64;
}

std::string Decoder::String() {
  const msgpack_object& value = impl_->Expect(MSGPACK_OBJECT_STR, "a string");
  return std::string(value.via.str.ptr, value.via.str.size);
}

std::string Decoder::Binary() {
  const msgpack_object& value = impl_->Expect(MSGPACK_OBJECT_BIN, "binary data");
  return std::string(value.via.bin.ptr, value.via.bin.size);
}

uint32_t Decoder::ArrayHeader() {
  const msgpack_object& value = impl_->Expect(MSGPACK_OBJECT_ARRAY, "an array");
  if (impl_->stack.size() >= kMaxDepth) ThrowDecode("nesting too deep");
  impl_->stack.push_back({value.via.array.ptr, nullptr, value.via.array.size, 0});
  return value.via.array.size;
}

uint32_t Decoder::MapHeader() {
  const msgpack_object& value = impl_->Expect(MSGPACK_OBJECT_MAP, "a map");
  if (impl_->stack.size() >= kMaxDepth) ThrowDecode("nesting too deep");
  impl_->stack.push_back({nullptr, value.via.map.ptr, value.via.map.size * 2, 0});
  return value.via.map.size;
}

bool Decoder::AtEnd() const {
  for (const auto& cursor : impl_->stack) {
    if (cursor.next < cursor.count) return false;
  }
  return !impl_->top_pending && impl_->offset >= impl_->data.size();
}

Object Decoder::ReadObject() {
  const msgpack_object* value = impl_->Next(false);
  switch (value->type) {
    case MSGPACK_OBJECT_NIL:
      Nil();
      return Object();
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
      return Object(Int());
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
      return Object(Double());
    case MSGPACK_OBJECT_STR:
      return Object(String());
    case MSGPACK_OBJECT_BIN:
      return Object(Bytes{Binary()});
    case MSGPACK_OBJECT_ARRAY: {
      if (++impl_->depth > kMaxDepth) ThrowDecode("nesting too deep");
      uint32_t size = ArrayHeader();
      ObjectList list;
      list.reserve(size);
      for (uint32_t i = 0; i < size; ++i) list.push_back(ReadObject());
      --impl_->depth;
      return Object(std::move(list));
    }
    case MSGPACK_OBJECT_MAP: {
      if (++impl_->depth > kMaxDepth) ThrowDecode("nesting too deep");
      uint32_t size = MapHeader();
      ObjectMap map;
      for (uint32_t i = 0; i < size; ++i) {
        std::string key = String();
        map[std::move(key)] = ReadObject();
      }
      --impl_->depth;
      return Object(std::move(map));
    }
    case MSGPACK_OBJECT_EXT: {
      const msgpack_object& ext = *impl_->Next(true);
      if (ext.via.ext.type != kUserTypeExt) ThrowDecode("unknown extension type");
      // The body is decoded on its own, but nesting counts across bodies: a chain of typed
      // values inside each other must not recurse without bound.
      if (impl_->depth + 1 > kMaxDepth) ThrowDecode("nesting too deep");
      Decoder body(std::string_view(ext.via.ext.ptr, ext.via.ext.size));
      body.impl_->depth = impl_->depth + 1;
      std::string name = body.String();
      const TypeCodec* codec = FindCodec(name);
      if (codec == nullptr) {
        throw Error(Status::NotFound("cannot decode: type '" + name +
                                     "' is not registered on this machine"));
      }
      return codec->decode(body);
    }
    default:
      ThrowDecode("unsupported MessagePack value");
  }
}

// ------------------------------------------------------------------------- entry points

void EncodeStrings(const std::vector<std::string>& values, Encoder& out) {
  out.ArrayHeader(static_cast<uint32_t>(values.size()));
  for (const std::string& value : values) out.String(value);
}

std::vector<std::string> DecodeStrings(Decoder& in) {
  const uint32_t size = in.ArrayHeader();
  std::vector<std::string> values;
  values.reserve(size);
  for (uint32_t i = 0; i < size; ++i) values.push_back(in.String());
  return values;
}

Result<std::string> Serialize(const Object& object) {
  try {
    Encoder encoder;
    encoder.WriteObject(object);
    return std::string(encoder.bytes());
  } catch (const Error& error) {
    return error.status();
  } catch (const std::exception& error) {
    return Status::Internal(std::string("serializing ") + object.type_name() + ": " + error.what());
  }
}

Result<Object> Deserialize(std::string_view bytes) {
  try {
    Decoder decoder(bytes);
    Object object = decoder.ReadObject();
    if (!decoder.AtEnd()) return Status::TypeError("cannot decode: trailing bytes after object");
    return object;
  } catch (const Error& error) {
    return error.status();
  } catch (const std::exception& error) {
    return Status::TypeError(std::string("cannot decode: ") + error.what());
  }
}

// ----------------------------------------------------------------------- built-in codecs

namespace internal {

namespace {
template <typename T>
void AddNative(const char* name) {
  // Native kinds never reach a codec: WriteObject/ReadObject handle them directly; the entry
  // exists so that type names and lookups are uniform.
  TypeCodec codec;
  codec.name = name;
  codec.type = &typeid(T);
  codec.encode = [](const Object& object, Encoder& out) { out.WriteObject(object); };
  codec.decode = [](Decoder& in) { return in.ReadObject(); };
  (void)InsertCodec(std::move(codec));
}

template <typename T>
void AddVector(const char* name) {
  TypeCodec codec;
  codec.name = name;
  codec.type = &typeid(std::vector<T>);
  codec.encode = [](const Object& object, Encoder& out) {
    const auto& values = object.As<std::vector<T>>();
    out.ArrayHeader(static_cast<uint32_t>(values.size()));
    for (T value : values) {
      if constexpr (std::is_same_v<T, double>) {
        out.Double(value);
      } else {
        out.Int(value);
      }
    }
  };
  codec.decode = [](Decoder& in) {
    uint32_t size = in.ArrayHeader();
    std::vector<T> values;
    values.reserve(size);
    for (uint32_t i = 0; i < size; ++i) {
      if constexpr (std::is_same_v<T, double>) {
        values.push_back(in.Double());
      } else {
        values.push_back(in.Int());
      }
    }
    return Object::Make(std::move(values));
  };
  (void)InsertCodec(std::move(codec));
}
}  // namespace

void RegisterBuiltinCodecs() {
  AddNative<void>("null");
  AddNative<int64_t>("int64");
  AddNative<double>("double");
  AddNative<std::string>("string");
  AddNative<Bytes>("bytes");
  AddNative<ObjectList>("list");
  AddNative<ObjectMap>("map");
  AddVector<int64_t>("int64_vector");
  AddVector<double>("double_vector");
}

}  // namespace internal
}  // namespace quokka

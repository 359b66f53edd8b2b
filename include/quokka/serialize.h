#pragma once
// Serialization of Objects through a registry of stable type names.
//
// Objects that cross machines (and readers/executors shipped to workers) are encoded as
// MessagePack. Built-in kinds are native MessagePack values: null -> nil, int64 -> int,
// double -> float64, std::string -> str, Bytes -> bin, ObjectList -> array, ObjectMap -> map
// (str keys). Any other type is a MessagePack ext value of type 1 whose body is the registered
// type name (a str) followed by the values the type's codec writes. A user type is registered
// once with RegisterType<T>("my.type"), using either the member functions
//     void Encode(quokka::Encoder& out) const;
//     static T Decode(quokka::Decoder& in);
// or two functions passed explicitly. Names must be stable across builds and machines.
// Thread safety: registration is synchronized; register before running graphs.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <typeinfo>
#include <vector>

#include "quokka/executor.h"
#include "quokka/object.h"
#include "quokka/partition.h"
#include "quokka/reader.h"
#include "quokka/status.h"

namespace quokka {

/// \brief Writes MessagePack values. Only created by the serializer.
class Encoder {
 public:
  Encoder();
  ~Encoder();
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  void Nil();
  void Bool(bool value);
  void Int(int64_t value);
  void Double(double value);
  void String(std::string_view value);
  void Binary(std::string_view value);
  /// \brief Start an array; the next `size` values written are its elements.
  void ArrayHeader(uint32_t size);
  /// \brief Start a map; the next 2 * `size` values written are its keys and values.
  void MapHeader(uint32_t size);
  /// \brief Write a nested Object as [type name, payload]. Throws quokka::Error if its type
  ///        is not registered.
  void WriteObject(const Object& object);

  /// \brief Return the bytes written so far.
  std::string_view bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// \brief Reads MessagePack values in order. Every method throws quokka::Error (TypeError)
///        when the next value is not of the requested kind or the input is exhausted.
class Decoder {
 public:
  explicit Decoder(std::string_view bytes);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  bool IsNil();  ///< Peek: is the next value nil? Does not consume.
  void Nil();
  bool Bool();
  int64_t Int();
  double Double();
  std::string String();
  std::string Binary();
  uint32_t ArrayHeader();
  uint32_t MapHeader();
  Object ReadObject();
  bool AtEnd() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// \brief How a registered type is written and read.
struct TypeCodec {
  std::string name;
  const std::type_info* type = nullptr;
  std::function<void(const Object&, Encoder&)> encode;
  std::function<Object(Decoder&)> decode;
  // Filled when the type is a reader, executor or partition function, so that a worker can
  // turn a decoded object back into a channel's reader/executor or a partitioner.
  std::function<std::unique_ptr<InputReader>(const Object&)> make_reader;
  std::function<std::unique_ptr<Executor>(const Object&)> make_executor;
  std::function<Partitioner(const Object&)> make_partitioner;
};

/// \brief Register a codec. Re-registering the same type under the same name is a no-op;
///        reusing a name for a different type is refused.
Status RegisterCodec(TypeCodec codec);
/// \brief Return the codec for a C++ type, or nullptr.
const TypeCodec* FindCodec(const std::type_info& type);
/// \brief Return the codec registered under `name`, or nullptr.
const TypeCodec* FindCodec(std::string_view name);

/// \brief Register T with explicit functions.
template <typename T>
Status RegisterType(std::string name, std::function<void(const T&, Encoder&)> encode,
                    std::function<T(Decoder&)> decode) {
  TypeCodec codec;
  codec.name = std::move(name);
  codec.type = &typeid(T);
  codec.encode = [encode](const Object& object, Encoder& out) { encode(object.As<T>(), out); };
  codec.decode = [decode](Decoder& in) { return Object::Make<T>(decode(in)); };
  if constexpr (std::is_base_of_v<InputReader, T> && std::is_copy_constructible_v<T>) {
    codec.make_reader = [](const Object& o) { return std::make_unique<T>(o.As<T>()); };
  }
  if constexpr (std::is_base_of_v<Executor, T> && std::is_copy_constructible_v<T>) {
    codec.make_executor = [](const Object& o) { return std::make_unique<T>(o.As<T>()); };
  }
  if constexpr (std::is_base_of_v<PartitionFunction, T>) {
    codec.make_partitioner = [](const Object& o) {
      const T* fn = &o.As<T>();
      return Partitioner::FromFunctionObject(
          o, [fn](const Object& object, int producer, int n, std::vector<Target>& out) {
            fn->Partition(object, producer, n, out);
          });
    };
  }
  return RegisterCodec(std::move(codec));
}

/// \brief Register T using its members `void Encode(Encoder&) const` and `static T
/// Decode(Decoder&)`.
template <typename T>
Status RegisterType(std::string name) {
  return RegisterType<T>(
      std::move(name), [](const T& value, Encoder& out) { value.Encode(out); },
      [](Decoder& in) { return T::Decode(in); });
}

/// \brief Write a list of strings as an array (for codecs).
void EncodeStrings(const std::vector<std::string>& values, Encoder& out);
/// \brief Read an array written by EncodeStrings. Throws quokka::Error on other input.
std::vector<std::string> DecodeStrings(Decoder& in);

/// \brief Encode an object (and everything nested in it) to bytes.
Result<std::string> Serialize(const Object& object);
/// \brief Decode bytes written by Serialize. Fails with a clear message on malformed input
///        or an unknown type name.
Result<Object> Deserialize(std::string_view bytes);

}  // namespace quokka

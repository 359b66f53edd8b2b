#pragma once
// quokka::Object: the immutable, reference-counted, type-erased value that flows on streams.
//
// An Object holds nothing (null), an int64 or a double inline, or a pointer to an immutable
// heap value of any C++ type: std::string, quokka::Bytes, ObjectList, ObjectMap, a user struct,
// and (from the tables layer) columnar tables. Copying an Object copies a pointer and bumps a
// reference count; passing one between channels on a machine never copies the value.
// Values are immutable once wrapped, so an Object may be read from many threads at once.
// To ship an Object to another machine its type must be registered (see serialize.h).

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace quokka {

class Object;
/// \brief A vector of objects (a Python list).
using ObjectList = std::vector<Object>;
/// \brief A map from string keys to objects (a Python dict with string keys).
using ObjectMap = std::map<std::string, Object>;

/// \brief Binary data; distinct from std::string, which holds text.
struct Bytes {
  std::string data;
  bool operator==(const Bytes& other) const = default;
};

namespace internal {

/// Heap part of a non-inline Object. Never mutated after construction.
class Boxed {
 public:
  virtual ~Boxed() = default;
  virtual const std::type_info& type() const = 0;
  virtual size_t byte_size() const = 0;
  virtual bool Equals(const Boxed& other) const = 0;
  /// The value's own rendering (its ToString()), or "" if it has none.
  virtual std::string Describe() const = 0;
};

template <typename T>
concept HasByteSize = requires(const T& value) {
  { value.byte_size() } -> std::convertible_to<size_t>;
};
template <typename T>
concept HasToString = requires(const T& value) {
  { value.ToString() } -> std::convertible_to<std::string>;
};
template <typename T>
concept EqualityComparable = requires(const T& a, const T& b) {
  { a == b } -> std::convertible_to<bool>;
};

template <typename T>
struct IsArithmeticVector : std::false_type {};
template <typename T, typename A>
struct IsArithmeticVector<std::vector<T, A>> : std::is_arithmetic<T> {};

size_t ByteSizeOfList(const ObjectList& list);
size_t ByteSizeOfMap(const ObjectMap& map);

template <typename T>
size_t ByteSizeOf(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return sizeof(T) + value.size();
  } else if constexpr (std::is_same_v<T, Bytes>) {
    return sizeof(T) + value.data.size();
  } else if constexpr (std::is_same_v<T, ObjectList>) {
    return ByteSizeOfList(value);
  } else if constexpr (std::is_same_v<T, ObjectMap>) {
    return ByteSizeOfMap(value);
  } else if constexpr (IsArithmeticVector<T>::value) {
    return sizeof(T) + value.size() * sizeof(typename T::value_type);
  } else if constexpr (HasByteSize<T>) {
    return value.byte_size();
  } else {
    return sizeof(T);
  }
}

template <typename T>
class BoxedValue final : public Boxed {
 public:
  explicit BoxedValue(T value) : value_(std::move(value)) {}
  const std::type_info& type() const override { return typeid(T); }
  size_t byte_size() const override { return ByteSizeOf(value_); }
  bool Equals(const Boxed& other) const override {
    if (other.type() != typeid(T)) return false;
    if constexpr (EqualityComparable<T>) {
      return value_ == static_cast<const BoxedValue<T>&>(other).value_;
    } else {
      return this == &other;
    }
  }
  std::string Describe() const override {
    if constexpr (HasToString<T>) {
      return value_.ToString();
    } else {
      return std::string();
    }
  }
  const T& value() const { return value_; }

 private:
  T value_;
};

[[noreturn]] void ThrowWrongType(const char* wanted, const Object& object);
std::string DemangledName(const std::type_info& type);

}  // namespace internal

class Object {
 public:
  enum class Kind : uint8_t { kNull, kInt64, kDouble, kBoxed };

  /// \brief Construct a null object.
  Object() = default;
  /// \brief Any integer except bool is stored inline as int64.
  template <typename I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) Object(I value)
      : kind_(Kind::kInt64), int_(static_cast<int64_t>(value)) {}  // NOLINT
  Object(double value) : kind_(Kind::kDouble), double_(value) {}   // NOLINT
  Object(std::string value) : Object(Make(std::move(value))) {}    // NOLINT
  Object(const char* value) : Object(Make(std::string(value))) {}  // NOLINT
  Object(Bytes value) : Object(Make(std::move(value))) {}          // NOLINT
  Object(ObjectList value) : Object(Make(std::move(value))) {}     // NOLINT
  Object(ObjectMap value) : Object(Make(std::move(value))) {}      // NOLINT

  /// \brief Wrap any value; arithmetic types go inline, everything else on the heap.
  template <typename T>
  static Object Make(T value) {
    using V = std::decay_t<T>;
    if constexpr (std::is_integral_v<V> && !std::is_same_v<V, bool>) {
      return Object(static_cast<int64_t>(value));
    } else if constexpr (std::is_floating_point_v<V>) {
      return Object(static_cast<double>(value));
    } else {
      Object object;
      object.kind_ = Kind::kBoxed;
      object.box_ = std::make_shared<const internal::BoxedValue<V>>(std::move(value));
      return object;
    }
  }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }

  /// \brief Return true if the object holds a T (int64_t and double are inline kinds).
  template <typename T>
  bool Is() const {
    if constexpr (std::is_same_v<T, int64_t>) {
      return kind_ == Kind::kInt64;
    } else if constexpr (std::is_same_v<T, double>) {
      return kind_ == Kind::kDouble;
    } else {
      return kind_ == Kind::kBoxed && box_->type() == typeid(T);
    }
  }

  /// \brief Return a pointer to the held T, or nullptr if the object holds something else.
  template <typename T>
  const T* GetIf() const {
    if constexpr (std::is_same_v<T, int64_t>) {
      return kind_ == Kind::kInt64 ? &int_ : nullptr;
    } else if constexpr (std::is_same_v<T, double>) {
      return kind_ == Kind::kDouble ? &double_ : nullptr;
    } else {
      if (!Is<T>()) return nullptr;
      return &static_cast<const internal::BoxedValue<T>*>(box_.get())->value();
    }
  }

  /// \brief Return the held T. Throws quokka::Error (TypeError) naming both types otherwise.
  template <typename T>
  const T& As() const {
    const T* value = GetIf<T>();
    if (value == nullptr)
      internal::ThrowWrongType(internal::DemangledName(typeid(T)).c_str(), *this);
    return *value;
  }

  /// \brief Return the C++ type held (void for null).
  const std::type_info& type() const;
  /// \brief Return the registered name of the held type, else its demangled C++ name.
  std::string type_name() const;
  /// \brief Return an estimate of the memory the value holds, used for backpressure budgets.
  size_t byte_size() const { return kind_ == Kind::kBoxed ? box_->byte_size() : sizeof(Object); }
  /// \brief Return a human-readable rendering (for printing and error messages); a user type
  ///        with a `ToString()` member (such as Table) renders itself.
  std::string ToString() const;

  /// \brief The heap part (nullptr for inline kinds); for the library's own use.
  const internal::Boxed* box() const { return box_.get(); }

  /// \brief Values compare equal by content; user types without operator== by identity.
  bool operator==(const Object& other) const;
  bool operator!=(const Object& other) const { return !(*this == other); }

 private:
  Kind kind_ = Kind::kNull;
  union {
    int64_t int_ = 0;
    double double_;
  };
  std::shared_ptr<const internal::Boxed> box_;
};

}  // namespace quokka

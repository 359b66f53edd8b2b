#pragma once
// Partition functions: for every object a producer channel emits on a stream, which channels
// of the consuming node receive it (one, a different slice to each, or a copy to all).
// A Partitioner is an immutable value; its functions are called from the producer's channel
// and must be safe to call from several threads at once (they should be pure).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "quokka/object.h"

namespace quokka {

/// \brief One (consumer channel, object) pair produced by a custom partition function.
struct Target {
  int channel = 0;
  Object object;
};

/// \brief A partition function that can be shipped to other machines: derive from it, make it
///        copyable, and register it with RegisterType<F>("name") (Encode/Decode members).
///        Pass it to Partitioner::Custom(Object::Make<F>(...)) or Partitioner::Shippable(f).
class PartitionFunction {
 public:
  virtual ~PartitionFunction() = default;
  /// Append (consumer channel, object) pairs to `out`; channels are node-wide indices.
  virtual void Partition(const Object& object, int producer_channel, int num_consumer_channels,
                         std::vector<Target>& out) const = 0;
};

class Partitioner {
 public:
  enum class Kind { kDefault, kBroadcast, kRoundRobin, kToChannel, kHash, kCustom };

  using KeyFunction = std::function<Object(const Object&)>;
  /// out receives (consumer channel, object) pairs; channels are node-wide indices.
  using CustomFunction = std::function<void(const Object& object, int producer_channel,
                                            int num_consumer_channels, std::vector<Target>& out)>;

  /// \brief To the consumer channel on the producer's machine (the default).
  static Partitioner Default();
  /// \brief A copy (a shared pointer, not a deep copy) to every consumer channel.
  static Partitioner Broadcast();
  /// \brief Each producer channel deals its objects to consumer channels in turn.
  static Partitioner RoundRobin();
  /// \brief Everything to one fixed consumer channel.
  static Partitioner ToChannel(int channel);
  /// \brief To channel hash(key(object)) mod channels; keys are int64, double, string, bytes
  ///        or lists of them.
  static Partitioner HashBy(KeyFunction key);
  /// \brief Any set of (channel, object) pairs, e.g. a different slice to each channel.
  static Partitioner Custom(CustomFunction function);
  /// \brief A custom partitioner from a registered PartitionFunction type, which (unlike a
  ///        lambda) can be shipped to other machines.
  template <typename F>
  static Partitioner Shippable(F function) {
    static_assert(std::is_base_of_v<PartitionFunction, F>,
                  "a shippable partitioner derives from quokka::PartitionFunction");
    Object value = Object::Make<F>(std::move(function));
    const auto* fn = &value.As<F>();
    return FromFunctionObject(std::move(value), [fn](const Object& object, int producer, int n,
                                                     std::vector<Target>& out) {
      fn->Partition(object, producer, n, out);
    });
  }

  Partitioner() = default;  ///< Same as Default().
  Kind kind() const { return kind_; }
  int fixed_channel() const { return fixed_channel_; }
  const KeyFunction& key() const { return key_; }
  const CustomFunction& custom() const { return custom_; }
  /// \brief The PartitionFunction object of a Shippable() partitioner (null otherwise).
  const Object& function_object() const { return function_object_; }
  /// \brief A custom partitioner calling `call`, which must call the PartitionFunction held by
  ///        `function_object` (used by Shippable() and when a plan is decoded on a worker).
  static Partitioner FromFunctionObject(Object function_object, CustomFunction call);
  /// \brief Return a short description ("hash", "broadcast", "to channel 3", ...).
  std::string ToString() const;

 private:
  Kind kind_ = Kind::kDefault;
  int fixed_channel_ = 0;
  KeyFunction key_;
  CustomFunction custom_;
  Object function_object_;
};

/// \brief Hash an object's value (int64, double, string, bytes, list of those) with xxHash.
///        Throws quokka::Error (TypeError) for other types.
uint64_t HashObject(const Object& key);

}  // namespace quokka

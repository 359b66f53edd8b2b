#include "quokka/partition.h"

namespace quokka {

Partitioner Partitioner::Default() { return Partitioner(); }

Partitioner Partitioner::Broadcast() {
  Partitioner p;
  p.kind_ = Kind::kBroadcast;
  return p;
}

Partitioner Partitioner::RoundRobin() {
  Partitioner p;
  p.kind_ = Kind::kRoundRobin;
  return p;
}

Partitioner Partitioner::ToChannel(int channel) {
  Partitioner p;
  p.kind_ = Kind::kToChannel;
  p.fixed_channel_ = channel;
  return p;
}

Partitioner Partitioner::HashBy(KeyFunction key) {
  Partitioner p;
  p.kind_ = Kind::kHash;
  p.key_ = std::move(key);
  return p;
}

Partitioner Partitioner::Custom(CustomFunction function) {
  Partitioner p;
  p.kind_ = Kind::kCustom;
  p.custom_ = std::move(function);
  return p;
}

Partitioner Partitioner::FromFunctionObject(Object function_object, CustomFunction call) {
  Partitioner p = Custom(std::move(call));
  p.function_object_ = std::move(function_object);
  return p;
}

std::string Partitioner::ToString() const {
  switch (kind_) {
    case Kind::kDefault:
      return "default";
    case Kind::kBroadcast:
      return "broadcast";
    case Kind::kRoundRobin:
      return "round-robin";
    case Kind::kToChannel:
      return "to channel " + std::to_string(fixed_channel_);
    case Kind::kHash:
      return "hash";
    case Kind::kCustom:
      return function_object_.is_null() ? "custom" : function_object_.type_name();
  }
  return "?";
}

}  // namespace quokka

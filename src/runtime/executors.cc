// The built-in executors behind sinks and stateless tasks.
#include "quokka/executor.h"
#include "quokka/serialize.h"

namespace quokka {
namespace {
const bool kCollectRegistered = [] {
  (void)RegisterType<Collect>(
      "quokka.collect", [](const Collect&, Encoder& out) { out.Nil(); },
      [](Decoder& in) {
        in.Nil();
        return Collect();
      });
  return true;
}();
}  // namespace

void Collect::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  for (Object& object : batches) out.Emit(std::move(object));
}

void MapTask::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  for (const Object& object : batches) out.Emit(fn_(object));
}

void FilterTask::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  for (Object& object : batches) {
    if (predicate_(object)) out.Emit(std::move(object));
  }
}

}  // namespace quokka

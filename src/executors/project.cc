// FilterExecutor and ProjectExecutor: expressions applied to every table of a stream.
#include "quokka/executors.h"

namespace quokka {
namespace {
// Shippable in every program that uses this executor (register.cc).
const bool kTypesRegistered = RegisterExecutorTypes().ok();
}  // namespace

namespace {
const Table& InputTable(const Object& object, const char* who) {
  const Table* table = object.GetIf<Table>();
  if (table == nullptr) {
    throw Error(Status::TypeError(std::string(who) + " expects tables, got " + object.type_name()));
  }
  return *table;
}
}  // namespace

void FilterExecutor::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  for (const Object& object : batches) {
    Table kept = Filter(InputTable(object, "FilterExecutor"), predicate_).ValueOrThrow();
    if (kept.num_rows() > 0) out.Emit(Object::Make(std::move(kept)));
  }
}

void ProjectExecutor::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  for (const Object& object : batches) {
    out.Emit(Object::Make(Project(InputTable(object, "ProjectExecutor"), exprs_).ValueOrThrow()));
  }
}

}  // namespace quokka

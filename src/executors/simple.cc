// Count, Distinct, and the helpers that connect tables to the runtime (partitioning, datasets).
#include <unordered_set>

#include "quokka/executors.h"
#include "row_keys.h"

namespace quokka {
namespace {
// Tables travel between machines as Arrow IPC ("quokka.table") and plans ship their executors
// and partition functions: register them in every program that links this file (register.cc).
const bool kTypesRegistered = RegisterExecutorTypes().ok();
}  // namespace

void Count::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  for (const Object& object : batches) {
    const Table* table = object.GetIf<Table>();
    count_ += table != nullptr ? table->num_rows() : 1;
  }
}

void Count::Done(int channel, Output& out) {
  ColumnBuilder builder(DataType::Int64());
  builder.AppendInt64(count_);
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"count", DataType::Int64()}});
  out.Emit(Object::Make(Table(schema, {builder.Finish()})));
}

struct Distinct::State {
  std::unordered_set<std::string> seen;
};

Distinct::Distinct(std::vector<std::string> columns)
    : columns_(std::move(columns)), state_(std::make_unique<State>()) {}
Distinct::Distinct(const Distinct& other)
    : columns_(other.columns_), state_(std::make_unique<State>()) {}
Distinct::~Distinct() = default;

void Distinct::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  for (const Object& object : batches) {
    const Table* table = object.GetIf<Table>();
    if (table == nullptr) {
      throw Error(Status::TypeError("Distinct expects tables, got " + object.type_name()));
    }
    std::vector<std::string> columns = columns_;
    if (columns.empty()) {
      for (const Field& field : table->schema()->fields()) columns.push_back(field.name);
    }
    internal::RowKeys keys(*table, columns);
    std::vector<int64_t> fresh;
    for (int64_t row = 0; row < keys.num_rows(); ++row) {
      if (state_->seen.emplace(keys.key(row)).second) fresh.push_back(row);
    }
    if (fresh.empty()) continue;
    if (static_cast<int64_t>(fresh.size()) == table->num_rows()) {
      out.Emit(object);
    } else {
      out.Emit(Object::Make(compute::Take(*table, fresh).ValueOrThrow()));
    }
  }
}

void HashPartitionFunction::Partition(const Object& object, int producer_channel, int num_channels,
                                      std::vector<Target>& out) const {
  const Table* table = object.GetIf<Table>();
  if (table == nullptr) {
    throw Error(Status::TypeError("HashPartitionBy expects tables, got " + object.type_name()));
  }
  if (num_channels == 1) {
    out.push_back({0, object});
    return;
  }
  std::vector<Table> parts = compute::HashPartition(*table, keys_, num_channels).ValueOrThrow();
  // Empty slices go out too: they tell every channel the schema, which joins need to shape
  // their output even when a channel receives no rows from one side.
  for (int channel = 0; channel < num_channels; ++channel) {
    out.push_back({channel, Object::Make(std::move(parts[channel]))});
  }
}

Partitioner HashPartitionBy(std::vector<std::string> keys) {
  return Partitioner::Shippable(HashPartitionFunction(std::move(keys)));
}

Table ToTable(const Dataset& dataset) {
  std::vector<Table> tables;
  for (const Object& object : dataset) {
    const Table* table = object.GetIf<Table>();
    if (table == nullptr) {
      throw Error(Status::TypeError("dataset of node '" + dataset.node_name() + "' holds a " +
                                    object.type_name() + ", not a table"));
    }
    tables.push_back(*table);
  }
  return Table::Concat(tables);
}

}  // namespace quokka

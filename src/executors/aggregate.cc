// HashAggregate: grouped and global aggregation.
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "quokka/executors.h"
#include "row_keys.h"

namespace quokka {
namespace {
// Shippable in every program that uses this executor (register.cc).
const bool kTypesRegistered = RegisterExecutorTypes().ok();
}  // namespace

using internal::RowKeys;

namespace {

// Per-aggregate state of every group, in columns indexed by group id.
struct AggregateState {
  AggregateFunction function;
  int input = -1;                    // column index in the input tables (-1: count all)
  DataType input_type;               // of the input column
  std::vector<int64_t> ints;         // sum (integers, decimals), min/max (int-like), counts
  std::vector<double> doubles;       // sum (float64), min/max (float64), mean sums
  std::vector<std::string> strings;  // min/max of utf8
  std::vector<int64_t> counts;       // non-null values seen (for mean, sum/min/max validity)
  std::vector<std::unordered_set<std::string>> distinct;  // count distinct

  void AddGroup() {
    ints.push_back(0);
    doubles.push_back(0);
    counts.push_back(0);
    if (input_type.id == TypeId::kUtf8) strings.emplace_back();
    if (function == AggregateFunction::kCountDistinct) distinct.emplace_back();
  }

  bool AsDouble() const {
    return input_type.id == TypeId::kFloat64 ||
           (function == AggregateFunction::kMean && input_type.id != TypeId::kDecimal);
  }

  void Update(int64_t group, const Column* column, int64_t row) {
    if (function == AggregateFunction::kCountAll) {
      ++counts[group];
      return;
    }
    if (column->IsNull(row)) return;
    const bool first = counts[group]++ == 0;
    switch (function) {
      case AggregateFunction::kCount:
      case AggregateFunction::kCountAll:
        return;
      case AggregateFunction::kCountDistinct:
        distinct[group].insert(column->ValueToString(row));
        return;
      case AggregateFunction::kSum:
      case AggregateFunction::kMean:
        if (AsDouble()) {
          doubles[group] += column->GetDouble(row);
        } else {
          ints[group] += column->GetInt64(row);
        }
        return;
      case AggregateFunction::kMin:
      case AggregateFunction::kMax: {
        const bool is_min = function == AggregateFunction::kMin;
        if (input_type.id == TypeId::kUtf8) {
          std::string_view value = column->GetString(row);
          if (first || (is_min ? value < strings[group] : value > strings[group])) {
            strings[group] = std::string(value);
          }
        } else if (input_type.id == TypeId::kFloat64) {
          double value = column->GetDouble(row);
          if (first || (is_min ? value < doubles[group] : value > doubles[group])) {
            doubles[group] = value;
          }
        } else {
          int64_t value = column->GetInt64(row);
          if (first || (is_min ? value < ints[group] : value > ints[group])) ints[group] = value;
        }
        return;
      }
    }
  }

  DataType OutputType() const {
    switch (function) {
      case AggregateFunction::kCount:
      case AggregateFunction::kCountAll:
      case AggregateFunction::kCountDistinct:
        return DataType::Int64();
      case AggregateFunction::kMean:
        return DataType::Float64();
      case AggregateFunction::kSum:
        if (input_type.id == TypeId::kDecimal) return DataType::Decimal(18, input_type.scale);
        return input_type.id == TypeId::kFloat64 ? DataType::Float64() : DataType::Int64();
      case AggregateFunction::kMin:
      case AggregateFunction::kMax:
        return input_type;
    }
    return DataType::Int64();
  }

  void AppendResult(int64_t group, ColumnBuilder& builder) const {
    switch (function) {
      case AggregateFunction::kCount:
      case AggregateFunction::kCountAll:
        return builder.AppendInt64(counts[group]);
      case AggregateFunction::kCountDistinct:
        return builder.AppendInt64(static_cast<int64_t>(distinct[group].size()));
      default:
        break;
    }
    if (counts[group] == 0) return builder.AppendNull();
    if (function == AggregateFunction::kMean) {
      double sum = AsDouble() ? doubles[group] : static_cast<double>(ints[group]);
      if (input_type.id == TypeId::kDecimal) sum /= static_cast<double>(Pow10(input_type.scale));
      return builder.AppendDouble(sum / static_cast<double>(counts[group]));
    }
    if (input_type.id == TypeId::kUtf8) return builder.AppendString(strings[group]);
    if (builder.type().id == TypeId::kFloat64) return builder.AppendDouble(doubles[group]);
    builder.AppendInt64(ints[group]);
  }
};

}  // namespace

struct HashAggregate::State {
  bool initialized = false;
  SchemaPtr input_schema;
  std::unordered_map<std::string, int64_t> groups;  // encoded key -> group id
  std::vector<std::string> group_keys;              // by group id
  std::vector<AggregateState> aggregates;
};

HashAggregate::HashAggregate(std::vector<std::string> keys, std::vector<Aggregate> aggregates)
    : keys_(std::move(keys)),
      aggregates_(std::move(aggregates)),
      state_(std::make_unique<State>()) {}
HashAggregate::HashAggregate(const HashAggregate& other)
    : keys_(other.keys_), aggregates_(other.aggregates_), state_(std::make_unique<State>()) {}
HashAggregate::~HashAggregate() = default;

void HashAggregate::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  State& s = *state_;
  for (const Object& object : batches) {
    const Table* batch = object.GetIf<Table>();
    if (batch == nullptr) {
      throw Error(Status::TypeError("HashAggregate expects tables, got " + object.type_name()));
    }
    if (!s.initialized) {
      s.input_schema = batch->schema();
      for (const Aggregate& aggregate : aggregates_) {
        AggregateState state;
        state.function = aggregate.function;
        if (aggregate.function != AggregateFunction::kCountAll) {
          state.input = batch->schema()->FieldIndex(aggregate.column);
          if (state.input < 0) {
            throw Error(Status::NotFound("aggregate '" + aggregate.name + "': no column '" +
                                         aggregate.column + "' in (" + batch->schema()->ToString() +
                                         ")"));
          }
          state.input_type = batch->schema()->field(state.input).type;
          const bool numeric = state.input_type.is_numeric();
          if ((aggregate.function == AggregateFunction::kSum ||
               aggregate.function == AggregateFunction::kMean) &&
              !numeric) {
            throw Error(Status::TypeError("aggregate '" + aggregate.name + "' sums column '" +
                                          aggregate.column + "' of type " +
                                          state.input_type.ToString()));
          }
        }
        s.aggregates.push_back(std::move(state));
      }
      s.initialized = true;
    } else if (!batch->schema()->Equals(*s.input_schema)) {
      throw Error(Status::TypeError("HashAggregate got tables of different schemas: (" +
                                    s.input_schema->ToString() + ") and (" +
                                    batch->schema()->ToString() + ")"));
    }
    RowKeys keys(*batch, keys_);
    std::vector<const Column*> inputs;
    for (const AggregateState& state : s.aggregates) {
      inputs.push_back(state.input >= 0 ? batch->column(state.input).get() : nullptr);
    }
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      auto [it, inserted] = s.groups.try_emplace(std::string(keys.key(row)),
                                                 static_cast<int64_t>(s.group_keys.size()));
      if (inserted) {
        s.group_keys.push_back(it->first);
        for (AggregateState& state : s.aggregates) state.AddGroup();
      }
      for (size_t a = 0; a < s.aggregates.size(); ++a) {
        s.aggregates[a].Update(it->second, inputs[a], row);
      }
    }
  }
}

void HashAggregate::Done(int channel, Output& out) {
  State& s = *state_;
  if (!s.initialized) {
    // No input at all: a global aggregate still has one row; grouped ones have none, and
    // without a schema there is nothing to emit.
    return;
  }
  if (keys_.empty() && s.group_keys.empty()) {
    s.group_keys.push_back("");
    for (AggregateState& state : s.aggregates) state.AddGroup();
  }
  std::vector<Field> fields;
  std::vector<ColumnBuilder> key_builders;
  for (const std::string& key : keys_) {
    const Field& field = s.input_schema->field(s.input_schema->FieldIndex(key));
    fields.push_back(field);
    key_builders.emplace_back(field.type);
  }
  for (const std::string& key : s.group_keys) internal::AppendDecodedKey(key, key_builders);
  std::vector<ColumnPtr> columns;
  for (ColumnBuilder& builder : key_builders) columns.push_back(builder.Finish());
  for (size_t a = 0; a < s.aggregates.size(); ++a) {
    const AggregateState& state = s.aggregates[a];
    fields.push_back({aggregates_[a].name, state.OutputType()});
    ColumnBuilder builder(state.OutputType(), static_cast<int64_t>(s.group_keys.size()));
    for (size_t group = 0; group < s.group_keys.size(); ++group) {
      state.AppendResult(static_cast<int64_t>(group), builder);
    }
    columns.push_back(builder.Finish());
  }
  out.Emit(
      Object::Make(Table(std::make_shared<const Schema>(std::move(fields)), std::move(columns))));
}

}  // namespace quokka

// HashJoin: symmetric streaming inner join; left outer, semi and anti joins that probe once
// the right (build) side is complete.
#include "quokka/executors.h"
#include "row_keys.h"

namespace quokka {
namespace {
// Shippable in every program that uses this executor (register.cc).
const bool kTypesRegistered = RegisterExecutorTypes().ok();
}  // namespace

using internal::RowKeys;

namespace {
struct RowRef {
  const Table* table;  // nullptr: no row (the null side of an outer join)
  int64_t row;
};

const Table& AsTable(const Object& object, const char* side) {
  const Table* table = object.GetIf<Table>();
  if (table == nullptr) {
    throw Error(Status::TypeError(std::string("HashJoin expects tables on its ") + side +
                                  " stream, got " + object.type_name()));
  }
  return *table;
}
}  // namespace

struct HashJoin::State {
  std::vector<std::unique_ptr<Table>> left, right;  // stored sides (stable addresses)
  std::vector<std::unique_ptr<RowKeys>> left_keys, right_keys;
  internal::KeyIndex left_index, right_index;
  std::vector<Table> pending_left;  // outer/semi/anti: left batches seen before right ended
  SchemaPtr left_schema, right_schema, output_schema;
  std::vector<int> right_columns;  // right columns in the output
  bool checked = false;
};

HashJoin::HashJoin(JoinOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {}
HashJoin::HashJoin(const HashJoin& other)
    : options_(other.options_), state_(std::make_unique<State>()) {}
HashJoin::~HashJoin() = default;

namespace {

// Output schema: all left fields, then the right fields that are not keys (renamed on clash).
void PrepareSchemas(HashJoin* join, const JoinOptions& options, SchemaPtr left, SchemaPtr right,
                    SchemaPtr* output, std::vector<int>* right_columns) {
  std::vector<Field> fields = left->fields();
  right_columns->clear();
  if (options.type == JoinType::kInner || options.type == JoinType::kLeft) {
    for (int c = 0; c < right->num_fields(); ++c) {
      Field field = right->field(c);
      bool is_key = false;
      for (const std::string& key : options.right_keys) is_key = is_key || key == field.name;
      if (is_key) continue;
      while (left->FieldIndex(field.name) >= 0) field.name += options.right_suffix;
      field.nullable = true;
      fields.push_back(field);
      right_columns->push_back(c);
    }
  }
  *output = std::make_shared<const Schema>(std::move(fields));
}

}  // namespace

// Build an output table from (left row, right row) pairs.
static Table EmitPairs(const SchemaPtr& schema, const SchemaPtr& left_schema,
                       const std::vector<int>& right_columns, const std::vector<RowRef>& left,
                       const std::vector<RowRef>& right) {
  std::vector<ColumnPtr> columns;
  const int64_t rows = static_cast<int64_t>(left.size());
  for (int c = 0; c < left_schema->num_fields(); ++c) {
    ColumnBuilder builder(left_schema->field(c).type, rows);
    for (const RowRef& ref : left) builder.AppendFrom(*ref.table->column(c), ref.row);
    columns.push_back(builder.Finish());
  }
  for (size_t i = 0; i < right_columns.size(); ++i) {
    ColumnBuilder builder(schema->field(left_schema->num_fields() + i).type, rows);
    for (const RowRef& ref : right) {
      if (ref.table == nullptr) {
        builder.AppendNull();
      } else {
        builder.AppendFrom(*ref.table->column(right_columns[i]), ref.row);
      }
    }
    columns.push_back(builder.Finish());
  }
  return Table(schema, std::move(columns));
}

void HashJoin::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  State& s = *state_;
  for (const Object& object : batches) {
    const Table& batch = AsTable(object, stream_id == 0 ? "left (0)" : "right (1)");
    if (stream_id == 0 && !s.left_schema) s.left_schema = batch.schema();
    if (stream_id == 1 && !s.right_schema) s.right_schema = batch.schema();
    if (s.left_schema && s.right_schema && !s.checked) {
      Table left = Table::Empty(s.left_schema), right = Table::Empty(s.right_schema);
      ThrowIfError(internal::CheckKeyTypes(left, options_.left_keys, right, options_.right_keys));
      PrepareSchemas(this, options_, s.left_schema, s.right_schema, &s.output_schema,
                     &s.right_columns);
      s.checked = true;
    }
    if (batch.num_rows() == 0) continue;

    if (stream_id == 1) {
      auto stored = std::make_unique<Table>(batch);
      auto keys = std::make_unique<RowKeys>(*stored, options_.right_keys);
      const int32_t index = static_cast<int32_t>(s.right.size());
      if (options_.type == JoinType::kInner && !s.left_index.empty()) {
        // Symmetric: the new right rows meet every left row seen so far.
        std::vector<RowRef> left_rows, right_rows;
        for (int64_t row = 0; row < keys->num_rows(); ++row) {
          if (keys->has_null(row)) continue;
          s.left_index.ForEachMatch(*keys, row, [&](int32_t batch_index, int64_t left_row) {
            left_rows.push_back({s.left[batch_index].get(), left_row});
            right_rows.push_back({stored.get(), row});
          });
        }
        if (!left_rows.empty()) {
          out.Emit(Object::Make(
              EmitPairs(s.output_schema, s.left_schema, s.right_columns, left_rows, right_rows)));
        }
      }
      s.right_index.Add(keys.get(), index);
      s.right.push_back(std::move(stored));
      s.right_keys.push_back(std::move(keys));
      continue;
    }

    // Left batch.
    if (options_.type != JoinType::kInner && !out.InputEnded(1)) {
      s.pending_left.push_back(batch);
      continue;
    }
    ProbeLeft(batch, out.InputEnded(1), out);
  }
}

void HashJoin::ProbeLeft(const Table& batch, bool right_complete, Output& out) {
  State& s = *state_;
  if (!s.checked) {
    // No right table seen yet: nothing matches now. An inner join keeps the rows for the right
    // tables still to come.
    if (options_.type == JoinType::kInner) {
      if (!right_complete) Remember(batch);
      return;
    }
    if (options_.type == JoinType::kSemi) return;
    if (options_.type == JoinType::kAnti) return out.Emit(Object::Make(batch));
    throw Error(Status::Invalid(
        "left outer join: the right stream ended without a table, so its columns are unknown"));
  }
  RowKeys keys(batch, options_.left_keys);
  std::vector<RowRef> left_rows, right_rows;
  std::vector<int64_t> selected;  // semi / anti
  for (int64_t row = 0; row < keys.num_rows(); ++row) {
    bool matched = false;
    if (!keys.has_null(row)) {
      s.right_index.ForEachMatch(keys, row, [&](int32_t batch_index, int64_t right_row) {
        matched = true;
        if (options_.type == JoinType::kInner || options_.type == JoinType::kLeft) {
          left_rows.push_back({&batch, row});
          right_rows.push_back({s.right[batch_index].get(), right_row});
        }
      });
    }
    if (matched) {
      if (options_.type == JoinType::kSemi) selected.push_back(row);
    } else if (options_.type == JoinType::kAnti) {
      selected.push_back(row);
    } else if (options_.type == JoinType::kLeft) {
      left_rows.push_back({&batch, row});
      right_rows.push_back({nullptr, 0});
    }
  }
  if (options_.type == JoinType::kSemi || options_.type == JoinType::kAnti) {
    if (!selected.empty()) out.Emit(Object::Make(compute::Take(batch, selected).ValueOrThrow()));
    return;
  }
  if (!left_rows.empty()) {
    out.Emit(Object::Make(
        EmitPairs(s.output_schema, s.left_schema, s.right_columns, left_rows, right_rows)));
  }
  // Later right rows must still meet these left rows.
  if (options_.type == JoinType::kInner && !right_complete) Remember(batch);
}

void HashJoin::Remember(const Table& batch) {
  State& s = *state_;
  auto stored = std::make_unique<Table>(batch);
  auto keys = std::make_unique<RowKeys>(*stored, options_.left_keys);
  s.left_index.Add(keys.get(), static_cast<int32_t>(s.left.size()));
  s.left.push_back(std::move(stored));
  s.left_keys.push_back(std::move(keys));
}

void HashJoin::Done(int channel, Output& out) {
  std::vector<Table> pending = std::move(state_->pending_left);
  for (const Table& batch : pending) ProbeLeft(batch, true, out);
}

}  // namespace quokka

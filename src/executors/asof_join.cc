// AsofJoin: for each left row, the latest right row at or before it, per group.
#include <algorithm>
#include <unordered_map>

#include "quokka/executors.h"
#include "row_keys.h"

namespace quokka {
namespace {
// Shippable in every program that uses this executor (register.cc).
const bool kTypesRegistered = RegisterExecutorTypes().ok();
}  // namespace

void AsofJoin::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  for (const Object& object : batches) {
    const Table* table = object.GetIf<Table>();
    if (table == nullptr) {
      throw Error(Status::TypeError("AsofJoin expects tables, got " + object.type_name()));
    }
    (stream_id == 0 ? left_ : right_).push_back(*table);
  }
}

void AsofJoin::Done(int channel, Output& out) {
  if (left_.empty()) return;
  const Table left = Table::Concat(left_);
  const DataType on_type = left.column(options_.left_on)->type();
  if (!(on_type.is_integer() || on_type.id == TypeId::kDate32 || on_type.id == TypeId::kTimestamp ||
        on_type.id == TypeId::kDecimal)) {
    throw Error(Status::TypeError("as-of join column '" + options_.left_on + "' is " +
                                  on_type.ToString() +
                                  "; it must be an integer, date, timestamp or decimal"));
  }
  const Table right = right_.empty() ? Table() : Table::Concat(right_);

  // Output schema: left columns, then right columns other than `on` and `by`.
  std::vector<Field> fields = left.schema()->fields();
  std::vector<int> right_columns;
  if (right.num_columns() > 0) {
    if (right.column(options_.right_on)->type() != on_type) {
      throw Error(Status::TypeError("as-of join: '" + options_.left_on + "' is " +
                                    on_type.ToString() + " but '" + options_.right_on + "' is " +
                                    right.column(options_.right_on)->type().ToString()));
    }
    if (options_.left_by.size() != options_.right_by.size()) {
      throw Error(Status::Invalid("as-of join: left_by and right_by differ in length"));
    }
    if (!options_.left_by.empty()) {
      ThrowIfError(internal::CheckKeyTypes(left, options_.left_by, right, options_.right_by));
    }
    for (int c = 0; c < right.num_columns(); ++c) {
      Field field = right.schema()->field(c);
      bool skip = field.name == options_.right_on;
      for (const std::string& by : options_.right_by) skip = skip || by == field.name;
      if (skip) continue;
      while (left.schema()->FieldIndex(field.name) >= 0) field.name += options_.right_suffix;
      field.nullable = true;
      fields.push_back(field);
      right_columns.push_back(c);
    }
  }

  // Right rows per group, sorted by `on`.
  std::unordered_map<std::string, std::vector<std::pair<int64_t, int64_t>>> groups;
  if (right.num_rows() > 0) {
    internal::RowKeys right_keys(right, options_.right_by);
    const Column& on = *right.column(options_.right_on);
    for (int64_t row = 0; row < right.num_rows(); ++row) {
      if (on.IsNull(row)) continue;
      groups[std::string(right_keys.key(row))].emplace_back(on.GetInt64(row), row);
    }
    for (auto& [key, rows] : groups)
      std::stable_sort(rows.begin(), rows.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
  }

  internal::RowKeys left_keys(left, options_.left_by);
  const Column& left_on = *left.column(options_.left_on);
  std::vector<int64_t> match(left.num_rows(), -1);
  for (int64_t row = 0; row < left.num_rows(); ++row) {
    if (left_on.IsNull(row)) continue;
    auto group = groups.find(std::string(left_keys.key(row)));
    if (group == groups.end()) continue;
    const auto& rows = group->second;
    const int64_t value = left_on.GetInt64(row);
    // The last right row with on <= value (ties: the latest in arrival order).
    auto it = std::upper_bound(rows.begin(), rows.end(), value,
                               [](int64_t v, const auto& entry) { return v < entry.first; });
    if (it != rows.begin()) match[row] = std::prev(it)->second;
  }

  std::vector<ColumnPtr> columns = left.columns();
  for (size_t i = 0; i < right_columns.size(); ++i) {
    const Column& source = *right.column(right_columns[i]);
    ColumnBuilder builder(source.type(), left.num_rows());
    for (int64_t row = 0; row < left.num_rows(); ++row) {
      if (match[row] < 0) {
        builder.AppendNull();
      } else {
        builder.AppendFrom(source, match[row]);
      }
    }
    columns.push_back(builder.Finish());
  }
  out.Emit(
      Object::Make(Table(std::make_shared<const Schema>(std::move(fields)), std::move(columns))));
  left_.clear();
  right_.clear();
}

}  // namespace quokka

#include "quokka/table.h"

#include <algorithm>

#include "quokka/serialize.h"

namespace quokka {

Table::Table() : schema_(std::make_shared<const Schema>(std::vector<Field>{})) {}

Result<Table> Table::Make(SchemaPtr schema, std::vector<ColumnPtr> columns) {
  if (!schema) return Status::Invalid("a table needs a schema");
  if (static_cast<int>(columns.size()) != schema->num_fields()) {
    return Status::Invalid("a table with " + std::to_string(schema->num_fields()) + " fields got " +
                           std::to_string(columns.size()) + " columns");
  }
  for (int i = 0; i < schema->num_fields(); ++i) {
    if (!columns[i]) return Status::Invalid("column '" + schema->field(i).name + "' is null");
    if (columns[i]->type() != schema->field(i).type) {
      return Status::TypeError("column '" + schema->field(i).name + "' has type " +
                               columns[i]->type().ToString() + ", the schema says " +
                               schema->field(i).type.ToString());
    }
    if (columns[i]->length() != columns[0]->length()) {
      return Status::Invalid("column '" + schema->field(i).name + "' has " +
                             std::to_string(columns[i]->length()) + " rows, column '" +
                             schema->field(0).name + "' has " +
                             std::to_string(columns[0]->length()));
    }
  }
  Table table;
  table.schema_ = std::move(schema);
  table.num_rows_ = columns.empty() ? 0 : columns[0]->length();
  table.columns_ = std::move(columns);
  return table;
}

Table::Table(SchemaPtr schema, std::vector<ColumnPtr> columns) {
  *this = Make(std::move(schema), std::move(columns)).ValueOrThrow();
}

Table Table::Empty(SchemaPtr schema) {
  std::vector<ColumnPtr> columns;
  for (const Field& field : schema->fields()) columns.push_back(ColumnBuilder(field.type).Finish());
  return Table(std::move(schema), std::move(columns));
}

const ColumnPtr& Table::column(const std::string& name) const {
  int index = schema_->FieldIndex(name);
  if (index < 0) {
    throw Error(
        Status::NotFound("no column '" + name + "' in a table of (" + schema_->ToString() + ")"));
  }
  return columns_[index];
}

Table Table::Slice(int64_t offset, int64_t length) const {
  offset = std::clamp<int64_t>(offset, 0, num_rows_);
  length = std::clamp<int64_t>(length, 0, num_rows_ - offset);
  std::vector<ColumnPtr> columns;
  columns.reserve(columns_.size());
  for (const ColumnPtr& column : columns_) columns.push_back(column->Slice(offset, length));
  Table table;
  table.schema_ = schema_;
  table.columns_ = std::move(columns);
  table.num_rows_ = length;
  return table;
}

Table Table::Project(const std::vector<int>& indices) const {
  std::vector<Field> fields;
  std::vector<ColumnPtr> columns;
  for (int index : indices) {
    if (index < 0 || index >= num_columns()) {
      throw Error(Status::Invalid("column index " + std::to_string(index) +
                                  " out of range for a table of " + std::to_string(num_columns()) +
                                  " columns"));
    }
    fields.push_back(schema_->field(index));
    columns.push_back(columns_[index]);
  }
  Table table;
  table.schema_ = std::make_shared<const Schema>(std::move(fields));
  table.columns_ = std::move(columns);
  table.num_rows_ = indices.empty() ? 0 : num_rows_;
  return table;
}

Table Table::Select(const std::vector<std::string>& names) const {
  std::vector<int> indices;
  for (const std::string& name : names) {
    int index = schema_->FieldIndex(name);
    if (index < 0) {
      throw Error(
          Status::NotFound("no column '" + name + "' in a table of (" + schema_->ToString() + ")"));
    }
    indices.push_back(index);
  }
  return Project(indices);
}

Table Table::WithColumn(const std::string& name, ColumnPtr column) const {
  std::vector<Field> fields = schema_->fields();
  std::vector<ColumnPtr> columns = columns_;
  int index = schema_->FieldIndex(name);
  if (index >= 0) {
    fields[index].type = column->type();
    columns[index] = std::move(column);
  } else {
    fields.push_back({name, column->type()});
    columns.push_back(std::move(column));
  }
  return Table(std::make_shared<const Schema>(std::move(fields)), std::move(columns));
}

Table Table::Concat(const std::vector<Table>& tables) {
  if (tables.empty()) return Table();
  if (tables.size() == 1) return tables[0];
  const SchemaPtr& schema = tables[0].schema();
  int64_t rows = 0;
  for (const Table& table : tables) {
    if (!table.schema()->Equals(*schema)) {
      throw Error(Status::TypeError("cannot concatenate tables of different schemas: (" +
                                    schema->ToString() + ") and (" + table.schema()->ToString() +
                                    ")"));
    }
    rows += table.num_rows();
  }
  std::vector<ColumnPtr> columns;
  for (int c = 0; c < schema->num_fields(); ++c) {
    ColumnBuilder builder(schema->field(c).type, rows);
    for (const Table& table : tables) {
      const Column& column = *table.column(c);
      for (int64_t row = 0; row < column.length(); ++row) builder.AppendFrom(column, row);
    }
    columns.push_back(builder.Finish());
  }
  return Table(schema, std::move(columns));
}

bool Table::Equals(const Table& other) const {
  if (!schema_->Equals(*other.schema_) || num_rows_ != other.num_rows_) return false;
  for (int c = 0; c < num_columns(); ++c) {
    if (!columns_[c]->Equals(*other.columns_[c])) return false;
  }
  return true;
}

size_t Table::byte_size() const {
  size_t total = sizeof(Table);
  for (const ColumnPtr& column : columns_) total += static_cast<size_t>(column->byte_size());
  return total;
}

TableBuilder::TableBuilder(SchemaPtr schema) : schema_(std::move(schema)) {
  for (const Field& field : schema_->fields()) builders_.emplace_back(field.type);
}

Table TableBuilder::Finish() {
  std::vector<ColumnPtr> columns;
  for (ColumnBuilder& builder : builders_) columns.push_back(builder.Finish());
  return Table(schema_, std::move(columns));
}

}  // namespace quokka

#pragma once
// Table: a schema plus equal-length immutable columns (an Arrow record batch).
//
// A Table is a cheap value (shared pointers to its schema and columns); slicing and projecting
// copy no data. It travels on streams as an Object (Object::Make(table)) and is registered for
// serialization under "quokka.table" (as an Arrow IPC stream message once the IPC layer is
// linked). Immutable: may be read from any thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quokka/column.h"
#include "quokka/status.h"
#include "quokka/type.h"

namespace quokka {

class Table {
 public:
  /// \brief An empty table with no columns.
  Table();
  /// \brief Assemble a table. Requires: one column per field, matching types, equal lengths
  ///        (checked: throws quokka::Error otherwise).
  Table(SchemaPtr schema, std::vector<ColumnPtr> columns);
  /// \brief Checked construction returning a Status instead of throwing.
  static Result<Table> Make(SchemaPtr schema, std::vector<ColumnPtr> columns);
  /// \brief An empty table (0 rows) of the given schema.
  static Table Empty(SchemaPtr schema);

  const SchemaPtr& schema() const { return schema_; }
  int num_columns() const { return static_cast<int>(columns_.size()); }
  int64_t num_rows() const { return num_rows_; }
  const ColumnPtr& column(int i) const { return columns_[i]; }
  const std::vector<ColumnPtr>& columns() const { return columns_; }
  /// \brief The column named `name`; throws quokka::Error naming it and the columns if absent.
  const ColumnPtr& column(const std::string& name) const;
  const std::string& column_name(int i) const { return schema_->field(i).name; }

  /// \brief Rows [offset, offset + length), clamped to the table; shares the buffers.
  Table Slice(int64_t offset, int64_t length) const;
  /// \brief The given columns, in the given order; shares the buffers.
  Table Project(const std::vector<int>& indices) const;
  /// \brief The named columns; throws quokka::Error naming a missing one.
  Table Select(const std::vector<std::string>& names) const;
  /// \brief Append or replace a column.
  Table WithColumn(const std::string& name, ColumnPtr column) const;

  /// \brief Rows of all tables one after another. Requires: equal schemas (throws otherwise).
  static Table Concat(const std::vector<Table>& tables);

  /// \brief A boxed text table (like DuckDB/Polars print), at most `max_rows` rows (the first
  ///        and last halves when there are more), with the column types in the header.
  std::string ToString(int64_t max_rows = 20) const;
  /// \brief Same schema and same values row by row.
  bool Equals(const Table& other) const;
  bool operator==(const Table& other) const { return Equals(other); }
  /// \brief Bytes held by the referenced buffers (for backpressure budgets).
  size_t byte_size() const;

 private:
  SchemaPtr schema_;
  std::vector<ColumnPtr> columns_;
  int64_t num_rows_ = 0;
};

/// \brief Builds a table row by row from columns of builders; for tests and small data.
class TableBuilder {
 public:
  explicit TableBuilder(SchemaPtr schema);
  ColumnBuilder& column(int i) { return builders_[i]; }
  int num_columns() const { return static_cast<int>(builders_.size()); }
  /// \brief Return the table; all columns must have the same length (checked).
  Table Finish();

 private:
  SchemaPtr schema_;
  std::vector<ColumnBuilder> builders_;
};

/// \brief Days since 1970-01-01 of a civil date, and back (proleptic Gregorian).
int32_t DaysFromCivil(int year, int month, int day);
void CivilFromDays(int32_t days, int* year, int* month, int* day);
/// \brief Parse "YYYY-MM-DD" strictly; false if malformed or not a real date.
bool ParseDate(std::string_view text, int32_t* days);
/// \brief Render a scaled decimal: FormatDecimal(-1205, 2) == "-12.05".
std::string FormatDecimal(int64_t value, int scale);

}  // namespace quokka

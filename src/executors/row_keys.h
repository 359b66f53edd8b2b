#pragma once
// Row keys for hash tables: the values of some columns of a row encoded into bytes, so that
// two rows have equal keys exactly when their encodings are equal. Fixed-width values take 8
// bytes, strings a 4-byte length and their bytes, and every value a leading null flag.

#include <string>
#include <string_view>
#include <vector>

#include "quokka/table.h"

namespace quokka::internal {

class RowKeys {
 public:
  /// \brief Encode the rows of `table` over `columns`. Throws quokka::Error naming a missing
  ///        column.
  RowKeys(const Table& table, const std::vector<std::string>& columns);
  int64_t num_rows() const { return static_cast<int64_t>(offsets_.size()) - 1; }
  std::string_view key(int64_t row) const {
    return std::string_view(bytes_).substr(offsets_[row], offsets_[row + 1] - offsets_[row]);
  }
  /// \brief Is any key column of `row` null? (Joins never match such rows, as in SQL.)
  bool has_null(int64_t row) const { return has_null_[row] != 0; }
  /// \brief The types of the key columns, in order.
  const std::vector<DataType>& types() const { return types_; }

 private:
  std::string bytes_;
  std::vector<size_t> offsets_;
  std::vector<uint8_t> has_null_;
  std::vector<DataType> types_;
};

/// \brief Append the values of an encoded key to one builder per key column.
void AppendDecodedKey(std::string_view key, std::vector<ColumnBuilder>& builders);

/// \brief Check that the key columns of two sides have equal types (for joins); the message
///        names both columns.
Status CheckKeyTypes(const Table& left, const std::vector<std::string>& left_keys,
                     const Table& right, const std::vector<std::string>& right_keys);

/// \brief Gather rows of several tables (all with one schema): pieces[i] = (table, row).
Table GatherRows(const SchemaPtr& schema, const std::vector<const Table*>& tables,
                 const std::vector<std::pair<int32_t, int64_t>>& rows);

}  // namespace quokka::internal

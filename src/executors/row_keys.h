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
  /// \brief XXH3 hash of the key of `row`.
  uint64_t hash(int64_t row) const { return hashes_[row]; }
  /// \brief Is any key column of `row` null? (Joins never match such rows, as in SQL.)
  bool has_null(int64_t row) const { return has_null_[row] != 0; }
  /// \brief The types of the key columns, in order.
  const std::vector<DataType>& types() const { return types_; }

 private:
  std::string bytes_;
  std::vector<size_t> offsets_;
  std::vector<uint8_t> has_null_;
  std::vector<uint64_t> hashes_;
  std::vector<DataType> types_;
};

/// \brief A multimap from keys to (batch, row) for hash joins: open addressing over the key
///        hashes, with chains of equal-hash entries; keys are compared by their encodings.
class KeyIndex {
 public:
  /// \brief Add every row of a batch whose key has no null. `keys` must outlive the index.
  void Add(const RowKeys* keys, int32_t batch);
  bool empty() const { return entries_.empty(); }

  /// \brief Call f(batch, row) for every entry whose key equals `keys`'s key of `row`.
  template <typename F>
  void ForEachMatch(const RowKeys& keys, int64_t row, F&& f) const {
    if (buckets_.empty()) return;
    const uint64_t hash = keys.hash(row);
    const std::string_view key = keys.key(row);
    for (int64_t e = buckets_[hash & mask_]; e >= 0; e = entries_[e].next) {
      const Entry& entry = entries_[e];
      if (entry.hash == hash && batches_[entry.batch]->key(entry.row) == key) {
        f(entry.batch, entry.row);
      }
    }
  }

 private:
  struct Entry {
    uint64_t hash;
    int32_t batch;
    int64_t row;
    int64_t next;  // next entry in the same bucket, -1 at the end
  };
  void Rehash(size_t buckets);
  std::vector<const RowKeys*> batches_;
  std::vector<Entry> entries_;
  std::vector<int64_t> buckets_;
  uint64_t mask_ = 0;
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

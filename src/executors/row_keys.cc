#include "row_keys.h"

#include <xxhash.h>

#include <cstring>

namespace quokka::internal {

RowKeys::RowKeys(const Table& table, const std::vector<std::string>& columns) {
  std::vector<const Column*> keys;
  for (const std::string& name : columns) {
    keys.push_back(table.column(name).get());
    types_.push_back(keys.back()->type());
  }
  const int64_t rows = table.num_rows();
  offsets_.reserve(rows + 1);
  bytes_.reserve(rows * keys.size() * 9);
  offsets_.push_back(0);
  has_null_.assign(rows, 0);
  for (int64_t row = 0; row < rows; ++row) {
    for (const Column* column : keys) {
      if (column->IsNull(row)) {
        bytes_.push_back('\0');
        has_null_[row] = 1;
        continue;
      }
      bytes_.push_back('\1');
      if (column->type().id == TypeId::kUtf8) {
        std::string_view text = column->GetString(row);
        uint32_t length = static_cast<uint32_t>(text.size());
        bytes_.append(reinterpret_cast<const char*>(&length), sizeof(length));
        bytes_.append(text);
      } else if (column->type().id == TypeId::kFloat64) {
        double value = column->values<double>()[row];
        if (value == 0) value = 0;  // -0.0 and 0.0 are one key
        bytes_.append(reinterpret_cast<const char*>(&value), sizeof(value));
      } else {
        int64_t value = column->GetInt64(row);
        bytes_.append(reinterpret_cast<const char*>(&value), sizeof(value));
      }
    }
    offsets_.push_back(bytes_.size());
  }
  hashes_.resize(rows);
  for (int64_t row = 0; row < rows; ++row) {
    std::string_view k = key(row);
    hashes_[row] = XXH3_64bits(k.data(), k.size());
  }
}

void KeyIndex::Add(const RowKeys* keys, int32_t batch) {
  if (static_cast<int32_t>(batches_.size()) <= batch) batches_.resize(batch + 1);
  batches_[batch] = keys;
  const size_t needed = (entries_.size() + keys->num_rows()) * 2;
  if (needed > buckets_.size()) Rehash(std::max<size_t>(needed, 1024));
  for (int64_t row = 0; row < keys->num_rows(); ++row) {
    if (keys->has_null(row)) continue;
    const uint64_t hash = keys->hash(row);
    int64_t& head = buckets_[hash & mask_];
    entries_.push_back({hash, batch, row, head});
    head = static_cast<int64_t>(entries_.size()) - 1;
  }
}

void KeyIndex::Rehash(size_t buckets) {
  size_t size = 1;
  while (size < buckets) size <<= 1;
  buckets_.assign(size, -1);
  mask_ = size - 1;
  // Re-thread the chains; entries keep their order within a bucket reversed, which is fine
  // because matches are reported as a set.
  for (size_t e = 0; e < entries_.size(); ++e) {
    int64_t& head = buckets_[entries_[e].hash & mask_];
    entries_[e].next = head;
    head = static_cast<int64_t>(e);
  }
}

void AppendDecodedKey(std::string_view key, std::vector<ColumnBuilder>& builders) {
  size_t pos = 0;
  for (ColumnBuilder& builder : builders) {
    if (key[pos++] == '\0') {
      builder.AppendNull();
      continue;
    }
    if (builder.type().id == TypeId::kUtf8) {
      uint32_t length;
      std::memcpy(&length, key.data() + pos, sizeof(length));
      pos += sizeof(length);
      builder.AppendString(key.substr(pos, length));
      pos += length;
    } else if (builder.type().id == TypeId::kFloat64) {
      double value;
      std::memcpy(&value, key.data() + pos, sizeof(value));
      pos += sizeof(value);
      builder.AppendDouble(value);
    } else {
      int64_t value;
      std::memcpy(&value, key.data() + pos, sizeof(value));
      pos += sizeof(value);
      builder.AppendInt64(value);
    }
  }
}

Status CheckKeyTypes(const Table& left, const std::vector<std::string>& left_keys,
                     const Table& right, const std::vector<std::string>& right_keys) {
  if (left_keys.size() != right_keys.size() || left_keys.empty()) {
    return Status::Invalid("a join needs the same number (at least one) of left and right keys");
  }
  for (size_t k = 0; k < left_keys.size(); ++k) {
    int l = left.schema()->FieldIndex(left_keys[k]);
    int r = right.schema()->FieldIndex(right_keys[k]);
    if (l < 0) return Status::NotFound("no left key column '" + left_keys[k] + "'");
    if (r < 0) return Status::NotFound("no right key column '" + right_keys[k] + "'");
    if (left.schema()->field(l).type != right.schema()->field(r).type) {
      return Status::TypeError("join key '" + left_keys[k] + "' is " +
                               left.schema()->field(l).type.ToString() + " but '" + right_keys[k] +
                               "' is " + right.schema()->field(r).type.ToString());
    }
  }
  return Status::OK();
}

Table GatherRows(const SchemaPtr& schema, const std::vector<const Table*>& tables,
                 const std::vector<std::pair<int32_t, int64_t>>& rows) {
  std::vector<ColumnPtr> columns;
  for (int c = 0; c < schema->num_fields(); ++c) {
    ColumnBuilder builder(schema->field(c).type, static_cast<int64_t>(rows.size()));
    for (const auto& [table, row] : rows) builder.AppendFrom(*tables[table]->column(c), row);
    columns.push_back(builder.Finish());
  }
  return Table(schema, std::move(columns));
}

}  // namespace quokka::internal

// Selection kernels: filter, take (gather) and stable multi-key sort_indices.
#include "kernels/selection.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <vector>

#include "kernels/util.h"

namespace quokka::compute {
using namespace internal;

namespace internal {

ColumnPtr Gather(const Column& c, const int64_t* idx, int64_t m, BufferPtr index_validity) {
  const int64_t off = c.offset();
  BufferPtr validity = index_validity;
  if (MayHaveNulls(c)) {
    const uint8_t* bits = c.validity()->data();
    std::shared_ptr<Buffer> gathered = AllocateBuffer(BitmapBytes(m));
    uint8_t* out = gathered->mutable_data();
    PackBits(m, out, [&](int64_t i) { return GetBit(bits, off + idx[i]); });
    if (index_validity != nullptr) {
      for (int64_t i = 0; i < BitmapBytes(m); ++i) out[i] &= index_validity->data()[i];
    }
    validity = std::move(gathered);
  }
  switch (c.type().id) {
    case TypeId::kBool: {
      const uint8_t* bits = c.values_buffer()->data();
      std::shared_ptr<Buffer> values = AllocateBuffer(BitmapBytes(m));
      PackBits(m, values->mutable_data(), [&](int64_t i) { return GetBit(bits, off + idx[i]); });
      return MakeColumn(c.type(), m, std::move(validity), std::move(values));
    }
    case TypeId::kUtf8: {
      StringView view(c);
      std::shared_ptr<Buffer> offsets_buffer = AllocateBuffer((m + 1) * 4);
      int32_t* offsets = reinterpret_cast<int32_t*>(offsets_buffer->mutable_data());
      int64_t total = 0;
      offsets[0] = 0;
      for (int64_t i = 0; i < m; ++i) {
        total += view.offsets[idx[i] + 1] - view.offsets[idx[i]];
        offsets[i + 1] = static_cast<int32_t>(total);
      }
      std::shared_ptr<Buffer> data = AllocateBuffer(total);
      char* out = reinterpret_cast<char*>(data->mutable_data());
      for (int64_t i = 0; i < m; ++i) {
        const int32_t begin = view.offsets[idx[i]];
        std::memcpy(out + offsets[i], view.data + begin, offsets[i + 1] - offsets[i]);
      }
      return MakeColumn(c.type(), m, std::move(validity), std::move(data),
                        std::move(offsets_buffer));
    }
    default:
      return DispatchFixedWidth(c.type().id, [&](auto tag) {
        using T = decltype(tag);
        std::shared_ptr<Buffer> values = AllocateBuffer(m * int64_t{sizeof(T)});
        T* out = reinterpret_cast<T*>(values->mutable_data());
        const T* in = c.values<T>();
        for (int64_t i = 0; i < m; ++i) out[i] = in[idx[i]];
        return MakeColumn(c.type(), m, std::move(validity), std::move(values));
      });
  }
}

Result<Table> GatherTable(const Table& table, const int64_t* idx, int64_t m,
                          BufferPtr index_validity) {
  std::vector<ColumnPtr> columns;
  columns.reserve(table.num_columns());
  for (const ColumnPtr& column : table.columns()) {
    columns.push_back(Gather(*column, idx, m, index_validity));
  }
  return Table::Make(table.schema(), std::move(columns));
}

Result<std::vector<int64_t>> MaskToIndices(const ColumnPtr& mask, int64_t expected_length) {
  if (mask->type().id != TypeId::kBool) {
    return Status::TypeError("filter needs a bool mask, got " + mask->type().ToString());
  }
  if (mask->length() != expected_length) {
    return Status::Invalid("filter mask has " + std::to_string(mask->length()) +
                           " rows, the input " + std::to_string(expected_length));
  }
  const int64_t n = mask->length();
  std::shared_ptr<const Buffer> value_scratch, validity_scratch;
  const uint8_t* values =
      AlignBitmap(mask->values_buffer()->data(), mask->offset(), n, &value_scratch);
  const uint8_t* validity = MayHaveNulls(*mask) ? AlignBitmap(mask->validity()->data(),
                                                              mask->offset(), n, &validity_scratch)
                                                : nullptr;
  auto word_at = [&](int64_t w) {
    uint64_t v = 0, valid = ~uint64_t{0};
    const int64_t first = w * 8;
    const int64_t bytes = std::min<int64_t>(8, BitmapBytes(n) - first);
    std::memcpy(&v, values + first, bytes);
    if (validity != nullptr) {
      valid = 0;
      std::memcpy(&valid, validity + first, bytes);
    }
    uint64_t word = v & valid;
    const int64_t bits = n - w * 64;
    if (bits < 64) word &= (uint64_t{1} << bits) - 1;
    return word;
  };
  const int64_t words = (n + 63) / 64;
  int64_t count = 0;
  for (int64_t w = 0; w < words; ++w) count += std::popcount(word_at(w));
  std::vector<int64_t> indices(count);
  int64_t k = 0;
  for (int64_t w = 0; w < words; ++w) {
    uint64_t word = word_at(w);
    while (word != 0) {
      indices[k++] = w * 64 + std::countr_zero(word);
      word &= word - 1;
    }
  }
  return indices;
}

}  // namespace internal

Result<Table> Filter(const Table& table, const ColumnPtr& mask) {
  QK_ASSIGN_OR_RAISE(std::vector<int64_t> indices, MaskToIndices(mask, table.num_rows()));
  if (static_cast<int64_t>(indices.size()) == table.num_rows()) return table;
  return GatherTable(table, indices.data(), static_cast<int64_t>(indices.size()), nullptr);
}

Result<ColumnPtr> Filter(const ColumnPtr& column, const ColumnPtr& mask) {
  QK_ASSIGN_OR_RAISE(std::vector<int64_t> indices, MaskToIndices(mask, column->length()));
  if (static_cast<int64_t>(indices.size()) == column->length()) return column;
  return Gather(*column, indices.data(), static_cast<int64_t>(indices.size()), nullptr);
}

namespace {

// Checked int64 indices from an int32/int64 column; null indices become row 0 (and null).
Status IndicesFromColumn(const ColumnPtr& indices, int64_t rows, std::vector<int64_t>* out,
                         BufferPtr* index_validity) {
  const TypeId id = indices->type().id;
  if (id != TypeId::kInt32 && id != TypeId::kInt64) {
    return Status::TypeError("take needs int32 or int64 indices, got " +
                             indices->type().ToString());
  }
  const int64_t m = indices->length();
  out->resize(m);
  const bool nulls = MayHaveNulls(*indices);
  for (int64_t i = 0; i < m; ++i) {
    const int64_t v =
        id == TypeId::kInt32 ? indices->values<int32_t>()[i] : indices->values<int64_t>()[i];
    if (nulls && indices->IsNull(i)) {
      (*out)[i] = 0;
      continue;
    }
    if (v < 0 || v >= rows) {
      return Status::Invalid("take: index " + std::to_string(v) + " (position " +
                             std::to_string(i) + ") is out of bounds for " + std::to_string(rows) +
                             " rows");
    }
    (*out)[i] = v;
  }
  *index_validity = ZeroOffsetValidity(*indices);
  return Status::OK();
}

}  // namespace

Result<ColumnPtr> Take(const ColumnPtr& column, const ColumnPtr& indices) {
  std::vector<int64_t> idx;
  BufferPtr index_validity;
  QK_RETURN_NOT_OK(IndicesFromColumn(indices, column->length(), &idx, &index_validity));
  if (column->length() == 0) return MakeNullColumn(column->type(), indices->length());
  return Gather(*column, idx.data(), static_cast<int64_t>(idx.size()), index_validity);
}

Result<Table> Take(const Table& table, const ColumnPtr& indices) {
  std::vector<int64_t> idx;
  BufferPtr index_validity;
  QK_RETURN_NOT_OK(IndicesFromColumn(indices, table.num_rows(), &idx, &index_validity));
  if (table.num_rows() == 0) {
    std::vector<ColumnPtr> columns;
    for (const Field& field : table.schema()->fields()) {
      columns.push_back(MakeNullColumn(field.type, indices->length()));
    }
    return Table::Make(table.schema(), std::move(columns));
  }
  return GatherTable(table, idx.data(), static_cast<int64_t>(idx.size()), index_validity);
}

Result<Table> Take(const Table& table, const std::vector<int64_t>& indices) {
  const int64_t rows = table.num_rows();
  for (size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] < 0 || indices[i] >= rows) {
      return Status::Invalid("take: index " + std::to_string(indices[i]) + " (position " +
                             std::to_string(i) + ") is out of bounds for " + std::to_string(rows) +
                             " rows");
    }
  }
  return GatherTable(table, indices.data(), static_cast<int64_t>(indices.size()), nullptr);
}

// ---- sort ------------------------------------------------------------------------------------

namespace {

template <typename Less>
void SortRange(int64_t* begin, int64_t* end, bool ascending, Less less) {
  if (ascending) {
    std::stable_sort(begin, end, [&](int64_t a, int64_t b) { return less(a, b); });
  } else {
    std::stable_sort(begin, end, [&](int64_t a, int64_t b) { return less(b, a); });
  }
}

void SortByKey(const Column& c, const SortKey& key, std::vector<int64_t>* indices) {
  int64_t* begin = indices->data();
  int64_t* end = begin + indices->size();
  if (MayHaveNulls(c)) {
    // Nulls first or last, keeping order; sort only the valid part.
    if (key.nulls_first) {
      int64_t* mid = std::stable_partition(begin, end, [&](int64_t i) { return c.IsNull(i); });
      begin = mid;
    } else {
      end = std::stable_partition(begin, end, [&](int64_t i) { return c.IsValid(i); });
    }
  }
  switch (c.type().id) {
    case TypeId::kBool: {
      SortRange(begin, end, key.ascending,
                [&](int64_t a, int64_t b) { return !c.GetBool(a) && c.GetBool(b); });
      return;
    }
    case TypeId::kUtf8: {
      StringView view(c);
      SortRange(begin, end, key.ascending, [&](int64_t a, int64_t b) { return view[a] < view[b]; });
      return;
    }
    case TypeId::kFloat64: {
      const double* v = c.values<double>();
      SortRange(begin, end, key.ascending, [v](int64_t a, int64_t b) {
        return v[a] < v[b] || (std::isnan(v[b]) && !std::isnan(v[a]));
      });
      return;
    }
    default:
      DispatchFixedWidth(c.type().id, [&](auto tag) {
        using T = decltype(tag);
        const T* v = c.values<T>();
        SortRange(begin, end, key.ascending, [v](int64_t a, int64_t b) { return v[a] < v[b]; });
      });
  }
}

}  // namespace

Status ColumnNotFound(const Table& table, const std::string& name, const char* what) {
  std::string names;
  for (int i = 0; i < table.num_columns(); ++i) {
    names += (i ? ", " : "") + table.column_name(i);
  }
  return Status::NotFound(std::string(what) + ": no column named '" + name +
                          "' (columns: " + names + ")");
}

Result<ColumnPtr> SortIndices(const Table& table, const std::vector<SortKey>& keys) {
  std::vector<const Column*> columns;
  for (const SortKey& key : keys) {
    const int index = table.schema()->FieldIndex(key.column);
    if (index < 0) return ColumnNotFound(table, key.column, "sort_indices");
    columns.push_back(table.column(index).get());
  }
  const int64_t n = table.num_rows();
  std::vector<int64_t> indices(n);
  std::iota(indices.begin(), indices.end(), int64_t{0});
  // Least significant key first; stable sorts keep the order of the later keys among ties.
  for (size_t k = keys.size(); k-- > 0;) SortByKey(*columns[k], keys[k], &indices);
  std::shared_ptr<Buffer> values = AllocateBuffer(n * 8);
  if (n > 0) std::memcpy(values->mutable_data(), indices.data(), n * 8);
  return MakeColumn(DataType::Int64(), n, nullptr, std::move(values));
}

}  // namespace quokka::compute

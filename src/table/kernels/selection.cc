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

namespace {

// The selected rows of a mask: a zero-offset bitmap of (value AND valid), and how many.
struct Selection {
  std::shared_ptr<const Buffer> bits;
  int64_t length = 0;
  int64_t count = 0;
};

Result<Selection> SelectionFromMask(const ColumnPtr& mask, int64_t expected_length) {
  if (mask->type().id != TypeId::kBool) {
    return Status::TypeError("filter needs a bool mask, got " + mask->type().ToString());
  }
  if (mask->length() != expected_length) {
    return Status::Invalid("filter mask has " + std::to_string(mask->length()) +
                           " rows, the input " + std::to_string(expected_length));
  }
  const int64_t n = mask->length();
  std::shared_ptr<Buffer> bits = CopyBitmap(mask->values_buffer()->data(), mask->offset(), n);
  if (MayHaveNulls(*mask)) {
    std::shared_ptr<const Buffer> scratch;
    const uint8_t* valid = AlignBitmap(mask->validity()->data(), mask->offset(), n, &scratch);
    uint8_t* out = bits->mutable_data();
    for (int64_t i = 0; i < BitmapBytes(n); ++i) out[i] &= valid[i];
  }
  Selection selection;
  selection.length = n;
  selection.count = CountSetBits(bits->data(), n);
  selection.bits = std::move(bits);
  return selection;
}

// Calls f(start, length) for every maximal run of selected rows, in order.
template <typename F>
void VisitRuns(const Selection& selection, F&& f) {
  const uint8_t* bits = selection.bits->data();
  const int64_t n = selection.length;
  const int64_t nbytes = BitmapBytes(n);
  int64_t run_start = -1;
  for (int64_t base = 0; base < n; base += 64) {
    uint64_t word = 0;
    std::memcpy(&word, bits + base / 8, std::min<int64_t>(8, nbytes - base / 8));
    if (n - base < 64) word &= (uint64_t{1} << (n - base)) - 1;
    if (word == ~uint64_t{0}) {
      if (run_start < 0) run_start = base;
      continue;
    }
    int pos = 0;
    while (pos < 64) {
      if (run_start >= 0) {
        const uint64_t zeros = ~word >> pos;  // non-zero: word is not all ones from pos
        const int z = std::countr_zero(zeros);
        f(run_start, base + pos + z - run_start);
        run_start = -1;
        pos += z;
      } else {
        const uint64_t ones = word >> pos;
        if (ones == 0) break;
        const int o = std::countr_zero(ones);
        run_start = base + pos + o;
        pos += o;
        // The run may reach the end of the word.
        if (pos < 64 && (~word >> pos) == 0) break;
      }
    }
  }
  if (run_start >= 0) f(run_start, n - run_start);
}

void CopyBits(const uint8_t* src, int64_t src_offset, uint8_t* dst, int64_t dst_offset,
              int64_t length) {
  for (int64_t i = 0; i < length; ++i) {
    if (GetBit(src, src_offset + i)) {
      SetBit(dst, dst_offset + i);
    } else {
      ClearBit(dst, dst_offset + i);
    }
  }
}

ColumnPtr FilterColumn(const Column& c, const Selection& selection) {
  const int64_t m = selection.count;
  const int64_t off = c.offset();
  BufferPtr validity;
  if (MayHaveNulls(c)) {
    std::shared_ptr<Buffer> out = AllocateBuffer(BitmapBytes(m));
    uint8_t* dst = out->mutable_data();
    const uint8_t* src = c.validity()->data();
    int64_t k = 0;
    VisitRuns(selection, [&](int64_t start, int64_t len) {
      CopyBits(src, off + start, dst, k, len);
      k += len;
    });
    validity = std::move(out);
  }
  switch (c.type().id) {
    case TypeId::kBool: {
      std::shared_ptr<Buffer> values = AllocateBuffer(BitmapBytes(m));
      uint8_t* dst = values->mutable_data();
      const uint8_t* src = c.values_buffer()->data();
      int64_t k = 0;
      VisitRuns(selection, [&](int64_t start, int64_t len) {
        CopyBits(src, off + start, dst, k, len);
        k += len;
      });
      return MakeColumn(c.type(), m, std::move(validity), std::move(values));
    }
    case TypeId::kUtf8: {
      StringView view(c);
      int64_t total = 0;
      VisitRuns(selection, [&](int64_t start, int64_t len) {
        total += view.offsets[start + len] - view.offsets[start];
      });
      std::shared_ptr<Buffer> offsets_buffer = AllocateBuffer((m + 1) * 4);
      std::shared_ptr<Buffer> data = AllocateBuffer(total);
      int32_t* offsets = reinterpret_cast<int32_t*>(offsets_buffer->mutable_data());
      char* out = reinterpret_cast<char*>(data->mutable_data());
      int64_t k = 0;
      int32_t bytes = 0;
      offsets[0] = 0;
      VisitRuns(selection, [&](int64_t start, int64_t len) {
        const int32_t first = view.offsets[start];
        const int32_t size = view.offsets[start + len] - first;
        std::memcpy(out + bytes, view.data + first, size);
        const int32_t shift = bytes - first;
        for (int64_t j = 1; j <= len; ++j) offsets[k + j] = view.offsets[start + j] + shift;
        k += len;
        bytes += size;
      });
      return MakeColumn(c.type(), m, std::move(validity), std::move(data),
                        std::move(offsets_buffer));
    }
    default:
      return DispatchFixedWidth(c.type().id, [&](auto tag) {
        using T = decltype(tag);
        std::shared_ptr<Buffer> values = AllocateBuffer(m * int64_t{sizeof(T)});
        T* out = reinterpret_cast<T*>(values->mutable_data());
        const T* in = c.values<T>();
        int64_t k = 0;
        VisitRuns(selection, [&](int64_t start, int64_t len) {
          if (len == 1) {
            out[k] = in[start];
          } else {
            std::memcpy(out + k, in + start, len * sizeof(T));
          }
          k += len;
        });
        return MakeColumn(c.type(), m, std::move(validity), std::move(values));
      });
  }
}

}  // namespace

}  // namespace internal

Result<Table> Filter(const Table& table, const ColumnPtr& mask) {
  QK_ASSIGN_OR_RAISE(Selection selection, SelectionFromMask(mask, table.num_rows()));
  if (selection.count == table.num_rows()) return table;
  std::vector<ColumnPtr> columns;
  columns.reserve(table.num_columns());
  for (const ColumnPtr& column : table.columns()) {
    columns.push_back(FilterColumn(*column, selection));
  }
  return Table::Make(table.schema(), std::move(columns));
}

Result<ColumnPtr> Filter(const ColumnPtr& column, const ColumnPtr& mask) {
  QK_ASSIGN_OR_RAISE(Selection selection, SelectionFromMask(mask, column->length()));
  if (selection.count == column->length()) return column;
  return FilterColumn(*column, selection);
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

// Sorts (value, index) pairs, which keeps the comparisons in cache, then writes the indices back.
template <typename T, typename Less>
void SortByValue(const T* v, int64_t* begin, int64_t* end, bool ascending, Less less) {
  std::vector<std::pair<T, int64_t>> pairs(end - begin);
  for (size_t i = 0; i < pairs.size(); ++i) pairs[i] = {v[begin[i]], begin[i]};
  using Pair = std::pair<T, int64_t>;
  if (ascending) {
    std::stable_sort(pairs.begin(), pairs.end(),
                     [&](const Pair& a, const Pair& b) { return less(a.first, b.first); });
  } else {
    std::stable_sort(pairs.begin(), pairs.end(),
                     [&](const Pair& a, const Pair& b) { return less(b.first, a.first); });
  }
  for (size_t i = 0; i < pairs.size(); ++i) begin[i] = pairs[i].second;
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
      SortByValue(c.values<double>(), begin, end, key.ascending,
                  [](double a, double b) { return a < b || (std::isnan(b) && !std::isnan(a)); });
      return;
    }
    default:
      DispatchFixedWidth(c.type().id, [&](auto tag) {
        using T = decltype(tag);
        SortByValue(c.values<T>(), begin, end, key.ascending, [](T a, T b) { return a < b; });
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

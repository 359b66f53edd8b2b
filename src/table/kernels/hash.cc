// Row hashing (XXH3 64-bit, combined over columns) and hash partitioning.
#include <xxhash.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/selection.h"
#include "kernels/util.h"

namespace quokka::compute {
using namespace internal;

namespace {

constexpr uint64_t kNullHash = 0x9e3779b97f4a7c15ULL;  // as HashObject() of a null

inline uint64_t HashInt(int64_t v) { return XXH3_64bits(&v, sizeof(v)); }
inline uint64_t HashDouble(double v) {
  if (v == 0) v = 0;  // -0.0 == 0.0
  if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
  return XXH3_64bits(&v, sizeof(v));
}

template <bool kFirst, bool kNulls, typename F>
void HashLoop(const Column& c, uint64_t* hashes, F&& hash_row) {
  const int64_t n = c.length();
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t hv = (kNulls && c.IsNull(i)) ? kNullHash : hash_row(i);
    if constexpr (kFirst) {
      hashes[i] = hv;
    } else {
      hashes[i] = XXH3_64bits_withSeed(&hv, sizeof(hv), hashes[i]);
    }
  }
}

template <typename F>
void HashWith(const Column& c, uint64_t* hashes, bool first, F&& hash_row) {
  const bool nulls = MayHaveNulls(c);
  if (first) {
    nulls ? HashLoop<true, true>(c, hashes, hash_row) : HashLoop<true, false>(c, hashes, hash_row);
  } else {
    nulls ? HashLoop<false, true>(c, hashes, hash_row)
          : HashLoop<false, false>(c, hashes, hash_row);
  }
}

void HashColumn(const Column& c, uint64_t* hashes, bool first) {
  switch (c.type().id) {
    case TypeId::kBool:
      HashWith(c, hashes, first, [&](int64_t i) { return HashInt(c.GetBool(i) ? 1 : 0); });
      return;
    case TypeId::kUtf8: {
      StringView view(c);
      HashWith(c, hashes, first, [&](int64_t i) {
        std::string_view s = view[i];
        return XXH3_64bits(s.data(), s.size());
      });
      return;
    }
    case TypeId::kFloat64: {
      const double* v = c.values<double>();
      HashWith(c, hashes, first, [v](int64_t i) { return HashDouble(v[i]); });
      return;
    }
    default:
      DispatchFixedWidth(c.type().id, [&](auto tag) {
        const auto* v = c.values<decltype(tag)>();
        HashWith(c, hashes, first, [v](int64_t i) { return HashInt(static_cast<int64_t>(v[i])); });
      });
  }
}

}  // namespace

Result<std::vector<uint64_t>> HashRows(const Table& table,
                                       const std::vector<std::string>& columns) {
  if (columns.empty()) return Status::Invalid("hash: no key columns given");
  std::vector<const Column*> keys;
  for (const std::string& name : columns) {
    const int index = table.schema()->FieldIndex(name);
    if (index < 0) return ColumnNotFound(table, name, "hash");
    keys.push_back(table.column(index).get());
  }
  std::vector<uint64_t> hashes(table.num_rows());
  for (size_t k = 0; k < keys.size(); ++k) HashColumn(*keys[k], hashes.data(), k == 0);
  return hashes;
}

Result<std::vector<Table>> HashPartition(const Table& table, const std::vector<std::string>& keys,
                                         int num_partitions) {
  if (num_partitions < 1) {
    return Status::Invalid("hash_partition: " + std::to_string(num_partitions) +
                           " partitions (need at least 1)");
  }
  QK_ASSIGN_OR_RAISE(std::vector<uint64_t> hashes, HashRows(table, keys));
  if (num_partitions == 1) return std::vector<Table>{table};
  const int64_t n = table.num_rows();
  const uint64_t p = static_cast<uint64_t>(num_partitions);
  std::vector<int64_t> counts(num_partitions + 1, 0);
  for (int64_t i = 0; i < n; ++i) ++counts[hashes[i] % p + 1];
  for (int k = 0; k < num_partitions; ++k) counts[k + 1] += counts[k];
  // Row indices grouped by partition, each group in row order.
  std::vector<int64_t> order(n);
  std::vector<int64_t> next(counts.begin(), counts.end() - 1);
  for (int64_t i = 0; i < n; ++i) order[next[hashes[i] % p]++] = i;
  std::vector<Table> out;
  out.reserve(num_partitions);
  for (int k = 0; k < num_partitions; ++k) {
    QK_ASSIGN_OR_RAISE(Table part, GatherTable(table, order.data() + counts[k],
                                               counts[k + 1] - counts[k], nullptr));
    out.push_back(std::move(part));
  }
  return out;
}

}  // namespace quokka::compute

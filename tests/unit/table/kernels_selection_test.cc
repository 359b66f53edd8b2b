// Selection kernels (filter, take, sort_indices) and hashing (hash rows, hash_partition) against
// plain reference implementations on random tables with nulls, including sliced tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "quokka/column.h"
#include "quokka/compute.h"
#include "quokka/object.h"
#include "quokka/partition.h"
#include "quokka/table.h"
#include "test_util.h"

namespace quokka {
namespace {

const int64_t kSizes[] = {0, 1, 7, 63, 64, 65, 1000};

ColumnPtr RandomColumn(const DataType& type, int64_t n, uint64_t seed, int64_t offset = 0,
                       double null_probability = 0.15) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  ColumnBuilder builder(type);
  for (int64_t i = 0; i < n + offset; ++i) {
    if (unit(rng) < null_probability) {
      builder.AppendNull();
      continue;
    }
    switch (type.id) {
      case TypeId::kBool:
        builder.AppendBool(rng() % 2);
        break;
      case TypeId::kFloat64: {
        static const double kValues[] = {-2.5, -1, -0.0, 0, 0.5, 1, 1.25, 3, 1e10, 7.75};
        builder.AppendDouble(kValues[rng() % 10]);
        break;
      }
      case TypeId::kUtf8: {
        std::string s;
        const int len = static_cast<int>(rng() % 4);
        for (int k = 0; k < len; ++k) s.push_back("abc"[rng() % 3]);
        builder.AppendString(s);
        break;
      }
      case TypeId::kInt8:
        builder.AppendInt64(static_cast<int64_t>(rng() % 11) - 5);
        break;
      default:
        builder.AppendInt64(static_cast<int64_t>(rng() % 21) - 10);
        break;
    }
  }
  ColumnPtr column = builder.Finish();
  return offset == 0 ? column : column->Slice(offset, n);
}

Table RandomTable(int64_t n, uint64_t seed, int64_t offset) {
  std::vector<Field> fields = {
      {"k", DataType::Int64()},        {"i32", DataType::Int32()},    {"f", DataType::Float64()},
      {"d", DataType::Decimal(15, 2)}, {"s", DataType::Utf8()},       {"dt", DataType::Date32()},
      {"b", DataType::Bool()},         {"ts", DataType::Timestamp()}, {"i8", DataType::Int8()}};
  std::vector<ColumnPtr> columns;
  for (size_t c = 0; c < fields.size(); ++c) {
    columns.push_back(RandomColumn(fields[c].type, n, seed * 31 + c, offset + c % 3));
  }
  return Table(std::make_shared<const Schema>(fields), columns);
}

void ExpectRow(const Table& actual, int64_t row, const Table& source, int64_t source_row,
               const std::string& what) {
  for (int c = 0; c < source.num_columns(); ++c) {
    Scalar a = Scalar::FromColumn(*actual.column(c), row);
    Scalar e = Scalar::FromColumn(*source.column(c), source_row);
    ASSERT_TRUE(a.Equals(e)) << what << ": row " << row << " column " << source.column_name(c)
                             << " is " << a.ToString() << ", expected " << e.ToString()
                             << " (source row " << source_row << ")";
  }
}

TEST(KernelFilterTest, MatchesReference) {
  uint64_t seed = 1;
  for (int64_t n : kSizes) {
    for (int64_t offset : {0, 5, 8}) {
      Table table = RandomTable(n, ++seed, offset);
      for (double nulls : {0.0, 0.3}) {
        ColumnPtr mask = RandomColumn(DataType::Bool(), n, ++seed, (offset + 3) % 9, nulls);
        Result<Table> filtered = compute::Filter(table, mask);
        QK_ASSERT_OK(filtered);
        std::vector<int64_t> expected;
        for (int64_t i = 0; i < n; ++i) {
          if (mask->IsValid(i) && mask->GetBool(i)) expected.push_back(i);
        }
        ASSERT_EQ(filtered->num_rows(), static_cast<int64_t>(expected.size()));
        ASSERT_TRUE(filtered->schema()->Equals(*table.schema()));
        for (size_t r = 0; r < expected.size(); ++r) {
          ExpectRow(*filtered, r, table, expected[r], "filter n=" + std::to_string(n));
        }
        // column version
        Result<ColumnPtr> fc = compute::Filter(table.column(4), mask);
        QK_ASSERT_OK(fc);
        EXPECT_TRUE((*fc)->Equals(*filtered->column(4)));
      }
    }
  }
}

TEST(KernelFilterTest, LongRunsAcrossWords) {
  // Masks made of runs of random lengths (up to 300 rows) exercise the run-copying paths.
  std::mt19937_64 rng(77);
  for (int64_t n : {int64_t{65}, int64_t{1000}, int64_t{5000}}) {
    for (int64_t offset : {0, 5}) {
      Table table = RandomTable(n, rng(), offset);
      ColumnBuilder builder(DataType::Bool());
      for (int64_t i = 0; i < 3; ++i) builder.AppendBool(true);
      bool value = rng() % 2;
      for (int64_t i = 0; i < n;) {
        const int64_t run = 1 + rng() % 300;
        for (int64_t k = 0; k < run && i < n; ++k, ++i) builder.AppendBool(value);
        value = !value;
      }
      ColumnPtr mask = builder.Finish()->Slice(3, n);
      Result<Table> filtered = compute::Filter(table, mask);
      QK_ASSERT_OK(filtered);
      int64_t r = 0;
      for (int64_t i = 0; i < n; ++i) {
        if (!mask->GetBool(i)) continue;
        ExpectRow(*filtered, r++, table, i, "runs");
      }
      EXPECT_EQ(filtered->num_rows(), r);
    }
  }
}

TEST(KernelFilterTest, AllAndNoneAndErrors) {
  Table table = RandomTable(100, 3, 1);
  ColumnPtr all = compute::MakeColumnFromScalar(Scalar::Bool(true), 100);
  ColumnPtr none = compute::MakeColumnFromScalar(Scalar::Bool(false), 100);
  EXPECT_TRUE(compute::Filter(table, all)->Equals(table));
  EXPECT_EQ(compute::Filter(table, none)->num_rows(), 0);
  EXPECT_EQ(
      compute::Filter(table, compute::MakeColumnFromScalar(Scalar::Null(DataType::Bool()), 100))
          ->num_rows(),
      0);
  Result<Table> wrong_length =
      compute::Filter(table, compute::MakeColumnFromScalar(Scalar::Bool(true), 99));
  EXPECT_EQ(wrong_length.status().code(), StatusCode::kInvalid);
  Result<Table> wrong_type = compute::Filter(table, table.column(0));
  EXPECT_EQ(wrong_type.status().code(), StatusCode::kTypeError);
  QK_EXPECT_CONTAINS(wrong_type.status().message(), "int64");
}

TEST(KernelTakeTest, MatchesReference) {
  uint64_t seed = 100;
  for (int64_t n : kSizes) {
    Table table = RandomTable(n, ++seed, 7);
    std::mt19937_64 rng(seed);
    if (n == 0) {
      ColumnBuilder none(DataType::Int64());
      QK_EXPECT_OK(compute::Take(table, none.Finish()));
      continue;
    }
    for (DataType index_type : {DataType::Int32(), DataType::Int64()}) {
      ColumnBuilder indices(index_type);
      std::vector<std::optional<int64_t>> raw;
      for (int64_t i = 0; i < n + 17; ++i) {
        if (rng() % 10 == 0) {
          indices.AppendNull();
          raw.push_back(std::nullopt);
        } else {
          raw.push_back(static_cast<int64_t>(rng() % n));
          indices.AppendInt64(*raw.back());
        }
      }
      ColumnPtr idx = indices.Finish()->Slice(2, n + 15);
      raw.erase(raw.begin(), raw.begin() + 2);
      raw.resize(n + 15);
      Result<Table> taken = compute::Take(table, idx);
      QK_ASSERT_OK(taken);
      ASSERT_EQ(taken->num_rows(), n + 15);
      for (int64_t r = 0; r < n + 15; ++r) {
        if (!raw[r]) {
          for (int c = 0; c < table.num_columns(); ++c) EXPECT_TRUE(taken->column(c)->IsNull(r));
        } else {
          ExpectRow(*taken, r, table, *raw[r], "take");
        }
      }
    }
    std::vector<int64_t> plain = {n - 1, 0, n / 2};
    Result<Table> t2 = compute::Take(table, plain);
    QK_ASSERT_OK(t2);
    for (size_t r = 0; r < plain.size(); ++r) ExpectRow(*t2, r, table, plain[r], "take vector");
    Result<Table> out = compute::Take(table, std::vector<int64_t>{n});
    ASSERT_FALSE(out.ok());
    QK_EXPECT_CONTAINS(out.status().message(), std::to_string(n));
  }
}

// Reference multi-key comparison on scalars.
int CompareScalars(const Scalar& a, const Scalar& b) {
  switch (a.type.id) {
    case TypeId::kUtf8:
      return a.string_value.compare(b.string_value) < 0   ? -1
             : a.string_value.compare(b.string_value) > 0 ? 1
                                                          : 0;
    case TypeId::kFloat64:
      return a.double_value < b.double_value ? -1 : a.double_value > b.double_value ? 1 : 0;
    default:
      return a.int_value < b.int_value ? -1 : a.int_value > b.int_value ? 1 : 0;
  }
}

TEST(KernelSortTest, MatchesStableReference) {
  const std::vector<std::vector<compute::SortKey>> key_sets = {
      {{"k"}},
      {{"k", false}},
      {{"k", true, true}},
      {{"s", true, false}, {"f", false, true}},
      {{"b", false, false}, {"d", true, true}, {"dt", false, false}},
      {{"i8", true, false}, {"s", false, true}, {"ts", true, false}, {"i32", false, false}},
  };
  uint64_t seed = 200;
  for (int64_t n : kSizes) {
    for (int64_t offset : {0, 9}) {
      Table table = RandomTable(n, ++seed, offset);
      for (const auto& keys : key_sets) {
        Result<ColumnPtr> sorted = compute::SortIndices(table, keys);
        QK_ASSERT_OK(sorted);
        ASSERT_EQ((*sorted)->type(), DataType::Int64());
        ASSERT_EQ((*sorted)->length(), n);
        std::vector<int64_t> expected(n);
        std::iota(expected.begin(), expected.end(), 0);
        std::stable_sort(expected.begin(), expected.end(), [&](int64_t x, int64_t y) {
          for (const compute::SortKey& key : keys) {
            const Column& c = *table.column(key.column);
            const bool xn = c.IsNull(x), yn = c.IsNull(y);
            if (xn || yn) {
              if (xn && yn) continue;
              return key.nulls_first ? xn : yn;
            }
            int cmp = CompareScalars(Scalar::FromColumn(c, x), Scalar::FromColumn(c, y));
            if (cmp != 0) return key.ascending ? cmp < 0 : cmp > 0;
          }
          return false;
        });
        for (int64_t i = 0; i < n; ++i) {
          ASSERT_EQ((*sorted)->values<int64_t>()[i], expected[i])
              << "n=" << n << " position " << i << " keys " << keys.size();
        }
      }
    }
  }
  Table table = RandomTable(10, 1, 0);
  Result<ColumnPtr> missing = compute::SortIndices(table, {{"nope"}});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(missing.status().message(), "nope");
}

TEST(KernelSortTest, NaNSortsLast) {
  ColumnBuilder b(DataType::Float64());
  for (double v : {3.0, std::nan(""), -1.0, 2.0}) b.AppendDouble(v);
  Table t(std::make_shared<const Schema>(std::vector<Field>{{"f", DataType::Float64()}}),
          {b.Finish()});
  ColumnPtr asc = *compute::SortIndices(t, {{"f"}});
  EXPECT_EQ(asc->values<int64_t>()[0], 2);
  EXPECT_EQ(asc->values<int64_t>()[3], 1);
  ColumnPtr desc = *compute::SortIndices(t, {{"f", false}});
  EXPECT_EQ(desc->values<int64_t>()[0], 1);
}

TEST(KernelHashTest, EqualValuesHashEqual) {
  uint64_t seed = 300;
  for (int64_t n : kSizes) {
    Table table = RandomTable(n, ++seed, 4);
    // int32 and int64 columns holding the same values hash the same.
    Result<ColumnPtr> widened = compute::Cast(table.column("i32"), DataType::Int64());
    QK_ASSERT_OK(widened);
    Table both = table.WithColumn("i32_as_64", *widened);
    auto h32 = compute::HashRows(both, {"i32"});
    auto h64 = compute::HashRows(both, {"i32_as_64"});
    QK_ASSERT_OK(h32);
    QK_ASSERT_OK(h64);
    EXPECT_EQ(*h32, *h64);

    // Rows with equal key tuples hash equal; single columns match HashObject.
    std::vector<std::string> keys = {"s", "k", "d", "f", "b"};
    auto hashes = compute::HashRows(table, keys);
    QK_ASSERT_OK(hashes);
    ASSERT_EQ(static_cast<int64_t>(hashes->size()), n);
    std::map<std::string, uint64_t> by_tuple;
    std::set<uint64_t> distinct_hashes;
    for (int64_t i = 0; i < n; ++i) {
      std::string tuple;
      for (const std::string& key : keys) {
        Scalar v = Scalar::FromColumn(*table.column(key), i);
        if (v.is_valid && v.type.id == TypeId::kFloat64 && v.double_value == 0) v.double_value = 0;
        tuple += v.ToString() + "|";
      }
      auto [it, inserted] = by_tuple.emplace(tuple, (*hashes)[i]);
      if (!inserted) {
        EXPECT_EQ(it->second, (*hashes)[i]) << tuple;
      }
      distinct_hashes.insert((*hashes)[i]);
    }
    EXPECT_EQ(distinct_hashes.size(), by_tuple.size());  // no collisions at this size

    auto hk = compute::HashRows(table, {"k"});
    auto hs = compute::HashRows(table, {"s"});
    QK_ASSERT_OK(hk);
    QK_ASSERT_OK(hs);
    for (int64_t i = 0; i < n; ++i) {
      const Column& k = *table.column("k");
      const Column& s = *table.column("s");
      EXPECT_EQ((*hk)[i], HashObject(k.IsNull(i) ? Object() : Object(k.GetInt64(i))));
      EXPECT_EQ((*hs)[i], HashObject(s.IsNull(i) ? Object() : Object(std::string(s.GetString(i)))));
    }
  }
  // -0.0 and 0.0 are equal keys
  ColumnBuilder f(DataType::Float64());
  f.AppendDouble(0.0);
  f.AppendDouble(-0.0);
  Table zeros(std::make_shared<const Schema>(std::vector<Field>{{"f", DataType::Float64()}}),
              {f.Finish()});
  auto hz = compute::HashRows(zeros, {"f"});
  QK_ASSERT_OK(hz);
  EXPECT_EQ((*hz)[0], (*hz)[1]);
  EXPECT_EQ(compute::HashRows(zeros, {"g"}).status().code(), StatusCode::kNotFound);
}

TEST(KernelHashTest, HashPartition) {
  uint64_t seed = 400;
  for (int64_t n : kSizes) {
    for (int partitions : {1, 3, 8}) {
      Table table = RandomTable(n, ++seed, 6);
      std::vector<std::string> keys = {"k", "s"};
      Result<std::vector<Table>> parts = compute::HashPartition(table, keys, partitions);
      QK_ASSERT_OK(parts);
      ASSERT_EQ(static_cast<int>(parts->size()), partitions);
      auto hashes = *compute::HashRows(table, keys);
      std::vector<std::vector<int64_t>> expected(partitions);
      for (int64_t i = 0; i < n; ++i) expected[hashes[i] % partitions].push_back(i);
      for (int p = 0; p < partitions; ++p) {
        const Table& part = (*parts)[p];
        ASSERT_TRUE(part.schema()->Equals(*table.schema()));
        ASSERT_EQ(part.num_rows(), static_cast<int64_t>(expected[p].size()));
        for (size_t r = 0; r < expected[p].size(); ++r) {
          ExpectRow(part, r, table, expected[p][r], "partition " + std::to_string(p));
        }
      }
    }
  }
  EXPECT_FALSE(compute::HashPartition(RandomTable(5, 1, 0), {"k"}, 0).ok());
}

}  // namespace
}  // namespace quokka

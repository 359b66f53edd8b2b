#pragma once
// Helpers for executor tests: random tables, running one executor in a graph, and comparing
// tables as multisets of rendered rows.

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "quokka/executors.h"
#include "quokka/graph.h"
#include "quokka/table.h"

namespace quokka::test {

inline SchemaPtr MakeSchema(std::vector<Field> fields) {
  return std::make_shared<const Schema>(std::move(fields));
}

/// Random rows: key int64 in [0, keys) (null 1 in 20 when `null_keys`), val int64 in
/// [-50, 50] (null 1 in 10), name utf8 "s<0..9>", price decimal(12,2).
inline Table RandomTable(std::mt19937_64& rng, int64_t rows, int keys, bool null_keys,
                         const std::string& prefix = "") {
  TableBuilder builder(MakeSchema({{prefix + "key", DataType::Int64()},
                                   {prefix + "val", DataType::Int64()},
                                   {prefix + "name", DataType::Utf8()},
                                   {prefix + "price", DataType::Decimal(12, 2)}}));
  for (int64_t r = 0; r < rows; ++r) {
    if (null_keys && rng() % 20 == 0) {
      builder.column(0).AppendNull();
    } else {
      builder.column(0).AppendInt64(static_cast<int64_t>(rng() % keys));
    }
    if (rng() % 10 == 0) {
      builder.column(1).AppendNull();
    } else {
      builder.column(1).AppendInt64(static_cast<int64_t>(rng() % 101) - 50);
    }
    builder.column(2).AppendString("s" + std::to_string(rng() % 10));
    builder.column(3).AppendInt64(static_cast<int64_t>(rng() % 100000));
  }
  return builder.Finish();
}

/// Split a table into batches of at most `size` rows, as objects.
inline ObjectList Batches(const Table& table, int64_t size) {
  ObjectList batches;
  for (int64_t offset = 0; offset < table.num_rows(); offset += size) {
    batches.push_back(Object::Make(table.Slice(offset, size)));
  }
  return batches;
}

/// Every row rendered as "v1|v2|..." ("null" for nulls), sorted: a multiset of rows.
inline std::vector<std::string> RowSet(const Table& table) {
  std::vector<std::string> rows;
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    std::string row;
    for (int c = 0; c < table.num_columns(); ++c) {
      if (c > 0) row += "|";
      row += table.column(c)->IsNull(r) ? "null" : table.column(c)->ValueToString(r);
    }
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

/// Rows in order, rendered as RowSet does but unsorted.
inline std::vector<std::string> RowList(const Table& table) {
  std::vector<std::string> rows;
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    std::string row;
    for (int c = 0; c < table.num_columns(); ++c) {
      if (c > 0) row += "|";
      row += table.column(c)->IsNull(r) ? "null" : table.column(c)->ValueToString(r);
    }
    rows.push_back(row);
  }
  return rows;
}

inline RunOptions QuietRun() {
  RunOptions options;
  options.progress = Progress::kOff;
  return options;
}

}  // namespace quokka::test

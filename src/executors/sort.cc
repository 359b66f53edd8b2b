// Sort (sorted runs merged at the end), top-k, and limit.
#include <cmath>
#include <queue>

#include "quokka/executors.h"
#include "row_keys.h"

namespace quokka {
namespace {
// Shippable in every program that uses this executor (register.cc).
const bool kTypesRegistered = RegisterExecutorTypes().ok();
}  // namespace

namespace {

const Table& ExpectTable(const Object& object, const char* who) {
  const Table* table = object.GetIf<Table>();
  if (table == nullptr) {
    throw Error(Status::TypeError(std::string(who) + " expects tables, got " + object.type_name()));
  }
  return *table;
}

// Compares row `ra` of `a` with row `rb` of `b` (same schema) by the sort keys; < 0 if a first.
class RowComparator {
 public:
  RowComparator(const Schema& schema, const std::vector<compute::SortKey>& keys) : keys_(keys) {
    for (const compute::SortKey& key : keys) {
      int index = schema.FieldIndex(key.column);
      if (index < 0) {
        throw Error(Status::NotFound("sort key '" + key.column + "' is not a column of (" +
                                     schema.ToString() + ")"));
      }
      columns_.push_back(index);
    }
  }

  int Compare(const Table& a, int64_t ra, const Table& b, int64_t rb) const {
    for (size_t k = 0; k < columns_.size(); ++k) {
      const Column& ca = *a.column(columns_[k]);
      const Column& cb = *b.column(columns_[k]);
      const bool null_a = ca.IsNull(ra), null_b = cb.IsNull(rb);
      if (null_a || null_b) {
        if (null_a && null_b) continue;
        // Null placement does not flip with the direction.
        return (null_a == keys_[k].nulls_first) ? -1 : 1;
      }
      int order = CompareValues(ca, ra, cb, rb);
      if (order != 0) return keys_[k].ascending ? order : -order;
    }
    return 0;
  }

 private:
  static int CompareValues(const Column& a, int64_t ra, const Column& b, int64_t rb) {
    switch (a.type().id) {
      case TypeId::kUtf8: {
        int order = a.GetString(ra).compare(b.GetString(rb));
        return order < 0 ? -1 : order > 0;
      }
      case TypeId::kFloat64: {
        double x = a.GetDouble(ra), y = b.GetDouble(rb);
        bool nan_x = std::isnan(x), nan_y = std::isnan(y);
        if (nan_x || nan_y) return nan_x == nan_y ? 0 : (nan_x ? 1 : -1);
        return x < y ? -1 : x > y;
      }
      default: {
        int64_t x = a.GetInt64(ra), y = b.GetInt64(rb);
        return x < y ? -1 : x > y;
      }
    }
  }

  std::vector<compute::SortKey> keys_;
  std::vector<int> columns_;
};

}  // namespace

void Sort::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  for (const Object& object : batches) {
    const Table& batch = ExpectTable(object, "Sort");
    if (batch.num_rows() == 0) continue;
    if (!runs_.empty() && !batch.schema()->Equals(*runs_[0].schema())) {
      throw Error(Status::TypeError("Sort got tables of different schemas: (" +
                                    runs_[0].schema()->ToString() + ") and (" +
                                    batch.schema()->ToString() + ")"));
    }
    ColumnPtr order = compute::SortIndices(batch, keys_).ValueOrThrow();
    if (limit_ >= 0 && order->length() > limit_) order = order->Slice(0, limit_);
    runs_.push_back(compute::Take(batch, order).ValueOrThrow());
  }
}

void Sort::Done(int channel, Output& out) {
  if (runs_.empty()) return;
  if (runs_.size() == 1) {
    out.Emit(Object::Make(runs_[0]));
    return;
  }
  // k-way merge of the sorted runs; ties go to the earlier run (stable).
  RowComparator compare(*runs_[0].schema(), keys_);
  struct Cursor {
    int32_t run;
    int64_t row;
  };
  auto later = [&](const Cursor& x, const Cursor& y) {
    int order = compare.Compare(runs_[x.run], x.row, runs_[y.run], y.row);
    return order != 0 ? order > 0 : x.run > y.run;
  };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heap(later);
  int64_t total = 0;
  for (size_t run = 0; run < runs_.size(); ++run) {
    heap.push({static_cast<int32_t>(run), 0});
    total += runs_[run].num_rows();
  }
  if (limit_ >= 0) total = std::min(total, limit_);
  std::vector<std::pair<int32_t, int64_t>> merged;
  merged.reserve(total);
  while (!heap.empty() && static_cast<int64_t>(merged.size()) < total) {
    Cursor cursor = heap.top();
    heap.pop();
    merged.emplace_back(cursor.run, cursor.row);
    if (cursor.row + 1 < runs_[cursor.run].num_rows()) heap.push({cursor.run, cursor.row + 1});
  }
  std::vector<const Table*> tables;
  for (const Table& run : runs_) tables.push_back(&run);
  out.Emit(Object::Make(internal::GatherRows(runs_[0].schema(), tables, merged)));
  runs_.clear();
}

void Limit::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  for (Object& object : batches) {
    if (remaining_ <= 0) break;
    const Table* table = object.GetIf<Table>();
    if (table == nullptr) {  // any other object counts as one row
      out.Emit(std::move(object));
      --remaining_;
      continue;
    }
    if (table->num_rows() <= remaining_) {
      remaining_ -= table->num_rows();
      out.Emit(std::move(object));
    } else {
      out.Emit(Object::Make(table->Slice(0, remaining_)));
      remaining_ = 0;
    }
  }
  if (remaining_ <= 0) out.FinishEarly();
}

}  // namespace quokka

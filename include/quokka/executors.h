#pragma once
// The library of canned executors over streams of Tables: joins, aggregation, sort, top-k,
// limit, count, distinct, as-of join, and sinks that write files. Users import these instead
// of writing their own (the reference system's "canned implementations").
//
// Every executor here is copyable (one copy per channel), consumes quokka::Table objects and
// emits quokka::Table objects. Results do not depend on how batches interleave between links
// (confluence); for keyed operators, partition the inputs by key with HashPartitionBy so that
// equal keys meet in one channel. Two-input executors read stream 0 (left / probe side) and
// stream 1 (right / build side).
//
// Shipping: every executor here, and the partition function behind HashPartitionBy, is
// registered for serialization as "quokka.<snake_case_name>" (RegisterExecutorTypes), so plans
// built from them can run on other machines. Only the configuration is encoded (the state of a
// channel starts fresh wherever it runs); decoding malformed bytes throws quokka::Error.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "quokka/compute.h"
#include "quokka/csv.h"
#include "quokka/dataset.h"
#include "quokka/executor.h"
#include "quokka/expression.h"
#include "quokka/partition.h"
#include "quokka/table.h"

namespace quokka {

class Encoder;
class Decoder;

/// \brief Register every executor of this header and HashPartitionFunction for shipping, and
///        the io types (RegisterIoTypes). Idempotent and thread-safe; a static initializer of
///        the executors library calls it in every program that uses an executor.
Status RegisterExecutorTypes();

/// \brief A partition function for streams of tables: row r of every table goes to channel
///        hash(keys of r) % channels, so every table is split into one slice per channel
///        (empty slices included, so that every channel learns the schema).
Partitioner HashPartitionBy(std::vector<std::string> keys);

/// \brief The shippable partition function behind HashPartitionBy ("quokka.hash_partition").
class HashPartitionFunction : public PartitionFunction {
 public:
  explicit HashPartitionFunction(std::vector<std::string> keys) : keys_(std::move(keys)) {}
  void Partition(const Object& object, int producer_channel, int num_consumer_channels,
                 std::vector<Target>& out) const override;
  const std::vector<std::string>& keys() const { return keys_; }
  void Encode(Encoder& out) const;
  static HashPartitionFunction Decode(Decoder& in);

 private:
  std::vector<std::string> keys_;
};

/// \brief All Table objects of a Dataset, concatenated in partition order. Throws quokka::Error
///        if an object is not a Table or the schemas differ. An empty dataset gives an empty
///        table without columns.
Table ToTable(const Dataset& dataset);

// ------------------------------------------------------------------------- stateless maps

/// \brief Emits, for every table, the rows where `predicate` is true (null counts as false).
///        Tables with no row left are not emitted.
class FilterExecutor : public Executor {
 public:
  explicit FilterExecutor(Expr predicate) : predicate_(std::move(predicate)) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;
  void Encode(Encoder& out) const;
  static FilterExecutor Decode(Decoder& in);

 private:
  Expr predicate_;
};

/// \brief Emits, for every table, one column per expression (named by Expr::name()).
class ProjectExecutor : public Executor {
 public:
  explicit ProjectExecutor(std::vector<Expr> exprs) : exprs_(std::move(exprs)) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;
  void Encode(Encoder& out) const;
  static ProjectExecutor Decode(Decoder& in);

 private:
  std::vector<Expr> exprs_;
};

// ------------------------------------------------------------------------------ joins

enum class JoinType { kInner, kLeft, kSemi, kAnti };

struct JoinOptions {
  std::vector<std::string> left_keys;   ///< key columns of stream 0
  std::vector<std::string> right_keys;  ///< key columns of stream 1, same types in order
  JoinType type = JoinType::kInner;
  /// Appended to a right column whose name is already taken by a left column.
  std::string right_suffix = "_right";
};

/// \brief Hash join of stream 0 (left) with stream 1 (right). Output: every left column, then
///        the right columns that are not right keys (none for semi/anti). Inner joins stream
///        both sides symmetrically (each batch probes what the other side has seen so far).
///        Left outer, semi and anti joins probe a left batch as soon as the right stream has
///        ended (make the left producer depend on the right one to stream them fully) and keep
///        earlier left batches until then. For a broadcast join, partition the small (right)
///        side with Partitioner::Broadcast() and leave the left side on default partitioning.
class HashJoin : public Executor {
 public:
  explicit HashJoin(JoinOptions options);
  HashJoin(const HashJoin& other);
  ~HashJoin() override;
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;
  void Done(int channel, Output& out) override;
  void Encode(Encoder& out) const;
  static HashJoin Decode(Decoder& in);

 private:
  struct State;
  void ProbeLeft(const Table& batch, bool right_complete, Output& out);
  void Remember(const Table& left_batch);  // keep left rows for right rows still to come
  JoinOptions options_;
  std::unique_ptr<State> state_;
};

/// \brief For each row of stream 0 (left), the right row (stream 1) with the largest `on` value
///        <= the left row's `on` value among right rows with equal `by` columns (no match: right
///        columns null). `on` columns: integers, date32, timestamp, decimal (same type on both
///        sides). Emits in Done() (both sides must be complete); partition both by `by`.
struct AsofJoinOptions {
  std::string left_on, right_on;
  std::vector<std::string> left_by, right_by;
  std::string right_suffix = "_right";
};
class AsofJoin : public Executor {
 public:
  explicit AsofJoin(AsofJoinOptions options) : options_(std::move(options)) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;
  void Done(int channel, Output& out) override;
  void Encode(Encoder& out) const;
  static AsofJoin Decode(Decoder& in);

 private:
  AsofJoinOptions options_;
  std::vector<Table> left_, right_;
};

// -------------------------------------------------------------------------- aggregation

enum class AggregateFunction { kSum, kCount, kCountAll, kCountDistinct, kMin, kMax, kMean };

struct Aggregate {
  AggregateFunction function;
  std::string column;  ///< input column ("" for kCountAll)
  std::string name;    ///< output column name
};

/// \brief Grouped (or, with no keys, global) aggregation. Emits one table in Done(): the key
///        columns then one column per aggregate. sum: int64 for integers, decimal(18, scale)
///        for decimals, float64 for float64; count / count_all / count_distinct: int64 (count
///        skips nulls); min / max: the input type; mean: float64. Nulls are skipped; a group
///        whose values are all null gets a null sum/min/max/mean. Partition by the keys
///        (HashPartitionBy); for a global aggregate send everything to one channel.
class HashAggregate : public Executor {
 public:
  HashAggregate(std::vector<std::string> keys, std::vector<Aggregate> aggregates);
  HashAggregate(const HashAggregate& other);
  ~HashAggregate() override;
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;
  void Done(int channel, Output& out) override;
  void Encode(Encoder& out) const;
  static HashAggregate Decode(Decoder& in);

 private:
  struct State;
  std::vector<std::string> keys_;
  std::vector<Aggregate> aggregates_;
  std::unique_ptr<State> state_;
};

/// \brief Emits one table {count: int64}: the rows (of tables) or objects it received.
class Count : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;
  void Done(int channel, Output& out) override;
  void Encode(Encoder& out) const;
  static Count Decode(Decoder& in);

 private:
  int64_t count_ = 0;
};

/// \brief Emits each row whose `columns` (all columns if empty) were not seen before, as
///        batches arrive. Partition by the same columns.
class Distinct : public Executor {
 public:
  explicit Distinct(std::vector<std::string> columns = {});
  Distinct(const Distinct& other);
  ~Distinct() override;
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;
  void Encode(Encoder& out) const;
  static Distinct Decode(Decoder& in);

 private:
  struct State;
  std::vector<std::string> columns_;
  std::unique_ptr<State> state_;
};

// ------------------------------------------------------------------------- sort and limit

/// \brief Sorts its input: each batch becomes a sorted run as it arrives, and Done() merges the
///        runs into one sorted table. With `limit` >= 0 it keeps only the first `limit` rows
///        (top-k): runs are cut to `limit` rows. For a total order across channels, send
///        everything to one channel (or sort per channel, then merge in a 1-channel Sort).
class Sort : public Executor {
 public:
  explicit Sort(std::vector<compute::SortKey> keys, int64_t limit = -1)
      : keys_(std::move(keys)), limit_(limit) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;
  void Done(int channel, Output& out) override;
  void Encode(Encoder& out) const;
  static Sort Decode(Decoder& in);

 private:
  std::vector<compute::SortKey> keys_;
  int64_t limit_;
  std::vector<Table> runs_;
};

/// \brief Passes the first `limit` rows through, then finishes early (its producers stop).
class Limit : public Executor {
 public:
  explicit Limit(int64_t limit) : limit_(limit), remaining_(limit) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;
  void Encode(Encoder& out) const;
  static Limit Decode(Decoder& in);

 private:
  int64_t limit_;
  int64_t remaining_;
};

// ---------------------------------------------------------------------------------- sinks

/// \brief Writes the tables it receives to `directory`/part-<channel>.csv (a local directory,
///        created if needed, or an S3 prefix "s3://bucket/prefix/": one object per channel,
///        uploaded in parts) and emits the file's path from Done(). An empty input writes a file
///        with only the header (when the first table's schema is known) or an empty file.
class CsvSink : public Executor {
 public:
  explicit CsvSink(std::string directory, CsvWriteOptions options = {});
  CsvSink(const CsvSink& other);
  ~CsvSink() override;
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;
  void Done(int channel, Output& out) override;
  void Encode(Encoder& out) const;
  static CsvSink Decode(Decoder& in);

 private:
  struct State;
  std::string directory_;
  CsvWriteOptions options_;
  std::unique_ptr<State> state_;
};

/// \brief Writes the tables it receives to `directory`/part-<channel>.arrow (Arrow IPC file
///        format; a local directory or an S3 prefix, as CsvSink) and emits the file's path from
///        Done(). Requires at least one table.
class IpcSink : public Executor {
 public:
  explicit IpcSink(std::string directory);
  IpcSink(const IpcSink& other);
  ~IpcSink() override;
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;
  void Done(int channel, Output& out) override;
  void Encode(Encoder& out) const;
  static IpcSink Decode(Decoder& in);

 private:
  struct State;
  std::string directory_;
  std::unique_ptr<State> state_;
};

}  // namespace quokka

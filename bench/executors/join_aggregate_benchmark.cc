// Hash join and hash aggregation throughput over in-memory tables, through a task graph.
//
//   bench_executors [--rows N] [--runs R]
// join: a probe table of N rows (keys in [0, N/4)) joined with a build table of N/4 unique
// keys, inner join, both sides hash-partitioned; aggregate: N rows grouped by a key with 1000
// distinct values, sum + count + min + max. Prints the median rows/s (input rows per second).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include "quokka/quokka.h"

namespace {

quokka::SchemaPtr TwoInts(const std::string& key, const std::string& value) {
  return std::make_shared<const quokka::Schema>(std::vector<quokka::Field>{
      {key, quokka::DataType::Int64()}, {value, quokka::DataType::Int64()}});
}

quokka::ObjectList Batches(int64_t rows, int64_t keys, const std::string& key_name,
                           const std::string& value_name, uint64_t seed, bool unique_keys) {
  std::mt19937_64 rng(seed);
  quokka::ObjectList batches;
  const int64_t batch_rows = 65536;
  for (int64_t start = 0; start < rows; start += batch_rows) {
    const int64_t n = std::min(batch_rows, rows - start);
    quokka::ColumnBuilder key(quokka::DataType::Int64(), n), value(quokka::DataType::Int64(), n);
    for (int64_t i = 0; i < n; ++i) {
      key.AppendInt64(unique_keys ? start + i : static_cast<int64_t>(rng() % keys));
      value.AppendInt64(static_cast<int64_t>(rng() % 1000));
    }
    batches.push_back(quokka::Object::Make(
        quokka::Table(TwoInts(key_name, value_name), {key.Finish(), value.Finish()})));
  }
  return batches;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double JoinOnce(const quokka::ObjectList& probe, const quokka::ObjectList& build,
                int64_t expected_rows) {
  quokka::LocalCluster cluster;
  quokka::TaskGraph graph(cluster);
  auto left = graph.NewInputReaderNode(quokka::VectorReader(probe));
  auto right = graph.NewInputReaderNode(quokka::VectorReader(build));
  auto joined =
      graph.NewNonBlockingNode({{0, {left, quokka::HashPartitionBy({"key"})}},
                                {1, {right, quokka::HashPartitionBy({"bkey"})}}},
                               quokka::HashJoin({.left_keys = {"key"}, .right_keys = {"bkey"}}),
                               {.channels = cluster.total_cores()});
  auto counts = graph.NewBlockingNode({{0, joined}}, quokka::Count(), {.channels = 1});
  auto start = std::chrono::steady_clock::now();
  graph.Run({.progress = quokka::Progress::kOff});
  double seconds = Seconds(start);
  if (quokka::ToTable(counts).column(0)->GetInt64(0) != expected_rows) {
    std::fprintf(stderr, "join: wrong row count\n");
    std::exit(1);
  }
  return seconds;
}

double AggregateOnce(const quokka::ObjectList& rows, int64_t groups) {
  quokka::LocalCluster cluster;
  quokka::TaskGraph graph(cluster);
  auto input = graph.NewInputReaderNode(quokka::VectorReader(rows));
  auto result = graph.NewBlockingNode(
      {{0, {input, quokka::HashPartitionBy({"key"})}}},
      quokka::HashAggregate({"key"}, {{quokka::AggregateFunction::kSum, "value", "sum"},
                                      {quokka::AggregateFunction::kCount, "value", "count"},
                                      {quokka::AggregateFunction::kMin, "value", "min"},
                                      {quokka::AggregateFunction::kMax, "value", "max"}}),
      {.channels = cluster.total_cores()});
  auto start = std::chrono::steady_clock::now();
  graph.Run({.progress = quokka::Progress::kOff});
  double seconds = Seconds(start);
  if (quokka::ToTable(result).num_rows() != groups) {
    std::fprintf(stderr, "aggregate: wrong group count\n");
    std::exit(1);
  }
  return seconds;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

int64_t Flag(int argc, char** argv, const char* name, int64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == name) return std::atoll(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rows = Flag(argc, argv, "--rows", 4'000'000);
  const int runs = static_cast<int>(Flag(argc, argv, "--runs", 5));
  const int64_t build_rows = rows / 4;
  quokka::ObjectList probe = Batches(rows, build_rows, "key", "value", 1, false);
  quokka::ObjectList build = Batches(build_rows, build_rows, "bkey", "bvalue", 2, true);
  const int64_t groups = 1000;
  quokka::ObjectList grouped = Batches(rows, groups, "key", "value", 3, false);
  std::printf(
      "quokka %s executors: %lld probe rows, %lld build rows, median of %d runs, %u hw "
      "threads\n",
      QK_VERSION_STRING, (long long)rows, (long long)build_rows, runs,
      std::thread::hardware_concurrency());
  std::vector<double> join_times, aggregate_times;
  for (int run = 0; run < runs; ++run) {
    join_times.push_back(JoinOnce(probe, build, rows));
    aggregate_times.push_back(AggregateOnce(grouped, groups));
  }
  double join = Median(join_times), aggregate = Median(aggregate_times);
  std::printf("%-28s %10s %16s\n", "operator", "wall s", "input rows/s");
  std::printf("%-28s %10.3f %16.0f\n", "hash join (inner)", join, (rows + build_rows) / join);
  std::printf("%-28s %10.3f %16.0f\n", "hash aggregate (4 aggs)", aggregate, rows / aggregate);
  return 0;
}

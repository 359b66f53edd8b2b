// Sort (merged runs), top-k, Limit, AsofJoin and the file sinks.
#include <gtest/gtest.h>

#include <filesystem>

#include "executor_test_util.h"
#include "quokka/csv.h"
#include "quokka/ipc.h"

namespace quokka {
namespace {

using test::RowList;
using test::RowSet;

// Reference order: val descending (nulls last), then name ascending; stable.
std::vector<std::string> ReferenceSorted(const Table& input, int64_t limit) {
  std::vector<int64_t> order(input.num_rows());
  for (int64_t i = 0; i < input.num_rows(); ++i) order[i] = i;
  const Column& val = *input.column(1);
  const Column& name = *input.column(2);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    bool na = val.IsNull(a), nb = val.IsNull(b);
    if (na != nb) return nb;  // nulls last
    if (!na && val.GetInt64(a) != val.GetInt64(b)) return val.GetInt64(a) > val.GetInt64(b);
    return name.GetString(a) < name.GetString(b);
  });
  if (limit >= 0 && limit < input.num_rows()) order.resize(limit);
  return RowList(compute::Take(input, order).ValueOrThrow());
}

std::vector<compute::SortKey> Keys() { return {{"val", false, false}, {"name", true, false}}; }

template <typename E>
Table RunToOne(const Table& input, E executor) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream rows = graph.NewInputReaderNode(VectorReader(test::Batches(input, 41)),
                                         {.name = "rows", .channels = 1});
  Dataset result =
      graph.NewBlockingNode({{0, rows}}, std::move(executor), {.name = "op", .channels = 1});
  graph.Run(test::QuietRun());
  return ToTable(result);
}

TEST(SortTest, MergedRunsGiveTotalOrder) {
  std::mt19937_64 rng(5);
  Table input = test::RandomTable(rng, 1000, 30, true);
  Table sorted = RunToOne(input, Sort(Keys()));
  // Rows with equal (val, name) may come from different runs in any order: compare the keys'
  // order exactly and the rows as a multiset.
  std::vector<std::string> expected = ReferenceSorted(input, -1);
  std::vector<std::string> actual = RowList(sorted);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    auto key = [](const std::string& row) {
      size_t a = row.find('|'), b = row.find('|', a + 1), c = row.find('|', b + 1);
      return row.substr(a, c - a);
    };
    EXPECT_EQ(key(actual[i]), key(expected[i])) << "row " << i;
  }
  EXPECT_EQ(RowSet(sorted), RowSet(input));
}

TEST(SortTest, TopK) {
  std::mt19937_64 rng(6);
  Table input = test::RandomTable(rng, 1000, 30, false);
  Table top = RunToOne(input, Sort(Keys(), 25));
  ASSERT_EQ(top.num_rows(), 25);
  std::vector<std::string> expected = ReferenceSorted(input, 25);
  for (int64_t i = 0; i < 25; ++i) {
    EXPECT_EQ(top.column(1)->ValueToString(i),
              expected[i].substr(
                  expected[i].find('|') + 1,
                  expected[i].find('|', expected[i].find('|') + 1) - expected[i].find('|') - 1));
  }
}

TEST(SortTest, LimitStopsEarly) {
  std::mt19937_64 rng(7);
  Table input = test::RandomTable(rng, 5000, 30, false);
  Table limited = RunToOne(input, Limit(100));
  EXPECT_EQ(limited.num_rows(), 100);
  EXPECT_EQ(RowList(limited), RowList(input.Slice(0, 100)));
}

class AsofJoinTest : public ::testing::TestWithParam<int> {};

TEST_P(AsofJoinTest, LatestRightRowPerGroup) {
  // Quotes (right) and trades (left) per symbol; time is an int64.
  TableBuilder trades(test::MakeSchema({{"sym", DataType::Utf8()}, {"t", DataType::Int64()}}));
  TableBuilder quotes(test::MakeSchema(
      {{"sym", DataType::Utf8()}, {"t", DataType::Int64()}, {"bid", DataType::Int64()}}));
  std::mt19937_64 rng(8);
  std::vector<std::tuple<std::string, int64_t, int64_t>> quote_rows;
  for (int i = 0; i < 300; ++i) {
    std::string sym = "S" + std::to_string(rng() % 5);
    int64_t t = static_cast<int64_t>(rng() % 1000);
    quotes.column(0).AppendString(sym);
    quotes.column(1).AppendInt64(t);
    quotes.column(2).AppendInt64(i);
    quote_rows.emplace_back(sym, t, i);
  }
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    std::string sym = "S" + std::to_string(rng() % 6);  // S5 has no quotes
    int64_t t = static_cast<int64_t>(rng() % 1000);
    trades.column(0).AppendString(sym);
    trades.column(1).AppendInt64(t);
    int64_t best_t = -1, best_bid = -1;
    for (const auto& [qs, qt, bid] : quote_rows) {  // latest t <= trade t; ties: last seen
      if (qs == sym && qt <= t && qt >= best_t) {
        best_t = qt;
        best_bid = bid;
      }
    }
    expected.push_back(sym + "|" + std::to_string(t) + "|" +
                       (best_bid < 0 ? "null" : std::to_string(best_bid)));
  }
  std::sort(expected.begin(), expected.end());

  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream t = graph.NewInputReaderNode(VectorReader(test::Batches(trades.Finish(), 17)));
  Stream q =
      graph.NewInputReaderNode(VectorReader(test::Batches(quotes.Finish(), 13)), {.channels = 1});
  Dataset joined = graph.NewBlockingNode(
      {{0, {t, HashPartitionBy({"sym"})}}, {1, {q, HashPartitionBy({"sym"})}}},
      AsofJoin({"t", "t", {"sym"}, {"sym"}}), {.channels = GetParam()});
  graph.Run(test::QuietRun());
  EXPECT_EQ(RowSet(ToTable(joined)), expected);
}

INSTANTIATE_TEST_SUITE_P(Channels, AsofJoinTest, ::testing::Values(1, 2, 3, 8));

// Sort per channel over hash-partitioned input: every channel's output is sorted, and together
// they hold exactly the input rows.
class SortChannelsTest : public ::testing::TestWithParam<int> {};

TEST_P(SortChannelsTest, EveryChannelSortedAndNothingLost) {
  std::mt19937_64 rng(GetParam() + 40);
  Table input = test::RandomTable(rng, 1200, 30, true);
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream rows = graph.NewInputReaderNode(VectorReader(test::Batches(input, 41)));
  Dataset sorted = graph.NewBlockingNode({{0, {rows, HashPartitionBy({"name"})}}}, Sort(Keys()),
                                         {.channels = GetParam()});
  graph.Run(test::QuietRun());
  std::vector<Table> parts;
  for (int p = 0; p < sorted.num_partitions(); ++p) {
    for (const Object& object : sorted.Partition(p)) {
      const Table& part = object.As<Table>();
      // Sorted: the reference order of this part's rows equals its own order (by keys).
      std::vector<std::string> expected = ReferenceSorted(part, -1);
      std::vector<std::string> actual = RowList(part);
      ASSERT_EQ(actual.size(), expected.size());
      for (size_t i = 0; i + 1 < actual.size(); ++i) {
        const Column& val = *part.column(1);
        if (val.IsNull(i)) EXPECT_TRUE(val.IsNull(i + 1)) << "nulls last";
        if (!val.IsNull(i) && !val.IsNull(i + 1)) EXPECT_GE(val.GetInt64(i), val.GetInt64(i + 1));
      }
      parts.push_back(part);
    }
  }
  EXPECT_EQ(RowSet(Table::Concat(parts)), RowSet(input));
}

INSTANTIATE_TEST_SUITE_P(Channels, SortChannelsTest, ::testing::Values(1, 2, 3, 8));

// Union: Collect over two streams passes every row of both.
TEST(UnionTest, CollectOfTwoStreams) {
  std::mt19937_64 rng(77);
  Table a = test::RandomTable(rng, 300, 10, true), b = test::RandomTable(rng, 200, 10, true);
  for (int channels : {1, 2, 3, 8}) {
    LocalCluster cluster(2);
    TaskGraph graph(cluster);
    Stream sa = graph.NewInputReaderNode(VectorReader(test::Batches(a, 30)));
    Stream sb = graph.NewInputReaderNode(VectorReader(test::Batches(b, 30)));
    Dataset both = graph.NewBlockingNode(
        {{0, {sa, Partitioner::RoundRobin()}}, {1, {sb, Partitioner::RoundRobin()}}}, Collect(),
        {.channels = channels});
    graph.Run(test::QuietRun());
    EXPECT_EQ(RowSet(ToTable(both)), RowSet(Table::Concat({a, b})));
  }
}

TEST(SinkTest, CsvAndIpcFilesHoldTheStream) {
  std::mt19937_64 rng(9);
  Table input = test::RandomTable(rng, 500, 30, true);
  const auto dir = std::filesystem::temp_directory_path() / "quokka_sink_test";
  std::filesystem::remove_all(dir);
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream rows = graph.NewInputReaderNode(VectorReader(test::Batches(input, 50)));
  Dataset csv_files =
      graph.NewBlockingNode({{0, rows}}, CsvSink((dir / "csv").string()), {.channels = 2});
  Dataset ipc_files =
      graph.NewBlockingNode({{0, rows}}, IpcSink((dir / "ipc").string()), {.channels = 2});
  graph.Run(test::QuietRun());

  std::vector<Table> from_csv, from_ipc;
  for (const Object& path : csv_files) {
    CsvReadOptions options;
    options.column_types = {{"key", DataType::Int64()},
                            {"val", DataType::Int64()},
                            {"name", DataType::Utf8()},
                            {"price", DataType::Decimal(12, 2)}};
    from_csv.push_back(ReadCsv(path.As<std::string>(), options).ValueOrThrow());
  }
  for (const Object& path : ipc_files) {
    for (Table& table : ReadIpcFile(path.As<std::string>()).ValueOrThrow()) {
      from_ipc.push_back(std::move(table));
    }
  }
  EXPECT_EQ(RowSet(Table::Concat(from_ipc)), RowSet(input));
  EXPECT_EQ(RowSet(Table::Concat(from_csv)), RowSet(input));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace quokka

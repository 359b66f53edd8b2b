// HashAggregate, Count and Distinct against std::map references, channel counts 1, 2, 3, 8.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "executor_test_util.h"

namespace quokka {
namespace {

using test::RowSet;

template <typename E>
Table RunOne(const Table& input, E executor, int channels, bool by_key) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream rows = graph.NewInputReaderNode(VectorReader(test::Batches(input, 29)),
                                         {.name = "rows", .channels = 3});
  Source source =
      by_key ? Source(rows, HashPartitionBy({"key"})) : Source(rows, Partitioner::ToChannel(0));
  Dataset result = graph.NewBlockingNode({{0, source}}, std::move(executor),
                                         {.name = "op", .channels = channels});
  graph.Run(test::QuietRun());
  return ToTable(result);
}

struct Group {
  int64_t sum = 0, count = 0, count_all = 0, min = INT64_MAX, max = INT64_MIN;
  int64_t price_sum = 0;
  std::set<std::string> names;
};

std::string Render(const Group& g) {
  auto or_null = [&](int64_t v) { return g.count == 0 ? std::string("null") : std::to_string(v); };
  char mean[64] = "null";
  if (g.count > 0) {
    Table t = Table(test::MakeSchema({{"m", DataType::Float64()}}), {[&] {
                      ColumnBuilder b(DataType::Float64());
                      b.AppendDouble(static_cast<double>(g.sum) / static_cast<double>(g.count));
                      return b.Finish();
                    }()});
    std::snprintf(mean, sizeof(mean), "%s", t.column(0)->ValueToString(0).c_str());
  }
  return or_null(g.sum) + "|" + std::to_string(g.count) + "|" + std::to_string(g.count_all) + "|" +
         std::to_string(g.names.size()) + "|" + or_null(g.min) + "|" + or_null(g.max) + "|" + mean +
         "|" + FormatDecimal(g.price_sum, 2);
}

std::vector<Aggregate> AllAggregates() {
  return {{AggregateFunction::kSum, "val", "sum"},
          {AggregateFunction::kCount, "val", "count"},
          {AggregateFunction::kCountAll, "", "count_all"},
          {AggregateFunction::kCountDistinct, "name", "names"},
          {AggregateFunction::kMin, "val", "min"},
          {AggregateFunction::kMax, "val", "max"},
          {AggregateFunction::kMean, "val", "mean"},
          {AggregateFunction::kSum, "price", "price_sum"}};
}

class AggregateTest : public ::testing::TestWithParam<int> {};

TEST_P(AggregateTest, GroupedMatchesReference) {
  const int channels = GetParam();
  std::mt19937_64 rng(channels);
  Table input = test::RandomTable(rng, 2000, 50, true);
  std::map<std::string, Group> groups;
  for (int64_t r = 0; r < input.num_rows(); ++r) {
    std::string key = input.column(0)->IsNull(r) ? "null" : input.column(0)->ValueToString(r);
    Group& g = groups[key];
    ++g.count_all;
    g.names.insert(std::string(input.column(2)->GetString(r)));
    g.price_sum += input.column(3)->GetInt64(r);
    if (input.column(1)->IsNull(r)) continue;
    int64_t v = input.column(1)->GetInt64(r);
    g.sum += v;
    ++g.count;
    g.min = std::min(g.min, v);
    g.max = std::max(g.max, v);
  }
  std::vector<std::string> expected;
  for (const auto& [key, g] : groups) expected.push_back(key + "|" + Render(g));
  std::sort(expected.begin(), expected.end());

  Table actual = RunOne(input, HashAggregate({"key"}, AllAggregates()), channels, true);
  EXPECT_EQ(actual.schema()->field(8).type, DataType::Decimal(18, 2));
  EXPECT_EQ(RowSet(actual), expected);
}

TEST_P(AggregateTest, GlobalAggregate) {
  std::mt19937_64 rng(GetParam() + 100);
  Table input = test::RandomTable(rng, 1000, 10, false);
  Group g;
  for (int64_t r = 0; r < input.num_rows(); ++r) {
    ++g.count_all;
    g.names.insert(std::string(input.column(2)->GetString(r)));
    g.price_sum += input.column(3)->GetInt64(r);
    if (input.column(1)->IsNull(r)) continue;
    int64_t v = input.column(1)->GetInt64(r);
    g.sum += v;
    ++g.count;
    g.min = std::min(g.min, v);
    g.max = std::max(g.max, v);
  }
  Table actual = RunOne(input, HashAggregate({}, AllAggregates()), GetParam(), false);
  ASSERT_EQ(actual.num_rows(), 1);
  EXPECT_EQ(RowSet(actual), std::vector<std::string>{Render(g)});
}

TEST_P(AggregateTest, CountAndDistinct) {
  const int channels = GetParam();
  std::mt19937_64 rng(channels + 7);
  Table input = test::RandomTable(rng, 1500, 40, true);
  Table counts = RunOne(input, Count(), channels, true);
  int64_t total = 0;
  for (int64_t r = 0; r < counts.num_rows(); ++r) total += counts.column(0)->GetInt64(r);
  EXPECT_EQ(total, 1500);

  Table distinct = RunOne(input, Distinct({"key", "name"}), channels, true);
  std::set<std::string> expected;
  for (int64_t r = 0; r < input.num_rows(); ++r) {
    expected.insert((input.column(0)->IsNull(r) ? "null" : input.column(0)->ValueToString(r)) +
                    "|" + std::string(input.column(2)->GetString(r)));
  }
  std::set<std::string> actual;
  for (int64_t r = 0; r < distinct.num_rows(); ++r) {
    std::string row =
        (distinct.column(0)->IsNull(r) ? "null" : distinct.column(0)->ValueToString(r)) + "|" +
        std::string(distinct.column(2)->GetString(r));
    EXPECT_TRUE(actual.insert(row).second) << "duplicate " << row;
  }
  EXPECT_EQ(actual, expected);
}

INSTANTIATE_TEST_SUITE_P(Channels, AggregateTest, ::testing::Values(1, 2, 3, 8));

TEST(AggregateErrorTest, MissingColumnAndBadType) {
  auto table = Table::Empty(test::MakeSchema({{"k", DataType::Int64()}, {"s", DataType::Utf8()}}));
  ObjectList batch{Object::Make(table)};
  Output out;
  HashAggregate missing({"k"}, {{AggregateFunction::kSum, "nope", "x"}});
  EXPECT_THROW(missing.Execute(batch, 0, 0, out), Error);
  HashAggregate strings({"k"}, {{AggregateFunction::kSum, "s", "x"}});
  EXPECT_THROW(strings.Execute(batch, 0, 0, out), Error);
}

}  // namespace
}  // namespace quokka

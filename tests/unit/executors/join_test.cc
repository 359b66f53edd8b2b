// HashJoin against a nested-loop reference, for every join type, channel counts 1, 2, 3, 8,
// streaming symmetrically, building the right side first, and broadcasting it.
#include <gtest/gtest.h>

#include "executor_test_util.h"

namespace quokka {
namespace {

using test::RowSet;

// Nested loops: SQL semantics (null keys match nothing).
Table ReferenceJoin(const Table& left, const Table& right, JoinType type) {
  std::vector<Field> fields = left.schema()->fields();
  std::vector<int> right_columns;
  if (type == JoinType::kInner || type == JoinType::kLeft) {
    for (int c = 1; c < right.num_columns(); ++c) {  // column 0 is the right key
      fields.push_back(right.schema()->field(c));
      right_columns.push_back(c);
    }
  }
  TableBuilder builder(test::MakeSchema(fields));
  auto append_left = [&](int64_t l) {
    for (int c = 0; c < left.num_columns(); ++c) builder.column(c).AppendFrom(*left.column(c), l);
  };
  for (int64_t l = 0; l < left.num_rows(); ++l) {
    bool matched = false;
    for (int64_t r = 0; r < right.num_rows(); ++r) {
      const Column& lk = *left.column(0);
      const Column& rk = *right.column(0);
      if (lk.IsNull(l) || rk.IsNull(r) || lk.GetInt64(l) != rk.GetInt64(r)) continue;
      matched = true;
      if (type == JoinType::kInner || type == JoinType::kLeft) {
        append_left(l);
        for (size_t i = 0; i < right_columns.size(); ++i) {
          builder.column(left.num_columns() + i).AppendFrom(*right.column(right_columns[i]), r);
        }
      }
    }
    if ((type == JoinType::kSemi && matched) || (type == JoinType::kAnti && !matched)) {
      append_left(l);
    }
    if (type == JoinType::kLeft && !matched) {
      append_left(l);
      for (size_t i = 0; i < right_columns.size(); ++i) {
        builder.column(left.num_columns() + i).AppendNull();
      }
    }
  }
  return builder.Finish();
}

enum class Plan { kSymmetric, kBuildFirst, kBroadcast };

Table RunJoin(const Table& left, const Table& right, JoinType type, int channels, Plan plan) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream right_stream = graph.NewInputReaderNode(VectorReader(test::Batches(right, 37)),
                                                 {.name = "right", .channels = 3});
  NodeOptions left_options{.name = "left", .channels = 2};
  if (plan == Plan::kBuildFirst) left_options.depends_on = {right_stream};
  Stream left_stream =
      graph.NewInputReaderNode(VectorReader(test::Batches(left, 23)), left_options);
  JoinOptions options{{"l_key"}, {"r_key"}, type};
  Source left_source{left_stream, HashPartitionBy({"l_key"})};
  Source right_source{right_stream, HashPartitionBy({"r_key"})};
  if (plan == Plan::kBroadcast) {
    left_source = Source(left_stream, Partitioner::RoundRobin());
    right_source = Source(right_stream, Partitioner::Broadcast());
  }
  Dataset joined = graph.NewBlockingNode({{0, left_source}, {1, right_source}}, HashJoin(options),
                                         {.name = "join", .channels = channels});
  graph.Run(test::QuietRun());
  return ToTable(joined);
}

class JoinTest : public ::testing::TestWithParam<std::tuple<JoinType, int, Plan>> {};

TEST_P(JoinTest, MatchesNestedLoops) {
  auto [type, channels, plan] = GetParam();
  std::mt19937_64 rng(channels * 31 + static_cast<int>(type) * 7 + static_cast<int>(plan));
  Table left = test::RandomTable(rng, 400, 60, true, "l_");
  Table right = test::RandomTable(rng, 300, 80, true, "r_");
  Table expected = ReferenceJoin(left, right, type);
  Table actual = RunJoin(left, right, type, channels, plan);
  if (actual.num_rows() == 0 && expected.num_rows() == 0) return;
  ASSERT_TRUE(actual.schema()->Equals(*expected.schema()))
      << actual.schema()->ToString() << " vs " << expected.schema()->ToString();
  EXPECT_EQ(RowSet(actual), RowSet(expected));
  EXPECT_GT(expected.num_rows(), 0);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, JoinTest,
                         ::testing::Combine(::testing::Values(JoinType::kInner, JoinType::kLeft,
                                                              JoinType::kSemi, JoinType::kAnti),
                                            ::testing::Values(1, 2, 3, 8),
                                            ::testing::Values(Plan::kSymmetric, Plan::kBuildFirst,
                                                              Plan::kBroadcast)));

TEST(JoinErrorTest, KeyTypeMismatchNamesColumns) {
  auto left = Table::Empty(test::MakeSchema({{"a", DataType::Int64()}}));
  auto right = Table::Empty(test::MakeSchema({{"b", DataType::Utf8()}}));
  HashJoin join(JoinOptions{{"a"}, {"b"}});
  Output out;
  ObjectList left_batch{Object::Make(left)}, right_batch{Object::Make(right)};
  join.Execute(left_batch, 0, 0, out);
  try {
    join.Execute(right_batch, 1, 0, out);
    FAIL() << "expected a type error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("'a' is int64"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("'b' is utf8"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace quokka

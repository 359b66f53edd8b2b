// Tests for the built-in stateless executors: NewTask (MapTask), NewFilter (FilterTask), Collect.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "quokka/graph.h"
#include "test_util.h"

namespace quokka {
namespace {

TEST(TaskTest, MapAppliesFunctionToEveryObject) {
  LocalCluster cluster(3);
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, 1000), test::Named("numbers", 3));
  Stream labels = graph.NewTask(
      numbers,
      [](const Object& o) {
        return Object(std::string("n").append(std::to_string(o.As<int64_t>())));
      },
      test::Named("label"));
  Dataset collected = graph.NewBlockingNode({{0, labels}}, Collect(), test::Named("collect", 2));
  RunStats stats = graph.Run(test::Quiet());
  // Default channels of a task: its source's.
  EXPECT_EQ(stats.node("label").channels.size(), 3u);
  std::set<std::string> got;
  for (const Object& o : collected) got.insert(o.As<std::string>());
  std::set<std::string> expected;
  for (int i = 0; i < 1000; ++i) expected.insert(std::string("n").append(std::to_string(i)));
  EXPECT_EQ(got, expected);
  EXPECT_EQ(collected.size(), 1000u);
}

TEST(TaskTest, FilterKeepsMatchingObjects) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, 999), test::Named("numbers", 2));
  Stream multiples = graph.NewFilter(
      numbers, [](const Object& o) { return o.As<int64_t>() % 3 == 0; },
      test::Named("multiples_of_3"));
  Dataset sum = graph.NewBlockingNode({{0, multiples}}, test::SumExecutor(), test::Named("sum"));
  Dataset count =
      graph.NewBlockingNode({{0, multiples}}, test::CountExecutor(), test::Named("count"));
  graph.Run(test::Quiet());
  // 0 + 3 + ... + 996 = 3 * (0 + ... + 332).
  EXPECT_EQ(test::SumOf(sum), 3 * test::SumBelow(333));
  EXPECT_EQ(test::SumOf(count), 333);
}

TEST(TaskTest, CollectKeepsEverythingWithMultipleInputStreams) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream a = graph.NewInputReaderNode(RangeReader(0, 100), test::Named("a", 2));
  Stream b = graph.NewInputReaderNode(RangeReader(1000, 1050), test::Named("b", 1));
  Dataset both = graph.NewBlockingNode({{0, a}, {7, b}}, Collect(), test::Named("both", 1));
  graph.Run(test::Quiet());
  EXPECT_EQ(both.size(), 150u);
  EXPECT_EQ(test::SumOf(both), test::SumBelow(100) + test::SumBelow(1050) - test::SumBelow(1000));
}

TEST(TaskTest, ExecutorSeesItsStreamIds) {
  auto recording = std::make_shared<test::Recording>();
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream a = graph.NewInputReaderNode(RangeReader(0, 10), test::Named("a", 1));
  Stream b = graph.NewInputReaderNode(RangeReader(100, 120), test::Named("b", 2));
  graph.NewBlockingNode({{3, a}, {9, b}}, test::RecordingExecutor(recording),
                        test::Named("recorder", 1));
  graph.Run(test::Quiet());
  int64_t sum3 = 0, sum9 = 0, other = 0;
  for (const auto& event : recording->events) {
    if (event.stream_id == 3) {
      sum3 += event.object.As<int64_t>();
    } else if (event.stream_id == 9) {
      sum9 += event.object.As<int64_t>();
    } else {
      ++other;
    }
  }
  EXPECT_EQ(sum3, test::SumBelow(10));
  EXPECT_EQ(sum9, test::SumBelow(120) - test::SumBelow(100));
  EXPECT_EQ(other, 0);
  EXPECT_EQ(recording->done_calls[0], 1);
}

}  // namespace
}  // namespace quokka

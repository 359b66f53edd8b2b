// Tests for Dataset: partitions, order, iteration, lifetime and reuse in a later graph.

#include "quokka/dataset.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "quokka/graph.h"
#include "test_util.h"

namespace quokka {
namespace {

// Ignores its input; channel c emits c * 100 + k for k in [0, c + 1) in Done(), except that
// odd channels emit nothing (to exercise empty partitions).
class ShapeExecutor : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {}
  void Done(int channel, Output& out) override {
    if (channel % 2 == 1) return;
    for (int k = 0; k <= channel; ++k) out.Emit(Object(channel * 100 + k));
  }
};

ObjectList ExpectedPartition(int channel) {
  ObjectList objects;
  if (channel % 2 == 1) return objects;
  for (int k = 0; k <= channel; ++k) objects.push_back(Object(channel * 100 + k));
  return objects;
}

TEST(DatasetTest, PartitionsHoldEachChannelsOutputInOrder) {
  const int channels = 6;
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream input = graph.NewInputReaderNode(RangeReader(0, 10), test::Named("input", 2));
  Dataset dataset =
      graph.NewBlockingNode({{0, input}}, ShapeExecutor(), test::Named("shaped", channels));
  EXPECT_FALSE(dataset.produced());
  graph.Run(test::Quiet(2));
  EXPECT_TRUE(dataset.produced());
  EXPECT_EQ(dataset.node_name(), "shaped");
  ASSERT_EQ(dataset.num_partitions(), channels);
  ObjectList expected_all;
  for (int c = 0; c < channels; ++c) {
    EXPECT_EQ(dataset.Partition(c), ExpectedPartition(c)) << "partition " << c;
    EXPECT_FALSE(dataset.machine(c).empty());
    for (const Object& o : ExpectedPartition(c)) expected_all.push_back(o);
  }
  // 1 + 3 + 5 objects from channels 0, 2, 4.
  EXPECT_EQ(dataset.size(), 9u);
  EXPECT_FALSE(dataset.empty());
  EXPECT_EQ(dataset.ToList(), expected_all);

  ObjectList iterated;
  for (const Object& object : dataset) iterated.push_back(object);
  EXPECT_EQ(iterated, expected_all);
  EXPECT_FALSE(dataset.ToString().empty());
}

TEST(DatasetTest, StreamedObjectsKeepEmissionOrderPerPartition) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream input = graph.NewInputReaderNode(RangeReader(0, 3000), test::Named("input", 3));
  // Default partitioning 3 -> 3: partition i holds reader channel i's block, in order.
  Dataset dataset = graph.NewBlockingNode({{0, input}}, Collect(), test::Named("collect", 3));
  graph.Run(test::Quiet(2));
  ASSERT_EQ(dataset.num_partitions(), 3);
  EXPECT_EQ(dataset.size(), 3000u);
  ObjectList all = dataset.ToList();
  ASSERT_EQ(all.size(), 3000u);
  for (int64_t i = 0; i < 3000; ++i) ASSERT_EQ(all[i].As<int64_t>(), i);
}

TEST(DatasetTest, EmptyDataset) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream input = graph.NewInputReaderNode(RangeReader(0, 0), test::Named("nothing", 2));
  Dataset dataset = graph.NewBlockingNode({{0, input}}, Collect(), test::Named("collect", 3));
  graph.Run(test::Quiet(2));
  EXPECT_EQ(dataset.num_partitions(), 3);
  EXPECT_EQ(dataset.size(), 0u);
  EXPECT_TRUE(dataset.empty());
  EXPECT_TRUE(dataset.ToList().empty());
  EXPECT_TRUE(dataset.begin() == dataset.end());
  int count = 0;
  for (const Object& object : dataset) {
    (void)object;
    ++count;
  }
  EXPECT_EQ(count, 0);
}

TEST(DatasetTest, OutlivesItsGraph) {
  LocalCluster cluster(2);
  std::optional<Dataset> dataset;
  {
    TaskGraph graph(cluster);
    Stream input = graph.NewInputReaderNode(RangeReader(0, 500), test::Named("input", 2));
    dataset = graph.NewBlockingNode({{0, input}}, Collect(), test::Named("collect", 2));
    graph.Run(test::Quiet(2));
  }
  ASSERT_TRUE(dataset.has_value());
  EXPECT_EQ(dataset->size(), 500u);
  EXPECT_EQ(test::SumOf(*dataset), test::SumBelow(500));
  Dataset copy = *dataset;  // a cheap shared handle
  dataset.reset();
  EXPECT_EQ(copy.size(), 500u);
  EXPECT_EQ(copy.Partition(0).front().As<int64_t>(), 0);
}

TEST(DatasetTest, ReadInASecondGraph) {
  LocalCluster cluster(3);
  Dataset first_output = [&] {
    TaskGraph graph(cluster);
    Stream input = graph.NewInputReaderNode(RangeReader(0, 1000), test::Named("input", 3));
    Stream squares = graph.NewTask(
        input, [](const Object& o) { return Object(o.As<int64_t>() * o.As<int64_t>()); },
        test::Named("square", 3));
    Dataset dataset = graph.NewBlockingNode({{0, squares}}, Collect(), test::Named("squares", 4));
    graph.Run(test::Quiet(3));
    return dataset;
  }();
  ASSERT_EQ(first_output.size(), 1000u);

  TaskGraph second(cluster);
  Stream reread = second.NewInputDataset(first_output, test::Named("reread"));
  Dataset sum = second.NewBlockingNode({{0, reread}}, test::SumExecutor(), test::Named("sum", 2));
  Dataset copy = second.NewBlockingNode({{0, reread}}, Collect(), test::Named("copy", 1));
  RunStats stats = second.Run(test::Quiet(3));
  // Sum of squares 0..999 = (n-1) n (2n-1) / 6 with n = 1000.
  EXPECT_EQ(test::SumOf(sum), int64_t{999} * 1000 * 1999 / 6);
  // One reader channel per partition of the input dataset.
  EXPECT_EQ(stats.node("reread").channels.size(), 4u);
  EXPECT_EQ(stats.node("reread").objects_out(), 1000u);
  // Every object of the input dataset is read exactly once.
  std::multiset<int64_t> original, copied;
  for (const Object& o : first_output) original.insert(o.As<int64_t>());
  for (const Object& o : copy) copied.insert(o.As<int64_t>());
  EXPECT_EQ(copied, original);
}

}  // namespace
}  // namespace quokka

// Tests for RunStats (per node, per channel) and TaskGraph::Explain().

#include <gtest/gtest.h>

#include <string>

#include "quokka/graph.h"
#include "quokka/stats.h"
#include "test_util.h"

namespace quokka {
namespace {

// Emits every object it receives twice.
class Duplicate : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) {
      out.Emit(object);
      out.Emit(object);
    }
  }
};

TEST(StatsTest, CountsObjectsPerNodeAndChannel) {
  const int64_t n = 3000;
  LocalCluster cluster(4);
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, n), test::Named("numbers", 3));
  Stream evens = graph.NewFilter(
      numbers, [](const Object& o) { return o.As<int64_t>() % 2 == 0; }, test::Named("evens", 3));
  Stream plus_one = graph.NewTask(
      evens, [](const Object& o) { return Object(o.As<int64_t>() + 1); },
      test::Named("plus_one", 3));
  Stream doubled = graph.NewNonBlockingNode({{0, Source(plus_one, Partitioner::RoundRobin())}},
                                            Duplicate(), test::Named("duplicate", 2));
  Dataset sum = graph.NewBlockingNode({{0, doubled}}, test::SumExecutor(), test::Named("sum", 1));
  RunStats stats = graph.Run(test::Quiet(3));

  // Evens 0, 2, ..., 2998 plus one, twice.
  int64_t expected_sum = 2 * (2 * test::SumBelow(n / 2) + n / 2);
  EXPECT_EQ(test::SumOf(sum), expected_sum);

  EXPECT_EQ(stats.threads, 3);
  EXPECT_GE(stats.wall_seconds, 0.0);
  EXPECT_EQ(stats.nodes.size(), 5u);

  const NodeStats& reader = stats.node("numbers");
  EXPECT_EQ(reader.name, "numbers");
  EXPECT_EQ(reader.kind, "reader");
  ASSERT_EQ(reader.channels.size(), 3u);
  EXPECT_EQ(reader.objects_out(), static_cast<uint64_t>(n));
  EXPECT_EQ(reader.objects_in(), 0u);
  uint64_t per_channel_total = 0;
  for (size_t i = 0; i < reader.channels.size(); ++i) {
    EXPECT_EQ(reader.channels[i].channel, static_cast<int>(i));
    EXPECT_EQ(reader.channels[i].objects_in, 0u);
    per_channel_total += reader.channels[i].objects_out;
  }
  EXPECT_EQ(per_channel_total, static_cast<uint64_t>(n));
  EXPECT_GT(reader.channels[0].bytes_out, 0u);

  const NodeStats& filter = stats.node("evens");
  EXPECT_EQ(filter.objects_in(), static_cast<uint64_t>(n));
  EXPECT_EQ(filter.objects_out(), static_cast<uint64_t>(n / 2));

  const NodeStats& task = stats.node("plus_one");
  EXPECT_EQ(task.kind, "task");
  EXPECT_EQ(task.objects_in(), static_cast<uint64_t>(n / 2));
  EXPECT_EQ(task.objects_out(), static_cast<uint64_t>(n / 2));

  const NodeStats& duplicate = stats.node("duplicate");
  EXPECT_EQ(duplicate.kind, "non-blocking");
  ASSERT_EQ(duplicate.channels.size(), 2u);
  EXPECT_EQ(duplicate.objects_in(), static_cast<uint64_t>(n / 2));
  EXPECT_EQ(duplicate.objects_out(), static_cast<uint64_t>(n));
  for (const ChannelStats& channel : duplicate.channels) {
    EXPECT_EQ(channel.objects_out, 2 * channel.objects_in);
    EXPECT_GE(channel.batches_in, 1u);
    EXPECT_LE(channel.batches_in, channel.objects_in);
    EXPECT_FALSE(channel.finished_early);
  }

  const NodeStats& sink = stats.node("sum");
  EXPECT_EQ(sink.kind, "blocking");
  ASSERT_EQ(sink.channels.size(), 1u);
  EXPECT_EQ(sink.objects_in(), static_cast<uint64_t>(n));
  EXPECT_EQ(sink.objects_out(), 1u);  // the sum emitted in Done()

  std::string table = stats.ToString();
  for (const char* name : {"numbers", "evens", "plus_one", "duplicate", "sum"}) {
    QK_EXPECT_CONTAINS(table, name);
  }
  EXPECT_FALSE(stats.ToString(true).empty());
}

TEST(StatsTest, UnknownNodeThrows) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, 10), test::Named("numbers"));
  graph.NewBlockingNode({{0, numbers}}, test::SumExecutor(), test::Named("sum"));
  RunStats stats = graph.Run(test::Quiet());
  std::optional<Error> error = test::CatchError([&] { (void)stats.node("no_such_node"); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(error->status().message(), "no_such_node");
}

TEST(StatsTest, DefaultChannelCountsFollowTheCluster) {
  // LocalCluster(cores): readers get `cores` channels, operators one.
  for (int cores : {1, 3}) {
    LocalCluster cluster(cores);
    TaskGraph graph(cluster);
    Stream numbers = graph.NewInputReaderNode(RangeReader(0, 80), test::Named("numbers"));
    Dataset sum = graph.NewBlockingNode({{0, numbers}}, test::SumExecutor(), test::Named("sum"));
    RunStats stats = graph.Run(test::Quiet());
    EXPECT_EQ(stats.node("numbers").channels.size(), static_cast<size_t>(cores));
    EXPECT_EQ(stats.node("sum").channels.size(), 1u);
    EXPECT_EQ(sum.num_partitions(), 1);
    EXPECT_EQ(stats.threads, cores);  // threads = 0 means the cluster's cores
    EXPECT_EQ(test::SumOf(sum), 3160);
  }
}

TEST(ExplainTest, DotNamesEveryNode) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream lines = graph.NewInputReaderNode(RangeReader(0, 100), test::Named("line_reader"));
  Stream keyed = graph.NewTask(
      lines, [](const Object& o) { return o; }, test::Named("keyer"));
  Stream hashed = graph.NewNonBlockingNode(
      {{0, Source(keyed, Partitioner::HashBy([](const Object& o) { return o; }))}}, Duplicate(),
      test::Named("shuffler", 2));
  graph.NewBlockingNode({{0, Source(hashed, Partitioner::Broadcast())}}, Collect(),
                        test::Named("collector", 2));
  graph.Create();
  std::string dot = graph.Explain();
  QK_EXPECT_CONTAINS(dot, "digraph");
  for (const char* name : {"line_reader", "keyer", "shuffler", "collector"}) {
    QK_EXPECT_CONTAINS(dot, name);
  }
  EXPECT_NE(dot.find('{'), std::string::npos);
  EXPECT_NE(dot.find("->"), std::string::npos);
  // Explain does not disturb running the graph.
  EXPECT_NO_THROW(graph.Run(test::Quiet()));
}

}  // namespace
}  // namespace quokka

// Tests that a fast producer is parked rather than exceed the memory budget.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "quokka/graph.h"
#include "test_util.h"

namespace quokka {
namespace {

constexpr size_t kPayload = 1024;

// A fast reader: every channel yields `per_channel` strings of kPayload bytes.
GeneratorReader PayloadReader(int64_t per_channel) {
  return GeneratorReader([per_channel](int64_t index, int channel, int) -> std::optional<Object> {
    if (index >= per_channel) return std::nullopt;
    return Object(std::string(kPayload, static_cast<char>('a' + (index + channel) % 26)));
  });
}

// A deliberately slow consumer: sleeps on every Execute() call; counts objects and bytes.
class SlowCounter : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    for (const Object& object : batches) {
      count_ += 1;
      bytes_ += static_cast<int64_t>(object.As<std::string>().size());
    }
  }
  void Done(int channel, Output& out) override {
    out.Emit(Object(ObjectList{Object(count_), Object(bytes_)}));
  }

 private:
  int64_t count_ = 0, bytes_ = 0;
};

uint64_t Stalls(const NodeStats& node) {
  uint64_t stalls = 0;
  for (const ChannelStats& channel : node.channels) stalls += channel.backpressure_stalls;
  return stalls;
}

void RunSlowConsumer(int reader_channels, int consumer_channels, int threads, int64_t per_channel,
                     uint64_t budget) {
  LocalCluster cluster(4);
  TaskGraph graph(cluster);
  Stream source = graph.NewInputReaderNode(PayloadReader(per_channel),
                                           test::Named("fast_reader", reader_channels));
  Dataset counts = graph.NewBlockingNode({{0, source}}, SlowCounter(),
                                         test::Named("slow_consumer", consumer_channels));
  RunStats stats = graph.Run(test::Quiet(threads, budget));

  int64_t count = 0, bytes = 0;
  for (const Object& object : counts) {
    count += object.As<ObjectList>()[0].As<int64_t>();
    bytes += object.As<ObjectList>()[1].As<int64_t>();
  }
  const int64_t total = reader_channels * per_channel;
  EXPECT_EQ(count, total);
  EXPECT_EQ(bytes, total * static_cast<int64_t>(kPayload));

  EXPECT_EQ(stats.memory_budget_bytes, budget);
  EXPECT_GT(stats.peak_queued_bytes, 0u);
  EXPECT_LE(stats.peak_queued_bytes, budget) << "the reader produced " << total * kPayload
                                             << " bytes; at most " << budget << " may be queued";
  EXPECT_GT(Stalls(stats.node("fast_reader")), 0u) << stats.ToString(true);
  EXPECT_EQ(stats.node("fast_reader").objects_out(), static_cast<uint64_t>(total));
  EXPECT_EQ(stats.node("slow_consumer").objects_in(), static_cast<uint64_t>(total));
}

TEST(BackpressureTest, SlowConsumerParksFastReader) {
  // 2 MB produced, 64 KB budget.
  RunSlowConsumer(/*reader_channels=*/1, /*consumer_channels=*/1, /*threads=*/2,
                  /*per_channel=*/2000, /*budget=*/uint64_t{64} << 10);
}

TEST(BackpressureTest, ManyLinksShareTheBudget) {
  // 4 readers x 2 consumers = 4 links (default partitioning); 2 MB produced, 96 KB budget.
  RunSlowConsumer(/*reader_channels=*/4, /*consumer_channels=*/2, /*threads=*/4,
                  /*per_channel=*/500, /*budget=*/uint64_t{96} << 10);
}

TEST(BackpressureTest, QueueDepthIsReported) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream source = graph.NewInputReaderNode(PayloadReader(300), test::Named("reader", 1));
  graph.NewBlockingNode({{0, source}}, SlowCounter(), test::Named("consumer", 1));
  RunStats stats = graph.Run(test::Quiet(2, uint64_t{32} << 10));
  uint64_t depth = stats.node("consumer").channels.at(0).max_queue_depth;
  EXPECT_GE(depth, 1u);
  // 32 KB of 1 KB objects: never more than about 32 queued.
  EXPECT_LE(depth, 33u);
}

}  // namespace
}  // namespace quokka

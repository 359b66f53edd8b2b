// Tests for NodeOptions::depends_on: a node's channels start only after its dependencies end.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "quokka/graph.h"
#include "test_util.h"

namespace quokka {
namespace {

// Records the order of stream ids; emits {objects of stream 0, of stream 1, stream-0 objects
// that arrived after a stream-1 object}.
class StreamOrderRecorder : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (size_t i = 0; i < batches.size(); ++i) {
      if (stream_id == 0) {
        ++count0_;
        if (count1_ > 0) ++late0_;
      } else {
        ++count1_;
      }
    }
  }
  void Done(int channel, Output& out) override {
    out.Emit(Object(ObjectList{Object(count0_), Object(count1_), Object(late0_)}));
  }

 private:
  int64_t count0_ = 0, count1_ = 0, late0_ = 0;
};

// A reader whose channels yield `per_channel` numbers, sleeping now and then so that it is
// still running when an independent node would already have started.
GeneratorReader SlowReader(int64_t per_channel, int64_t value) {
  return GeneratorReader([per_channel, value](int64_t index, int, int) -> std::optional<Object> {
    if (index >= per_channel) return std::nullopt;
    if (index % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return Object(value);
  });
}

TEST(DependencyTest, DependentReaderStartsAfterItsDependencyFinished) {
  const int64_t per_channel = 1000;
  LocalCluster cluster(4);
  for (int round = 0; round < 3; ++round) {
    TaskGraph graph(cluster);
    Stream a = graph.NewInputReaderNode(SlowReader(per_channel, 1), test::Named("A", 3));
    NodeOptions b_options = test::Named("B", 3);
    b_options.depends_on = {a};
    Stream b = graph.NewInputReaderNode(SlowReader(per_channel, 2), b_options);
    Dataset order =
        graph.NewBlockingNode({{0, a}, {1, b}}, StreamOrderRecorder(), test::Named("recorder", 1));
    graph.Run(test::Quiet(4));
    ASSERT_EQ(order.size(), 1u);
    const ObjectList& fields = order.Partition(0).at(0).As<ObjectList>();
    EXPECT_EQ(fields[0].As<int64_t>(), 3 * per_channel);
    EXPECT_EQ(fields[1].As<int64_t>(), 3 * per_channel);
    EXPECT_EQ(fields[2].As<int64_t>(), 0) << "objects of A arrived after objects of B";
  }
}

// Counts finished channels of the dependency in Done().
class DoneCounter : public Executor {
 public:
  explicit DoneCounter(std::shared_ptr<std::atomic<int>> done) : done_(std::move(done)) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  void Done(int channel, Output& out) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    done_->fetch_add(1);
  }

 private:
  std::shared_ptr<std::atomic<int>> done_;
};

TEST(DependencyTest, DependingOnABlockingNodeWaitsForAllItsChannels) {
  LocalCluster cluster(4);
  auto done = std::make_shared<std::atomic<int>>(0);
  auto early_starts = std::make_shared<std::atomic<int>>(0);
  TaskGraph graph(cluster);
  Stream a = graph.NewInputReaderNode(RangeReader(0, 2000), test::Named("A", 2));
  Dataset finished = graph.NewBlockingNode({{0, Source(a, Partitioner::RoundRobin())}},
                                           DoneCounter(done), test::Named("slow_sink", 3));
  NodeOptions b_options = test::Named("B", 3);
  b_options.depends_on = {finished};
  Stream b = graph.NewInputReaderNode(
      GeneratorReader([done, early_starts](int64_t index, int, int) -> std::optional<Object> {
        if (index == 0 && done->load() != 3) early_starts->fetch_add(1);
        if (index >= 10) return std::nullopt;
        return Object(index);
      }),
      b_options);
  Dataset b_sum = graph.NewBlockingNode({{0, b}}, test::SumExecutor(), test::Named("b_sum", 1));
  graph.Run(test::Quiet(4));
  EXPECT_EQ(early_starts->load(), 0) << "B started before every channel of slow_sink was done";
  EXPECT_EQ(done->load(), 3);
  EXPECT_EQ(test::SumOf(b_sum), 3 * test::SumBelow(10));
}

TEST(DependencyTest, ChainOfDependencies) {
  // C depends on B, B depends on A; every reader records a global step when it starts.
  LocalCluster cluster(4);
  auto clock = std::make_shared<std::atomic<int>>(0);
  auto make_reader = [clock](std::shared_ptr<std::atomic<int>> first_step,
                             std::shared_ptr<std::atomic<int>> last_step) {
    return GeneratorReader(
        [clock, first_step, last_step](int64_t index, int, int) -> std::optional<Object> {
          int step = clock->fetch_add(1);
          if (index == 0) {
            int expected = -1;
            first_step->compare_exchange_strong(expected, step);
          }
          int previous = last_step->load();
          while (step > previous && !last_step->compare_exchange_weak(previous, step)) {
          }
          if (index >= 200) return std::nullopt;
          return Object(index);
        });
  };
  std::vector<std::shared_ptr<std::atomic<int>>> first, last;
  for (int i = 0; i < 3; ++i) {
    first.push_back(std::make_shared<std::atomic<int>>(-1));
    last.push_back(std::make_shared<std::atomic<int>>(-1));
  }
  TaskGraph graph(cluster);
  Stream a = graph.NewInputReaderNode(make_reader(first[0], last[0]), test::Named("A", 2));
  NodeOptions b_options = test::Named("B", 2);
  b_options.depends_on = {a};
  Stream b = graph.NewInputReaderNode(make_reader(first[1], last[1]), b_options);
  NodeOptions c_options = test::Named("C", 2);
  c_options.depends_on = {b};
  Stream c = graph.NewInputReaderNode(make_reader(first[2], last[2]), c_options);
  Dataset sum =
      graph.NewBlockingNode({{0, a}, {1, b}, {2, c}}, test::SumExecutor(), test::Named("sum", 1));
  graph.Run(test::Quiet(4));
  EXPECT_EQ(test::SumOf(sum), 3 * 2 * test::SumBelow(200));
  EXPECT_GT(first[1]->load(), last[0]->load()) << "B started before A finished";
  EXPECT_GT(first[2]->load(), last[1]->load()) << "C started before B finished";
}

}  // namespace
}  // namespace quokka

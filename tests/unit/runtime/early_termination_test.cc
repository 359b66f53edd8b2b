// Tests for Output::FinishEarly(): a limit stops its channel and, transitively, the reader.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "quokka/graph.h"
#include "test_util.h"

namespace quokka {
namespace {

constexpr int64_t kTenMillion = 10'000'000;

// Passes through the first `limit` numbers it sees, then finishes early. Counts contract
// violations (Execute after FinishEarly, Done twice) and reports them in a trailing string
// "summary:<execute calls after finishing>:<done calls>" emitted from Done().
class LimitExecutor : public Executor {
 public:
  explicit LimitExecutor(int64_t limit) : limit_(limit) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    if (finished_) ++calls_after_finish_;
    for (Object& object : batches) {
      if (emitted_ >= limit_) break;
      out.Emit(std::move(object));
      ++emitted_;
    }
    if (emitted_ >= limit_) {
      finished_ = true;
      out.FinishEarly();
    }
  }
  void Done(int channel, Output& out) override {
    ++done_calls_;
    out.Emit(Object(std::string("summary:").append(std::to_string(calls_after_finish_)) + ":" +
                    std::to_string(done_calls_)));
  }

 private:
  int64_t limit_;
  int64_t emitted_ = 0;
  bool finished_ = false;
  int64_t calls_after_finish_ = 0;
  int64_t done_calls_ = 0;
};

struct LimitOutput {
  std::vector<int64_t> numbers;
  std::vector<std::string> summaries;
};

LimitOutput Split(const Dataset& dataset) {
  LimitOutput output;
  for (const Object& object : dataset) {
    if (object.Is<std::string>()) {
      output.summaries.push_back(object.As<std::string>());
    } else {
      output.numbers.push_back(object.As<int64_t>());
    }
  }
  return output;
}

TEST(EarlyTerminationTest, LimitStopsTheReader) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream numbers =
      graph.NewInputReaderNode(RangeReader(0, kTenMillion), test::Named("ten_million", 1));
  Dataset limited =
      graph.NewBlockingNode({{0, numbers}}, LimitExecutor(100), test::Named("limit", 1));
  auto start = std::chrono::steady_clock::now();
  RunStats stats = graph.Run(test::Quiet(2));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  LimitOutput output = Split(limited);
  ASSERT_EQ(output.numbers.size(), 100u);
  for (int64_t i = 0; i < 100; ++i) EXPECT_EQ(output.numbers[i], i);
  EXPECT_EQ(output.summaries, std::vector<std::string>{"summary:0:1"});

  uint64_t read = stats.node("ten_million").objects_out();
  RecordProperty("reader_objects_out", std::to_string(read));
  EXPECT_GE(read, 100u);
  // Typically about a thousand; the margin absorbs a busy machine descheduling the limit.
  EXPECT_LT(read, 2'500'000u) << "the reader kept reading after its only consumer finished";
  EXPECT_TRUE(stats.node("limit").channels.at(0).finished_early);
  EXPECT_LT(seconds, 60.0);
}

TEST(EarlyTerminationTest, AllReaderChannelsStop) {
  LocalCluster cluster(4);
  TaskGraph graph(cluster);
  // Batches of 16: 625k batches over 4 channels.
  Stream numbers =
      graph.NewInputReaderNode(RangeReader(0, kTenMillion, 16), test::Named("ten_million", 4));
  Dataset limited =
      graph.NewBlockingNode({{0, numbers}}, LimitExecutor(50), test::Named("limit", 1));
  RunStats stats = graph.Run(test::Quiet(2));
  // The limit counts batches here (each is one object).
  size_t batches = 0;
  for (const Object& object : limited) batches += object.Is<std::vector<int64_t>>() ? 1 : 0;
  EXPECT_EQ(batches, 50u);
  uint64_t read = stats.node("ten_million").objects_out();
  RecordProperty("reader_objects_out", std::to_string(read));
  // 625,000 batches exist. Readers check for departed consumers every few hundred objects,
  // but how far they get also depends on the OS scheduling the limit's thread on a busy
  // machine, so only require that most of the input was never read.
  EXPECT_LT(read, 312'500u) << "readers read more than half of their input";
}

TEST(EarlyTerminationTest, ReaderContinuesWhileAnotherConsumerWantsData) {
  const int64_t n = 50'000;
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, n), test::Named("numbers", 2));
  Dataset limited =
      graph.NewBlockingNode({{0, numbers}}, LimitExecutor(10), test::Named("limit", 1));
  Dataset counted =
      graph.NewBlockingNode({{0, numbers}}, test::CountExecutor(), test::Named("count", 1));
  Dataset summed =
      graph.NewBlockingNode({{0, numbers}}, test::SumExecutor(), test::Named("sum", 1));
  RunStats stats = graph.Run(test::Quiet(2));
  EXPECT_EQ(Split(limited).numbers.size(), 10u);
  EXPECT_EQ(test::SumOf(counted), n);
  EXPECT_EQ(test::SumOf(summed), test::SumBelow(n));
  EXPECT_EQ(stats.node("numbers").objects_out(), static_cast<uint64_t>(n));
}

TEST(EarlyTerminationTest, EachChannelFinishesOnItsOwn) {
  // Round-robin over 3 limit channels: each passes exactly `limit` and then finishes.
  LocalCluster cluster(4);
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, kTenMillion), test::Named("numbers", 2));
  Dataset limited = graph.NewBlockingNode({{0, Source(numbers, Partitioner::RoundRobin())}},
                                          LimitExecutor(25), test::Named("limit", 3));
  RunStats stats = graph.Run(test::Quiet(4));
  ASSERT_EQ(limited.num_partitions(), 3);
  for (int p = 0; p < 3; ++p) {
    size_t numbers_in_partition = 0, summaries = 0;
    for (const Object& object : limited.Partition(p)) {
      if (object.Is<std::string>()) {
        ++summaries;
        EXPECT_EQ(object.As<std::string>(), "summary:0:1") << "partition " << p;
      } else {
        ++numbers_in_partition;
      }
    }
    EXPECT_EQ(numbers_in_partition, 25u) << "partition " << p;
    EXPECT_EQ(summaries, 1u) << "partition " << p;
  }
  EXPECT_LT(stats.node("numbers").objects_out(), 5'000'000u);
}

TEST(EarlyTerminationTest, FinishEarlyInTheFirstCallStillCallsDone) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, 1000), test::Named("numbers", 2));
  Dataset limited =
      graph.NewBlockingNode({{0, numbers}}, LimitExecutor(0), test::Named("limit", 1));
  graph.Run(test::Quiet(2));
  LimitOutput output = Split(limited);
  EXPECT_TRUE(output.numbers.empty());
  EXPECT_EQ(output.summaries, std::vector<std::string>{"summary:0:1"});
}

}  // namespace
}  // namespace quokka

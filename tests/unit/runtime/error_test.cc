// Tests that failures in user code stop the run and surface as quokka::Error with the node,
// channel and original message, without hanging, and that the cluster stays usable.

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "quokka/graph.h"
#include "test_util.h"

namespace quokka {
namespace {

// Throws std::runtime_error(message) when `channel` sees the number `at` (or in Done when
// in_done is set).
class ThrowingExecutor : public Executor {
 public:
  ThrowingExecutor(int channel, int64_t at, bool in_done, std::string message)
      : channel_(channel), at_(at), in_done_(in_done), message_(std::move(message)) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) {
      sum_ += object.As<int64_t>();
      if (!in_done_ && channel == channel_ && object.As<int64_t>() == at_) {
        throw std::runtime_error(message_);
      }
    }
  }
  void Done(int channel, Output& out) override {
    if (in_done_ && channel == channel_) throw std::runtime_error(message_);
    out.Emit(sum_);
  }

 private:
  int channel_;
  int64_t at_;
  bool in_done_;
  std::string message_;
  int64_t sum_ = 0;
};

void ExpectErrorMentions(const std::optional<Error>& error, const std::string& node, int channel,
                         const std::string& message) {
  ASSERT_TRUE(error.has_value()) << "Run() did not throw quokka::Error";
  for (const std::string& text : {std::string(error->what()), error->status().message()}) {
    QK_EXPECT_CONTAINS(text, node);
    QK_EXPECT_CONTAINS(text, std::string("channel ").append(std::to_string(channel)));
    QK_EXPECT_CONTAINS(text, message);
  }
}

// The cluster must still run a normal graph correctly.
void ExpectClusterStillWorks(const Cluster& cluster) {
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, 80), test::Named("after_numbers"));
  Dataset sum =
      graph.NewBlockingNode({{0, numbers}}, test::SumExecutor(), test::Named("after_sum"));
  graph.Run(test::Quiet());
  EXPECT_EQ(test::SumOf(sum), 3160);
}

TEST(RunErrorTest, ExceptionInReaderNext) {
  LocalCluster cluster(4);
  std::optional<Error> error = test::CatchError([&] {
    TaskGraph graph(cluster);
    Stream numbers = graph.NewInputReaderNode(
        GeneratorReader([](int64_t index, int channel, int) -> std::optional<Object> {
          if (channel == 2 && index == 5) throw std::runtime_error("reader exploded here");
          if (index >= 1000) return std::nullopt;
          return Object(index);
        }),
        test::Named("exploding_reader", 4));
    graph.NewBlockingNode({{0, numbers}}, test::SumExecutor(), test::Named("sum", 2));
    graph.Run(test::Quiet(4));
  });
  ExpectErrorMentions(error, "exploding_reader", 2, "reader exploded here");
  ExpectClusterStillWorks(cluster);
}

TEST(RunErrorTest, ExceptionInExecute) {
  LocalCluster cluster(4);
  std::optional<Error> error = test::CatchError([&] {
    TaskGraph graph(cluster);
    Stream numbers = graph.NewInputReaderNode(RangeReader(0, 10000), test::Named("numbers", 2));
    // Number x goes to channel x % 3, so 4321 reaches channel 1.
    Partitioner modulo =
        Partitioner::Custom([](const Object& o, int, int consumers, std::vector<Target>& out) {
          out.push_back({static_cast<int>(o.As<int64_t>() % consumers), o});
        });
    graph.NewBlockingNode({{0, Source(numbers, modulo)}},
                          ThrowingExecutor(1, 4321, false, "execute blew up"),
                          test::Named("faulty_execute", 3));
    graph.Run(test::Quiet(4));
  });
  ExpectErrorMentions(error, "faulty_execute", 1, "execute blew up");
  ExpectClusterStillWorks(cluster);
}

TEST(RunErrorTest, ExceptionInDone) {
  LocalCluster cluster(4);
  std::optional<Error> error = test::CatchError([&] {
    TaskGraph graph(cluster);
    Stream numbers = graph.NewInputReaderNode(RangeReader(0, 1000), test::Named("numbers", 2));
    graph.NewBlockingNode({{0, Source(numbers, Partitioner::Broadcast())}},
                          ThrowingExecutor(2, -1, true, "done went wrong"),
                          test::Named("faulty_done", 3));
    graph.Run(test::Quiet(4));
  });
  ExpectErrorMentions(error, "faulty_done", 2, "done went wrong");
  ExpectClusterStillWorks(cluster);
}

TEST(RunErrorTest, ExceptionInNonBlockingNodeWithDownstream) {
  LocalCluster cluster(4);
  std::optional<Error> error = test::CatchError([&] {
    TaskGraph graph(cluster);
    Stream numbers = graph.NewInputReaderNode(RangeReader(0, 5000), test::Named("numbers", 2));
    Stream middle =
        graph.NewNonBlockingNode({{0, numbers}}, ThrowingExecutor(0, 777, false, "middle failed"),
                                 test::Named("middle_node", 2));
    graph.NewBlockingNode({{0, middle}}, test::SumExecutor(), test::Named("sink", 1));
    graph.Run(test::Quiet(4));
  });
  ExpectErrorMentions(error, "middle_node", 0, "middle failed");
  ExpectClusterStillWorks(cluster);
}

TEST(RunErrorTest, QuokkaErrorFromUserCodeKeepsItsMessage) {
  // A type mismatch inside a task: Object::As throws quokka::Error (TypeError).
  LocalCluster cluster(2);
  std::optional<Error> error = test::CatchError([&] {
    TaskGraph graph(cluster);
    Stream numbers = graph.NewInputReaderNode(RangeReader(0, 100), test::Named("numbers", 1));
    Stream wrong = graph.NewTask(
        numbers, [](const Object& o) { return Object(o.As<std::string>() + "!"); },
        test::Named("wrong_type_task", 1));
    graph.NewBlockingNode({{0, wrong}}, Collect(), test::Named("sink", 1));
    graph.Run(test::Quiet(2));
  });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(error->status().message(), "wrong_type_task");
  QK_EXPECT_CONTAINS(error->status().message(), "channel 0");
  QK_EXPECT_CONTAINS(error->status().message(), "string");
  ExpectClusterStillWorks(cluster);
}

TEST(RunErrorTest, FailureWhileProducersAreParkedDoesNotHang) {
  // A tight budget parks the readers; the consumer fails on its first call. Run() must
  // return (throw) rather than leave the parked readers waiting forever.
  LocalCluster cluster(4);
  std::optional<Error> error = test::CatchError([&] {
    TaskGraph graph(cluster);
    Stream numbers = graph.NewInputReaderNode(RangeReader(0, 1'000'000), test::Named("numbers", 4));
    graph.NewBlockingNode({{0, numbers}}, ThrowingExecutor(0, 10, false, "consumer failed early"),
                          test::Named("failing_consumer", 1));
    graph.Run(test::Quiet(4, uint64_t{16} << 10));
  });
  ExpectErrorMentions(error, "failing_consumer", 0, "consumer failed early");
  ExpectClusterStillWorks(cluster);
}

TEST(RunErrorTest, ManyFailingChannelsReportOneError) {
  LocalCluster cluster(4);
  for (int round = 0; round < 5; ++round) {
    std::optional<Error> error = test::CatchError([&] {
      TaskGraph graph(cluster);
      Stream numbers = graph.NewInputReaderNode(
          GeneratorReader([](int64_t index, int channel, int) -> std::optional<Object> {
            if (index == 3) throw std::runtime_error("every channel fails");
            return Object(index);
          }),
          test::Named("all_fail", 8));
      graph.NewBlockingNode({{0, numbers}}, test::SumExecutor(), test::Named("sum", 1));
      graph.Run(test::Quiet(4));
    });
    ASSERT_TRUE(error.has_value());
    QK_EXPECT_CONTAINS(error->status().message(), "all_fail");
    QK_EXPECT_CONTAINS(error->status().message(), "every channel fails");
  }
  ExpectClusterStillWorks(cluster);
}

}  // namespace
}  // namespace quokka

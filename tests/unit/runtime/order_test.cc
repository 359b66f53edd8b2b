// Tests that objects on one link arrive in emission order, with many channels and threads.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "quokka/graph.h"
#include "test_util.h"

namespace quokka {
namespace {

using test::Tag;
using test::TagChannel;
using test::TagSeq;

// Checks, per producer channel, that sequence numbers arrive strictly increasing.
// Emits {objects received, order violations, distinct producers} in Done().
class OrderChecker : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) {
      int64_t tag = object.As<int64_t>();
      auto [it, inserted] = last_.emplace(TagChannel(tag), TagSeq(tag));
      if (!inserted) {
        if (TagSeq(tag) <= it->second) ++violations_;
        it->second = TagSeq(tag);
      }
      ++received_;
    }
  }
  void Done(int channel, Output& out) override {
    out.Emit(Object(ObjectList{Object(received_), Object(violations_),
                               Object(static_cast<int64_t>(last_.size()))}));
  }

 private:
  std::map<int, int64_t> last_;
  int64_t received_ = 0;
  int64_t violations_ = 0;
};

struct OrderResult {
  int64_t received = 0;
  int64_t violations = 0;
};

OrderResult Summarize(const Dataset& dataset) {
  OrderResult result;
  for (const Object& object : dataset) {
    const ObjectList& fields = object.As<ObjectList>();
    result.received += fields[0].As<int64_t>();
    result.violations += fields[1].As<int64_t>();
  }
  return result;
}

struct OrderCase {
  std::string name;
  Partitioner partitioner;
};

TEST(OrderTest, PerProducerOrderIsKeptOnEveryPartitioning) {
  const int producers = 12, consumers = 3;
  const int64_t per_channel = 4000;
  std::vector<OrderCase> cases = {
      {"default", Partitioner::Default()},
      {"round_robin", Partitioner::RoundRobin()},
      {"broadcast", Partitioner::Broadcast()},
      {"hash",
       Partitioner::HashBy([](const Object& o) { return Object(TagSeq(o.As<int64_t>()) % 7); })},
      {"to_channel", Partitioner::ToChannel(1)},
  };
  LocalCluster cluster(4);
  for (const OrderCase& c : cases) {
    TaskGraph graph(cluster);
    Stream source = graph.NewInputReaderNode(test::TaggedReader(per_channel),
                                             test::Named("producers", producers));
    Dataset result = graph.NewBlockingNode({{0, Source(source, c.partitioner)}}, OrderChecker(),
                                           test::Named("checker", consumers));
    graph.Run(test::Quiet(4, uint64_t{1} << 20));
    OrderResult summary = Summarize(result);
    int64_t expected = producers * per_channel * (c.name == "broadcast" ? consumers : 1);
    EXPECT_EQ(summary.received, expected) << c.name;
    EXPECT_EQ(summary.violations, 0) << c.name;
  }
}

TEST(OrderTest, OrderIsKeptThroughAChainOfTasks) {
  const int producers = 6;
  const int64_t per_channel = 5000;
  LocalCluster cluster(4);
  TaskGraph graph(cluster);
  Stream source = graph.NewInputReaderNode(test::TaggedReader(per_channel),
                                           test::Named("producers", producers));
  // Same channel count on every stage: with default partitioning each task channel reads one
  // producer channel, so per-producer order must survive the chain.
  Stream identity = graph.NewTask(
      source, [](const Object& o) { return o; }, test::Named("identity", producers));
  Stream kept = graph.NewFilter(
      identity, [](const Object& o) { return TagSeq(o.As<int64_t>()) % 5 != 0; },
      test::Named("filter", producers));
  Dataset result = graph.NewBlockingNode({{0, Source(kept, Partitioner::RoundRobin())}},
                                         OrderChecker(), test::Named("checker", 2));
  graph.Run(test::Quiet(4, uint64_t{1} << 20));
  OrderResult summary = Summarize(result);
  EXPECT_EQ(summary.received, producers * (per_channel - per_channel / 5));
  EXPECT_EQ(summary.violations, 0);
}

TEST(OrderTest, ObjectsArriveInEmissionOrderWithinOneChannel) {
  // One producer, one consumer: the consumer must see exactly 0, 1, 2, ...
  LocalCluster cluster(4);
  TaskGraph graph(cluster);
  Stream source = graph.NewInputReaderNode(RangeReader(0, 20000), test::Named("numbers", 1));
  Dataset collected = graph.NewBlockingNode({{0, source}}, Collect(), test::Named("collect", 1));
  graph.Run(test::Quiet(4, uint64_t{64} << 10));
  ASSERT_EQ(collected.num_partitions(), 1);
  const ObjectList& objects = collected.Partition(0);
  ASSERT_EQ(objects.size(), 20000u);
  for (int64_t i = 0; i < 20000; ++i) {
    ASSERT_EQ(objects[i].As<int64_t>(), i) << "at index " << i;
  }
}

}  // namespace
}  // namespace quokka

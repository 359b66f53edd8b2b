// Larger shapes: 64 reader channels into 16 operator channels, and the same small graph run
// 200 times on one cluster.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "quokka/graph.h"
#include "test_util.h"

namespace quokka {
namespace {

constexpr int64_t kKeys = 1000;

// Per channel: sum and count of the numbers, and the set of keys (number % kKeys) seen.
// Emits {sum, count, [keys...]} in Done().
class KeyedSum : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) {
      int64_t x = object.As<int64_t>();
      sum_ += x;
      ++count_;
      keys_.insert(x % kKeys);
    }
  }
  void Done(int channel, Output& out) override {
    ObjectList keys;
    for (int64_t key : keys_) keys.push_back(Object(key));
    out.Emit(Object(ObjectList{Object(sum_), Object(count_), Object(std::move(keys))}));
  }

 private:
  int64_t sum_ = 0, count_ = 0;
  std::set<int64_t> keys_;
};

struct Shape {
  int64_t sum = 0, count = 0;
  std::vector<int64_t> counts;             // per partition
  std::vector<std::vector<int64_t>> keys;  // per partition
};

Shape RunWide(Partitioner partitioner, int64_t n, int readers, int operators) {
  LocalCluster cluster(4);
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, n), test::Named("wide_reader", readers));
  Dataset result = graph.NewBlockingNode({{0, Source(numbers, std::move(partitioner))}}, KeyedSum(),
                                         test::Named("keyed_sum", operators));
  RunStats stats = graph.Run(test::Quiet(4, uint64_t{8} << 20));
  EXPECT_EQ(stats.node("wide_reader").channels.size(), static_cast<size_t>(readers));
  EXPECT_EQ(stats.node("keyed_sum").channels.size(), static_cast<size_t>(operators));
  Shape shape;
  EXPECT_EQ(result.num_partitions(), operators);
  for (int p = 0; p < result.num_partitions(); ++p) {
    EXPECT_EQ(result.Partition(p).size(), 1u) << "partition " << p;
    const ObjectList& fields = result.Partition(p).at(0).As<ObjectList>();
    shape.sum += fields[0].As<int64_t>();
    shape.count += fields[1].As<int64_t>();
    shape.counts.push_back(fields[1].As<int64_t>());
    std::vector<int64_t> keys;
    for (const Object& key : fields[2].As<ObjectList>()) keys.push_back(key.As<int64_t>());
    shape.keys.push_back(std::move(keys));
  }
  return shape;
}

TEST(ScaleTest, SixtyFourReadersIntoSixteenHashChannels) {
  const int64_t n = 200'000;
  Shape shape =
      RunWide(Partitioner::HashBy([](const Object& o) { return Object(o.As<int64_t>() % kKeys); }),
              n, 64, 16);
  EXPECT_EQ(shape.sum, test::SumBelow(n));
  EXPECT_EQ(shape.count, n);
  // Every key lives on exactly one channel: the one its hash picks.
  std::set<int64_t> all_keys;
  for (int p = 0; p < static_cast<int>(shape.keys.size()); ++p) {
    for (int64_t key : shape.keys[p]) {
      EXPECT_EQ(static_cast<int>(HashObject(Object(key)) % 16), p) << "key " << key;
      EXPECT_TRUE(all_keys.insert(key).second) << "key " << key << " on two channels";
    }
  }
  EXPECT_EQ(all_keys.size(), static_cast<size_t>(kKeys));
}

TEST(ScaleTest, SixtyFourReadersIntoSixteenRoundRobinChannels) {
  const int64_t n = 200'000;
  Shape shape = RunWide(Partitioner::RoundRobin(), n, 64, 16);
  EXPECT_EQ(shape.sum, test::SumBelow(n));
  EXPECT_EQ(shape.count, n);
  // Each of the 64 producers deals ~3125 objects evenly: every consumer gets n / 16 +- 64.
  for (int64_t count : shape.counts) {
    EXPECT_GE(count, n / 16 - 64);
    EXPECT_LE(count, n / 16 + 64);
  }
}

TEST(ScaleTest, SixtyFourReadersIntoSixteenDefaultChannels) {
  const int64_t n = 200'000;
  Shape shape = RunWide(Partitioner::Default(), n, 64, 16);
  EXPECT_EQ(shape.sum, test::SumBelow(n));
  EXPECT_EQ(shape.count, n);
}

TEST(ScaleTest, SameSmallGraphTwoHundredTimes) {
  LocalCluster cluster(4);
  for (int i = 0; i < 200; ++i) {
    const int reader_channels = i % 8 + 1;
    const int sum_channels = i % 4 + 1;
    Partitioner partitioner;
    switch (i % 3) {
      case 0:
        partitioner = Partitioner::Default();
        break;
      case 1:
        partitioner = Partitioner::RoundRobin();
        break;
      default:
        partitioner = Partitioner::HashBy([](const Object& o) { return o; });
        break;
    }
    TaskGraph graph(cluster);
    Stream numbers =
        graph.NewInputReaderNode(RangeReader(0, 80), test::Named("numbers", reader_channels));
    Stream shifted = graph.NewTask(
        numbers, [i](const Object& o) { return Object(o.As<int64_t>() + i); },
        test::Named("shift"));
    Dataset sums = graph.NewBlockingNode({{0, Source(shifted, partitioner)}}, test::SumExecutor(),
                                         test::Named("sum", sum_channels));
    graph.Run(test::Quiet());
    ASSERT_EQ(sums.num_partitions(), sum_channels) << "iteration " << i;
    ASSERT_EQ(test::SumOf(sums), 3160 + 80 * i)
        << "iteration " << i << ": " << reader_channels << " reader channels, " << sum_channels
        << " sum channels";
  }
}

}  // namespace
}  // namespace quokka

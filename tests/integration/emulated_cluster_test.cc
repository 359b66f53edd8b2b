// Two emulated machines in one process: placement, registered reader/executor types, refusal
// of unregistered ones, and user structs serialized across machines.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "quokka/graph.h"
#include "quokka/serialize.h"
#include "test_util.h"

namespace quokka {
namespace {

using test::Tag;
using test::TagChannel;

Cluster TwoMachines() { return Cluster({{"a", 2}, {"b", 3}}); }

// A registered reader: channel c yields Tag(c, 0 .. per_channel - 1).
class EmuTaggedReader : public InputReader {
 public:
  explicit EmuTaggedReader(int64_t per_channel) : per_channel_(per_channel) {}
  void Start(int channel, int num_channels, int64_t position) override {
    channel_ = channel;
    next_ = position;
  }
  std::optional<ReadItem> Next() override {
    if (next_ >= per_channel_) return std::nullopt;
    ReadItem item{next_ + 1, Object(Tag(channel_, next_))};
    ++next_;
    return item;
  }
  void Encode(Encoder& out) const { out.Int(per_channel_); }
  static EmuTaggedReader Decode(Decoder& in) { return EmuTaggedReader(in.Int()); }

 private:
  int64_t per_channel_;
  int channel_ = 0;
  int64_t next_ = 0;
};

// A registered user struct, and a registered reader that yields them.
struct EmuPoint {
  int64_t x = 0;
  double y = 0;
  std::string name;
  bool operator==(const EmuPoint& other) const = default;
  void Encode(Encoder& out) const {
    out.ArrayHeader(3);
    out.Int(x);
    out.Double(y);
    out.String(name);
  }
  static EmuPoint Decode(Decoder& in) {
    in.ArrayHeader();
    EmuPoint p;
    p.x = in.Int();
    p.y = in.Double();
    p.name = in.String();
    return p;
  }
};

// Never registered.
struct EmuUnregisteredPoint {
  int64_t x = 0;
  bool operator==(const EmuUnregisteredPoint& other) const = default;
};

// Yields per_channel points (or unregistered points) per channel.
class EmuPointReader : public InputReader {
 public:
  EmuPointReader(int64_t per_channel, bool unregistered)
      : per_channel_(per_channel), unregistered_(unregistered) {}
  void Start(int channel, int num_channels, int64_t position) override {
    channel_ = channel;
    next_ = position;
  }
  std::optional<ReadItem> Next() override {
    if (next_ >= per_channel_) return std::nullopt;
    int64_t i = next_++;
    if (unregistered_) return ReadItem{next_, Object::Make(EmuUnregisteredPoint{i})};
    return ReadItem{next_, Object::Make(EmuPoint{
                               i, i * 0.5, std::string("p").append(std::to_string(channel_))})};
  }
  void Encode(Encoder& out) const {
    out.ArrayHeader(2);
    out.Int(per_channel_);
    out.Bool(unregistered_);
  }
  static EmuPointReader Decode(Decoder& in) {
    in.ArrayHeader();
    int64_t per_channel = in.Int();
    bool unregistered = in.Bool();
    return EmuPointReader(per_channel, unregistered);
  }

 private:
  int64_t per_channel_;
  bool unregistered_;
  int channel_ = 0;
  int64_t next_ = 0;
};

// A registered summing executor (int64 objects).
class EmuSum : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) sum_ += object.As<int64_t>();
  }
  void Done(int channel, Output& out) override { out.Emit(sum_); }
  void Encode(Encoder& out) const { out.Int(sum_); }
  static EmuSum Decode(Decoder& in) {
    EmuSum sum;
    sum.sum_ = in.Int();
    return sum;
  }

 private:
  int64_t sum_ = 0;
};

// The same executor, never registered.
class EmuUnregisteredSum : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) sum_ += object.As<int64_t>();
  }
  void Done(int channel, Output& out) override { out.Emit(sum_); }

 private:
  int64_t sum_ = 0;
};

// Registered: passes objects through (a Collect that can be shipped).
class EmuCollect : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (Object& object : batches) out.Emit(std::move(object));
  }
  void Encode(Encoder& out) const { out.Nil(); }
  static EmuCollect Decode(Decoder& in) {
    in.Nil();
    return EmuCollect();
  }
};

// Registered: checks every object is an EmuPoint; emits {count, sum of x, sum of y, others}.
class EmuPointChecker : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) {
      if (const EmuPoint* point = object.GetIf<EmuPoint>()) {
        ++count_;
        sum_x_ += point->x;
        sum_y_ += point->y;
        if (point->name.empty() || point->name[0] != 'p') ++others_;
      } else {
        ++others_;
      }
    }
  }
  void Done(int channel, Output& out) override {
    out.Emit(Object(ObjectList{Object(count_), Object(sum_x_), Object(sum_y_), Object(others_)}));
  }
  void Encode(Encoder& out) const { out.Nil(); }
  static EmuPointChecker Decode(Decoder& in) {
    in.Nil();
    return EmuPointChecker();
  }

 private:
  int64_t count_ = 0, sum_x_ = 0, others_ = 0;
  double sum_y_ = 0;
};

void RegisterEmulationTypes() {
  QK_ASSERT_OK(RegisterType<EmuTaggedReader>("test.emu.tagged_reader"));
  QK_ASSERT_OK(RegisterType<EmuPoint>("test.emu.point"));
  QK_ASSERT_OK(RegisterType<EmuPointReader>("test.emu.point_reader"));
  QK_ASSERT_OK(RegisterType<EmuSum>("test.emu.sum"));
  QK_ASSERT_OK(RegisterType<EmuCollect>("test.emu.collect"));
  QK_ASSERT_OK(RegisterType<EmuPointChecker>("test.emu.point_checker"));
}

NodeOptions Placed(std::string name, std::vector<int> channels_per_machine) {
  NodeOptions options = test::Named(std::move(name));
  options.channels_per_machine = std::move(channels_per_machine);
  return options;
}

std::map<std::string, int> MachineCounts(const NodeStats& node) {
  std::map<std::string, int> counts;
  for (const ChannelStats& channel : node.channels) ++counts[channel.machine];
  return counts;
}

TEST(EmulatedClusterTest, DefaultPlacementWithRegisteredTypes) {
  RegisterEmulationTypes();
  Cluster cluster = TwoMachines();
  TaskGraph graph(cluster);
  const int64_t per_channel = 1000;
  Stream tags = graph.NewInputReaderNode(EmuTaggedReader(per_channel), test::Named("tags"));
  Dataset sums = graph.NewBlockingNode({{0, tags}}, EmuSum(), test::Named("sums"));
  RunStats stats = graph.Run(test::Quiet());

  int64_t expected = 0;
  for (int c = 0; c < 5; ++c) {
    for (int64_t i = 0; i < per_channel; ++i) expected += Tag(c, i);
  }
  EXPECT_EQ(test::SumOf(sums), expected);

  // Readers: one channel per core (2 on a, 3 on b); operators: one per machine.
  EXPECT_EQ(stats.node("tags").channels.size(), 5u);
  EXPECT_EQ(MachineCounts(stats.node("tags")), (std::map<std::string, int>{{"a", 2}, {"b", 3}}));
  EXPECT_EQ(MachineCounts(stats.node("sums")), (std::map<std::string, int>{{"a", 1}, {"b", 1}}));
  ASSERT_EQ(sums.num_partitions(), 2);
  std::set<std::string> machines;
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(sums.machine(p), stats.node("sums").channels.at(p).machine);
    machines.insert(sums.machine(p));
  }
  EXPECT_EQ(machines, (std::set<std::string>{"a", "b"}));
}

TEST(EmulatedClusterTest, DefaultPartitioningStaysOnTheProducersMachine) {
  RegisterEmulationTypes();
  Cluster cluster = TwoMachines();
  TaskGraph graph(cluster);
  const int64_t per_channel = 300;
  Stream tags = graph.NewInputReaderNode(EmuTaggedReader(per_channel), test::Named("tags"));
  Dataset collected = graph.NewBlockingNode({{0, tags}}, EmuCollect(), test::Named("collect"));
  RunStats stats = graph.Run(test::Quiet());
  const NodeStats& readers = stats.node("tags");
  ASSERT_EQ(readers.channels.size(), 5u);
  ASSERT_EQ(collected.num_partitions(), 2);
  std::multiset<int64_t> seen;
  for (int p = 0; p < 2; ++p) {
    for (const Object& object : collected.Partition(p)) {
      int producer = TagChannel(object.As<int64_t>());
      ASSERT_GE(producer, 0);
      ASSERT_LT(producer, 5);
      EXPECT_EQ(readers.channels[producer].machine, collected.machine(p))
          << "producer channel " << producer << " reached partition " << p;
      seen.insert(object.As<int64_t>());
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(5 * per_channel));
}

TEST(EmulatedClusterTest, HashAndRoundRobinAcrossMachines) {
  RegisterEmulationTypes();
  Cluster cluster = TwoMachines();
  const int64_t per_channel = 2000;
  int64_t expected = 0;
  for (int c = 0; c < 5; ++c) {
    for (int64_t i = 0; i < per_channel; ++i) expected += Tag(c, i);
  }
  for (Partitioner partitioner :
       {Partitioner::HashBy([](const Object& o) { return Object(o.As<int64_t>() % 10); }),
        Partitioner::RoundRobin(), Partitioner::Broadcast()}) {
    TaskGraph graph(cluster);
    Stream tags = graph.NewInputReaderNode(EmuTaggedReader(per_channel), test::Named("tags"));
    Dataset sums =
        graph.NewBlockingNode({{0, Source(tags, partitioner)}}, EmuSum(), Placed("sums", {2, 2}));
    graph.Run(test::Quiet());
    ASSERT_EQ(sums.num_partitions(), 4);
    int64_t factor = partitioner.kind() == Partitioner::Kind::kBroadcast ? 4 : 1;
    EXPECT_EQ(test::SumOf(sums), factor * expected) << partitioner.ToString();
  }
}

TEST(EmulatedClusterTest, UnregisteredExecutorIsRefusedAtCreate) {
  RegisterEmulationTypes();
  Cluster cluster = TwoMachines();
  TaskGraph graph(cluster);
  Stream tags = graph.NewInputReaderNode(EmuTaggedReader(10), test::Named("tags"));
  graph.NewBlockingNode({{0, tags}}, EmuUnregisteredSum(), test::Named("unregistered_sum"));
  std::optional<Error> error = test::CatchError([&] { graph.Create(); });
  ASSERT_TRUE(error.has_value()) << "an unregistered executor was placed on machine b";
  QK_EXPECT_CONTAINS(error->status().message(), "unregistered_sum");
}

TEST(EmulatedClusterTest, UnregisteredReaderAndLambdaTaskAreRefusedAtCreate) {
  RegisterEmulationTypes();
  Cluster cluster = TwoMachines();
  {
    TaskGraph graph(cluster);
    Stream numbers =
        graph.NewInputReaderNode(GeneratorReader([](int64_t i, int, int) -> std::optional<Object> {
                                   return i < 5 ? std::optional<Object>(Object(i)) : std::nullopt;
                                 }),
                                 test::Named("lambda_reader"));
    graph.NewBlockingNode({{0, numbers}}, EmuSum(), test::Named("sum"));
    std::optional<Error> error = test::CatchError([&] { graph.Create(); });
    ASSERT_TRUE(error.has_value());
    QK_EXPECT_CONTAINS(error->status().message(), "lambda_reader");
  }
  {
    TaskGraph graph(cluster);
    Stream tags = graph.NewInputReaderNode(EmuTaggedReader(10), test::Named("tags"));
    Stream mapped = graph.NewTask(
        tags, [](const Object& o) { return o; }, test::Named("lambda_task"));
    graph.NewBlockingNode({{0, mapped}}, EmuSum(), test::Named("sum"));
    std::optional<Error> error = test::CatchError([&] { graph.Create(); });
    ASSERT_TRUE(error.has_value());
    QK_EXPECT_CONTAINS(error->status().message(), "lambda_task");
  }
}

TEST(EmulatedClusterTest, UnregisteredTypesAreFineOnMachineZero) {
  RegisterEmulationTypes();
  Cluster cluster = TwoMachines();
  TaskGraph graph(cluster);
  // An unregistered reader and executor, both only on machine a.
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, 1000), Placed("local_reader", {2, 0}));
  Dataset sum =
      graph.NewBlockingNode({{0, numbers}}, EmuUnregisteredSum(), Placed("local_sum", {1, 0}));
  RunStats stats = graph.Run(test::Quiet());
  EXPECT_EQ(test::SumOf(sum), test::SumBelow(1000));
  EXPECT_EQ(MachineCounts(stats.node("local_reader")), (std::map<std::string, int>{{"a", 2}}));
  EXPECT_EQ(sum.num_partitions(), 1);
  EXPECT_EQ(sum.machine(0), "a");
}

TEST(EmulatedClusterTest, ObjectsFromMachineBReachAnUnregisteredExecutorOnA) {
  RegisterEmulationTypes();
  Cluster cluster = TwoMachines();
  TaskGraph graph(cluster);
  Stream tags = graph.NewInputReaderNode(EmuTaggedReader(500), test::Named("tags"));
  Dataset sum = graph.NewBlockingNode({{0, Source(tags, Partitioner::RoundRobin())}},
                                      EmuUnregisteredSum(), Placed("sum_on_a", {1, 0}));
  graph.Run(test::Quiet());
  int64_t expected = 0;
  for (int c = 0; c < 5; ++c) {
    for (int64_t i = 0; i < 500; ++i) expected += Tag(c, i);
  }
  EXPECT_EQ(test::SumOf(sum), expected);
}

TEST(EmulatedClusterTest, UserStructsCrossMachines) {
  RegisterEmulationTypes();
  Cluster cluster = TwoMachines();
  const int64_t per_channel = 400;
  TaskGraph graph(cluster);
  // Points made on machine b, checked on machine a (and, broadcast, on both).
  Stream points =
      graph.NewInputReaderNode(EmuPointReader(per_channel, false), Placed("points_on_b", {0, 2}));
  Dataset on_a = graph.NewBlockingNode({{0, Source(points, Partitioner::RoundRobin())}},
                                       EmuPointChecker(), Placed("checker_on_a", {1, 0}));
  Dataset both = graph.NewBlockingNode({{0, Source(points, Partitioner::Broadcast())}},
                                       EmuPointChecker(), Placed("checker_both", {1, 1}));
  Dataset raw = graph.NewBlockingNode({{0, Source(points, Partitioner::ToChannel(0))}},
                                      EmuCollect(), Placed("raw_on_a", {1, 0}));
  graph.Run(test::Quiet());

  const int64_t count = 2 * per_channel;
  const int64_t sum_x = 2 * test::SumBelow(per_channel);
  const double sum_y = 0.5 * static_cast<double>(sum_x);
  auto check = [&](const Object& summary, const std::string& where) {
    const ObjectList& fields = summary.As<ObjectList>();
    EXPECT_EQ(fields[0].As<int64_t>(), count) << where;
    EXPECT_EQ(fields[1].As<int64_t>(), sum_x) << where;
    EXPECT_DOUBLE_EQ(fields[2].As<double>(), sum_y) << where;
    EXPECT_EQ(fields[3].As<int64_t>(), 0) << where;
  };
  ASSERT_EQ(on_a.size(), 1u);
  check(on_a.Partition(0).at(0), "checker_on_a");
  ASSERT_EQ(both.num_partitions(), 2);
  check(both.Partition(0).at(0), "checker_both partition 0");
  check(both.Partition(1).at(0), "checker_both partition 1");
  // The deserialized objects are real EmuPoints with their values.
  ASSERT_EQ(raw.size(), static_cast<size_t>(count));
  std::multiset<int64_t> xs;
  for (const Object& object : raw) {
    ASSERT_TRUE(object.Is<EmuPoint>()) << object.type_name();
    EXPECT_DOUBLE_EQ(object.As<EmuPoint>().y, object.As<EmuPoint>().x * 0.5);
    xs.insert(object.As<EmuPoint>().x);
  }
  EXPECT_EQ(xs.count(0), 2u);
  EXPECT_EQ(xs.count(per_channel - 1), 2u);
}

TEST(EmulatedClusterTest, UnregisteredStructCrossingMachinesFailsTheRun) {
  RegisterEmulationTypes();
  Cluster cluster = TwoMachines();
  std::optional<Error> error = test::CatchError([&] {
    TaskGraph graph(cluster);
    Stream points =
        graph.NewInputReaderNode(EmuPointReader(50, true), Placed("bad_points_on_b", {0, 1}));
    graph.NewBlockingNode({{0, Source(points, Partitioner::RoundRobin())}}, EmuCollect(),
                          Placed("collect_on_a", {1, 0}));
    graph.Run(test::Quiet());
  });
  ASSERT_TRUE(error.has_value()) << "an unregistered struct crossed machines";
  QK_EXPECT_CONTAINS(error->status().message(), "EmuUnregisteredPoint");
  // The cluster still works.
  TaskGraph graph(cluster);
  Stream tags = graph.NewInputReaderNode(EmuTaggedReader(10), test::Named("tags"));
  Dataset sums = graph.NewBlockingNode({{0, tags}}, EmuSum(), test::Named("sums"));
  EXPECT_NO_THROW(graph.Run(test::Quiet()));
  EXPECT_EQ(sums.num_partitions(), 2);
}

TEST(EmulatedClusterTest, DatasetReadOnItsMachinesInASecondGraph) {
  RegisterEmulationTypes();
  Cluster cluster = TwoMachines();
  const int64_t per_channel = 200;
  Dataset first = [&] {
    TaskGraph graph(cluster);
    Stream tags = graph.NewInputReaderNode(EmuTaggedReader(per_channel), test::Named("tags"));
    Dataset collected = graph.NewBlockingNode({{0, tags}}, EmuCollect(), test::Named("collect"));
    graph.Run(test::Quiet());
    return collected;
  }();
  ASSERT_EQ(first.num_partitions(), 2);
  ASSERT_EQ(first.size(), static_cast<size_t>(5 * per_channel));

  TaskGraph second(cluster);
  Stream reread = second.NewInputDataset(first, test::Named("reread"));
  Dataset sum = second.NewBlockingNode({{0, Source(reread, Partitioner::RoundRobin())}}, EmuSum(),
                                       Placed("sum_on_b", {0, 1}));
  RunStats stats = second.Run(test::Quiet());
  int64_t expected = 0;
  for (const Object& object : first) expected += object.As<int64_t>();
  EXPECT_EQ(test::SumOf(sum), expected);
  const NodeStats& reader = stats.node("reread");
  ASSERT_EQ(reader.channels.size(), 2u);
  for (int p = 0; p < 2; ++p) EXPECT_EQ(reader.channels[p].machine, first.machine(p));
  EXPECT_EQ(sum.machine(0), "b");
}

}  // namespace
}  // namespace quokka

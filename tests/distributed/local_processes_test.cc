// Multi-process clusters on loopback: real Redis, real worker processes (this test binary
// started with --quokka-worker), real gRPC links. Results must equal local mode.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "dist_test_types.h"
#include "distributed/tls_keys.h"
#include "quokka/quokka.h"
#include "test_util.h"

namespace quokka {
namespace {

using test::CatchError;
using test::Describe;
using test::Quiet;
using testing::FailOn;
using testing::SlowPass;
using testing::SumInts;

// One three-worker cluster shared by the tests of this suite (starting one takes ~1 s).
class LocalProcessesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new Cluster(LocalCluster::Processes({.workers = 3, .cores = 1}));
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static Cluster* cluster_;
};
Cluster* LocalProcessesTest::cluster_ = nullptr;

int64_t SumPairs(const Dataset& sums) {
  int64_t total = 0;
  for (const Object& pair : sums) total += pair.As<ObjectList>()[1].As<int64_t>();
  return total;
}

int64_t RangeSum(const Cluster& cluster, int64_t n, int64_t batch) {
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, n, batch));
  Dataset sums = graph.NewBlockingNode({{0, numbers}}, testing::SumAll(), {.name = "sum"});
  graph.Run(Quiet());
  return test::SumOf(sums);
}

TEST_F(LocalProcessesTest, MachinesAreTheWorkers) {
  ASSERT_TRUE(cluster_->distributed());
  ASSERT_EQ(cluster_->num_machines(), 3);
  for (const Machine& machine : cluster_->machines()) {
    EXPECT_EQ(machine.address, "127.0.0.1");
    EXPECT_GT(machine.data_port, 0);
    EXPECT_EQ(machine.cores, 1);
  }
}

TEST_F(LocalProcessesTest, RangeSumEqualsLocalMode) {
  for (int64_t batch : {1, 1000}) {
    int64_t local = RangeSum(LocalCluster(), 200000, batch);
    EXPECT_EQ(RangeSum(*cluster_, 200000, batch), local) << "batch " << batch;
    EXPECT_EQ(local, test::SumBelow(200000));
  }
}

TEST_F(LocalProcessesTest, UserExecutorRunsOnWorkersAndDatasetStaysThere) {
  TaskGraph graph(*cluster_);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, 80));
  Dataset sums = graph.NewBlockingNode({{0, numbers}}, SumInts(), {.name = "sum"});
  RunStats stats = graph.Run(Quiet());
  ASSERT_EQ(sums.num_partitions(), 3);
  std::set<std::string> holders;
  for (int p = 0; p < 3; ++p) holders.insert(sums.machine(p));
  EXPECT_EQ(holders.size(), 3u);  // one sum channel per machine, each keeps its partition
  EXPECT_EQ(SumPairs(sums), 3160);
  EXPECT_EQ(stats.node("sum").channels.size(), 3u);
  EXPECT_EQ(stats.node("sum").objects_in(), 80u);
}

TEST_F(LocalProcessesTest, LaterGraphReadsDatasetWhereItLies) {
  TaskGraph first(*cluster_);
  Stream numbers = first.NewInputReaderNode(RangeReader(0, 1000, 10));
  Dataset kept = first.NewBlockingNode({{0, numbers}}, Collect(), {.name = "kept"});
  first.Run(Quiet());

  TaskGraph second(*cluster_);
  Stream again = second.NewInputDataset(kept);
  Dataset sums = second.NewBlockingNode({{0, again}}, testing::SumAll(), {.name = "sum"});
  second.Run(Quiet());
  EXPECT_EQ(test::SumOf(sums), test::SumBelow(1000));
  EXPECT_EQ(test::SumOf(kept), test::SumBelow(1000));
}

Table MakeKeyedTable(int64_t rows, int64_t modulo, const std::string& dir,
                     const std::string& name) {
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/" + name + ".csv";
  std::ofstream out(path);
  out << "key,value\n";
  for (int64_t i = 0; i < rows; ++i) out << (i * 7919) % modulo << "," << i << "\n";
  out.close();
  return ReadCsv(path).ValueOrThrow();
}

int64_t JoinCount(const Cluster& cluster, const Table& left, const Table& right) {
  TaskGraph graph(cluster);
  std::vector<Object> left_parts, right_parts;
  for (int64_t offset = 0; offset < left.num_rows(); offset += 1000) {
    left_parts.push_back(
        Object::Make(left.Slice(offset, std::min<int64_t>(1000, left.num_rows() - offset))));
  }
  for (int64_t offset = 0; offset < right.num_rows(); offset += 700) {
    right_parts.push_back(
        Object::Make(right.Slice(offset, std::min<int64_t>(700, right.num_rows() - offset))));
  }
  Stream a =
      graph.NewInputReaderNode(VectorReader(ObjectList(left_parts.begin(), left_parts.end())));
  Stream b =
      graph.NewInputReaderNode(VectorReader(ObjectList(right_parts.begin(), right_parts.end())));
  Stream joined = graph.NewNonBlockingNode(
      {{0, {a, HashPartitionBy({"key"})}}, {1, {b, HashPartitionBy({"key"})}}},
      HashJoin({.left_keys = {"key"}, .right_keys = {"key"}}), {.name = "join", .channels = 3});
  Dataset count = graph.NewBlockingNode({{0, joined}}, Count(), {.name = "count", .channels = 1});
  graph.Run(Quiet());
  return ToTable(count).column(0)->GetInt64(0);
}

TEST_F(LocalProcessesTest, HashJoinOfTablesEqualsLocalMode) {
  const std::string dir = ::testing::TempDir() + "/quokka_dist_join";
  Table left = MakeKeyedTable(20000, 5000, dir, "left");
  Table right = MakeKeyedTable(9000, 3000, dir, "right");
  int64_t local = JoinCount(LocalCluster(), left, right);
  EXPECT_GT(local, 0);
  EXPECT_EQ(JoinCount(*cluster_, left, right), local);
}

TEST_F(LocalProcessesTest, BackpressureAcrossMachinesKeepsEveryObject) {
  // A fast reader on machine 0 feeds a slow stage on machine 1 through a tiny budget.
  TaskGraph graph(*cluster_);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, 20000, 100),
                                            {.name = "numbers", .channels_per_machine = {1, 0, 0}});
  Stream slow = graph.NewNonBlockingNode({{0, numbers}}, SlowPass(2),
                                         {.name = "slow", .channels_per_machine = {0, 1, 0}});
  Dataset sums = graph.NewBlockingNode({{0, slow}}, testing::SumAll(),
                                       {.name = "sum", .channels_per_machine = {0, 0, 1}});
  graph.Run(Quiet(0, 64 << 10));
  EXPECT_EQ(test::SumOf(sums), test::SumBelow(20000));
}

TEST_F(LocalProcessesTest, EarlyTerminationStopsRemoteProducers) {
  TaskGraph graph(*cluster_);
  // Without early termination this reader would run for minutes.
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, int64_t{1} << 40, 1000),
                                            {.name = "numbers", .channels_per_machine = {1, 1, 0}});
  Dataset first = graph.NewBlockingNode({{0, numbers}}, Limit(5),
                                        {.name = "limit", .channels_per_machine = {0, 0, 1}});
  auto start = std::chrono::steady_clock::now();
  graph.Run(Quiet());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(first.size(), 5u);
  EXPECT_LT(seconds, 30);
}

TEST_F(LocalProcessesTest, ErrorOnAWorkerNamesNodeAndMachineAndClusterStaysUsable) {
  TaskGraph graph(*cluster_);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, 1000));
  Stream checked = graph.NewNonBlockingNode({{0, numbers}}, FailOn(777), {.name = "checker"});
  graph.NewBlockingNode({{0, checked}}, Collect(), {.name = "out"});
  auto error = CatchError([&] { graph.Run(Quiet()); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(Describe(*error), "poison value 777");
  QK_EXPECT_CONTAINS(Describe(*error), "checker");
  QK_EXPECT_CONTAINS(Describe(*error), "local-");
  // The workers are ready for the next graph.
  EXPECT_EQ(RangeSum(*cluster_, 1000, 1), test::SumBelow(1000));
}

TEST_F(LocalProcessesTest, UnshippableNodesAreRefusedAtCreate) {
  {
    TaskGraph graph(*cluster_);
    Stream numbers = graph.NewInputReaderNode(RangeReader(0, 10));
    graph.NewBlockingNode({{0, numbers}}, testing::Unregistered(), {.name = "mystery"});
    auto error = CatchError([&] { graph.Create(); });
    ASSERT_TRUE(error.has_value());
    QK_EXPECT_CONTAINS(Describe(*error), "mystery");
    QK_EXPECT_CONTAINS(Describe(*error), "not registered");
  }
  {
    TaskGraph graph(*cluster_);
    Stream numbers = graph.NewInputReaderNode(RangeReader(0, 10));
    graph.NewTask(numbers, [](const Object& o) { return o; }, {.name = "lambda"});
    auto error = CatchError([&] { graph.Create(); });
    ASSERT_TRUE(error.has_value());
    QK_EXPECT_CONTAINS(Describe(*error), "cannot be shipped");
  }
  {
    TaskGraph graph(*cluster_);
    Stream numbers = graph.NewInputReaderNode(RangeReader(0, 10));
    graph.NewBlockingNode({{0, {numbers, Partitioner::HashBy([](const Object& o) { return o; })}}},
                          Collect(), {.name = "hashed"});
    auto error = CatchError([&] { graph.Create(); });
    ASSERT_TRUE(error.has_value());
    QK_EXPECT_CONTAINS(Describe(*error), "lambda");
  }
}

// Every kind of value the registry knows crosses a real socket and comes back identical.
TEST_F(LocalProcessesTest, RegisteredTypesRoundTripAcrossASocket) {
  const std::string dir = ::testing::TempDir() + "/quokka_dist_types";
  Table table = MakeKeyedTable(100, 17, dir, "t");
  ObjectList values = {
      Object(int64_t{-5}),
      Object(2.5),
      Object(std::string("text")),
      Object(Bytes{std::string("\0\1\2", 3)}),
      Object(ObjectList{Object(int64_t{1}), Object(std::string("nested"))}),
      Object(ObjectMap{{"a", Object(int64_t{1})}}),
      Object(),
      Object::Make(std::vector<int64_t>{1, 2, 3}),
      Object::Make(table),
      Object::Make(RangeReader(0, 10, 2)),
      Object::Make(HashJoin({.left_keys = {"key"}, .right_keys = {"key"}})),
      Object::Make(HashAggregate({"key"}, {{AggregateFunction::kSum, "value", "s"}})),
      Object::Make(Limit(3)),
      Object::Make(Count()),
      Object::Make(Collect()),
      Object::Make(FilterExecutor(col("key") > lit(int64_t{3}))),
      Object::Make(ProjectExecutor({col("value") * lit(int64_t{2})})),
      Object::Make(HashPartitionFunction({"key"})),
      Object::Make(CsvReader(dir + "/t.csv"))};
  TaskGraph graph(*cluster_);
  Stream source = graph.NewInputReaderNode(VectorReader(values),
                                           {.name = "values", .channels_per_machine = {1, 0, 0}});
  Dataset received = graph.NewBlockingNode({{0, source}}, Collect(),
                                           {.name = "received", .channels_per_machine = {0, 1, 0}});
  graph.Run(Quiet());
  ObjectList back = received.ToList();
  ASSERT_EQ(back.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(back[i].type_name(), values[i].type_name()) << i;
    Result<std::string> sent = Serialize(values[i]), got = Serialize(back[i]);
    ASSERT_TRUE(sent.ok() && got.ok()) << values[i].type_name();
    EXPECT_EQ(*got, *sent) << values[i].type_name();
  }
  EXPECT_TRUE(back[8].As<Table>().Equals(table));
}

TEST(LocalProcessesTls, MutualTlsAndCompressionGiveTheSameResults) {
  const std::string dir = ::testing::TempDir() + "/quokka_dist_tls_" + std::to_string(getpid());
  QK_ASSERT_OK(dist::MakeClusterKeys(dir, {"local-0", "local-1"}));
  Cluster cluster = LocalCluster::Processes({.workers = 2, .cores = 1, .tls_dir = dir});
  const std::string data = dir + "/data";
  Table left = MakeKeyedTable(20000, 5000, data, "left");
  Table right = MakeKeyedTable(9000, 3000, data, "right");
  int64_t local = JoinCount(LocalCluster(), left, right);
  EXPECT_EQ(JoinCount(cluster, left, right), local);
  // Compressed batches between machines.
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, 300000, 5000));
  Dataset sums = graph.NewBlockingNode({{0, {numbers, Partitioner::RoundRobin()}}},
                                       testing::SumAll(), {.name = "sum"});
  RunOptions options = Quiet();
  options.compression = Compression::kZstd;
  graph.Run(options);
  int64_t total = 0;
  for (const Object& sum : sums) total += sum.As<int64_t>();
  EXPECT_EQ(total, test::SumBelow(300000));
}

// Finds the pid of the worker process serving `machine` (a child of this process).
pid_t WorkerPid(const std::string& machine) {
  DIR* proc = opendir("/proc");
  pid_t found = 0;
  while (dirent* entry = readdir(proc)) {
    std::ifstream in(std::string("/proc/") + entry->d_name + "/cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(std::string("--name") + '\0' + machine + '\0') != std::string::npos) {
      found = static_cast<pid_t>(std::atoi(entry->d_name));
    }
  }
  closedir(proc);
  return found;
}

TEST(LocalProcessesFailure, KilledWorkerFailsTheRunWithinTheBound) {
  Cluster cluster = LocalCluster::Processes({.workers = 3, .cores = 1});
  const std::string victim = cluster.machines()[2].name;
  pid_t pid = WorkerPid(victim);
  ASSERT_GT(pid, 0);
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, 1000000, 100));
  Stream slow = graph.NewNonBlockingNode({{0, numbers}}, SlowPass(5), {.name = "slow"});
  graph.NewBlockingNode({{0, slow}}, testing::SumAll(), {.name = "sum"});
  auto run =
      std::async(std::launch::async, [&] { return CatchError([&] { graph.Run(Quiet()); }); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto killed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_EQ(run.wait_for(std::chrono::seconds(20)), std::future_status::ready)
      << "the run did not fail within 20 s of a worker's death";
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  auto error = run.get();
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(Describe(*error), victim);
  // Heartbeats expire after 2 s; the driver then cancels and waits up to 10 s for the other
  // workers to let go of the run (a long Execute() call notices the cancel only when it ends).
  EXPECT_LT(seconds, 16.0) << Describe(*error);
}

}  // namespace
}  // namespace quokka

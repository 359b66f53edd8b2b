// The distributed runtime's decoders never crash on hostile bytes: data-plane frames, plans,
// control messages, statistics and cluster files give clear errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "../../src/runtime/graph_impl.h"
#include "dist_test_types.h"
#include "distributed/cluster_file.h"
#include "distributed/control.h"
#include "distributed/frame.h"
#include "distributed/plan_codec.h"
#include "quokka/quokka.h"
#include "test_util.h"

namespace quokka {
namespace {

using dist::FrameHeader;
using dist::FrameKind;

TEST(FrameTest, HeaderRoundTripsAndRejectsGarbage) {
  FrameHeader header{FrameKind::kCredit, 7, 0x123456789abcdefULL};
  std::string bytes = dist::EncodeFrameHeader(header);
  ASSERT_EQ(bytes.size(), dist::kFrameHeaderSize);
  auto decoded = dist::DecodeFrameHeader(bytes);
  QK_ASSERT_OK(decoded);
  EXPECT_EQ(decoded->kind, FrameKind::kCredit);
  EXPECT_EQ(decoded->count, 7u);
  EXPECT_EQ(decoded->link, header.link);

  EXPECT_FALSE(dist::DecodeFrameHeader(bytes.substr(0, 10)).ok());  // truncated
  std::string bad_magic = bytes;
  bad_magic[0] = 'X';
  QK_EXPECT_CONTAINS(dist::DecodeFrameHeader(bad_magic).status().message(), "magic");
  std::string bad_kind = bytes;
  bad_kind[3] = 9;
  QK_EXPECT_CONTAINS(dist::DecodeFrameHeader(bad_kind).status().message(), "kind");
  // A control frame must not carry a body.
  EXPECT_FALSE(dist::DecodeFrameHeader(bytes + "x").ok());
}

TEST(FrameTest, CompressionRoundTripsAndRejectsCorruption) {
  std::string body(100000, 'a');
  for (size_t i = 0; i < body.size(); i += 7) body[i] = static_cast<char>(i);
  std::string compressed = dist::CompressBody(body);
  ASSERT_LT(compressed.size(), body.size());
  auto back = dist::DecompressBody(compressed, body.size());
  QK_ASSERT_OK(back);
  EXPECT_EQ(*back, body);
  std::mt19937 random(5);
  for (int trial = 0; trial < 200; ++trial) {
    std::string broken = compressed.substr(0, random() % compressed.size());
    if (trial % 2 == 0 && !broken.empty()) broken[random() % broken.size()] ^= 0x5a;
    auto result = dist::DecompressBody(broken, body.size());  // must not crash; may fail
    if (result.ok()) EXPECT_LE(result->size(), body.size());
  }
  // A frame claiming a huge size is refused by what it really holds, without allocating it.
  EXPECT_FALSE(dist::DecompressBody(compressed, 1000).ok());
}

// Typed values nested inside each other 30000 deep: an error, not a stack overflow.
TEST(FrameTest, DeeplyNestedTypedValuesAreRefused) {
  const int depth = 30000;
  std::string nested;
  for (int level = depth; level > 0; --level) {
    uint32_t size = 11 * (level - 1) + 6;
    nested += '\xc9';
    for (int shift = 24; shift >= 0; shift -= 8)
      nested += static_cast<char>((size >> shift) & 0xFF);
    nested += std::string("\x01\xa4list", 6);
  }
  nested += '\xc0';
  std::string body = std::string("\x91", 1) + nested;  // an array of one object
  auto objects = dist::DecodeDataBody({FrameKind::kData, 1, 0}, body);
  ASSERT_FALSE(objects.ok());
  QK_EXPECT_CONTAINS(objects.status().message(), "nesting too deep");
}

TEST(ControlTest, MessagesAndStatisticsRoundTrip) {
  dist::ControlMessage message{"node_done", 42, 3, std::string("a\0b", 3), "w1"};
  auto back = dist::DecodeMessage(dist::EncodeMessage(message));
  QK_ASSERT_OK(back);
  EXPECT_EQ(back->kind, "node_done");
  EXPECT_EQ(back->run_id, 42u);
  EXPECT_EQ(back->number, 3);
  EXPECT_EQ(back->text, message.text);
  EXPECT_EQ(back->machine, "w1");

  RunStats stats;
  stats.threads = 2;
  stats.nodes.push_back({"scan", "reader", {{.channel = 1, .machine = "w1", .objects_out = 9}}});
  auto stats_back = dist::DecodeStats(dist::EncodeStats(stats));
  QK_ASSERT_OK(stats_back);
  EXPECT_EQ(stats_back->node("scan").objects_out(), 9u);

  std::string encoded = dist::EncodeMessage(message);
  for (size_t cut = 0; cut < encoded.size(); ++cut) {
    EXPECT_FALSE(dist::DecodeMessage(encoded.substr(0, cut)).ok()) << cut;
  }
}

// A plan of a small graph: readers, a hash-partitioned join, a blocking node, a dependency.
void SamplePlan(TaskGraph& graph) {
  Stream a = graph.NewInputReaderNode(RangeReader(0, 10), {.name = "a"});
  Stream b = graph.NewInputReaderNode(RangeReader(0, 10), {.name = "b", .depends_on = {a}});
  Stream joined = graph.NewNonBlockingNode(
      {{0, {a, HashPartitionBy({"key"})}}, {1, {b, Partitioner::Broadcast()}}},
      HashJoin({.left_keys = {"key"}, .right_keys = {"key"}}), {.name = "join"});
  graph.NewBlockingNode({{0, {joined, Partitioner::ToChannel(0)}}}, testing::SumInts(),
                        {.name = "sum", .channels = 1});
  graph.Create();
}

TEST(PlanCodecTest, RoundTripsAndRejectsCorruption) {
  Cluster cluster({Machine{"w1", 2, "10.0.0.1", 7070}, Machine{"w2", 2, "10.0.0.2", 7070}});
  TaskGraph graph(cluster);
  SamplePlan(graph);
  std::vector<const internal::NodeSpec*> specs;
  for (const auto& node : internal::GraphAccess::Nodes(graph)) specs.push_back(node.get());
  RunOptions options;
  options.compression = Compression::kZstd;
  auto bytes = dist::EncodePlan(9, cluster.machines(), options, specs);
  QK_ASSERT_OK(bytes);
  auto no_datasets =
      [](const std::string&,
         const std::vector<std::string>&) -> Result<std::shared_ptr<internal::DatasetState>> {
    return Status::NotFound("no datasets here");
  };
  auto plan = dist::DecodePlan(*bytes, no_datasets);
  QK_ASSERT_OK(plan);
  EXPECT_EQ(plan->run_id, 9u);
  EXPECT_EQ(plan->options.compression, Compression::kZstd);
  ASSERT_EQ(plan->nodes.size(), specs.size());
  for (size_t n = 0; n < specs.size(); ++n) {
    EXPECT_EQ(plan->nodes[n]->name, specs[n]->name);
    EXPECT_EQ(plan->nodes[n]->channel_machine, specs[n]->channel_machine);
    EXPECT_EQ(plan->nodes[n]->dependencies, specs[n]->dependencies);
    ASSERT_EQ(plan->nodes[n]->sources.size(), specs[n]->sources.size());
    for (size_t s = 0; s < specs[n]->sources.size(); ++s) {
      EXPECT_EQ(plan->nodes[n]->sources[s].partitioner.ToString(),
                specs[n]->sources[s].partitioner.ToString());
    }
  }
  // Truncations and byte flips: errors, never crashes.
  std::mt19937 random(11);
  for (size_t cut = 0; cut < bytes->size(); cut += 3) {
    EXPECT_FALSE(dist::DecodePlan(bytes->substr(0, cut), no_datasets).ok()) << cut;
  }
  for (int trial = 0; trial < 2000; ++trial) {
    std::string broken = *bytes;
    for (int flips = 0; flips < 1 + trial % 4; ++flips) {
      broken[random() % broken.size()] = static_cast<char>(random());
    }
    (void)dist::DecodePlan(broken, no_datasets);
  }
}

TEST(PlanCodecTest, UnknownTypeNameIsAClearError) {
  Cluster cluster({Machine{"w1", 1, "10.0.0.1", 7070}});
  TaskGraph graph(cluster);
  graph.NewInputReaderNode(RangeReader(0, 10), {.name = "a"});
  graph.Create();
  std::vector<const internal::NodeSpec*> specs;
  for (const auto& node : internal::GraphAccess::Nodes(graph)) specs.push_back(node.get());
  auto bytes = dist::EncodePlan(1, cluster.machines(), RunOptions(), specs);
  QK_ASSERT_OK(bytes);
  std::string renamed = *bytes;
  size_t at = renamed.find("quokka.range_reader");
  ASSERT_NE(at, std::string::npos);
  renamed.replace(at, 19, "quokka.range_readex");
  auto plan = dist::DecodePlan(renamed, nullptr);
  ASSERT_FALSE(plan.ok());
  QK_EXPECT_CONTAINS(plan.status().message(), "range_readex");
}

class ClusterFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    std::string path = ::testing::TempDir() + "/cluster_" + std::to_string(counter_++) + ".json";
    std::ofstream(path) << text;
    return path;
  }
  int counter_ = 0;
};

TEST_F(ClusterFileTest, ValidFileParses) {
  auto file = dist::ReadClusterFile(Write(R"({"redis": "10.0.0.1:6379", "insecure": true,
      "machines": [{"name": "w1", "address": "10.0.0.2", "data_port": 7071, "cores": 4}]})"));
  QK_ASSERT_OK(file);
  ASSERT_EQ(file->machines.size(), 1u);
  EXPECT_EQ(file->machines[0].machine.data_port, 7071);
  EXPECT_EQ(file->machines[0].machine.cores, 4);
  EXPECT_EQ(file->machines[0].ssh, "10.0.0.2");
}

TEST_F(ClusterFileTest, BadFilesNameTheProblem) {
  struct Case {
    std::string text, expected;
  };
  std::vector<Case> cases = {
      {"{", "not valid JSON"},
      {R"({"insecure": true, "machines": [{"name": "a", "address": "h"}]})", "\"redis\""},
      {R"({"redis": "h:1", "machines": [{"name": "a", "address": "h"}]})", "tls_dir"},
      {R"({"redis": "h:1", "insecure": true, "machines": []})", "machines"},
      {R"({"redis": "h:1", "insecure": true, "machines": [{"address": "h"}]})", "\"name\""},
      {R"({"redis": "h:1", "insecure": true, "machines": [{"name": "a", "address": "h",
          "data_port": 70000}]})",
       "data_port"},
      {R"({"redis": "h:1", "insecure": true, "machines": [{"name": "a", "address": "h"},
          {"name": "a", "address": "g"}]})",
       "repeats"},
      {R"({"redis": "h:1", "insecure": true, "machine": []})", "unknown field \"machine\""},
  };
  for (const Case& c : cases) {
    auto file = dist::ReadClusterFile(Write(c.text));
    ASSERT_FALSE(file.ok()) << c.text;
    QK_EXPECT_CONTAINS(file.status().message(), c.expected);
    QK_EXPECT_CONTAINS(file.status().message(), "cluster file");
  }
  EXPECT_FALSE(dist::ReadClusterFile("/nonexistent/cluster.json").ok());
}

TEST_F(ClusterFileTest, UnreachableRedisIsAClearErrorAtStart) {
  std::string path = Write(R"({"redis": "127.0.0.1:1", "insecure": true,
      "machines": [{"name": "a", "address": "127.0.0.1"}]})");
  auto error = test::CatchError([&] { Cluster::FromJson(path); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(test::Describe(*error), "127.0.0.1:1");
}

}  // namespace
}  // namespace quokka

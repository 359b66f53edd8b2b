// Tests that TaskGraph::Create() refuses malformed graphs and names the offending node.

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "quokka/cluster.h"
#include "quokka/graph.h"
#include "test_util.h"

namespace quokka {
namespace {

using test::CatchError;
using test::Named;

// Build and create a graph in `build`; expect a quokka::Error mentioning `node_name`.
// Errors may be raised while adding the node or by Create(); both are accepted.
void ExpectRefused(const std::function<void(TaskGraph&)>& build, const std::string& node_name,
                   const Cluster& cluster = LocalCluster(2)) {
  std::optional<Error> error = CatchError([&] {
    TaskGraph graph(cluster);
    build(graph);
    graph.Create();
  });
  ASSERT_TRUE(error.has_value()) << "graph with bad node '" << node_name << "' was accepted";
  QK_EXPECT_CONTAINS(error->status().message(), node_name) << test::Describe(*error);
  QK_EXPECT_CONTAINS(error->what(), node_name);
}

TEST(GraphValidationTest, ValidGraphIsAccepted) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream numbers = graph.NewInputReaderNode(RangeReader(0, 10), Named("numbers"));
  Stream doubled = graph.NewTask(
      numbers, [](const Object& o) { return Object(2 * o.As<int64_t>()); }, Named("doubled"));
  Dataset sums = graph.NewBlockingNode({{0, doubled}}, test::SumExecutor(), Named("sums"));
  EXPECT_NO_THROW(graph.Create());
  graph.Run(test::Quiet());
  EXPECT_EQ(test::SumOf(sums), 2 * test::SumBelow(10));
}

TEST(GraphValidationTest, StreamFromAnotherGraph) {
  LocalCluster cluster(2);
  TaskGraph other(cluster);
  Stream foreign = other.NewInputReaderNode(RangeReader(0, 10), Named("foreign_reader"));
  ExpectRefused(
      [&](TaskGraph& graph) {
        graph.NewInputReaderNode(RangeReader(0, 10), Named("local_reader"));
        graph.NewBlockingNode({{0, foreign}}, test::SumExecutor(), Named("takes_foreign"));
      },
      "takes_foreign", cluster);
  ExpectRefused(
      [&](TaskGraph& graph) {
        graph.NewNonBlockingNode({{0, foreign}}, test::SumExecutor(), Named("nb_takes_foreign"));
      },
      "nb_takes_foreign", cluster);
}

TEST(GraphValidationTest, DefaultConstructedStream) {
  ExpectRefused(
      [](TaskGraph& graph) {
        graph.NewInputReaderNode(RangeReader(0, 10), Named("r"));
        graph.NewBlockingNode({{0, Stream()}}, test::SumExecutor(), Named("takes_nothing"));
      },
      "takes_nothing");
}

TEST(GraphValidationTest, NodeWithoutSources) {
  ExpectRefused(
      [](TaskGraph& graph) {
        graph.NewInputReaderNode(RangeReader(0, 10), Named("r"));
        graph.NewNonBlockingNode({}, test::SumExecutor(), Named("no_sources_nb"));
      },
      "no_sources_nb");
  ExpectRefused(
      [](TaskGraph& graph) {
        graph.NewInputReaderNode(RangeReader(0, 10), Named("r"));
        graph.NewBlockingNode({}, test::SumExecutor(), Named("no_sources_blocking"));
      },
      "no_sources_blocking");
}

TEST(GraphValidationTest, ZeroOrNegativeChannels) {
  for (int channels : {0, -1, -8}) {
    ExpectRefused(
        [&](TaskGraph& graph) {
          graph.NewInputReaderNode(RangeReader(0, 10), Named("bad_reader_channels", channels));
        },
        "bad_reader_channels");
    ExpectRefused(
        [&](TaskGraph& graph) {
          Stream r = graph.NewInputReaderNode(RangeReader(0, 10), Named("r"));
          graph.NewBlockingNode({{0, r}}, test::SumExecutor(), Named("bad_op_channels", channels));
        },
        "bad_op_channels");
  }
}

TEST(GraphValidationTest, BadChannelsPerMachine) {
  Cluster two_machines({{"a", 1}, {"b", 1}});
  auto with_placement = [](std::string name, std::vector<int> placement) {
    NodeOptions options = Named(std::move(name));
    options.channels_per_machine = std::move(placement);
    return options;
  };
  ExpectRefused(
      [&](TaskGraph& graph) {
        graph.NewInputReaderNode(RangeReader(0, 10), with_placement("all_zero", {0, 0}));
      },
      "all_zero", two_machines);
  ExpectRefused(
      [&](TaskGraph& graph) {
        graph.NewInputReaderNode(RangeReader(0, 10), with_placement("too_short", {1}));
      },
      "too_short", two_machines);
  ExpectRefused(
      [&](TaskGraph& graph) {
        graph.NewInputReaderNode(RangeReader(0, 10), with_placement("too_long", {1, 1, 1}));
      },
      "too_long", two_machines);
  ExpectRefused(
      [&](TaskGraph& graph) {
        graph.NewInputReaderNode(RangeReader(0, 10), with_placement("negative", {2, -1}));
      },
      "negative", two_machines);
  ExpectRefused(
      [&](TaskGraph& graph) {
        // Keep the reader on machine 0 so that only op_zero is at fault.
        Stream r = graph.NewInputReaderNode(RangeReader(0, 10), with_placement("r", {1, 0}));
        graph.NewBlockingNode({{0, r}}, test::SumExecutor(), with_placement("op_zero", {0, 0}));
      },
      "op_zero", two_machines);
  // On one machine, a single zero is "all zeros" too.
  ExpectRefused(
      [&](TaskGraph& graph) {
        graph.NewInputReaderNode(RangeReader(0, 10), with_placement("local_zero", {0}));
      },
      "local_zero", LocalCluster(2));
}

TEST(GraphValidationTest, DependsOnNodeOfAnotherGraph) {
  LocalCluster cluster(2);
  TaskGraph other(cluster);
  Stream foreign = other.NewInputReaderNode(RangeReader(0, 10), Named("foreign"));
  ExpectRefused(
      [&](TaskGraph& graph) {
        NodeOptions options = Named("depends_on_foreign");
        options.depends_on = {foreign};
        graph.NewInputReaderNode(RangeReader(0, 10), options);
      },
      "depends_on_foreign", cluster);
}

TEST(GraphValidationTest, DependingOnOwnDirectInputWouldDeadlock) {
  ExpectRefused(
      [](TaskGraph& graph) {
        Stream r = graph.NewInputReaderNode(RangeReader(0, 10), Named("r"));
        NodeOptions options = Named("waits_for_own_input");
        options.depends_on = {r};
        graph.NewBlockingNode({{0, r}}, test::SumExecutor(), options);
      },
      "waits_for_own_input");
}

TEST(GraphValidationTest, DependingOnTransitiveInputWouldDeadlock) {
  ExpectRefused(
      [](TaskGraph& graph) {
        Stream r = graph.NewInputReaderNode(RangeReader(0, 10), Named("r"));
        Stream mid = graph.NewNonBlockingNode({{0, r}}, test::SumExecutor(), Named("mid"));
        Stream mid2 = graph.NewTask(
            mid, [](const Object& o) { return o; }, Named("mid2"));
        NodeOptions options = Named("waits_for_upstream");
        options.depends_on = {r};
        graph.NewBlockingNode({{0, mid2}}, test::SumExecutor(), options);
      },
      "waits_for_upstream");
}

TEST(GraphValidationTest, DependingOnUnrelatedNodeIsFine) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream a = graph.NewInputReaderNode(RangeReader(0, 10), Named("a"));
  Dataset a_sum = graph.NewBlockingNode({{0, a}}, test::SumExecutor(), Named("a_sum"));
  NodeOptions options = Named("b");
  options.depends_on = {a_sum};
  Stream b = graph.NewInputReaderNode(RangeReader(10, 20), options);
  Dataset b_sum = graph.NewBlockingNode({{0, b}}, test::SumExecutor(), Named("b_sum"));
  EXPECT_NO_THROW(graph.Create());
  graph.Run(test::Quiet());
  EXPECT_EQ(test::SumOf(a_sum), test::SumBelow(10));
  EXPECT_EQ(test::SumOf(b_sum), test::SumBelow(20) - test::SumBelow(10));
}

TEST(ClusterTest, ValidatesMachines) {
  EXPECT_TRUE(CatchError([] { Cluster cluster(std::vector<Machine>{}); }).has_value());
  EXPECT_TRUE(CatchError([] { Cluster cluster({{"a", 0}}); }).has_value());
  EXPECT_TRUE(CatchError([] { Cluster cluster({{"a", 2}, {"b", -1}}); }).has_value());
  Cluster cluster({{"a", 2}, {"b", 3}});
  EXPECT_EQ(cluster.num_machines(), 2);
  EXPECT_EQ(cluster.total_cores(), 5);
  EXPECT_EQ(cluster.machines()[1].name, "b");
  LocalCluster local(3);
  EXPECT_EQ(local.num_machines(), 1);
  EXPECT_EQ(local.total_cores(), 3);
  EXPECT_GE(LocalCluster().total_cores(), 1);
}

}  // namespace
}  // namespace quokka

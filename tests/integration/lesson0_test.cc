// The tutorial's first lesson: the numbers 0..79 summed by a blocking node total 3160,
// whatever the channel counts.

#include <gtest/gtest.h>

#include "quokka/graph.h"
#include "test_util.h"

namespace quokka {
namespace {

TEST(Lesson0Test, TotalIs3160ForAnyChannelCounts) {
  LocalCluster cluster(4);
  for (int reader_channels = 1; reader_channels <= 8; ++reader_channels) {
    for (int sum_channels = 1; sum_channels <= 4; ++sum_channels) {
      TaskGraph graph(cluster);
      Stream numbers =
          graph.NewInputReaderNode(RangeReader(0, 80), test::Named("numbers", reader_channels));
      Dataset sums = graph.NewBlockingNode({{0, numbers}}, test::SumExecutor(),
                                           test::Named("sum", sum_channels));
      graph.Run(test::Quiet());
      EXPECT_EQ(sums.num_partitions(), sum_channels);
      EXPECT_EQ(test::SumOf(sums), 3160)
          << reader_channels << " reader channels, " << sum_channels << " sum channels";
    }
  }
}

TEST(Lesson0Test, DefaultsAndBatches) {
  for (int cores : {1, 2, 5}) {
    LocalCluster cluster(cores);
    TaskGraph graph(cluster);
    Stream numbers = graph.NewInputReaderNode(RangeReader(0, 80));
    Dataset sums = graph.NewBlockingNode({{0, numbers}}, test::SumExecutor());
    graph.Run(test::Quiet());
    EXPECT_EQ(test::SumOf(sums), 3160) << cores << " cores";
  }
  LocalCluster cluster(3);
  TaskGraph graph(cluster);
  Stream batches = graph.NewInputReaderNode(RangeReader(0, 80, 7));
  Dataset sums = graph.NewBlockingNode({{0, batches}}, test::SumExecutor());
  graph.Run(test::Quiet());
  EXPECT_EQ(test::SumOf(sums), 3160);
}

}  // namespace
}  // namespace quokka

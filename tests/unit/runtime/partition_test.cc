// Tests for partition functions: which consumer channels receive each producer's objects.

#include "quokka/partition.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "quokka/graph.h"
#include "test_util.h"

namespace quokka {
namespace {

using test::Recording;
using test::RecordingExecutor;
using test::Tag;
using test::TagChannel;
using test::TagSeq;

// Runs producers (P channels, each emitting Tag(c, 0..n-1)) into a recording consumer with C
// channels through `partitioner`; returns what the consumer saw.
std::shared_ptr<Recording> RunPartition(int producers, int consumers, Partitioner partitioner,
                                        int64_t per_channel) {
  auto recording = std::make_shared<Recording>();
  LocalCluster cluster(4);
  TaskGraph graph(cluster);
  Stream source =
      graph.NewInputReaderNode(test::TaggedReader(per_channel), test::Named("producer", producers));
  graph.NewBlockingNode({{0, Source(source, std::move(partitioner))}}, RecordingExecutor(recording),
                        test::Named("consumer", consumers));
  graph.Run(test::Quiet(4));
  return recording;
}

std::multiset<int64_t> AllTags(int producers, int64_t per_channel) {
  std::multiset<int64_t> all;
  for (int p = 0; p < producers; ++p) {
    for (int64_t i = 0; i < per_channel; ++i) all.insert(Tag(p, i));
  }
  return all;
}

std::multiset<int64_t> TagsOf(const ObjectList& objects) {
  std::multiset<int64_t> tags;
  for (const Object& object : objects) tags.insert(object.As<int64_t>());
  return tags;
}

void ExpectDoneOncePerChannel(Recording& recording, int consumers) {
  for (int c = 0; c < consumers; ++c) {
    EXPECT_EQ(recording.done_calls[c], 1) << "Done() calls on channel " << c;
  }
  EXPECT_EQ(recording.done_calls.size(), static_cast<size_t>(consumers));
}

TEST(PartitionTest, DefaultMapsProducerToConsumerModulo) {
  const int64_t n = 300;
  for (auto [producers, consumers] : {std::pair{5, 2}, {2, 5}, {3, 3}, {4, 1}, {1, 3}}) {
    std::shared_ptr<Recording> recording =
        RunPartition(producers, consumers, Partitioner::Default(), n);
    std::multiset<int64_t> received;
    for (int c = 0; c < consumers; ++c) {
      for (const Object& object : recording->ObjectsOf(c)) {
        int64_t tag = object.As<int64_t>();
        EXPECT_EQ(TagChannel(tag) % consumers, c)
            << "producer " << TagChannel(tag) << " reached consumer " << c << " (P=" << producers
            << ", C=" << consumers << ")";
        received.insert(tag);
      }
    }
    EXPECT_EQ(received, AllTags(producers, n)) << "P=" << producers << ", C=" << consumers;
    ExpectDoneOncePerChannel(*recording, consumers);
  }
}

TEST(PartitionTest, DefaultConstructedPartitionerIsDefault) {
  EXPECT_EQ(Partitioner().kind(), Partitioner::Kind::kDefault);
  EXPECT_EQ(Partitioner::Default().kind(), Partitioner::Kind::kDefault);
  // A plain Stream as a Source uses the default partitioning.
  Source source{Stream()};
  EXPECT_EQ(source.partitioner.kind(), Partitioner::Kind::kDefault);
}

TEST(PartitionTest, BroadcastDeliversEverythingToEveryChannel) {
  const int64_t n = 200;
  std::shared_ptr<Recording> recording = RunPartition(3, 4, Partitioner::Broadcast(), n);
  for (int c = 0; c < 4; ++c) {
    EXPECT_EQ(TagsOf(recording->ObjectsOf(c)), AllTags(3, n)) << "consumer " << c;
  }
  ExpectDoneOncePerChannel(*recording, 4);
}

TEST(PartitionTest, RoundRobinDealsInTurn) {
  const int64_t n = 403;
  const int producers = 3, consumers = 4;
  std::shared_ptr<Recording> recording =
      RunPartition(producers, consumers, Partitioner::RoundRobin(), n);
  // consumer_of[producer][seq]
  std::vector<std::vector<int>> consumer_of(producers, std::vector<int>(n, -1));
  std::multiset<int64_t> received;
  for (int c = 0; c < consumers; ++c) {
    for (const Object& object : recording->ObjectsOf(c)) {
      int64_t tag = object.As<int64_t>();
      consumer_of[TagChannel(tag)][TagSeq(tag)] = c;
      received.insert(tag);
    }
  }
  EXPECT_EQ(received, AllTags(producers, n));
  for (int p = 0; p < producers; ++p) {
    std::vector<int> counts(consumers, 0);
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_GE(consumer_of[p][i], 0);
      ++counts[consumer_of[p][i]];
      if (i > 0) {
        EXPECT_EQ(consumer_of[p][i], (consumer_of[p][i - 1] + 1) % consumers)
            << "producer " << p << " object " << i;
      }
    }
    for (int c = 0; c < consumers; ++c) {
      EXPECT_GE(counts[c], n / consumers);
      EXPECT_LE(counts[c], n / consumers + 1);
    }
  }
  ExpectDoneOncePerChannel(*recording, consumers);
}

TEST(PartitionTest, ToChannelSendsEverythingToOneChannel) {
  const int64_t n = 150;
  for (int target : {0, 2}) {
    std::shared_ptr<Recording> recording = RunPartition(4, 3, Partitioner::ToChannel(target), n);
    for (int c = 0; c < 3; ++c) {
      if (c == target) {
        EXPECT_EQ(TagsOf(recording->ObjectsOf(c)), AllTags(4, n));
      } else {
        EXPECT_TRUE(recording->ObjectsOf(c).empty()) << "channel " << c;
      }
    }
    ExpectDoneOncePerChannel(*recording, 3);
  }
  EXPECT_EQ(Partitioner::ToChannel(3).kind(), Partitioner::Kind::kToChannel);
  EXPECT_EQ(Partitioner::ToChannel(3).fixed_channel(), 3);
  QK_EXPECT_CONTAINS(Partitioner::ToChannel(3).ToString(), "3");
}

TEST(PartitionTest, ToChannelOutOfRangeIsRefusedAtCreate) {
  for (int bad : {3, 7, -1}) {
    LocalCluster cluster(2);
    std::optional<Error> error = test::CatchError([&] {
      TaskGraph graph(cluster);
      Stream source = graph.NewInputReaderNode(RangeReader(0, 10), test::Named("tc_source", 2));
      graph.NewBlockingNode({{0, Source(source, Partitioner::ToChannel(bad))}}, test::SumExecutor(),
                            test::Named("tc_sink", 3));
      graph.Create();
    });
    ASSERT_TRUE(error.has_value()) << "ToChannel(" << bad << ") with 3 channels was accepted";
    std::string message = test::Describe(*error);
    EXPECT_TRUE(message.find("tc_sink") != std::string::npos ||
                message.find("tc_source") != std::string::npos)
        << message;
  }
}

TEST(PartitionTest, HashByPlacesEachKeyOnItsHashChannel) {
  const int64_t n = 500;
  const int consumers = 5;
  auto int_key = [](const Object& object) { return Object(TagSeq(object.As<int64_t>()) % 37); };
  auto string_key = [](const Object& object) {
    return Object(std::string("key-").append(std::to_string(TagSeq(object.As<int64_t>()) % 11)));
  };
  for (const Partitioner::KeyFunction& key :
       {Partitioner::KeyFunction(int_key), Partitioner::KeyFunction(string_key)}) {
    std::shared_ptr<Recording> recording = RunPartition(3, consumers, Partitioner::HashBy(key), n);
    std::multiset<int64_t> received;
    std::map<std::string, int> channel_of_key;
    for (int c = 0; c < consumers; ++c) {
      for (const Object& object : recording->ObjectsOf(c)) {
        Object k = key(object);
        EXPECT_EQ(static_cast<int>(HashObject(k) % consumers), c) << k.ToString();
        auto [it, inserted] = channel_of_key.emplace(k.ToString(), c);
        EXPECT_EQ(it->second, c) << "key " << k.ToString() << " on two channels";
        received.insert(object.As<int64_t>());
      }
    }
    EXPECT_EQ(received, AllTags(3, n));
    ExpectDoneOncePerChannel(*recording, consumers);
  }
}

TEST(PartitionTest, CustomFunctionChoosesTargets) {
  const int64_t n = 240;
  const int producers = 3, consumers = 4;
  // seq % 3 == 0: to every channel; == 1: dropped; == 2: to channel (seq / 3) % C as x * 10.
  // A wrong producer channel or consumer count is reported as a string object.
  Partitioner custom = Partitioner::Custom(
      [](const Object& object, int producer_channel, int num_consumers, std::vector<Target>& out) {
        int64_t tag = object.As<int64_t>();
        if (producer_channel != TagChannel(tag) || num_consumers != 4) {
          out.push_back({0, Object("bad arguments")});
          return;
        }
        int64_t seq = TagSeq(tag);
        if (seq % 3 == 0) {
          for (int c = 0; c < num_consumers; ++c) out.push_back({c, object});
        } else if (seq % 3 == 2) {
          out.push_back({static_cast<int>((seq / 3) % num_consumers), Object(tag * 10)});
        }
      });
  std::shared_ptr<Recording> recording = RunPartition(producers, consumers, custom, n);
  for (int c = 0; c < consumers; ++c) {
    std::multiset<int64_t> expected;
    for (int p = 0; p < producers; ++p) {
      for (int64_t seq = 0; seq < n; ++seq) {
        if (seq % 3 == 0) expected.insert(Tag(p, seq));
        if (seq % 3 == 2 && (seq / 3) % consumers == c) expected.insert(Tag(p, seq) * 10);
      }
    }
    EXPECT_EQ(TagsOf(recording->ObjectsOf(c)), expected) << "consumer " << c;
  }
  ExpectDoneOncePerChannel(*recording, consumers);
}

TEST(PartitionTest, CustomTargetOutOfRangeFailsTheRun) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream source = graph.NewInputReaderNode(RangeReader(0, 100), test::Named("custom_source", 2));
  graph.NewBlockingNode(
      {{0, Source(source, Partitioner::Custom([](const Object& object, int, int num_consumers,
                                                 std::vector<Target>& out) {
                    int64_t x = object.As<int64_t>();
                    out.push_back({x == 42 ? num_consumers : 0, object});
                  }))}},
      test::SumExecutor(), test::Named("custom_sink", 2));
  std::optional<Error> error = test::CatchError([&] { graph.Run(test::Quiet(2)); });
  ASSERT_TRUE(error.has_value()) << "a target channel out of range was accepted";
  std::string message = test::Describe(*error);
  EXPECT_TRUE(message.find("custom_sink") != std::string::npos ||
              message.find("custom_source") != std::string::npos)
      << message;
}

TEST(HashObjectTest, EqualValuesHashEqual) {
  EXPECT_EQ(HashObject(Object(12345)), HashObject(Object(12345)));
  EXPECT_EQ(HashObject(Object(2.5)), HashObject(Object(2.5)));
  EXPECT_EQ(HashObject(Object("abc")), HashObject(Object(std::string("abc"))));
  EXPECT_EQ(HashObject(Object(Bytes{"xyz"})), HashObject(Object(Bytes{"xyz"})));
  EXPECT_EQ(HashObject(Object(ObjectList{Object(1), Object("a")})),
            HashObject(Object(ObjectList{Object(1), Object("a")})));
  EXPECT_NE(HashObject(Object(ObjectList{Object(1), Object(2)})),
            HashObject(Object(ObjectList{Object(2), Object(1)})));
}

TEST(HashObjectTest, DifferentValuesSpread) {
  std::set<uint64_t> int_hashes, string_hashes;
  std::vector<int> buckets(8, 0);
  for (int64_t i = 0; i < 1000; ++i) {
    uint64_t h = HashObject(Object(i));
    int_hashes.insert(h);
    ++buckets[h % 8];
    std::string text = std::to_string(i);
    text.push_back('s');
    string_hashes.insert(HashObject(Object(text)));
  }
  EXPECT_GE(int_hashes.size(), 995u);
  EXPECT_GE(string_hashes.size(), 995u);
  // Consecutive integers spread over buckets (not just i % 8 == i's low bits clustering).
  for (int count : buckets) {
    EXPECT_GT(count, 60);
    EXPECT_LT(count, 190);
  }
}

struct HashTestStruct {
  int value = 0;
};

TEST(HashObjectTest, UnhashableTypesThrowTypeError) {
  std::optional<Error> map_error = test::CatchError([] {
    (void)HashObject(Object(ObjectMap{{"a", Object(1)}}));
  });
  ASSERT_TRUE(map_error.has_value());
  EXPECT_EQ(map_error->status().code(), StatusCode::kTypeError);
  std::optional<Error> struct_error =
      test::CatchError([] { (void)HashObject(Object::Make(HashTestStruct{})); });
  ASSERT_TRUE(struct_error.has_value());
  EXPECT_EQ(struct_error->status().code(), StatusCode::kTypeError);
}

}  // namespace
}  // namespace quokka

// Tests for the built-in readers, used directly (no graph): splitting and restart positions.

#include "quokka/reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "test_util.h"

namespace quokka {
namespace {

using test::ReadChannel;

// All integers a RangeReader channel yields, flattening batches.
std::vector<int64_t> Flatten(const std::vector<ReadItem>& items) {
  std::vector<int64_t> numbers;
  for (const ReadItem& item : items) {
    if (const auto* value = item.object.GetIf<int64_t>()) {
      numbers.push_back(*value);
    } else {
      const auto& batch = item.object.As<std::vector<int64_t>>();
      numbers.insert(numbers.end(), batch.begin(), batch.end());
    }
  }
  return numbers;
}

std::vector<int64_t> Iota(int64_t begin, int64_t end) {
  std::vector<int64_t> numbers;
  for (int64_t i = begin; i < end; ++i) numbers.push_back(i);
  return numbers;
}

TEST(RangeReaderTest, OneChannelYieldsEverythingInOrder) {
  std::vector<ReadItem> items = ReadChannel(RangeReader(0, 80), 0, 1);
  ASSERT_EQ(items.size(), 80u);
  for (const ReadItem& item : items) EXPECT_TRUE(item.object.Is<int64_t>());
  EXPECT_EQ(Flatten(items), Iota(0, 80));
}

TEST(RangeReaderTest, ChannelsGetContiguousBlocksCoveringTheRange) {
  for (auto [begin, end] :
       {std::pair<int64_t, int64_t>{0, 80}, {5, 6}, {-50, 51}, {10, 10}, {1000, 1997}}) {
    for (int channels : {1, 2, 3, 7, 8, 13}) {
      std::vector<int64_t> all;
      size_t smallest = SIZE_MAX, largest = 0;
      for (int c = 0; c < channels; ++c) {
        std::vector<int64_t> part = Flatten(ReadChannel(RangeReader(begin, end), c, channels));
        smallest = std::min(smallest, part.size());
        largest = std::max(largest, part.size());
        all.insert(all.end(), part.begin(), part.end());
      }
      // Concatenating the channels in order gives back the range: contiguous blocks.
      EXPECT_EQ(all, Iota(begin, end))
          << "range [" << begin << ", " << end << ") over " << channels << " channels";
      // Every channel gets a share of the work when there is enough of it.
      if (end - begin >= channels * 4) {
        EXPECT_GT(smallest, 0u);
      }
    }
  }
}

TEST(RangeReaderTest, MoreChannelsThanNumbers) {
  std::vector<int64_t> all;
  for (int c = 0; c < 10; ++c) {
    std::vector<int64_t> part = Flatten(ReadChannel(RangeReader(0, 3), c, 10));
    all.insert(all.end(), part.begin(), part.end());
  }
  EXPECT_EQ(all, Iota(0, 3));
}

TEST(RangeReaderTest, BatchesAreVectorsOfAtMostBatchSize) {
  for (int64_t batch_size : {2, 7, 100, 1000}) {
    for (int channels : {1, 3, 4}) {
      std::vector<int64_t> all;
      for (int c = 0; c < channels; ++c) {
        std::vector<ReadItem> items = ReadChannel(RangeReader(0, 1000, batch_size), c, channels);
        for (const ReadItem& item : items) {
          ASSERT_TRUE(item.object.Is<std::vector<int64_t>>()) << item.object.type_name();
          size_t size = item.object.As<std::vector<int64_t>>().size();
          EXPECT_GE(size, 1u);
          EXPECT_LE(size, static_cast<size_t>(batch_size));
        }
        std::vector<int64_t> part = Flatten(items);
        all.insert(all.end(), part.begin(), part.end());
      }
      EXPECT_EQ(all, Iota(0, 1000)) << "batch " << batch_size << ", channels " << channels;
    }
  }
  // A full batch: 1000 numbers in batches of 100 on one channel is 10 batches.
  EXPECT_EQ(ReadChannel(RangeReader(0, 1000, 100), 0, 1).size(), 10u);
}

TEST(RangeReaderTest, RestartAfterEveryPosition) {
  for (int64_t batch_size : {1, 4}) {
    for (int channels : {1, 3}) {
      RangeReader prototype(100, 150, batch_size);
      for (int c = 0; c < channels; ++c) {
        std::vector<ReadItem> items = ReadChannel(prototype, c, channels);
        for (size_t k = 0; k < items.size(); ++k) {
          std::vector<ReadItem> rest = ReadChannel(prototype, c, channels, items[k].position);
          std::vector<ReadItem> expected(items.begin() + k + 1, items.end());
          ASSERT_EQ(rest.size(), expected.size()) << "restart after item " << k << " of channel "
                                                  << c << " (position " << items[k].position << ")";
          EXPECT_EQ(Flatten(rest), Flatten(expected));
        }
      }
    }
  }
}

TEST(GeneratorReaderTest, CallsFunctionUntilNullopt) {
  GeneratorReader prototype(
      [](int64_t index, int channel, int num_channels) -> std::optional<Object> {
        if (index > channel) return std::nullopt;  // channel c yields c + 1 objects
        return Object(ObjectList{Object(channel), Object(index), Object(num_channels)});
      });
  for (int c = 0; c < 4; ++c) {
    std::vector<ReadItem> items = ReadChannel(prototype, c, 4);
    ASSERT_EQ(items.size(), static_cast<size_t>(c + 1));
    for (size_t i = 0; i < items.size(); ++i) {
      EXPECT_EQ(items[i].object,
                Object(ObjectList{Object(c), Object(static_cast<int64_t>(i)), Object(4)}));
    }
  }
}

TEST(GeneratorReaderTest, EmptyGenerator) {
  GeneratorReader prototype(
      [](int64_t, int, int) -> std::optional<Object> { return std::nullopt; });
  EXPECT_TRUE(ReadChannel(prototype, 0, 1).empty());
}

ObjectList Letters(int n) {
  ObjectList list;
  for (int i = 0; i < n; ++i) list.push_back(Object(std::string(1 + i % 3, 'a' + i % 26)));
  return list;
}

TEST(VectorReaderTest, ContiguousBlocksPerChannel) {
  ObjectList objects = Letters(37);
  for (int channels : {1, 2, 5, 37, 50}) {
    ObjectList all;
    for (int c = 0; c < channels; ++c) {
      for (const ReadItem& item : ReadChannel(VectorReader(objects), c, channels)) {
        all.push_back(item.object);
      }
    }
    EXPECT_EQ(all, objects) << channels << " channels";
  }
  EXPECT_TRUE(ReadChannel(VectorReader(ObjectList{}), 0, 3).empty());
}

TEST(VectorReaderTest, ChannelCopiesShareTheObjects) {
  ObjectList objects = Letters(4);
  std::vector<ReadItem> items = ReadChannel(VectorReader(objects), 0, 1);
  ASSERT_EQ(items.size(), 4u);
  // The reader yields the same boxed values, not copies.
  EXPECT_EQ(items[2].object.GetIf<std::string>(), objects[2].GetIf<std::string>());
}

TEST(VectorReaderTest, RestartAfterEveryPosition) {
  ObjectList objects = Letters(23);
  VectorReader prototype(objects);
  for (int channels : {1, 4}) {
    for (int c = 0; c < channels; ++c) {
      std::vector<ReadItem> items = ReadChannel(prototype, c, channels);
      for (size_t k = 0; k < items.size(); ++k) {
        std::vector<ReadItem> rest = ReadChannel(prototype, c, channels, items[k].position);
        ASSERT_EQ(rest.size(), items.size() - k - 1)
            << "restart after item " << k << " of channel " << c;
        for (size_t j = 0; j < rest.size(); ++j) {
          EXPECT_EQ(rest[j].object, items[k + 1 + j].object);
        }
      }
    }
  }
}

}  // namespace
}  // namespace quokka

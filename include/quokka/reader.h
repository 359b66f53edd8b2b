#pragma once
// Input readers: turn a data source into a stream (a QStream) of objects.
//
// A reader node runs as several channels. Every channel gets its own copy of the reader object
// (made from the prototype passed to TaskGraph::NewInputReaderNode), is told its channel number
// and the total channel count, and then yields that channel's share of the data one object at a
// time, each with a position from which the channel could restart after that object.
// A reader copy is used by one thread at a time; it needs no locking.

#include <cstdint>
#include <functional>
#include <optional>

#include "quokka/object.h"

namespace quokka {

class Encoder;
class Decoder;

/// \brief One object yielded by a reader and the position to restart after it.
struct ReadItem {
  int64_t position = 0;
  Object object;
};

class InputReader {
 public:
  virtual ~InputReader() = default;
  /// \brief Prepare to read channel `channel` of `num_channels`, from `position` (0 = start;
  ///        otherwise a position an earlier Next() returned: restart after that item).
  ///        Called exactly once, before Next().
  virtual void Start(int channel, int num_channels, int64_t position) = 0;
  /// \brief Return the next object, or nullopt at the end of this channel's share.
  virtual std::optional<ReadItem> Next() = 0;
};

/// \brief Yields the integers [begin, end), split into contiguous blocks, one per channel.
///        With batch_size > 1 it yields std::vector<int64_t> batches of up to that many numbers.
class RangeReader final : public InputReader {
 public:
  RangeReader(int64_t begin, int64_t end, int64_t batch_size = 1);
  void Start(int channel, int num_channels, int64_t position) override;
  std::optional<ReadItem> Next() override;
  /// Registered as "quokka.range_reader", so it can run on any machine.
  void Encode(Encoder& out) const;
  static RangeReader Decode(Decoder& in);

 private:
  int64_t begin_, end_, batch_size_;
  int64_t next_ = 0, stop_ = 0;
};

/// \brief Calls `generate(index, channel, num_channels)` for index 0, 1, 2, ... until it
///        returns nullopt; the channel's objects are what it returns.
/// A function cannot be shipped: on a multi-machine cluster, place it on the first machine.
class GeneratorReader final : public InputReader {
 public:
  using Function =
      std::function<std::optional<Object>(int64_t index, int channel, int num_channels)>;
  explicit GeneratorReader(Function generate);
  void Start(int channel, int num_channels, int64_t position) override;
  std::optional<ReadItem> Next() override;

 private:
  Function generate_;
  int channel_ = 0, num_channels_ = 1;
  int64_t index_ = 0;
  bool finished_ = false;
};

/// \brief Yields the objects of an in-memory list, split into contiguous blocks per channel.
class VectorReader final : public InputReader {
 public:
  explicit VectorReader(ObjectList objects);
  void Start(int channel, int num_channels, int64_t position) override;
  std::optional<ReadItem> Next() override;
  /// Registered as "quokka.vector_reader" (its objects must be registered types too).
  void Encode(Encoder& out) const;
  static VectorReader Decode(Decoder& in);

 private:
  std::shared_ptr<const ObjectList> objects_;  // shared by all channel copies
  size_t next_ = 0, stop_ = 0;
};

}  // namespace quokka

// The library's input readers: ranges, generators and in-memory vectors.
#include <algorithm>

#include "quokka/reader.h"
#include "quokka/serialize.h"

namespace quokka {
namespace {
// The [first, last) share of `count` items that channel `channel` of `num_channels` reads:
// contiguous blocks whose sizes differ by at most one.
std::pair<int64_t, int64_t> BlockOf(int64_t count, int channel, int num_channels) {
  int64_t first = count * channel / num_channels;
  int64_t last = count * (channel + 1) / num_channels;
  return {first, last};
}

// The library readers that hold only data can be shipped to other machines.
const bool kReadersRegistered = [] {
  (void)RegisterType<RangeReader>(
      "quokka.range_reader", [](const RangeReader& reader, Encoder& out) { reader.Encode(out); },
      [](Decoder& in) { return RangeReader::Decode(in); });
  (void)RegisterType<VectorReader>(
      "quokka.vector_reader", [](const VectorReader& reader, Encoder& out) { reader.Encode(out); },
      [](Decoder& in) { return VectorReader::Decode(in); });
  return true;
}();

}  // namespace

void RangeReader::Encode(Encoder& out) const {
  out.Int(begin_);
  out.Int(end_);
  out.Int(batch_size_);
}

RangeReader RangeReader::Decode(Decoder& in) {
  int64_t begin = in.Int();
  int64_t end = in.Int();
  int64_t batch_size = in.Int();
  return RangeReader(begin, end, batch_size);
}

void VectorReader::Encode(Encoder& out) const {
  out.ArrayHeader(static_cast<uint32_t>(objects_->size()));
  for (const Object& object : *objects_) out.WriteObject(object);
}

VectorReader VectorReader::Decode(Decoder& in) {
  uint32_t size = in.ArrayHeader();
  ObjectList objects;
  objects.reserve(size);
  for (uint32_t i = 0; i < size; ++i) objects.push_back(in.ReadObject());
  return VectorReader(std::move(objects));
}

RangeReader::RangeReader(int64_t begin, int64_t end, int64_t batch_size)
    : begin_(begin), end_(std::max(begin, end)), batch_size_(std::max<int64_t>(1, batch_size)) {}

void RangeReader::Start(int channel, int num_channels, int64_t position) {
  auto [first, last] = BlockOf(end_ - begin_, channel, num_channels);
  next_ = begin_ + first;
  stop_ = begin_ + last;
  if (position > 0) next_ = std::min(stop_, std::max(next_, position));
}

std::optional<ReadItem> RangeReader::Next() {
  if (next_ >= stop_) return std::nullopt;
  if (batch_size_ == 1) {
    int64_t value = next_++;
    return ReadItem{next_, Object(value)};
  }
  int64_t count = std::min(batch_size_, stop_ - next_);
  std::vector<int64_t> batch(count);
  for (int64_t i = 0; i < count; ++i) batch[i] = next_ + i;
  next_ += count;
  return ReadItem{next_, Object::Make(std::move(batch))};
}

GeneratorReader::GeneratorReader(Function generate) : generate_(std::move(generate)) {}

void GeneratorReader::Start(int channel, int num_channels, int64_t position) {
  channel_ = channel;
  num_channels_ = num_channels;
  index_ = position;
  finished_ = false;
}

std::optional<ReadItem> GeneratorReader::Next() {
  if (finished_) return std::nullopt;
  std::optional<Object> object = generate_(index_, channel_, num_channels_);
  if (!object) {
    finished_ = true;
    return std::nullopt;
  }
  ++index_;
  return ReadItem{index_, std::move(*object)};
}

VectorReader::VectorReader(ObjectList objects)
    : objects_(std::make_shared<const ObjectList>(std::move(objects))) {}

void VectorReader::Start(int channel, int num_channels, int64_t position) {
  auto [first, last] = BlockOf(static_cast<int64_t>(objects_->size()), channel, num_channels);
  next_ = static_cast<size_t>(first);
  stop_ = static_cast<size_t>(last);
  if (position > 0) next_ = std::min(stop_, std::max(next_, static_cast<size_t>(position)));
}

std::optional<ReadItem> VectorReader::Next() {
  if (next_ >= stop_) return std::nullopt;
  const Object& object = (*objects_)[next_++];
  return ReadItem{static_cast<int64_t>(next_), object};
}

}  // namespace quokka

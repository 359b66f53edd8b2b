#include "dataset_reader.h"

namespace quokka::internal {

void DatasetReader::Start(int channel, int num_channels, int64_t position) {
  num_channels_ = num_channels;
  partition_ = static_cast<size_t>(channel);
  index_ = 0;
  position_ = 0;
  for (int64_t skipped = 0; skipped < position; ++skipped) {
    if (!Next()) break;
  }
}

std::optional<ReadItem> DatasetReader::Next() {
  const auto& partitions = dataset_->partitions;
  while (partition_ < partitions.size() && index_ >= partitions[partition_].size()) {
    partition_ += num_channels_;
    index_ = 0;
  }
  if (partition_ >= partitions.size()) return std::nullopt;
  return ReadItem{++position_, partitions[partition_][index_++]};
}

}  // namespace quokka::internal

#pragma once
// The reader behind TaskGraph::NewInputDataset: channel c yields partitions c, c + n, ...

#include <memory>

#include "plan.h"
#include "quokka/reader.h"

namespace quokka::internal {

class DatasetReader final : public InputReader {
 public:
  explicit DatasetReader(std::shared_ptr<DatasetState> dataset) : dataset_(std::move(dataset)) {}
  void Start(int channel, int num_channels, int64_t position) override;
  std::optional<ReadItem> Next() override;

 private:
  std::shared_ptr<DatasetState> dataset_;
  int num_channels_ = 1;
  size_t partition_ = 0, index_ = 0;
  int64_t position_ = 0;  // objects yielded so far by this channel
};

}  // namespace quokka::internal

#pragma once
// Statistics returned by TaskGraph::Run(): per node and per channel.

#include <cstdint>
#include <string>
#include <vector>

namespace quokka {

struct ChannelStats {
  int channel = 0;
  std::string machine;
  uint64_t objects_in = 0;           ///< Objects received (readers: 0).
  uint64_t batches_in = 0;           ///< Execute() calls.
  uint64_t objects_out = 0;          ///< Objects emitted (before partitioning).
  uint64_t bytes_out = 0;            ///< Estimated bytes emitted (Object::byte_size()).
  double execute_seconds = 0;        ///< Time in Execute() (readers: in Next()).
  double done_seconds = 0;           ///< Time in Done().
  uint64_t max_queue_depth = 0;      ///< Most objects ever queued on one of its input links.
  uint64_t backpressure_stalls = 0;  ///< Times it parked because an output link was full.
  bool finished_early = false;
};

struct NodeStats {
  std::string name;
  std::string kind;  ///< "reader", "dataset", "non-blocking", "blocking", "task"
  std::vector<ChannelStats> channels;
  uint64_t objects_in() const;
  uint64_t objects_out() const;
};

struct RunStats {
  double wall_seconds = 0;
  uint64_t memory_budget_bytes = 0;
  uint64_t peak_queued_bytes = 0;  ///< Most bytes ever queued on all links together.
  int threads = 0;
  std::vector<NodeStats> nodes;
  /// \brief Return the statistics of node `name`; throws quokka::Error if there is none.
  const NodeStats& node(const std::string& name) const;
  /// \brief A table with one row per node (and per channel when `per_channel`).
  std::string ToString(bool per_channel = false) const;
};

}  // namespace quokka

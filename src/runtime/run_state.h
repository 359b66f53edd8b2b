#pragma once
// RunState: everything one TaskGraph::Run() creates — actors, links, the thread pool — and the
// bookkeeping of completion, dependencies and the first error.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "channel_actor.h"
#include "link.h"
#include "plan.h"
#include "quokka/cluster.h"
#include "quokka/graph.h"
#include "quokka/stats.h"
#include "scheduler.h"

namespace quokka::internal {

struct NodeRuntime {
  const NodeSpec* spec = nullptr;
  std::vector<ChannelActor*> channels;
  std::atomic<int> live_channels{0};
  std::atomic<int> unmet_dependencies{0};
  std::vector<NodeRuntime*> dependents;
};

class RunState {
 public:
  RunState(const std::vector<const NodeSpec*>& nodes, const Cluster& cluster,
           const RunOptions& options);
  ~RunState();

  /// \brief Run to completion; the failure of any channel is returned (with its context).
  Result<RunStats> Execute();

  // Called by channel actors.
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  void Fail(Status status);
  void ChannelRetired(NodeRuntime* node);
  QueueMeter* meter() { return &meter_; }

 private:
  Status Build();
  void StartNode(NodeRuntime* node);
  RunStats CollectStats(double seconds) const;
  void ProgressLoop();

  const std::vector<const NodeSpec*>& specs_;
  const Cluster& cluster_;
  const RunOptions options_;
  QueueMeter meter_;
  std::unique_ptr<Scheduler> scheduler_;
  int threads_ = 0;
  std::vector<std::unique_ptr<NodeRuntime>> nodes_;
  std::vector<std::unique_ptr<ChannelActor>> actors_;
  std::vector<std::unique_ptr<Link>> links_;

  std::atomic<bool> failed_{false};
  std::atomic<int> live_actors_{0};
  std::mutex mutex_;
  std::condition_variable all_retired_;
  bool finished_ = false;
  Status first_error_;
};

}  // namespace quokka::internal

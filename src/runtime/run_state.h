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
#include "transport.h"

namespace quokka::internal {

struct NodeRuntime {
  const NodeSpec* spec = nullptr;
  std::vector<ChannelActor*> channels;   // by channel; null for channels on other machines
  std::atomic<int> live_channels{0};     // of the channels here
  std::atomic<int> unfinished_parts{0};  // machines whose channels of this node still run
  std::atomic<int> unmet_dependencies{0};
  std::vector<NodeRuntime*> dependents;
};

class RunState {
 public:
  /// \brief A run of `nodes`: all channels here, or with a transport (a worker's part of a
  ///        distributed run) only the channels of the transport's machine.
  RunState(const std::vector<const NodeSpec*>& nodes, const Cluster& cluster,
           const RunOptions& options, Transport* transport = nullptr);
  ~RunState();

  /// \brief Make the actors and links (done by Execute() if not called before).
  Status Prepare();
  /// \brief Run to completion; the failure of any channel is returned (with its context).
  Result<RunStats> Execute();
  /// \brief Another machine's channels of node `node_id` all finished.
  void NodeFinishedElsewhere(int node_id);

  // Called by channel actors.
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  void Fail(Status status);
  void ChannelRetired(NodeRuntime* node);
  /// \brief A sender endpoint (counted like a channel: the run waits for it) retired.
  void EndpointRetired();
  QueueMeter* meter() { return &meter_; }

 private:
  Status Build();
  void StartNode(NodeRuntime* node);
  void PartFinished(NodeRuntime* node);
  void ActorGone();
  bool Here(int machine) const {
    return transport_ == nullptr || machine == transport_->local_machine();
  }
  RunStats CollectStats(double seconds) const;
  void ProgressLoop();

  const std::vector<const NodeSpec*>& specs_;
  const Cluster& cluster_;
  const RunOptions options_;
  Transport* const transport_;
  bool prepared_ = false;
  QueueMeter meter_;
  std::unique_ptr<Scheduler> scheduler_;
  int threads_ = 0;
  std::vector<std::unique_ptr<NodeRuntime>> nodes_;
  std::vector<std::unique_ptr<ChannelActor>> actors_;
  std::vector<std::unique_ptr<Link>> links_;
  std::vector<std::unique_ptr<RemoteEndpoint>> endpoints_;

  std::atomic<bool> failed_{false};
  std::atomic<int> live_actors_{0};
  std::mutex mutex_;
  std::condition_variable all_retired_;
  bool finished_ = false;
  Status first_error_;
};

}  // namespace quokka::internal

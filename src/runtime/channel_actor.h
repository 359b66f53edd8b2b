#pragma once
// ChannelActor: one channel of a reader or executor node, run as an actor.
//
// A reader channel calls Next() up to a quantum of objects per step; an executor channel takes
// every queued object of its input links and calls Execute() once per non-empty batch. Emitted
// objects are routed through the partition function of every consuming node into links (or,
// for a blocking node, appended to its Dataset partition). When a link is full the object waits
// in `pending_` and the actor parks until the consumer drains that link; nothing else is done
// while output is pending, which is what bounds memory.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "link.h"
#include "plan.h"
#include "quokka/executor.h"
#include "quokka/reader.h"
#include "quokka/stats.h"
#include "scheduler.h"

namespace quokka::internal {

class RunState;
struct NodeRuntime;

/// The links from one producer channel to every channel of one consuming node.
struct OutputEdge {
  const Partitioner* partitioner = nullptr;
  const NodeSpec* consumer = nullptr;
  std::vector<Link*> links;  // by consumer channel
  int default_target = 0;
  int next_round_robin = 0;
};

class ChannelActor final : public Actor {
 public:
  ChannelActor(Scheduler* scheduler, RunState* run, NodeRuntime* node, int channel,
               const std::string& machine_name);

  void SetReader(std::unique_ptr<InputReader> reader) { reader_ = std::move(reader); }
  void SetExecutor(std::unique_ptr<Executor> executor) { executor_ = std::move(executor); }
  void SetDatasetPartition(ObjectList* partition) { dataset_ = partition; }
  void AddInput(Link* link, int stream_id);
  void AddOutputEdge(OutputEdge edge);

  /// \brief The node's dependencies finished: start working.
  void Start();
  /// \brief Statistics; read after the run's threads were joined.
  ChannelStats stats() const;
  /// \brief Objects in/out so far, readable while running (for the progress line).
  uint64_t live_objects_in() const { return live_in_.load(std::memory_order_relaxed); }
  uint64_t live_objects_out() const { return live_out_.load(std::memory_order_relaxed); }
  uint64_t live_bytes_out() const { return live_bytes_.load(std::memory_order_relaxed); }

 protected:
  void Step() override;
  void OnRetired() override;

 private:
  struct InputLink {
    Link* link;
    int stream_id;
    bool ended = false;
  };
  struct Pending {
    Link* link;
    Object object;
    int64_t bytes;
  };
  enum class Phase { kWorking, kEnding };

  void ReaderStep();
  void ExecutorStep();
  void RunExecute(int stream_id);
  void CallDone();
  void LinkEnded(int stream_id);
  void FinishEarly();
  void Finish();  // end every output link and retire

  void RouteOutput();
  void Route(Object object);
  void RouteEdge(OutputEdge& edge, Object object, int64_t bytes);
  void Send(Link* link, Object object, int64_t bytes);
  bool FlushPending();
  void FlushOutputs();
  bool AllConsumersGone() const;
  void CloseInputs();
  void PublishProgress();
  std::string Where() const;

  RunState* const run_;
  NodeRuntime* const node_;
  const NodeSpec& spec_;
  const int channel_;
  const std::string machine_;

  std::unique_ptr<InputReader> reader_;
  std::unique_ptr<Executor> executor_;
  ObjectList* dataset_ = nullptr;

  std::vector<InputLink> inputs_;
  std::vector<std::pair<int, int>> open_links_per_stream_;  // (stream id, links not ended)
  size_t next_input_ = 0;
  size_t open_inputs_ = 0;
  std::vector<OutputEdge> outputs_;
  std::vector<Link*> output_links_;

  std::vector<Pending> pending_;
  size_t pending_head_ = 0;
  Output out_;
  ObjectList batch_;
  std::vector<Target> targets_;
  Phase phase_ = Phase::kWorking;
  bool reader_started_ = false;
  std::atomic<bool> started_{false};

  ChannelStats stats_;
  std::atomic<uint64_t> live_in_{0}, live_out_{0}, live_bytes_{0};
};

}  // namespace quokka::internal

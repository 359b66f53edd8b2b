#pragma once
// Stateful executors: the operators that consume one or more streams and produce one.
//
// A node runs as several channels; every channel owns its own copy of the executor object
// (copied from the prototype given to the TaskGraph), so state needs no locking: the runtime
// never calls one copy from two threads at once. Execute() is called as objects arrive,
// with one or more queued objects of one input stream; Done() once, after every input stream
// has ended. Both may emit objects through Output. An executor may throw; the runtime stops
// the graph and TaskGraph::Run() raises the error with node, channel and message.

#include <functional>
#include <vector>

#include "quokka/object.h"

namespace quokka {

namespace internal {
class ChannelActor;
}

/// \brief Where an executor emits objects; handed to Execute() and Done().
class Output {
 public:
  /// \brief Emit one object downstream (or into the node's Dataset for a blocking node).
  void Emit(Object object) { buffer_.push_back(std::move(object)); }
  /// \brief Declare early termination: this channel wants no more input (e.g. a limit was
  ///        reached). The runtime stops feeding it, calls Done() and tells producers to stop.
  void FinishEarly() { finished_early_ = true; }
  bool finished_early() const { return finished_early_; }
  /// \brief Has input stream `stream_id` ended for this channel, with every one of its objects
  ///        already passed to Execute()? Lets a join stream its probe side once the build side
  ///        is complete.
  bool InputEnded(int stream_id) const {
    for (int ended : ended_streams_) {
      if (ended == stream_id) return true;
    }
    return false;
  }

 private:
  friend class internal::ChannelActor;
  std::vector<Object> buffer_;
  std::vector<int> ended_streams_;
  bool finished_early_ = false;
};

class Executor {
 public:
  virtual ~Executor() = default;
  /// \brief Consume `batches` (one or more objects of stream `stream_id`, in link order).
  ///        The executor may move objects out of `batches`.
  virtual void Execute(ObjectList& batches, int stream_id, int channel, Output& out) = 0;
  /// \brief Called once after all inputs ended (or after FinishEarly()).
  virtual void Done(int channel, Output& out) {}
};

/// \brief Passes every object through unchanged: the sink that collects a stream into a Dataset.
class Collect final : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;
};

/// \brief A stateless task: emits fn(object) for every object (a map).
class MapTask final : public Executor {
 public:
  explicit MapTask(std::function<Object(const Object&)> fn) : fn_(std::move(fn)) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;

 private:
  std::function<Object(const Object&)> fn_;
};

/// \brief A stateless filter: emits the objects for which predicate(object) is true.
class FilterTask final : public Executor {
 public:
  explicit FilterTask(std::function<bool(const Object&)> predicate)
      : predicate_(std::move(predicate)) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override;

 private:
  std::function<bool(const Object&)> predicate_;
};

}  // namespace quokka

#pragma once
// Transport: what a worker's part of a distributed run needs from the network.
//
// On a worker, RunState builds actors only for the channels placed on its machine. A link whose
// consumer is on another machine ends in a sender endpoint (an actor that drains the link onto
// the network); a link whose producer is on another machine starts at a receiver endpoint (an
// actor that fills the link from the network). The transport makes both and tells the other
// machines when this machine's channels of a node have all finished (for dependencies).

#include <cstdint>
#include <memory>

#include "link.h"
#include "scheduler.h"

namespace quokka::internal {

/// An actor at the network end of a link.
class RemoteEndpoint : public Actor {
 public:
  using Actor::Actor;
  virtual void Attach(Link* link) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  /// \brief The machine (index into the plan's machines) whose channels run here.
  virtual int local_machine() const = 0;
  /// \brief An endpoint draining a link to channel on `consumer_machine`; it retires after it
  ///        sent the end of the link. `link_id` is the same on both machines.
  virtual std::unique_ptr<RemoteEndpoint> MakeSender(Scheduler* scheduler, uint64_t link_id,
                                                     int consumer_machine) = 0;
  /// \brief An endpoint filling a link from a producer on `producer_machine`.
  virtual std::unique_ptr<RemoteEndpoint> MakeReceiver(Scheduler* scheduler, uint64_t link_id,
                                                       int producer_machine) = 0;
  /// \brief Every channel of node `node_id` on this machine retired.
  virtual void NodeFinishedHere(int node_id) = 0;
};

/// \brief The id of the link from producer channel `p` to consumer channel `c` of stream
///        `stream_id` of node `consumer`: the same on every machine.
inline uint64_t LinkId(int consumer, int stream_id, int p, int c) {
  return (uint64_t(uint16_t(consumer)) << 48) | (uint64_t(uint8_t(stream_id)) << 40) |
         (uint64_t(uint32_t(p) & 0xFFFFF) << 20) | (uint64_t(uint32_t(c) & 0xFFFFF));
}

}  // namespace quokka::internal

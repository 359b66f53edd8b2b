#pragma once
// The network ends of links that cross machines.
//
// SenderEndpoint is the consumer of a link whose real consumer is on another machine: it
// drains the link into data frames while it holds credit (one credit = one frame in flight),
// so a slow remote consumer leaves the link full and parks the producer (backpressure).
// ReceiverEndpoint is the producer of a link whose real producer is on another machine: it
// fills the link from data frames and returns a credit per frame as long as the link is under
// its limit; above it, it withholds credit until the consumer drained the link.

#include <atomic>
#include <cstdint>

#include "../runtime/run_state.h"
#include "../runtime/transport.h"
#include "run_links.h"

namespace quokka::dist {

/// Data frames a sender may have in flight per link before it waits for credit.
constexpr int kInitialCredits = 8;
/// Target size of a data frame (estimated object bytes).
constexpr int64_t kFrameBytes = 1 << 20;
/// Smaller data frames are not worth compressing.
constexpr size_t kCompressAbove = 4096;

class SenderEndpoint final : public internal::RemoteEndpoint {
 public:
  SenderEndpoint(internal::Scheduler* scheduler, internal::RunState* run, RunLinks* links,
                 uint64_t link_id, int machine, bool compress)
      : RemoteEndpoint(scheduler),
        run_(run),
        links_(links),
        id_(link_id),
        machine_(machine),
        compress_(compress) {}
  void Attach(internal::Link* link) override { link_ = link; }

  // Network threads.
  void AddCredit(uint32_t credits);
  void PeerClosed();

 protected:
  void Step() override;
  void OnRetired() override { run_->EndpointRetired(); }

 private:
  bool SendFrame();  // one frame from pending_; false if the run failed

  internal::RunState* const run_;
  RunLinks* const links_;
  const uint64_t id_;
  const int machine_;
  const bool compress_;
  internal::Link* link_ = nullptr;
  std::atomic<int> credits_{kInitialCredits};
  std::atomic<bool> peer_closed_{false};
  bool closed_link_ = false;
  // Taken from the link, not yet sent (scheduler thread only).
  ObjectList pending_;
  size_t pending_head_ = 0;
  bool ended_ = false;
  int poor_compressions_ = 0;
  int skipped_ = 0;
};

class ReceiverEndpoint final : public internal::RemoteEndpoint {
 public:
  ReceiverEndpoint(internal::Scheduler* scheduler, RunLinks* links, uint64_t link_id, int machine)
      : RemoteEndpoint(scheduler), links_(links), id_(link_id), machine_(machine) {}
  void Attach(internal::Link* link) override { link_ = link; }

  // Network thread of the incoming stream (one at a time).
  void Deliver(ObjectList& objects, int64_t bytes);
  void End();

 protected:
  void Step() override;
  void OnRetired() override {}

 private:
  RunLinks* const links_;
  const uint64_t id_;
  const int machine_;
  internal::Link* link_ = nullptr;
  std::atomic<int> withheld_{0};
  std::atomic<bool> close_sent_{false};
};

}  // namespace quokka::dist

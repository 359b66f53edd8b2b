#pragma once
// RunLinks: the network side of one worker's part of a distributed run.
//
// It owns the endpoints' registry (which link id ends in which sender or receiver endpoint),
// the outgoing DoPut streams (one per peer machine, carrying every link from here to there)
// and knows the incoming streams (one per peer machine) so that receivers can send credit and
// close frames back on them. Network threads deliver frames through it; Close() cuts every
// endpoint off before the run's actors are destroyed, so a late frame is dropped, never
// delivered to freed memory.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "frame.h"
#include "quokka/status.h"

namespace quokka::dist {

class SenderEndpoint;
class ReceiverEndpoint;

/// Something that takes outgoing messages of one stream (either direction).
class FrameWriter {
 public:
  virtual ~FrameWriter() = default;
  virtual void Write(grpc::ByteBuffer message) = 0;
};

/// The client side of a DoPut stream to one peer machine: queued writes, credit/close reads.
class PeerStream final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
                         public FrameWriter {
 public:
  PeerStream(class RunLinks* links, int machine);
  /// \brief Open the stream on `channel` (with the run id and our machine in its metadata).
  void Start(const std::shared_ptr<grpc::Channel>& channel, uint64_t run_id, int from_machine);
  void Write(grpc::ByteBuffer message) override;
  /// \brief No more writes; wait until the stream closed (cancel it after `timeout`).
  void FinishAndWait(std::chrono::milliseconds timeout);
  /// \brief Abort the stream (run failed), unless it has ended: cancelling a finished call
  ///        crashed the worker ("pure virtual method called" inside grpc_call_cancel).
  void Cancel();

  void OnWriteDone(bool ok) override;
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  void WriteNextLocked();

  RunLinks* const links_;
  const int machine_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::GenericStub> stub_;
  grpc::ByteBuffer incoming_;
  std::mutex mutex_;
  std::condition_variable done_cv_;
  std::deque<grpc::ByteBuffer> queue_;
  bool writing_ = false;
  bool finishing_ = false;
  bool writes_done_sent_ = false;
  bool done_ = false;
  bool started_ = false;
  bool hold_released_ = false;
};

class RunLinks {
 public:
  using FailFunction = std::function<void(Status)>;
  RunLinks(uint64_t run_id, int local_machine, std::vector<std::string> machine_names,
           std::vector<std::string> machine_targets, FailFunction fail);
  ~RunLinks();

  uint64_t run_id() const { return run_id_; }
  int local_machine() const { return local_machine_; }
  const std::string& machine_name(int machine) const { return names_[machine]; }
  int num_machines() const { return static_cast<int>(names_.size()); }

  // ---- set-up (one thread, before Start)
  void AddSender(uint64_t link, int machine, SenderEndpoint* sender);
  void AddReceiver(uint64_t link, int machine, ReceiverEndpoint* receiver);
  /// \brief Open the outgoing streams to every machine we send to.
  void Start(const std::function<std::shared_ptr<grpc::Channel>(int machine)>& channel_for);

  // ---- network threads
  /// \brief A data or end frame arrived from `machine`. An error means a protocol violation.
  ///        `answer_close` is set when the frame's link is gone here (its consumers finished
  ///        and the run ended on this machine): the caller answers with a close frame.
  Status Deliver(int machine, const FrameHeader& header, std::string_view body, bool* answer_close);
  /// \brief A credit or close frame arrived back from `machine`.
  Status Return(int machine, const FrameHeader& header);
  /// \brief The incoming stream from `machine` opened (writer = its return path) or ended.
  void IncomingOpened(int machine, FrameWriter* writer);
  void IncomingClosed(int machine, FrameWriter* writer, bool broken);
  /// \brief The outgoing stream to `machine` ended with `status`.
  void OutgoingDone(int machine, const grpc::Status& status);

  // ---- endpoints (scheduler threads)
  void SendTo(int machine, grpc::ByteBuffer message);    // on the outgoing stream
  void SendBack(int machine, grpc::ByteBuffer message);  // on the incoming stream's return path
  void Fail(Status status);

  /// \brief The run ended here: finish outgoing streams, then cut every endpoint off. After
  ///        it returns the fail function is never called again. Idempotent.
  void Close(bool failed);

 private:
  const uint64_t run_id_;
  const int local_machine_;
  const std::vector<std::string> names_;
  const std::vector<std::string> targets_;
  const FailFunction fail_;

  std::shared_mutex mutex_;  // shared: delivering; exclusive: changing the maps or closing
  bool closed_ = false;
  std::unordered_map<uint64_t, std::pair<int, SenderEndpoint*>> senders_;
  std::unordered_map<uint64_t, std::pair<int, ReceiverEndpoint*>> receivers_;
  std::vector<int> open_receivers_;     // per machine: receiver links not ended yet
  std::vector<FrameWriter*> incoming_;  // per machine: return path
  std::map<int, std::unique_ptr<PeerStream>> outgoing_;
  std::atomic<bool> failed_{false};
  // fail_ calls into the run that owns us, which may be gone once Close() returned while a
  // server-side stream still holds this object: Close() waits for a running fail_ and stops
  // later ones.
  std::mutex fail_mutex_;
  bool fail_closed_ = false;
};

}  // namespace quokka::dist

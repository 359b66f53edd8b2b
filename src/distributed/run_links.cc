#include "run_links.h"

#include "endpoints.h"
#include "quokka/serialize.h"

namespace quokka::dist {

// ------------------------------------------------------------------------- PeerStream

PeerStream::PeerStream(RunLinks* links, int machine) : links_(links), machine_(machine) {}

void PeerStream::Start(const std::shared_ptr<grpc::Channel>& channel, uint64_t run_id,
                       int from_machine) {
  stub_ = std::make_unique<grpc::GenericStub>(channel);
  context_.AddMetadata("quokka-run", std::to_string(run_id));
  context_.AddMetadata("quokka-from", std::to_string(from_machine));
  stub_->PrepareBidiStreamingCall(&context_, "/quokka.DataPlane/DoPut", grpc::StubOptions(), this);
  StartRead(&incoming_);
  // Writes come from scheduler threads, outside the reactions: without a hold the call could
  // complete (and gRPC destroy its state) between our check and a StartWrite. The hold keeps it
  // open until FinishAndWait says no more writes will come from outside.
  AddHold();
  {
    std::lock_guard lock(mutex_);
    started_ = true;
    WriteNextLocked();
  }
  StartCall();
}

void PeerStream::Write(grpc::ByteBuffer message) {
  std::lock_guard lock(mutex_);
  if (done_ || finishing_ || writes_done_sent_) return;
  queue_.push_back(std::move(message));
  WriteNextLocked();
}

void PeerStream::WriteNextLocked() {
  if (!started_ || writing_ || done_) return;
  if (!queue_.empty()) {
    writing_ = true;
    StartWrite(&queue_.front());
  } else if (finishing_ && !writes_done_sent_) {
    writes_done_sent_ = true;
    StartWritesDone();
  }
}

void PeerStream::OnWriteDone(bool ok) {
  std::lock_guard lock(mutex_);
  writing_ = false;
  if (!queue_.empty()) queue_.pop_front();
  if (!ok) {
    queue_.clear();
    return;  // the stream broke: OnDone reports it
  }
  WriteNextLocked();
}

void PeerStream::OnReadDone(bool ok) {
  if (!ok) {
    // The stream ended (the peer finished it, or it broke): nothing more can be written, so
    // let go of the hold now; OnDone then reports the status (a failure ends the run at once
    // instead of when this machine's part is over).
    bool release = false;
    {
      std::lock_guard lock(mutex_);
      finishing_ = true;  // Write() drops what comes now
      release = started_ && !hold_released_;
      hold_released_ = true;
    }
    if (release) RemoveHold();
    return;
  }
  MessageBytes bytes(incoming_);
  Result<FrameHeader> header = DecodeFrameHeader(bytes.view());
  Status status = header.ok() ? links_->Return(machine_, *header) : header.status();
  if (!status.ok()) {
    links_->Fail(
        status.WithContext("data stream from machine '" + links_->machine_name(machine_) + "'"));
    context_.TryCancel();
    return;
  }
  StartRead(&incoming_);
}

void PeerStream::OnDone(const grpc::Status& status) {
  links_->OutgoingDone(machine_, status);
  std::lock_guard lock(mutex_);
  done_ = true;
  queue_.clear();
  done_cv_.notify_all();
}

void PeerStream::Cancel() {
  std::lock_guard lock(mutex_);
  if (started_ && !done_) context_.TryCancel();
}

void PeerStream::FinishAndWait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!started_) return;
  finishing_ = true;
  WriteNextLocked();
  if (!hold_released_) {
    // From now on only reactions start operations (the rest of the queue, WritesDone).
    hold_released_ = true;
    lock.unlock();
    RemoveHold();
    lock.lock();
  }
  if (!done_cv_.wait_for(lock, timeout, [this] { return done_; })) {
    context_.TryCancel();
    done_cv_.wait(lock, [this] { return done_; });
  }
}

// --------------------------------------------------------------------------- RunLinks

RunLinks::RunLinks(uint64_t run_id, int local_machine, std::vector<std::string> machine_names,
                   std::vector<std::string> machine_targets, FailFunction fail)
    : run_id_(run_id),
      local_machine_(local_machine),
      names_(std::move(machine_names)),
      targets_(std::move(machine_targets)),
      fail_(std::move(fail)),
      open_receivers_(names_.size(), 0),
      incoming_(names_.size(), nullptr) {}

RunLinks::~RunLinks() { Close(true); }

void RunLinks::AddSender(uint64_t link, int machine, SenderEndpoint* sender) {
  std::unique_lock lock(mutex_);
  senders_[link] = {machine, sender};
  if (!outgoing_.count(machine)) outgoing_[machine] = std::make_unique<PeerStream>(this, machine);
}

void RunLinks::AddReceiver(uint64_t link, int machine, ReceiverEndpoint* receiver) {
  std::unique_lock lock(mutex_);
  receivers_[link] = {machine, receiver};
  ++open_receivers_[machine];
}

void RunLinks::Start(const std::function<std::shared_ptr<grpc::Channel>(int)>& channel_for) {
  for (auto& [machine, stream] : outgoing_) {
    stream->Start(channel_for(machine), run_id_, local_machine_);
  }
}

Status RunLinks::Deliver(int machine, const FrameHeader& header, std::string_view body,
                         bool* answer_close) {
  std::shared_lock lock(mutex_);
  if (closed_) {
    // The run ended here (its consumers finished early): the producer must stop too.
    *answer_close = header.kind != FrameKind::kEnd;
    return Status::OK();
  }
  auto it = receivers_.find(header.link);
  if (it == receivers_.end() || it->second.first != machine) {
    return Status::Invalid("frame for link " + std::to_string(header.link) + ", which machine '" +
                           names_[machine] + "' does not send here");
  }
  ReceiverEndpoint* receiver = it->second.second;
  if (header.kind == FrameKind::kEnd) {
    --open_receivers_[machine];
    receiver->End();
    return Status::OK();
  }
  if (header.kind != FrameKind::kData && header.kind != FrameKind::kDataZstd) {
    return Status::Invalid("a credit/close frame on a producer-to-consumer stream");
  }
  size_t bytes = 0;
  Result<ObjectList> objects = DecodeDataBody(header, body, &bytes);
  if (!objects.ok()) {
    return objects.status().WithContext("from machine '" + names_[machine] + "'");
  }
  receiver->Deliver(*objects, static_cast<int64_t>(bytes));
  return Status::OK();
}

Status RunLinks::Return(int machine, const FrameHeader& header) {
  std::shared_lock lock(mutex_);
  if (closed_) return Status::OK();
  auto it = senders_.find(header.link);
  if (it == senders_.end() || it->second.first != machine) {
    return Status::Invalid("credit for link " + std::to_string(header.link) +
                           ", which does not go to machine '" + names_[machine] + "'");
  }
  if (header.kind == FrameKind::kCredit) {
    it->second.second->AddCredit(header.count);
  } else if (header.kind == FrameKind::kClose) {
    it->second.second->PeerClosed();
  } else {
    return Status::Invalid("a data frame on a consumer-to-producer stream");
  }
  return Status::OK();
}

void RunLinks::IncomingOpened(int machine, FrameWriter* writer) {
  std::unique_lock lock(mutex_);
  incoming_[machine] = writer;
}

void RunLinks::IncomingClosed(int machine, FrameWriter* writer, bool broken) {
  bool lost;
  {
    std::unique_lock lock(mutex_);
    if (incoming_[machine] == writer) incoming_[machine] = nullptr;
    lost = !closed_ && (broken || open_receivers_[machine] > 0);
  }
  if (lost) {
    Fail(Status::NetworkError("lost the data stream from machine '" + names_[machine] + "' (" +
                              targets_[machine] + ") before it ended its links"));
  }
}

void RunLinks::OutgoingDone(int machine, const grpc::Status& status) {
  bool report;
  {
    std::shared_lock lock(mutex_);
    report = !closed_ && !status.ok();
  }
  if (report) {
    Fail(Status::NetworkError("lost the data connection to machine '" + names_[machine] + "' (" +
                              targets_[machine] + "): " + status.error_message()));
  }
}

void RunLinks::SendTo(int machine, grpc::ByteBuffer message) {
  std::shared_lock lock(mutex_);
  auto it = outgoing_.find(machine);
  if (it != outgoing_.end()) it->second->Write(std::move(message));
}

void RunLinks::SendBack(int machine, grpc::ByteBuffer message) {
  std::shared_lock lock(mutex_);
  if (incoming_[machine] != nullptr) incoming_[machine]->Write(std::move(message));
}

void RunLinks::Fail(Status status) {
  if (failed_.exchange(true)) return;
  std::lock_guard lock(fail_mutex_);
  if (fail_closed_) return;  // the run is over: nobody to tell
  fail_(std::move(status));
}

void RunLinks::Close(bool failed) {
  {
    std::shared_lock lock(mutex_);
    if (closed_) return;  // the run closed us; now the last owner lets go
  }
  // Outgoing streams first (they may still carry end frames), then cut endpoints off.
  for (auto& [machine, stream] : outgoing_) {
    if (failed) stream->Cancel();
    stream->FinishAndWait(std::chrono::seconds(10));
  }
  {
    std::lock_guard lock(fail_mutex_);
    fail_closed_ = true;
  }
  std::map<int, std::unique_ptr<PeerStream>> ended;
  std::unique_lock lock(mutex_);
  closed_ = true;
  // The streams have ended: destroy them here, on the run's thread. Left to ~RunLinks they
  // could die on a gRPC callback thread (a peer's incoming stream holding the last reference),
  // where destroying a client call crashed the worker ("pure virtual method called").
  ended.swap(outgoing_);
  senders_.clear();
  receivers_.clear();
  std::fill(incoming_.begin(), incoming_.end(), nullptr);
}

}  // namespace quokka::dist

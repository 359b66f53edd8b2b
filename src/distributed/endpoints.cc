#include "endpoints.h"

#include "quokka/serialize.h"

namespace quokka::dist {

void SenderEndpoint::AddCredit(uint32_t credits) {
  credits_.fetch_add(static_cast<int>(credits), std::memory_order_acq_rel);
  Wake();
}

void SenderEndpoint::PeerClosed() {
  peer_closed_.store(true, std::memory_order_release);
  Wake();
}

void SenderEndpoint::Step() {
  if (run_->failed()) {
    Retire();
    return;
  }
  if (peer_closed_.load(std::memory_order_acquire) && !closed_link_) {
    // The remote consumer finished early: close the link here, so the producer stops.
    closed_link_ = true;
    link_->Close();
  }
  while (true) {
    if (closed_link_) {
      pending_.clear();  // unwanted: only wait for the producer's end
      pending_head_ = 0;
    }
    if (pending_head_ == pending_.size()) {
      if (ended_) {
        links_->SendTo(machine_, MakeMessage({FrameKind::kEnd, 0, id_}));
        Retire();
        return;
      }
      pending_.clear();
      pending_head_ = 0;
      ended_ = link_->Take(pending_);
      if (pending_.empty() && !ended_) return;  // woken again when the producer flushes
      continue;
    }
    if (credits_.load(std::memory_order_acquire) <= 0) return;  // woken by AddCredit
    if (!SendFrame()) return;
  }
}

bool SenderEndpoint::SendFrame() {
  // Frames of about kFrameBytes: large enough to amortize the per-message cost, small enough
  // that a frame never needs fresh pages of its own and credit bounds the bytes in flight.
  size_t end = pending_head_;
  int64_t bytes = 0;
  while (end < pending_.size() && (end == pending_head_ || bytes < kFrameBytes)) {
    bytes += pending_[end].byte_size();
    ++end;
  }
  const auto count = static_cast<uint32_t>(end - pending_head_);
  std::string body;
  try {
    Encoder encoder;
    encoder.ArrayHeader(count);
    for (size_t i = pending_head_; i < end; ++i) encoder.WriteObject(pending_[i]);
    body.assign(encoder.bytes());
  } catch (const Error& error) {
    run_->Fail(
        error.status().WithContext("sending to machine '" + links_->machine_name(machine_) + "'"));
    Retire();
    return false;
  }
  for (size_t i = pending_head_; i < end; ++i) pending_[i] = Object();
  pending_head_ = end;
  credits_.fetch_sub(1, std::memory_order_acq_rel);
  FrameKind kind = FrameKind::kData;
  if (compress_ && body.size() >= kCompressAbove &&
      (poor_compressions_ < 4 || ++skipped_ % 16 == 0)) {
    std::string compressed = CompressBody(body);
    // Incompressible data (already compressed, random) is sent as is, and tried rarely.
    if (!compressed.empty() && compressed.size() < body.size() * 9 / 10) {
      body = std::move(compressed);
      kind = FrameKind::kDataZstd;
      poor_compressions_ = 0;
    } else {
      ++poor_compressions_;
    }
  }
  links_->SendTo(machine_, MakeMessage({kind, count, id_}, std::move(body)));
  return true;
}

void ReceiverEndpoint::Deliver(ObjectList& objects, int64_t bytes) {
  if (link_->closed()) {
    // The consumer wants nothing more. Say so again: a close sent before the peer's stream
    // had opened had no way back. Keep credit flowing so the sender can end.
    links_->SendBack(machine_, MakeMessage({FrameKind::kClose, 0, id_}));
    links_->SendBack(machine_, MakeMessage({FrameKind::kCredit, 1, id_}));
    return;
  }
  link_->PushUnbounded(objects, bytes);
  if (link_->queued_bytes() < link_->limit_bytes()) {
    links_->SendBack(machine_, MakeMessage({FrameKind::kCredit, 1, id_}));
    return;
  }
  withheld_.fetch_add(1, std::memory_order_acq_rel);
  if (link_->ParkProducer()) Wake();  // drained meanwhile
}

void ReceiverEndpoint::End() { link_->End(); }

void ReceiverEndpoint::Step() {
  if (link_->closed() && !close_sent_.exchange(true)) {
    links_->SendBack(machine_, MakeMessage({FrameKind::kClose, 0, id_}));
  }
  if (link_->closed() || link_->queued_bytes() < link_->limit_bytes()) {
    int credits = withheld_.exchange(0, std::memory_order_acq_rel);
    if (credits > 0) {
      links_->SendBack(machine_,
                       MakeMessage({FrameKind::kCredit, static_cast<uint32_t>(credits), id_}));
    }
  } else if (link_->ParkProducer()) {
    Wake();
  }
}

}  // namespace quokka::dist

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
  while (closed_link_ || credits_.load(std::memory_order_acquire) > 0) {
    ObjectList batch;
    bool ended = link_->Take(batch);
    if (!batch.empty() && !closed_link_) {
      const auto count = static_cast<uint32_t>(batch.size());
      std::string body;
      try {
        Encoder encoder;
        encoder.ArrayHeader(count);
        for (const Object& object : batch) encoder.WriteObject(object);
        body.assign(encoder.bytes());
      } catch (const Error& error) {
        run_->Fail(error.status().WithContext("sending to machine '" +
                                              links_->machine_name(machine_) + "'"));
        Retire();
        return;
      }
      credits_.fetch_sub(1, std::memory_order_acq_rel);
      FrameKind kind = FrameKind::kData;
      if (compress_ && body.size() >= kCompressAbove) {
        std::string compressed = CompressBody(body);
        if (!compressed.empty() && compressed.size() < body.size()) {
          body = std::move(compressed);
          kind = FrameKind::kDataZstd;
        }
      }
      links_->SendTo(machine_, MakeMessage({kind, count, id_}, std::move(body)));
    }
    if (ended) {
      links_->SendTo(machine_, MakeMessage({FrameKind::kEnd, 0, id_}));
      Retire();
      return;
    }
    if (batch.empty()) return;  // nothing queued: woken again when the producer flushes
  }
}

void ReceiverEndpoint::Deliver(ObjectList& objects, int64_t bytes) {
  if (link_->closed()) {
    // The consumer wants nothing more; keep the sender's credit flowing so it can end.
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

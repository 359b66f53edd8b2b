#include "link.h"

#include "quokka/serialize.h"
#include "scheduler.h"

namespace quokka::internal {

bool Link::TryPush(Object& object, int64_t bytes) {
  if (remote_) {
    // Ship as the network will: the bytes of the serialized object.
    Result<std::string> encoded = Serialize(object);
    if (!encoded.ok()) throw Error(encoded.status());
    bytes = static_cast<int64_t>(encoded->size()) + 32;
    if (open_bytes_ + visible_bytes_.load(std::memory_order_acquire) + bytes > limit_bytes_ &&
        open_bytes_ + visible_bytes_.load(std::memory_order_acquire) > 0) {
      return false;
    }
    open_.push_back(Object(Bytes{std::move(*encoded)}));
    object = Object();
  } else {
    int64_t used = open_bytes_ + visible_bytes_.load(std::memory_order_acquire);
    if (used + bytes > limit_bytes_ && used > 0) return false;
    open_.push_back(std::move(object));
  }
  open_bytes_ += bytes;
  if (open_.size() >= kChunkObjects || open_bytes_ >= kChunkBytes) Flush();
  return true;
}

void Link::PushUnbounded(ObjectList& objects, int64_t bytes) {
  for (Object& object : objects) open_.push_back(std::move(object));
  open_bytes_ += bytes;
  Flush();
}

void Link::Flush() {
  if (open_.empty()) return;
  bool was_empty;
  {
    std::lock_guard lock(mutex_);
    was_empty = queued_.empty();
    if (was_empty) {
      queued_.swap(open_);
    } else {
      queued_.insert(queued_.end(), std::make_move_iterator(open_.begin()),
                     std::make_move_iterator(open_.end()));
    }
    queued_bytes_ += open_bytes_;
    visible_bytes_.store(queued_bytes_, std::memory_order_release);
    if (queued_.size() > max_depth_) max_depth_ = queued_.size();
  }
  meter_->Add(open_bytes_);
  open_.clear();
  open_bytes_ = 0;
  if (was_empty) consumer_->Wake();
}

void Link::End() {
  Flush();
  {
    std::lock_guard lock(mutex_);
    ended_ = true;
  }
  consumer_->Wake();
}

bool Link::ParkProducer() {
  producer_waiting_.store(true, std::memory_order_seq_cst);
  // Re-check after announcing: a drain that happened before the announcement was missed.
  // Take() always drains the whole link, so "empty" is exactly "the consumer took it all".
  return closed() || visible_bytes_.load(std::memory_order_seq_cst) == 0;
}

bool Link::Take(ObjectList& batch) {
  int64_t bytes;
  bool ended;
  {
    std::lock_guard lock(mutex_);
    batch.swap(queued_);
    bytes = queued_bytes_;
    queued_bytes_ = 0;
    visible_bytes_.store(0, std::memory_order_seq_cst);
    ended = ended_;
  }
  if (bytes > 0) {
    meter_->Sub(bytes);
    if (producer_waiting_.exchange(false, std::memory_order_seq_cst)) producer_->Wake();
  }
  if (remote_) {
    for (Object& object : batch) {
      Result<Object> decoded = Deserialize(object.As<Bytes>().data);
      if (!decoded.ok()) throw Error(decoded.status());
      object = std::move(*decoded);
    }
  }
  return ended;
}

void Link::Close() {
  if (closed_.exchange(true, std::memory_order_acq_rel)) return;
  int64_t bytes;
  {
    std::lock_guard lock(mutex_);
    ObjectList dropped;
    dropped.swap(queued_);
    bytes = queued_bytes_;
    queued_bytes_ = 0;
    visible_bytes_.store(0, std::memory_order_seq_cst);
  }
  if (bytes > 0) meter_->Sub(bytes);
  producer_->Wake();
}

uint64_t Link::max_depth() const {
  std::lock_guard lock(mutex_);
  return max_depth_;
}

}  // namespace quokka::internal

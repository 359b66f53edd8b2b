#pragma once
// A link carries one producer channel's objects to one consumer channel, in order.
//
// The producer appends to a private open chunk without locking and flushes it to the shared
// queue every kChunkObjects objects / kChunkBytes bytes and at the end of each of its steps, so
// the lock and the consumer wake-up are paid per chunk, not per object. The link is bounded:
// TryPush refuses an object when the link's bytes (open + queued) would exceed its limit, unless
// the link is empty; the producer then parks until the consumer drains the link (backpressure).
// A link between emulated machines serializes objects on push and deserializes them on take,
// as a network link will.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "quokka/object.h"
#include "quokka/status.h"

namespace quokka::internal {

class Actor;
class QueueMeter;

class Link {
 public:
  static constexpr size_t kChunkObjects = 512;
  static constexpr int64_t kChunkBytes = 256 << 10;

  Link(Actor* producer, Actor* consumer, int64_t limit_bytes, bool remote, QueueMeter* meter)
      : producer_(producer),
        consumer_(consumer),
        limit_bytes_(limit_bytes),
        remote_(remote),
        meter_(meter) {}

  // ---- producer side (one thread at a time: the producer actor's)

  /// \brief Append an object; false (object untouched) if the link is full.
  ///        Throws quokka::Error if a remote link cannot serialize the object.
  bool TryPush(Object& object, int64_t bytes);
  /// \brief Make the open chunk visible to the consumer.
  void Flush();
  bool has_open_chunk() const { return !open_.empty(); }
  /// \brief Append objects whatever the limit (for a receiver endpoint, whose sender already
  ///        holds credit for them) and flush.
  void PushUnbounded(ObjectList& objects, int64_t bytes);
  /// \brief Bytes queued for the consumer now.
  int64_t queued_bytes() const { return visible_bytes_.load(std::memory_order_acquire); }
  int64_t limit_bytes() const { return limit_bytes_; }
  /// \brief Flush and mark the end of the stream.
  void End();
  /// \brief Ask to be woken when the consumer drains the link. Returns true if the link has
  ///        room again already (then the caller should retry instead of parking).
  bool ParkProducer();
  /// \brief Has the consumer finished early and closed the link?
  bool closed() const { return closed_.load(std::memory_order_acquire); }

  // ---- consumer side (one thread at a time: the consumer actor's)

  /// \brief Move every queued object into `batch` (which must be empty). Returns true when
  ///        the producer ended the stream and nothing more will come.
  bool Take(ObjectList& batch);
  /// \brief The consumer needs nothing more: drop queued objects and tell the producer.
  void Close();

  Actor* producer() const { return producer_; }
  uint64_t max_depth() const;

 private:
  Actor* const producer_;
  Actor* const consumer_;
  const int64_t limit_bytes_;
  const bool remote_;
  QueueMeter* const meter_;

  // Producer-private.
  ObjectList open_;
  int64_t open_bytes_ = 0;

  // Shared, guarded by mutex_.
  mutable std::mutex mutex_;
  ObjectList queued_;
  int64_t queued_bytes_ = 0;
  bool ended_ = false;
  uint64_t max_depth_ = 0;

  std::atomic<int64_t> visible_bytes_{0};  // queued_bytes_, readable without the lock
  std::atomic<bool> producer_waiting_{false};
  std::atomic<bool> closed_{false};
};

/// Counts the bytes queued on all links of a run and remembers the peak.
class QueueMeter {
 public:
  void Add(int64_t bytes) {
    int64_t now = bytes_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    int64_t peak = peak_.load(std::memory_order_relaxed);
    while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }
  void Sub(int64_t bytes) { bytes_.fetch_sub(bytes, std::memory_order_relaxed); }
  int64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  int64_t current() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> bytes_{0};
  std::atomic<int64_t> peak_{0};
};

}  // namespace quokka::internal

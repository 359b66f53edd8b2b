#include "scheduler.h"

namespace quokka::internal {

void Actor::Wake() {
  uint8_t state = state_.load(std::memory_order_acquire);
  while (true) {
    if (state == kIdle) {
      if (state_.compare_exchange_weak(state, kQueued, std::memory_order_acq_rel)) {
        scheduler_->Enqueue(this);
        return;
      }
    } else if (state == kRunning) {
      if (state_.compare_exchange_weak(state, kRunningWoken, std::memory_order_acq_rel)) return;
    } else {
      return;  // already queued, already woken, or retired
    }
  }
}

void Actor::RunOnce() {
  state_.store(kRunning, std::memory_order_release);
  Step();
  if (retire_requested_) {
    state_.store(kRetired, std::memory_order_release);
    OnRetired();  // may let the owner destroy everything once threads are joined
    return;
  }
  uint8_t state = kRunning;
  if (!state_.compare_exchange_strong(state, kIdle, std::memory_order_acq_rel)) {
    // Woken while running: run again, behind the actors already waiting.
    state_.store(kQueued, std::memory_order_release);
    scheduler_->Enqueue(this);
  }
}

Scheduler::Scheduler(int threads) {
  if (threads < 1) threads = 1;
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Enqueue(Actor* actor) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(actor);
  }
  cv_.notify_one();
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void Scheduler::WorkerLoop() {
  while (true) {
    Actor* actor;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      actor = queue_.front();
      queue_.pop_front();
    }
    actor->RunOnce();
  }
}

}  // namespace quokka::internal

#pragma once
// Actors and the thread pool that runs them.
//
// An Actor is woken (Wake) when it may have work; the scheduler then runs its Step() on one of
// a fixed pool of threads. An actor never runs on two threads at once: a Wake that arrives
// while it runs marks it to run again afterwards instead of queueing it twice. Step() must
// never block waiting for another actor; it returns and is woken again later.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace quokka::internal {

class Scheduler;

class Actor {
 public:
  explicit Actor(Scheduler* scheduler) : scheduler_(scheduler) {}
  virtual ~Actor() = default;

  /// \brief Ask for Step() to run (again). Safe from any thread; cheap when already queued.
  void Wake();
  bool retired() const { return state_.load(std::memory_order_acquire) == kRetired; }

 protected:
  /// \brief Do a bounded amount of work. Call Retire() when the actor will never work again.
  virtual void Step() = 0;
  /// \brief Called on the pool thread after the actor retired (for completion counting).
  virtual void OnRetired() = 0;
  void Retire() { retire_requested_ = true; }

 private:
  friend class Scheduler;
  enum State : uint8_t { kIdle, kQueued, kRunning, kRunningWoken, kRetired };
  void RunOnce();

  Scheduler* scheduler_;
  std::atomic<uint8_t> state_{kIdle};
  bool retire_requested_ = false;
};

class Scheduler {
 public:
  explicit Scheduler(int threads);
  ~Scheduler();  ///< Stops and joins the threads.
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Enqueue(Actor* actor);
  /// \brief Let the threads finish the actor they run, then join them.
  void Stop();
  int num_threads() const { return static_cast<int>(threads_.size()); }

 private:
  void WorkerLoop();

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Actor*> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace quokka::internal

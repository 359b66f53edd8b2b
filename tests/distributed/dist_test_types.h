#pragma once
// Executors and readers the distributed tests ship to workers.

#include <chrono>
#include <thread>

#include "quokka/quokka.h"

namespace quokka::testing {

/// Sums int64 objects (or int64 columns' first column of tables) and emits [channel, sum].
class SumInts final : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) sum_ += object.As<int64_t>();
  }
  void Done(int channel, Output& out) override { out.Emit(ObjectList{channel, sum_}); }
  void Encode(Encoder& out) const { out.Nil(); }
  static SumInts Decode(Decoder& in) {
    in.Nil();
    return SumInts();
  }

 private:
  int64_t sum_ = 0;
};

/// Sums int64 and std::vector<int64_t> objects; emits the sum in Done().
class SumAll final : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) {
      if (const auto* values = object.GetIf<std::vector<int64_t>>()) {
        for (int64_t v : *values) sum_ += v;
      } else {
        sum_ += object.As<int64_t>();
      }
    }
  }
  void Done(int channel, Output& out) override { out.Emit(sum_); }
  void Encode(Encoder& out) const { out.Nil(); }
  static SumAll Decode(Decoder& in) {
    in.Nil();
    return SumAll();
  }

 private:
  int64_t sum_ = 0;
};

/// Passes objects through, sleeping `millis` per object: a slow stage.
class SlowPass final : public Executor {
 public:
  explicit SlowPass(int64_t millis = 0) : millis_(millis) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (Object& object : batches) {
      std::this_thread::sleep_for(std::chrono::milliseconds(millis_));
      out.Emit(std::move(object));
    }
  }
  void Encode(Encoder& out) const { out.Int(millis_); }
  static SlowPass Decode(Decoder& in) { return SlowPass(in.Int()); }

 private:
  int64_t millis_;
};

/// Throws on the object equal to `poison`: error propagation from a worker.
class FailOn final : public Executor {
 public:
  explicit FailOn(int64_t poison = 0) : poison_(poison) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) {
      if (object.As<int64_t>() == poison_) {
        throw Error(Status::Invalid("poison value " + std::to_string(poison_)));
      }
      out.Emit(object);
    }
  }
  void Encode(Encoder& out) const { out.Int(poison_); }
  static FailOn Decode(Decoder& in) { return FailOn(in.Int()); }

 private:
  int64_t poison_;
};

/// An executor that is deliberately not registered.
class Unregistered final : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {}
};

inline void RegisterDistTestTypes() {
  (void)RegisterType<SumInts>("test.sum_ints");
  (void)RegisterType<SumAll>("test.sum_all");
  (void)RegisterType<SlowPass>("test.slow_pass");
  (void)RegisterType<FailOn>("test.fail_on");
}

}  // namespace quokka::testing

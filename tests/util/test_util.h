#pragma once
// Shared helpers for the Quokka test suite: status assertions, error capture, run options and
// a few small executors and readers used by many tests.

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "quokka/cluster.h"
#include "quokka/dataset.h"
#include "quokka/executor.h"
#include "quokka/graph.h"
#include "quokka/object.h"
#include "quokka/partition.h"
#include "quokka/reader.h"
#include "quokka/serialize.h"
#include "quokka/stats.h"
#include "quokka/status.h"

namespace quokka::test {

inline const Status& ToStatus(const Status& status) { return status; }
template <typename T>
const Status& ToStatus(const Result<T>& result) {
  return result.status();
}

}  // namespace quokka::test

/// Assert / expect that a Status or Result<T> is OK, printing the status otherwise.
#define QK_ASSERT_OK(expr)                                                              \
  do {                                                                                  \
    const auto& qk_test_value_ = (expr);                                                \
    const ::quokka::Status& qk_test_status_ = ::quokka::test::ToStatus(qk_test_value_); \
    ASSERT_TRUE(qk_test_status_.ok()) << #expr << ": " << qk_test_status_.ToString();   \
  } while (false)

#define QK_EXPECT_OK(expr)                                                              \
  do {                                                                                  \
    const auto& qk_test_value_ = (expr);                                                \
    const ::quokka::Status& qk_test_status_ = ::quokka::test::ToStatus(qk_test_value_); \
    EXPECT_TRUE(qk_test_status_.ok()) << #expr << ": " << qk_test_status_.ToString();   \
  } while (false)

/// Expect that `haystack` (anything convertible to std::string) contains `needle`.
#define QK_EXPECT_CONTAINS(haystack, needle) \
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string(needle), std::string(haystack))

namespace quokka::test {

/// Run `fn`; return the quokka::Error it threw, or nullopt if it returned normally.
/// Any other exception propagates (and fails the test).
inline std::optional<Error> CatchError(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& error) {
    return error;
  }
  return std::nullopt;
}

/// Everything known about an Error, for failure messages and substring checks.
inline std::string Describe(const Error& error) {
  return std::string(error.what()) + " | status: " + error.status().ToString();
}

/// Run options for tests: no progress line on stderr.
inline RunOptions Quiet(int threads = 0, uint64_t memory_budget_bytes = uint64_t{256} << 20) {
  RunOptions options;
  options.threads = threads;
  options.memory_budget_bytes = memory_budget_bytes;
  options.progress = Progress::kOff;
  return options;
}

inline NodeOptions Named(std::string name, std::optional<int> channels = std::nullopt) {
  NodeOptions options;
  options.name = std::move(name);
  options.channels = channels;
  return options;
}

/// Sum of an int64, a std::vector<int64_t>, or a (nested) ObjectList of those.
inline int64_t SumOf(const Object& object) {
  if (const auto* value = object.GetIf<int64_t>()) return *value;
  if (const auto* values = object.GetIf<std::vector<int64_t>>()) {
    int64_t sum = 0;
    for (int64_t v : *values) sum += v;
    return sum;
  }
  if (const auto* list = object.GetIf<ObjectList>()) {
    int64_t sum = 0;
    for (const Object& o : *list) sum += SumOf(o);
    return sum;
  }
  throw Error(Status::TypeError("SumOf: unexpected object " + object.ToString()));
}

/// Number of integers in an int64 or std::vector<int64_t> object.
inline int64_t CountOf(const Object& object) {
  if (object.Is<int64_t>()) return 1;
  if (const auto* values = object.GetIf<std::vector<int64_t>>()) {
    return static_cast<int64_t>(values->size());
  }
  throw Error(Status::TypeError("CountOf: unexpected object " + object.ToString()));
}

/// Sum of all integers in a dataset (see SumOf).
inline int64_t SumOf(const Dataset& dataset) {
  int64_t sum = 0;
  for (const Object& object : dataset) sum += SumOf(object);
  return sum;
}

/// Sum of 0 + 1 + ... + (n - 1), computed by formula.
inline int64_t SumBelow(int64_t n) { return n * (n - 1) / 2; }

/// Sums the integers it receives (int64 or std::vector<int64_t>); emits the sum in Done().
class SumExecutor : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) sum_ += SumOf(object);
  }
  void Done(int channel, Output& out) override { out.Emit(sum_); }

 private:
  int64_t sum_ = 0;
};

/// Counts the integers it receives; emits the count in Done().
class CountExecutor : public Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) count_ += CountOf(object);
  }
  void Done(int channel, Output& out) override { out.Emit(count_); }

 private:
  int64_t count_ = 0;
};

/// What a RecordingExecutor saw. Shared by all channel copies; only for single-machine graphs.
struct Recording {
  struct Event {
    int stream_id;
    int channel;
    Object object;
  };
  std::mutex mutex;
  std::vector<Event> events;         // in arrival order (over all channels)
  std::map<int, int> done_calls;     // channel -> number of Done() calls
  std::map<int, int> execute_calls;  // channel -> number of Execute() calls

  /// The objects channel `channel` received, in arrival order.
  ObjectList ObjectsOf(int channel) {
    std::lock_guard<std::mutex> lock(mutex);
    ObjectList result;
    for (const Event& event : events) {
      if (event.channel == channel) result.push_back(event.object);
    }
    return result;
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mutex);
    return events.size();
  }
};

/// Records every object and Done() call in a shared Recording; optionally forwards objects.
class RecordingExecutor : public Executor {
 public:
  explicit RecordingExecutor(std::shared_ptr<Recording> recording, bool forward = false)
      : recording_(std::move(recording)), forward_(forward) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    {
      std::lock_guard<std::mutex> lock(recording_->mutex);
      ++recording_->execute_calls[channel];
      for (const Object& object : batches) {
        recording_->events.push_back({stream_id, channel, object});
      }
    }
    if (forward_) {
      for (Object& object : batches) out.Emit(std::move(object));
    }
  }
  void Done(int channel, Output& out) override {
    std::lock_guard<std::mutex> lock(recording_->mutex);
    ++recording_->done_calls[channel];
  }

 private:
  std::shared_ptr<Recording> recording_;
  bool forward_;
};

/// Tags a sequence number with the producer channel that emitted it, as one int64.
constexpr int64_t kTagBase = int64_t{1} << 32;
inline int64_t Tag(int channel, int64_t seq) { return channel * kTagBase + seq; }
inline int TagChannel(int64_t tagged) { return static_cast<int>(tagged / kTagBase); }
inline int64_t TagSeq(int64_t tagged) { return tagged % kTagBase; }

/// A reader whose channel c yields Tag(c, 0), Tag(c, 1), ..., Tag(c, per_channel - 1).
inline GeneratorReader TaggedReader(int64_t per_channel) {
  return GeneratorReader(
      [per_channel](int64_t index, int channel, int num_channels) -> std::optional<Object> {
        if (index >= per_channel) return std::nullopt;
        return Object(Tag(channel, index));
      });
}

/// Read every item of one reader channel (a fresh copy of `prototype`).
template <typename R>
std::vector<ReadItem> ReadChannel(const R& prototype, int channel, int num_channels,
                                  int64_t position = 0) {
  R reader = prototype;
  reader.Start(channel, num_channels, position);
  std::vector<ReadItem> items;
  while (std::optional<ReadItem> item = reader.Next()) items.push_back(std::move(*item));
  return items;
}

}  // namespace quokka::test

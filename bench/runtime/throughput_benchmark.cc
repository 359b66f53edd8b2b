// Reader -> executor throughput of the core runtime.
//
// (a) N small objects (int64) emitted one by one by a RangeReader and summed by an executor;
// (b) the same numbers in batches (std::vector<int64_t> of --batch numbers each).
// Prints the median over --runs runs of: wall time, objects (or numbers) per second, and the
// per-object cost in microseconds (wall time / objects), for several channel layouts.
//
//   bench_throughput [--objects N] [--batch B] [--runs R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "quokka/quokka.h"

namespace {

class SumExecutor : public quokka::Executor {
 public:
  void Execute(quokka::ObjectList& batches, int stream_id, int channel,
               quokka::Output& out) override {
    for (const quokka::Object& object : batches) {
      if (const int64_t* value = object.GetIf<int64_t>()) {
        sum_ += *value;
        ++count_;
      } else {
        for (int64_t value : object.As<std::vector<int64_t>>()) sum_ += value;
        count_ += static_cast<int64_t>(object.As<std::vector<int64_t>>().size());
      }
    }
  }
  void Done(int channel, quokka::Output& out) override {
    out.Emit(quokka::ObjectList{sum_, count_});
  }

 private:
  int64_t sum_ = 0, count_ = 0;
};

struct Measurement {
  double seconds;
  int64_t numbers;
};

Measurement RunOnce(int64_t objects, int64_t batch, int readers, int executors) {
  quokka::LocalCluster cluster;
  quokka::TaskGraph graph(cluster);
  auto numbers = graph.NewInputReaderNode(quokka::RangeReader(0, objects, batch),
                                          {.name = "numbers", .channels = readers});
  auto sums =
      graph.NewBlockingNode({{0, numbers}}, SumExecutor(), {.name = "sum", .channels = executors});
  graph.Create();
  auto start = std::chrono::steady_clock::now();
  graph.Run({.progress = quokka::Progress::kOff});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int64_t sum = 0, count = 0;
  for (const quokka::Object& partial : sums) {
    sum += partial.As<quokka::ObjectList>()[0].As<int64_t>();
    count += partial.As<quokka::ObjectList>()[1].As<int64_t>();
  }
  if (count != objects || sum != objects * (objects - 1) / 2) {
    std::fprintf(stderr, "wrong result: count %lld sum %lld\n", (long long)count, (long long)sum);
    std::exit(1);
  }
  return {seconds, count};
}

// The floor: one thread makes the same objects, moves them into a vector in chunks of 512 (as
// a link does) and sums them; no runtime, no second thread.
double BaselineSeconds(int64_t objects) {
  auto start = std::chrono::steady_clock::now();
  int64_t sum = 0;
  quokka::ObjectList chunk;
  chunk.reserve(512);
  for (int64_t i = 0; i < objects; ++i) {
    chunk.push_back(quokka::Object(i));
    if (chunk.size() == 512 || i + 1 == objects) {
      asm volatile("" : : "r"(chunk.data()) : "memory");  // keep the chunk from being elided
      for (const quokka::Object& object : chunk) sum += object.As<int64_t>();
      chunk.clear();
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (sum != objects * (objects - 1) / 2) std::exit(1);
  return seconds;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

int64_t Flag(int argc, char** argv, const char* name, int64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == name) return std::atoll(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t objects = Flag(argc, argv, "--objects", 10'000'000);
  const int64_t batch = Flag(argc, argv, "--batch", 10'000);
  const int runs = static_cast<int>(Flag(argc, argv, "--runs", 5));

  std::printf("quokka %s core runtime throughput: %lld numbers, median of %d runs, %u hw threads\n",
              QK_VERSION_STRING, (long long)objects, runs, std::thread::hardware_concurrency());
  std::printf("%-12s %-8s %-10s %10s %16s %14s %14s\n", "mode", "readers", "executors", "wall s",
              "objects/s", "numbers/s", "us/object");
  struct Layout {
    const char* mode;
    int64_t batch;
    int readers, executors;
  };
  const Layout layouts[] = {
      {"one-by-one", 1, 1, 1},  {"one-by-one", 1, 2, 1},  {"one-by-one", 1, 2, 2},
      {"batched", batch, 1, 1}, {"batched", batch, 2, 2},
  };
  {
    std::vector<double> times;
    for (int run = 0; run < runs; ++run) times.push_back(BaselineSeconds(objects));
    double seconds = Median(times);
    std::printf("%-12s %-8s %-10s %10.3f %16.0f %14.0f %14.4f\n", "one thread", "-", "-", seconds,
                objects / seconds, objects / seconds, seconds * 1e6 / objects);
  }
  for (const Layout& layout : layouts) {
    std::vector<double> times;
    for (int run = 0; run < runs; ++run) {
      times.push_back(RunOnce(objects, layout.batch, layout.readers, layout.executors).seconds);
    }
    double seconds = Median(times);
    int64_t messages = (objects + layout.batch - 1) / layout.batch;
    std::printf("%-12s %-8d %-10d %10.3f %16.0f %14.0f %14.4f\n", layout.mode, layout.readers,
                layout.executors, seconds, messages / seconds, objects / seconds,
                seconds * 1e6 / messages);
  }
  return 0;
}

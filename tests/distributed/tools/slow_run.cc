// quokka_slow_run: a distributed run that lasts as long as asked, for failure tests on real
// clusters (tests/distributed/netns_test.sh kills a worker in the middle of it).
//
//   quokka_slow_run --cluster FILE.json [--objects N] [--millis M] [--budget-kib K]
//   quokka_slow_run --quokka-worker --redis HOST:PORT ...     (a worker of this program)
//
// A range reader yields N batches of 10 numbers (0 .. 10N-1), spread round-robin over one
// slow channel per machine, each sleeping M ms per batch (test.slow_pass), so the run lasts
// about N * M / machines ms; a blocking node sums what it gets. Prints "sum S (expected E)"
// and exits 0 when they agree, 1 on a wrong sum or an error (printed as "quokka_slow_run: ...").
// The memory budget of the links is small (default 16 KiB), so that few batches wait on a link
// and one Execute call of the slow stage (all that its link holds) stays short: a cancelled
// run then stops quickly, as one of real operators would.
#include <cstdlib>
#include <iostream>
#include <string>

#include "../dist_test_types.h"
#include "quokka/init.h"
#include "quokka/quokka.h"

namespace {

constexpr const char* kUsage =
    "usage: quokka_slow_run --cluster FILE.json [--objects N] [--millis M] [--budget-kib K]\n";

long ParseNumber(const std::string& flag, const char* value, long low, long high) {
  char* end = nullptr;
  long number = value ? std::strtol(value, &end, 10) : 0;
  if (value == nullptr || *end != '\0' || number < low || number > high) {
    std::cerr << "quokka_slow_run: " << flag << " needs a number from " << low << " to " << high
              << "\n";
    std::exit(2);
  }
  return number;
}

}  // namespace

int main(int argc, char** argv) {
  quokka::testing::RegisterDistTestTypes();
  quokka::Init(argc, argv);  // with --quokka-worker: serves as a worker and exits
  std::string cluster_file;
  long objects = 1000, millis = 5, budget_kib = 16;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--cluster" && value != nullptr) {
      cluster_file = value;
    } else if (arg == "--objects") {
      objects = ParseNumber(arg, value, 1, 100000000);
    } else if (arg == "--millis") {
      millis = ParseNumber(arg, value, 0, 60000);
    } else if (arg == "--budget-kib") {
      budget_kib = ParseNumber(arg, value, 1, 1 << 22);
    } else {
      std::cerr << kUsage;
      return 2;
    }
    ++i;
  }
  if (cluster_file.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    quokka::Cluster cluster = quokka::Cluster::FromJson(cluster_file);
    quokka::TaskGraph graph(cluster);
    const int64_t batch = 10, count = objects * batch;
    quokka::Stream numbers =
        graph.NewInputReaderNode(quokka::RangeReader(0, count, batch), {.name = "numbers"});
    quokka::Stream slow =
        graph.NewNonBlockingNode({{0, {numbers, quokka::Partitioner::RoundRobin()}}},
                                 quokka::testing::SlowPass(millis), {.name = "slow"});
    quokka::Dataset sums =
        graph.NewBlockingNode({{0, slow}}, quokka::testing::SumAll(), {.name = "sum"});
    quokka::RunOptions options;
    options.progress = quokka::Progress::kOff;
    options.memory_budget_bytes = static_cast<uint64_t>(budget_kib) << 10;
    graph.Run(options);
    int64_t sum = 0;
    for (const quokka::Object& partial : sums) sum += partial.As<int64_t>();
    const int64_t expected = count * (count - 1) / 2;
    std::cout << "sum " << sum << " (expected " << expected << ")\n";
    return sum == expected ? 0 : 1;
  } catch (const quokka::Error& error) {
    std::cerr << "quokka_slow_run: " << error.what() << "\n";
    return 1;
  }
}

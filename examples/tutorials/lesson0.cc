// Lesson 0: a reader produces the numbers 0..79 spread over its channels; a stateful executor
// adds up what its channel receives and emits the partial sum when its input ends; a blocking
// node collects the partial sums into a Dataset. The total is always 3160.
//
//   lesson0 [--reader-channels N] [--sum-channels M] [--workers W | --cluster FILE.json]
#include <cstdlib>
#include <iostream>
#include <string>

#include "quokka/quokka.h"

namespace {

// Each channel gets its own copy, so `sum_` needs no locking.
class SumExecutor : public quokka::Executor {
 public:
  // Shipping to workers: the executor has no configuration, so nothing to write.
  void Encode(quokka::Encoder& out) const { out.Nil(); }
  static SumExecutor Decode(quokka::Decoder& in) {
    in.Nil();
    return SumExecutor();
  }

  void Execute(quokka::ObjectList& batches, int stream_id, int channel,
               quokka::Output& out) override {
    for (const quokka::Object& number : batches) sum_ += number.As<int64_t>();
  }
  void Done(int channel, quokka::Output& out) override {
    out.Emit(quokka::ObjectList{channel, sum_});  // [channel, partial sum]
  }

 private:
  int64_t sum_ = 0;
};

int ParseCount(const char* flag, const char* value) {
  char* end = nullptr;
  long count = value ? std::strtol(value, &end, 10) : 0;
  if (value == nullptr || *end != '\0' || count < 1 || count > 4096) {
    std::cerr << "lesson0: " << flag << " needs a channel count from 1 to 4096\n";
    std::exit(2);
  }
  return static_cast<int>(count);
}

}  // namespace

int main(int argc, char** argv) {
  // Register the executor under a stable name, then let a copy started as a worker serve.
  (void)quokka::RegisterType<SumExecutor>("lesson0.sum");
  quokka::Init(argc, argv);
  std::string cluster_file;
  int workers = 0;
  quokka::NodeOptions reader_options{.name = "numbers"};
  quokka::NodeOptions sum_options{.name = "sum"};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--reader-channels") {
      reader_options.channels = ParseCount("--reader-channels", i + 1 < argc ? argv[++i] : nullptr);
    } else if (arg == "--sum-channels") {
      sum_options.channels = ParseCount("--sum-channels", i + 1 < argc ? argv[++i] : nullptr);
    } else if (arg == "--workers") {
      workers = ParseCount("--workers", i + 1 < argc ? argv[++i] : nullptr);
    } else if (arg == "--cluster" && i + 1 < argc) {
      cluster_file = argv[++i];
    } else {
      std::cerr << "usage: lesson0 [--reader-channels N] [--sum-channels M] "
                   "[--workers W | --cluster FILE.json]\n";
      return 2;
    }
  }
  try {
    quokka::Cluster cluster = !cluster_file.empty() ? quokka::Cluster::FromJson(cluster_file)
                              : workers > 0 ? quokka::LocalCluster::Processes({.workers = workers})
                                            : quokka::LocalCluster();
    quokka::TaskGraph graph(cluster);
    quokka::Stream numbers = graph.NewInputReaderNode(quokka::RangeReader(0, 80), reader_options);
    quokka::Dataset sums = graph.NewBlockingNode({{0, numbers}}, SumExecutor(), sum_options);
    graph.Create();
    graph.Run();

    int64_t total = 0;
    for (const quokka::Object& partial : sums) {
      const auto& pair = partial.As<quokka::ObjectList>();
      std::cout << "channel " << pair[0].As<int64_t>() << " partial sum " << pair[1].As<int64_t>()
                << "\n";
      total += pair[1].As<int64_t>();
    }
    std::cout << "total " << total << "\n";
    return total == 3160 ? 0 : 1;
  } catch (const quokka::Error& error) {
    std::cerr << "lesson0: " << error.what() << "\n";
    return 1;
  }
}

// Lesson 1: a streaming join. Two CSV files of key,val1,val2 rows are read as streams of
// tables, hash-partitioned by key, joined by the streaming hash join, and the joined rows are
// counted in a blocking node. The example checks the count against a plain std::map count.
//
//   make_data.sh DIR             # writes DIR/a.csv and DIR/b.csv
//   lesson1 DIR [--readers N] [--joiners M] [--workers W | --cluster FILE.json]
// With --workers the graph runs on W worker processes of this program (quokka::Init makes a
// copy started with worker flags a worker); with --cluster on the workers of a cluster file.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include "quokka/quokka.h"

namespace {

// The independent check: count key matches with two maps, reading the files line by line.
std::map<int64_t, int64_t> KeyCounts(const std::string& path) {
  std::map<int64_t, int64_t> counts;
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);  // header
  while (std::getline(file, line)) ++counts[std::stoll(line.substr(0, line.find(',')))];
  return counts;
}

int ParseCount(const char* flag, const char* value) {
  char* end = nullptr;
  long count = value ? std::strtol(value, &end, 10) : 0;
  if (value == nullptr || *end != '\0' || count < 1 || count > 1024) {
    std::cerr << "lesson1: " << flag << " needs a channel count from 1 to 1024\n";
    std::exit(2);
  }
  return static_cast<int>(count);
}

}  // namespace

int main(int argc, char** argv) {
  quokka::Init(argc, argv);
  std::string dir, cluster_file;
  int workers = 0;
  quokka::NodeOptions reader_a{.name = "read_a"}, reader_b{.name = "read_b"};
  quokka::NodeOptions join_options{.name = "join"};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--readers") {
      reader_a.channels = reader_b.channels = ParseCount("--readers", value);
      ++i;
    } else if (arg == "--joiners") {
      join_options.channels = ParseCount("--joiners", value);
      ++i;
    } else if (arg == "--workers") {
      workers = ParseCount("--workers", value);
      ++i;
    } else if (arg == "--cluster" && value != nullptr) {
      cluster_file = value;
      ++i;
    } else if (dir.empty() && arg[0] != '-') {
      dir = arg;
    } else {
      std::cerr << "usage: lesson1 DIR [--readers N] [--joiners M] [--workers W | --cluster F]\n";
      return 2;
    }
  }
  if (dir.empty()) {
    std::cerr << "usage: lesson1 DIR [--readers N] [--joiners M]  (make DIR with make_data.sh)\n";
    return 2;
  }
  try {
    // Workers read the files at the same path: make it absolute.
    dir = std::filesystem::absolute(dir).string();
    quokka::Cluster cluster = !cluster_file.empty() ? quokka::Cluster::FromJson(cluster_file)
                              : workers > 0 ? quokka::LocalCluster::Processes({.workers = workers})
                                            : quokka::LocalCluster();
    if (!join_options.channels) join_options.channels = cluster.total_cores();
    quokka::TaskGraph graph(cluster);
    // Small strides: several batches per file even for small inputs.
    quokka::CsvReadOptions csv;
    csv.stride = 256 << 10;
    quokka::Stream a = graph.NewInputReaderNode(quokka::CsvReader(dir + "/a.csv", csv), reader_a);
    quokka::Stream b = graph.NewInputReaderNode(quokka::CsvReader(dir + "/b.csv", csv), reader_b);
    quokka::Stream joined = graph.NewNonBlockingNode(
        {{0, {a, quokka::HashPartitionBy({"key"})}}, {1, {b, quokka::HashPartitionBy({"key"})}}},
        quokka::HashJoin({.left_keys = {"key"}, .right_keys = {"key"}}), join_options);
    quokka::Dataset counts =
        graph.NewBlockingNode({{0, joined}}, quokka::Count(), {.name = "count", .channels = 1});
    quokka::RunStats stats = graph.Run();

    const int64_t count = quokka::ToTable(counts).column(0)->GetInt64(0);
    std::cout << "joined rows: " << count << "\n";
    std::map<int64_t, int64_t> left = KeyCounts(dir + "/a.csv"), right = KeyCounts(dir + "/b.csv");
    int64_t expected = 0;
    for (const auto& [key, n] : left) {
      auto it = right.find(key);
      if (it != right.end()) expected += n * it->second;
    }
    std::cout << "expected (std::map count): " << expected << "\n";
    std::cout << stats.ToString();
    if (count != expected) {
      std::cerr << "lesson1: MISMATCH\n";
      return 1;
    }
    std::cout << "count matches\n";
    return 0;
  } catch (const quokka::Error& error) {
    std::cerr << "lesson1: " << error.what() << "\n";
    return 1;
  }
}

// Word count: read a text file in parallel byte ranges, split lines into words, hash-partition
// the words so that every occurrence of a word reaches the same counting channel, and collect
// each channel's counts into a Dataset. Prints the most frequent words.
//
//   wordcount FILE [--readers N] [--counters M] [--top K] [--explain FILE.dot]
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <unordered_map>

#include "quokka/quokka.h"

namespace {

// Channel c of n reads the lines that start in byte range [size*c/n, size*(c+1)/n).
class LineReader : public quokka::InputReader {
 public:
  explicit LineReader(std::string path) : path_(std::move(path)) {}
  LineReader(const LineReader& other) : path_(other.path_) {}

  void Start(int channel, int num_channels, int64_t position) override {
    file_.open(path_, std::ios::binary);
    if (!file_) throw quokka::Error(quokka::Status::IOError("cannot open " + path_));
    file_.seekg(0, std::ios::end);
    int64_t size = file_.tellg();
    int64_t begin = size * channel / num_channels;
    end_ = size * (channel + 1) / num_channels;
    offset_ = std::max(begin, position);
    file_.seekg(offset_);
    if (offset_ > 0 && position == 0) {
      // The line that crosses `begin` belongs to the previous channel, unless it starts here.
      file_.seekg(offset_ - 1);
      std::string partial;
      std::getline(file_, partial);
      offset_ = file_.tellg();
      if (!file_) offset_ = size;
    }
  }

  std::optional<quokka::ReadItem> Next() override {
    if (offset_ >= end_ || !file_) return std::nullopt;
    std::string line;
    if (!std::getline(file_, line)) return std::nullopt;
    offset_ = file_ ? static_cast<int64_t>(file_.tellg()) : end_;
    return quokka::ReadItem{offset_, quokka::Object(std::move(line))};
  }

 private:
  std::string path_;
  std::ifstream file_;
  int64_t offset_ = 0, end_ = 0;
};

// Splits lines into lower-case words.
class Tokenizer : public quokka::Executor {
 public:
  void Execute(quokka::ObjectList& lines, int stream_id, int channel,
               quokka::Output& out) override {
    for (const quokka::Object& line : lines) {
      std::string word;
      for (char c : line.As<std::string>()) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
          word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!word.empty()) {
          out.Emit(quokka::Object(std::move(word)));
          word.clear();
        }
      }
      if (!word.empty()) out.Emit(quokka::Object(std::move(word)));
    }
  }
};

// Counts the words its channel receives; emits one map word -> count at the end.
class Counter : public quokka::Executor {
 public:
  void Execute(quokka::ObjectList& words, int stream_id, int channel,
               quokka::Output& out) override {
    for (const quokka::Object& word : words) ++counts_[word.As<std::string>()];
  }
  void Done(int channel, quokka::Output& out) override {
    quokka::ObjectMap counts;
    for (auto& [word, count] : counts_) counts.emplace(word, quokka::Object(count));
    out.Emit(quokka::Object(std::move(counts)));
  }

 private:
  std::unordered_map<std::string, int64_t> counts_;
};

int ParseCount(const std::string& flag, const char* value) {
  char* end = nullptr;
  long count = value ? std::strtol(value, &end, 10) : 0;
  if (value == nullptr || *end != '\0' || count < 1 || count > 4096) {
    std::cerr << "wordcount: " << flag << " needs a number from 1 to 4096\n";
    std::exit(2);
  }
  return static_cast<int>(count);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, explain_path;
  quokka::NodeOptions reader_options{.name = "lines"};
  quokka::NodeOptions counter_options{.name = "count"};
  int top = 10;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--readers") {
      reader_options.channels = ParseCount(arg, value), ++i;
    } else if (arg == "--counters") {
      counter_options.channels = ParseCount(arg, value), ++i;
    } else if (arg == "--top") {
      top = ParseCount(arg, value), ++i;
    } else if (arg == "--explain" && value != nullptr) {
      explain_path = value, ++i;
    } else if (path.empty() && arg[0] != '-') {
      path = arg;
    } else {
      std::cerr << "usage: wordcount FILE [--readers N] [--counters M] [--top K] "
                   "[--explain FILE.dot]\n";
      return 2;
    }
  }
  if (path.empty()) {
    std::cerr << "wordcount: no input file given\n";
    return 2;
  }
  if (!std::ifstream(path)) {
    std::cerr << "wordcount: cannot open " << path << "\n";
    return 1;
  }
  try {
    quokka::LocalCluster cluster;
    if (!counter_options.channels) counter_options.channels = cluster.total_cores();
    quokka::TaskGraph graph(cluster);
    quokka::Stream lines = graph.NewInputReaderNode(LineReader(path), reader_options);
    quokka::Stream words = graph.NewNonBlockingNode(
        {{0, lines}}, Tokenizer(), {.name = "tokenize", .channels = cluster.total_cores()});
    auto by_word = quokka::Partitioner::HashBy([](const quokka::Object& word) { return word; });
    quokka::Dataset counts =
        graph.NewBlockingNode({{0, {words, by_word}}}, Counter(), counter_options);
    graph.Create();
    if (!explain_path.empty()) std::ofstream(explain_path) << graph.Explain();
    quokka::RunStats stats = graph.Run();

    std::vector<std::pair<int64_t, std::string>> ranked;
    for (const quokka::Object& partial : counts) {
      for (const auto& [word, count] : partial.As<quokka::ObjectMap>()) {
        ranked.emplace_back(count.As<int64_t>(), word);
      }
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::cout << ranked.size() << " distinct words\n";
    for (int i = 0; i < top && i < static_cast<int>(ranked.size()); ++i) {
      std::cout << ranked[i].first << "\t" << ranked[i].second << "\n";
    }
    std::cout << stats.ToString();
    return 0;
  } catch (const quokka::Error& error) {
    std::cerr << "wordcount: " << error.what() << "\n";
    return 1;
  }
}

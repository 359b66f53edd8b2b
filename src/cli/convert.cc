// quokka convert / quokka head.
//
// convert reads its input with N reader channels and writes one output file from a single
// sink channel that restores the input's row order: each reader channel tags its tables with
// (channel, sequence number) and ends with a marker; CSV channels read contiguous byte ranges
// (so the order is channel by channel), IPC channels read record batches round-robin.
#include "convert.h"

#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "quokka/csv.h"
#include "quokka/executors.h"
#include "quokka/filesystem.h"
#include "quokka/ipc.h"
#include "quokka/quokka.h"

namespace quokka::cli {
namespace {

enum class Format { kCsv, kIpc };
enum class Order { kChannelMajor, kRoundRobin };

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Result<Format> FormatOf(const std::string& path, const char* role) {
  for (const char* ext : {".csv", ".tbl", ".txt", ".tsv"}) {
    if (EndsWith(path, ext)) return Format::kCsv;
  }
  for (const char* ext : {".arrow", ".feather", ".ipc"}) {
    if (EndsWith(path, ext)) return Format::kIpc;
  }
  return Status::Invalid(std::string(role) + " '" + path +
                         "' has an unknown extension: use .csv, .tbl, .txt, .tsv (CSV) or "
                         ".arrow, .feather, .ipc (Arrow IPC)");
}

// Wraps a reader: yields [channel, sequence, table] and finally [channel, -1].
template <typename R>
class TaggedReader : public InputReader {
 public:
  explicit TaggedReader(R inner) : inner_(std::move(inner)) {}
  void Start(int channel, int num_channels, int64_t position) override {
    channel_ = channel;
    inner_.Start(channel, num_channels, position);
  }
  std::optional<ReadItem> Next() override {
    if (ended_) return std::nullopt;
    std::optional<ReadItem> item = inner_.Next();
    if (!item) {
      ended_ = true;
      return ReadItem{0, Object(ObjectList{channel_, int64_t{-1}})};
    }
    return ReadItem{item->position, Object(ObjectList{channel_, sequence_++, item->object})};
  }

 private:
  R inner_;
  int channel_ = 0;
  int64_t sequence_ = 0;
  bool ended_ = false;
};

// Writes tagged tables to one file in the input's order.
class OrderedFileSink : public Executor {
 public:
  OrderedFileSink(std::string path, Format format, CsvWriteOptions csv, Order order, int channels)
      : path_(std::move(path)), format_(format), csv_(csv), order_(order), channels_(channels) {}
  OrderedFileSink(const OrderedFileSink& other)
      : OrderedFileSink(other.path_, other.format_, other.csv_, other.order_, other.channels_) {}

  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    for (const Object& object : batches) {
      const ObjectList& tag = object.As<ObjectList>();
      const int source = static_cast<int>(tag[0].As<int64_t>());
      const int64_t sequence = tag[1].As<int64_t>();
      if (sequence < 0) {
        ended_.insert(source);
      } else {
        pending_[{source, sequence}] = tag[2].As<Table>();
      }
    }
    WriteReady();
  }

  void Done(int channel, Output& out) override {
    WriteReady();
    if (!pending_.empty()) throw Error(Status::Internal("convert: batches left unwritten"));
    if (format_ == Format::kCsv) {
      if (csv_file_ == nullptr) Open(nullptr);
      ThrowIfError(csv_file_->Close());
    } else {
      if (!ipc_.is_open()) {
        throw Error(
            Status::Invalid("convert: the input holds no table, nothing to write to " + path_));
      }
      ThrowIfError(ipc_.Close());
    }
    out.Emit(Object(rows_));
  }

 private:
  void Open(const Table* first) {
    if (format_ == Format::kCsv) {
      Result<std::unique_ptr<OutputFile>> file = OpenOutputFile(path_);
      ThrowIfError(file.status());
      csv_file_ = std::move(*file);
    } else {
      ThrowIfError(ipc_.Open(path_, first->schema()));
    }
  }

  void Write(const Table& table) {
    if (format_ == Format::kCsv) {
      if (csv_file_ == nullptr) Open(&table);
      CsvWriteOptions options = csv_;
      options.header = csv_.header && !header_written_;
      header_written_ = true;
      text_.str(std::string());
      ThrowIfError(WriteCsv(table, text_, options).WithContext("writing " + path_));
      ThrowIfError(csv_file_->Write(text_.view()));
    } else {
      if (!ipc_.is_open()) Open(&table);
      ThrowIfError(ipc_.Write(table));
    }
    rows_ += table.num_rows();
  }

  // Write every table whose turn has come.
  void WriteReady() {
    while (true) {
      const std::pair<int, int64_t> next = {channel_, sequence_};
      auto it = pending_.find(next);
      if (it != pending_.end()) {
        Write(it->second);
        pending_.erase(it);
        Advance();
        continue;
      }
      if (!ended_.count(channel_)) return;  // its next table has not arrived yet
      // Round-robin: the first channel to run out marks the end of the input.
      if (order_ == Order::kRoundRobin) return;
      if (++channel_ >= channels_) return;
      sequence_ = 0;
    }
  }

  void Advance() {
    if (order_ == Order::kChannelMajor) {
      ++sequence_;
    } else if (++channel_ == channels_) {
      channel_ = 0;
      ++sequence_;
    }
  }

  std::string path_;
  Format format_;
  CsvWriteOptions csv_;
  Order order_;
  int channels_;
  std::map<std::pair<int, int64_t>, Table> pending_;
  std::set<int> ended_;
  int channel_ = 0;
  int64_t sequence_ = 0;
  std::unique_ptr<OutputFile> csv_file_;  // local file or S3 object
  std::ostringstream text_;               // one table as CSV
  IpcFileWriter ipc_;
  bool header_written_ = false;
  int64_t rows_ = 0;
};

struct CommonOptions {
  std::vector<std::string> positional;
  CsvReadOptions csv_read;
  CsvWriteOptions csv_write;
  bool delimiter_given = false;
  int channels = 0;
  int64_t rows = 10;
};

// Parses the options shared by convert and head; returns an error naming the argument.
Status ParseOptions(int argc, char** argv, const char* command, CommonOptions* options) {
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= argc) return Status::Invalid(arg + " needs a value");
      return std::string(argv[++i]);
    };
    if (arg == "--delimiter") {
      QK_ASSIGN_OR_RAISE(std::string text, value());
      if (text == "\\t" || text == "tab") text = "\t";
      if (text.size() != 1)
        return Status::Invalid("--delimiter takes one character, got '" + text + "'");
      options->csv_read.delimiter = options->csv_write.delimiter = text[0];
      options->delimiter_given = true;
    } else if (arg == "--no-header") {
      options->csv_read.header = false;
      options->csv_write.header = false;
    } else if (arg == "--columns") {
      QK_ASSIGN_OR_RAISE(std::string spec, value());
      // Split at commas outside parentheses: "price:decimal(12,2)" is one item.
      std::vector<std::string> items(1);
      int depth = 0;
      for (char c : spec) {
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        if (c == ',' && depth == 0) {
          items.emplace_back();
        } else {
          items.back() += c;
        }
      }
      for (const std::string& item : items) {
        size_t colon = item.find(':');
        std::string name = item.substr(0, colon);
        if (name.empty())
          return Status::Invalid("--columns: an empty column name in '" + spec + "'");
        options->csv_read.column_names.push_back(name);
        if (colon != std::string::npos) {
          DataType type;
          if (!ParseDataType(item.substr(colon + 1), &type)) {
            return Status::Invalid("--columns: unknown type '" + item.substr(colon + 1) +
                                   "' for column '" + name +
                                   "' (bool, int8..int64, float64, decimal(p,s), utf8, date32, "
                                   "timestamp)");
          }
          options->csv_read.column_types[name] = type;
        }
      }
    } else if (arg == "--channels") {
      QK_ASSIGN_OR_RAISE(std::string text, value());
      char* end = nullptr;
      long channels = std::strtol(text.c_str(), &end, 10);
      if (*end != '\0' || channels < 1 || channels > 1024) {
        return Status::Invalid("--channels needs a number from 1 to 1024, got '" + text + "'");
      }
      options->channels = static_cast<int>(channels);
    } else if (arg == "-n" && std::string(command) == "head") {
      QK_ASSIGN_OR_RAISE(std::string text, value());
      char* end = nullptr;
      long long rows = std::strtoll(text.c_str(), &end, 10);
      if (*end != '\0' || rows < 0)
        return Status::Invalid("-n needs a row count, got '" + text + "'");
      options->rows = rows;
    } else if (!arg.empty() && arg[0] == '-') {
      return Status::Invalid("unknown option '" + arg + "'");
    } else {
      options->positional.push_back(arg);
    }
  }
  return Status::OK();
}

void DefaultDelimiter(const std::string& path, CommonOptions* options, bool for_write) {
  if (options->delimiter_given) return;
  char delimiter = EndsWith(path, ".tbl") ? '|' : EndsWith(path, ".tsv") ? '\t' : ',';
  if (for_write) {
    options->csv_write.delimiter = delimiter;
  } else {
    options->csv_read.delimiter = delimiter;
    if (EndsWith(path, ".tbl")) options->csv_read.header = false;
  }
}

int Fail(const char* command, const Status& status) {
  std::cerr << "quokka " << command << ": " << status.message() << "\n";
  return status.code() == StatusCode::kInvalid ? 2 : 1;
}

}  // namespace

int Convert(int argc, char** argv) {
  CommonOptions options;
  Status status = ParseOptions(argc, argv, "convert", &options);
  if (!status.ok()) return Fail("convert", status);
  if (options.positional.size() != 2) {
    return Fail("convert", Status::Invalid("usage: quokka convert INPUT OUTPUT [--delimiter C] "
                                           "[--no-header] [--columns name:type,...] "
                                           "[--channels N]"));
  }
  const std::string& input = options.positional[0];
  const std::string& output = options.positional[1];
  Result<Format> in_format = FormatOf(input, "input");
  if (!in_format.ok()) return Fail("convert", in_format.status());
  Result<Format> out_format = FormatOf(output, "output");
  if (!out_format.ok()) return Fail("convert", out_format.status());
  DefaultDelimiter(input, &options, false);
  DefaultDelimiter(output, &options, true);
  try {
    LocalCluster cluster;
    int channels = options.channels > 0 ? options.channels : cluster.total_cores();
    // Batches of several IPC files interleave per file: keep their order with one channel.
    if (*in_format == Format::kIpc) {
      Result<std::vector<FileEntry>> files = ListFiles(input);
      if (files.ok() && files->size() > 1) channels = 1;
    }
    TaskGraph graph(cluster);
    Stream tagged;
    Order order = Order::kChannelMajor;
    if (*in_format == Format::kCsv) {
      tagged = graph.NewInputReaderNode(TaggedReader<CsvReader>(CsvReader(input, options.csv_read)),
                                        {.name = "read", .channels = channels});
    } else {
      order = Order::kRoundRobin;
      tagged = graph.NewInputReaderNode(TaggedReader<IpcFileReader>(IpcFileReader(input)),
                                        {.name = "read", .channels = channels});
    }
    Dataset written = graph.NewBlockingNode(
        {{0, tagged}}, OrderedFileSink(output, *out_format, options.csv_write, order, channels),
        {.name = "write", .channels = 1});
    RunStats stats = graph.Run();
    std::cout << "wrote " << output << ": " << written.ToList()[0].As<int64_t>() << " rows in "
              << stats.wall_seconds << " s (" << channels << " reader channels)\n";
    return 0;
  } catch (const Error& error) {
    return Fail("convert", error.status());
  }
}

int Head(int argc, char** argv) {
  CommonOptions options;
  Status status = ParseOptions(argc, argv, "head", &options);
  if (!status.ok()) return Fail("head", status);
  if (options.positional.size() != 1) {
    return Fail("head", Status::Invalid("usage: quokka head FILE [-n ROWS] [--delimiter C] "
                                        "[--no-header] [--columns name:type,...]"));
  }
  const std::string& input = options.positional[0];
  Result<Format> format = FormatOf(input, "input");
  if (!format.ok()) return Fail("head", format.status());
  DefaultDelimiter(input, &options, false);
  try {
    std::vector<Table> tables;
    int64_t rows = 0;
    auto collect = [&](InputReader& reader) {
      reader.Start(0, 1, 0);
      while (rows < options.rows) {
        std::optional<ReadItem> item = reader.Next();
        if (!item) break;
        const Table& table = item->object.As<Table>();
        tables.push_back(table.Slice(0, options.rows - rows));
        rows += tables.back().num_rows();
      }
    };
    if (*format == Format::kCsv) {
      options.csv_read.stride = 1 << 20;  // the first rows only: small first batch
      CsvReader reader(input, options.csv_read);
      collect(reader);
      if (tables.empty()) tables.push_back(Table::Empty(reader.schema()));
    } else {
      IpcFileReader reader(input);
      collect(reader);
    }
    Table head = Table::Concat(tables);
    std::cout << head.ToString(options.rows);
    return 0;
  } catch (const Error& error) {
    return Fail("head", error.status());
  }
}

}  // namespace quokka::cli

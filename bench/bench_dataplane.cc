// Data-plane throughput between two worker processes on loopback (issue 5: distributed runtime).
//
// One reader channel on machine 0 (channels_per_machine {1, 0}) yields the same large object
// (built once per process) again and again; one counting channel on machine 1 ({0, 1}) adds up
// the objects, rows and payload bytes it receives. Every object crosses the machine boundary.
//
// Objects ("data"):
//   tables-rand  a Table of ~--object-mib MiB: int64, float64 and utf8 columns of random values
//                (incompressible for zstd: random 64-bit ints, random doubles, random strings)
//   tables-comp  the same schema with compressible values (sequential ids, prices with 2
//                decimals, strings from a small vocabulary)
//   bytes-rand   a Bytes object of --object-mib MiB of random bytes
//   bytes-comp   a Bytes object of --object-mib MiB of CSV-like text lines
// Payload = Table::byte_size() (the column buffers) or the Bytes size; GB/s = 10^9 bytes of
// payload per second of wall time of TaskGraph::Run() on the driver (plan shipping and run
// set-up included; "run overhead" shows that fixed cost, measured with a single object).
//
// Clusters ("mode"):
//   local      LocalCluster(2): one process, objects passed as pointers (reference: no payload
//              byte moves, so its "GB/s" only says that the runtime adds nothing per byte)
//   emulated   Cluster({m0, m1}) in one process: every object is serialized and deserialized
//              as on a network, but no network (the cost of the codec alone)
//   insecure   LocalCluster::Processes({.workers = 2}): two worker processes, gRPC, no TLS
//   tls        LocalCluster::Processes({.workers = 2, .tls_dir = DIR}): gRPC with mutual TLS
//              (keys made with `quokka cluster keys`, the CLI next to this binary)
// and RunOptions::compression none or zstd (only for the process clusters).
//
// Variants run interleaved (round 1 of every variant, then round 2, ...), so that the noise of a
// shared machine hits all of them alike; the table shows medians and ratios of this invocation.
// For the process clusters it also shows the CPU seconds per GB of payload the sending and the
// receiving worker used (user + system, from /proc/PID/stat), which tells which side limits,
// and their minor page faults per 4 KiB page of payload (1.0 = every payload byte was written
// once into freshly mapped memory, which the kernel had to zero and map first). In-process
// modes show this process's figures for both sides together. Per-run lines go to stderr.
//
//   bench_dataplane [--gb G] [--object-mib M] [--runs R] [--modes local,emulated,insecure,tls]
//                   [--data tables-rand,tables-comp,bytes-rand,bytes-comp]
//                   [--compression none,zstd] [--budget-mib 256,16] [--tls-dir DIR]
//                   [--quokka PATH]
// --budget-mib runs every variant with each RunOptions::memory_budget_bytes given (default: the
// RunOptions default, 256 MiB); the one link of this graph gets all of it.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "quokka/init.h"
#include "quokka/quokka.h"

namespace {

using quokka::Object;
using quokka::ObjectList;

enum DataKind : int64_t { kTablesRand = 0, kTablesComp = 1, kBytesRand = 2, kBytesComp = 3 };
const char* const kDataNames[] = {"tables-rand", "tables-comp", "bytes-rand", "bytes-comp"};

// ------------------------------------------------------------------------------ the objects

quokka::Table MakeTable(int64_t target_bytes, bool compressible) {
  // About 8 + 8 + 4 + 16 bytes per row (int64, float64, utf8 offset + ~16 characters).
  const int64_t rows = std::max<int64_t>(1, target_bytes / 36);
  auto schema = std::make_shared<quokka::Schema>(
      std::vector<quokka::Field>{{"id", quokka::DataType::Int64()},
                                 {"price", quokka::DataType::Float64()},
                                 {"comment", quokka::DataType::Utf8()}});
  quokka::TableBuilder builder(schema);
  for (int c = 0; c < 3; ++c) builder.column(c).Reserve(rows);
  std::mt19937_64 random(42);
  static const char* const kWords[] = {
      "carefully", "final",   "deposits", "sleep",    "quickly",  "regular", "ideas", "packages",
      "furious",   "express", "pending",  "accounts", "blithely", "ironic",  "bold",  "requests"};
  std::string text;
  for (int64_t i = 0; i < rows; ++i) {
    if (compressible) {
      builder.column(0).AppendInt64(1'000'000 + i);
      builder.column(1).AppendDouble(static_cast<double>((i * 7919) % 100000) / 100.0);
      text.clear();
      while (text.size() < 12) {
        if (!text.empty()) text += ' ';
        text += kWords[random() % 16];
      }
      builder.column(2).AppendString(text);
    } else {
      builder.column(0).AppendInt64(static_cast<int64_t>(random()));
      builder.column(1).AppendDouble(std::uniform_real_distribution<double>(0, 1e6)(random));
      text.resize(8 + random() % 17);  // 8..24 characters, 16 on average
      for (char& c : text) c = static_cast<char>(33 + random() % 94);
      builder.column(2).AppendString(text);
    }
  }
  return builder.Finish();
}

quokka::Bytes MakeBytes(int64_t size, bool compressible) {
  quokka::Bytes bytes;
  bytes.data.reserve(size + 128);
  std::mt19937_64 random(7);
  if (!compressible) {
    bytes.data.resize(size);
    for (int64_t i = 0; i + 8 <= size; i += 8) {
      uint64_t value = random();
      std::memcpy(&bytes.data[i], &value, 8);
    }
    return bytes;
  }
  // lineitem-like lines: orderkey|partkey|quantity|price|flag|date|comment
  static const char* const kFlags[] = {"A|F", "N|O", "R|F", "N|F"};
  char line[160];
  int64_t key = 1;
  while (static_cast<int64_t>(bytes.data.size()) < size) {
    int n = std::snprintf(
        line, sizeof line, "%lld|%llu|%llu|%llu.%02llu|%s|199%llu-%02llu-%02llu|%s\n",
        static_cast<long long>(key), static_cast<unsigned long long>(random() % 200000),
        static_cast<unsigned long long>(1 + random() % 50),
        static_cast<unsigned long long>(900 + random() % 100000),
        static_cast<unsigned long long>(random() % 100), kFlags[random() % 4],
        static_cast<unsigned long long>(2 + random() % 7),
        static_cast<unsigned long long>(1 + random() % 12),
        static_cast<unsigned long long>(1 + random() % 28),
        random() % 2 ? "carefully final deposits" : "quickly regular ideas");
    bytes.data.append(line, n);
    key += random() % 3 == 0;
  }
  bytes.data.resize(size);
  return bytes;
}

Object MakeObject(int64_t kind, int64_t target_bytes) {
  switch (kind) {
    case kTablesRand:
    case kTablesComp:
      return Object::Make(MakeTable(target_bytes, kind == kTablesComp));
    default:
      return Object(MakeBytes(target_bytes, kind == kBytesComp));
  }
}

// Built once per process (driver and each worker) and kind/size, then shared by every run.
Object CachedObject(int64_t kind, int64_t target_bytes) {
  static std::mutex mutex;
  static std::map<std::pair<int64_t, int64_t>, Object> cache;
  std::lock_guard lock(mutex);
  auto [it, inserted] = cache.try_emplace({kind, target_bytes});
  if (inserted) it->second = MakeObject(kind, target_bytes);
  return it->second;
}

int64_t PayloadBytes(const Object& object) {
  if (const auto* table = object.GetIf<quokka::Table>())
    return static_cast<int64_t>(table->byte_size());
  return static_cast<int64_t>(object.As<quokka::Bytes>().data.size());
}

// --------------------------------------------------------------------- reader and consumer

// Yields `count` times the cached object of `kind` (shared, never copied by the reader).
class BlobReader final : public quokka::InputReader {
 public:
  BlobReader(int64_t kind = 0, int64_t object_bytes = 0, int64_t count = 0)
      : kind_(kind), object_bytes_(object_bytes), count_(count) {}
  void Start(int channel, int num_channels, int64_t position) override {
    object_ = CachedObject(kind_, object_bytes_);
    next_ = count_ * channel / num_channels + position;
    stop_ = count_ * (channel + 1) / num_channels;
  }
  std::optional<quokka::ReadItem> Next() override {
    if (next_ >= stop_) return std::nullopt;
    ++next_;
    return quokka::ReadItem{next_, object_};
  }
  void Encode(quokka::Encoder& out) const {
    out.ArrayHeader(3);
    out.Int(kind_);
    out.Int(object_bytes_);
    out.Int(count_);
  }
  static BlobReader Decode(quokka::Decoder& in) {
    in.ArrayHeader();
    int64_t kind = in.Int();
    int64_t bytes = in.Int();
    return BlobReader(kind, bytes, in.Int());
  }

 private:
  int64_t kind_, object_bytes_, count_;
  Object object_;
  int64_t next_ = 0, stop_ = 0;
};

// Counts objects, table rows and payload bytes; emits [objects, bytes, rows].
class ByteCounter final : public quokka::Executor {
 public:
  void Execute(ObjectList& batches, int stream_id, int channel, quokka::Output& out) override {
    for (const Object& object : batches) {
      ++objects_;
      bytes_ += PayloadBytes(object);
      if (const auto* table = object.GetIf<quokka::Table>()) rows_ += table->num_rows();
    }
  }
  void Done(int channel, quokka::Output& out) override {
    out.Emit(ObjectList{objects_, bytes_, rows_});
  }
  void Encode(quokka::Encoder& out) const { out.Nil(); }
  static ByteCounter Decode(quokka::Decoder& in) {
    in.Nil();
    return ByteCounter();
  }

 private:
  int64_t objects_ = 0, bytes_ = 0, rows_ = 0;
};

// ------------------------------------------------------------------- process CPU accounting

struct CpuTimes {
  double user = 0, sys = 0;
  double faults = 0;  // minor page faults
  double total() const { return user + sys; }
};

CpuTimes ProcessCpu(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CpuTimes times;
  size_t close = text.rfind(')');
  if (close == std::string::npos) return times;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  // After "pid (comm) ": state(3) ... minflt(10) ... utime(14) stime(15).
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 10) times.faults = std::stod(field);
    if (i == 14) times.user = std::stod(field) / sysconf(_SC_CLK_TCK);
    if (i == 15) times.sys = std::stod(field) / sysconf(_SC_CLK_TCK);
  }
  return times;
}

std::string Cmdline(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

// Worker processes (children of this process started with --quokka-worker), by machine name.
std::map<std::string, pid_t> WorkerChildren() {
  std::map<std::string, pid_t> found;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return found;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::ifstream in(std::string("/proc/") + entry->d_name + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(text.substr(close + 2));
    std::string state;
    long ppid = 0;
    fields >> state >> ppid;
    if (ppid != getpid()) continue;
    std::string cmd = Cmdline(static_cast<pid_t>(pid));
    if (cmd.find("--quokka-worker") == std::string::npos) continue;
    size_t name_at = cmd.find("--name ");
    if (name_at == std::string::npos) continue;
    std::string name = cmd.substr(name_at + 7);
    name = name.substr(0, name.find(' '));
    found[name] = static_cast<pid_t>(pid);
  }
  closedir(dir);
  return found;
}

CpuTimes SelfCpu() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
          usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6,
          static_cast<double>(usage.ru_minflt)};
}

// --------------------------------------------------------------------------------- the runs

struct Mode {
  std::string name;
  quokka::Cluster cluster;
  pid_t sender = 0, receiver = 0;  // worker processes (process clusters)
};

struct RunResult {
  double seconds;
  CpuTimes sender, receiver, driver;
};

struct Variant {
  Mode* mode;
  quokka::Compression compression;
  int64_t data;
  uint64_t budget;  // RunOptions::memory_budget_bytes
  std::vector<RunResult> runs;
};

std::vector<int> Placement(const Mode& mode, int machine) {
  if (mode.cluster.num_machines() == 1) return {1};
  std::vector<int> placement(mode.cluster.num_machines(), 0);
  placement[machine] = 1;
  return placement;
}

RunResult RunOnce(Mode& mode, quokka::Compression compression, int64_t data, int64_t object_bytes,
                  int64_t count, int64_t expected_payload, uint64_t budget = 0) {
  quokka::TaskGraph graph(mode.cluster);
  quokka::Stream blobs =
      graph.NewInputReaderNode(BlobReader(data, object_bytes, count),
                               {.name = "reader", .channels_per_machine = Placement(mode, 0)});
  quokka::Dataset counts = graph.NewBlockingNode(
      {{0, blobs}}, ByteCounter(), {.name = "count", .channels_per_machine = Placement(mode, 1)});
  graph.Create();
  CpuTimes s0 = mode.sender ? ProcessCpu(mode.sender) : CpuTimes{};
  CpuTimes r0 = mode.receiver ? ProcessCpu(mode.receiver) : CpuTimes{};
  CpuTimes d0 = SelfCpu();
  auto start = std::chrono::steady_clock::now();
  quokka::RunOptions options{.progress = quokka::Progress::kOff, .compression = compression};
  if (budget > 0) options.memory_budget_bytes = budget;
  graph.Run(options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CpuTimes d1 = SelfCpu();
  CpuTimes s1 = mode.sender ? ProcessCpu(mode.sender) : CpuTimes{};
  CpuTimes r1 = mode.receiver ? ProcessCpu(mode.receiver) : CpuTimes{};
  int64_t objects = 0, bytes = 0;
  for (const Object& partial : counts) {
    objects += partial.As<ObjectList>()[0].As<int64_t>();
    bytes += partial.As<ObjectList>()[1].As<int64_t>();
  }
  if (objects != count || bytes != expected_payload * count) {
    std::fprintf(stderr, "wrong result in %s/%s: %lld objects, %lld bytes (expected %lld, %lld)\n",
                 mode.name.c_str(), kDataNames[data], (long long)objects, (long long)bytes,
                 (long long)count, (long long)(expected_payload * count));
    std::exit(1);
  }
  return {seconds,
          {s1.user - s0.user, s1.sys - s0.sys, s1.faults - s0.faults},
          {r1.user - r0.user, r1.sys - r0.sys, r1.faults - r0.faults},
          {d1.user - d0.user, d1.sys - d0.sys, d1.faults - d0.faults}};
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string Flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

bool Has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string MakeTlsKeys(const std::string& quokka_cli) {
  char pattern[] = "/tmp/qk-bench-tls-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    std::fprintf(stderr, "cannot make a temporary directory\n");
    std::exit(1);
  }
  std::string dir = pattern;
  std::filesystem::remove(dir);  // `quokka cluster keys` creates it (mode 0700)
  std::string command =
      "'" + quokka_cli + "' cluster keys --out '" + dir + "' --machines local-0,local-1 >/dev/null";
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "failed: %s\n", command.c_str());
    std::exit(1);
  }
  return dir;
}

}  // namespace

int main(int argc, char** argv) {
  (void)quokka::RegisterType<BlobReader>("bench.blob_reader");
  (void)quokka::RegisterType<ByteCounter>("bench.byte_counter");
  quokka::Init(argc, argv);  // a worker started by LocalCluster::Processes never returns

  const double gb = std::atof(Flag(argc, argv, "--gb", "2").c_str());
  const int64_t object_bytes =
      static_cast<int64_t>(std::atof(Flag(argc, argv, "--object-mib", "4").c_str()) * (1 << 20));
  const int runs = std::atoi(Flag(argc, argv, "--runs", "3").c_str());
  const auto modes = Split(Flag(argc, argv, "--modes", "local,emulated,insecure,tls"));
  const auto datas =
      Split(Flag(argc, argv, "--data", "tables-rand,tables-comp,bytes-rand,bytes-comp"));
  const auto compressions = Split(Flag(argc, argv, "--compression", "none,zstd"));
  std::vector<uint64_t> budgets;  // MiB; the default is RunOptions' default
  for (const std::string& b : Split(Flag(argc, argv, "--budget-mib", ""))) {
    budgets.push_back(static_cast<uint64_t>(std::atof(b.c_str()) * (1 << 20)));
  }
  if (budgets.empty()) budgets.push_back(quokka::RunOptions{}.memory_budget_bytes);
  const std::string self_dir =
      std::filesystem::read_symlink("/proc/self/exe").parent_path().string();
  const std::string quokka_cli = Flag(argc, argv, "--quokka", self_dir + "/quokka");
  std::string tls_dir = Flag(argc, argv, "--tls-dir", "");
  bool own_tls_dir = false;

  // The objects, once here too (payload sizes, compressibility).
  std::vector<int64_t> data_ids;
  for (int64_t d = 0; d < 4; ++d) {
    if (Has(datas, kDataNames[d])) data_ids.push_back(d);
  }
  std::printf(
      "quokka %s data-plane benchmark: %.2f GB per measurement, objects of ~%.1f MiB, "
      "median of %d runs, %u hw threads\n",
      QK_VERSION_STRING, gb, object_bytes / 1048576.0, runs, std::thread::hardware_concurrency());
  std::map<int64_t, int64_t> payload, count;
  for (int64_t d : data_ids) {
    Object object = CachedObject(d, object_bytes);
    payload[d] = PayloadBytes(object);
    count[d] = std::max<int64_t>(1, static_cast<int64_t>(gb * 1e9 / payload[d]));
    std::string encoded = quokka::Serialize(object).ValueOrThrow();
    std::string compressed(ZSTD_compressBound(encoded.size()), '\0');
    size_t size =
        ZSTD_compress(compressed.data(), compressed.size(), encoded.data(), encoded.size(), 1);
    std::printf(
        "  %-12s payload %8.3f MiB/object, serialized %8.3f MiB, zstd-1 ratio %.2f, "
        "%lld objects per measurement\n",
        kDataNames[d], payload[d] / 1048576.0, encoded.size() / 1048576.0,
        static_cast<double>(encoded.size()) / size, (long long)count[d]);
  }

  // The clusters.
  std::vector<std::unique_ptr<Mode>> clusters;
  for (const std::string& name : modes) {
    auto mode = std::make_unique<Mode>(Mode{name, quokka::LocalCluster(2)});
    auto start = std::chrono::steady_clock::now();
    if (name == "local") {
      mode->cluster = quokka::LocalCluster(2);
    } else if (name == "emulated") {
      mode->cluster = quokka::Cluster({{.name = "m0", .cores = 1}, {.name = "m1", .cores = 1}});
    } else if (name == "insecure" || name == "tls") {
      auto before = WorkerChildren();
      quokka::LocalProcessOptions options{.workers = 2};
      if (name == "tls") {
        if (tls_dir.empty()) {
          tls_dir = MakeTlsKeys(quokka_cli);
          own_tls_dir = true;
        }
        options.tls_dir = tls_dir;
      }
      mode->cluster = quokka::LocalCluster::Processes(options);
      auto after = WorkerChildren();
      for (const auto& [worker, pid] : after) {
        if (before.count(worker)) continue;
        if (worker == mode->cluster.machines()[0].name) mode->sender = pid;
        if (worker == mode->cluster.machines()[1].name) mode->receiver = pid;
      }
    } else {
      std::fprintf(stderr, "unknown mode %s\n", name.c_str());
      return 2;
    }
    double started =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("  cluster %-9s %d machine(s), started in %.2f s", name.c_str(),
                mode->cluster.num_machines(), started);
    if (mode->cluster.distributed()) {
      if (mode->sender && mode->receiver) {
        std::printf(", sender pid %d, receiver pid %d", mode->sender, mode->receiver);
      } else {
        std::printf(" (worker pids not found: no CPU figures)");
      }
    }
    std::printf("\n");
    clusters.push_back(std::move(mode));
  }

  std::vector<Variant> variants;
  for (auto& mode : clusters) {
    for (const std::string& c : compressions) {
      quokka::Compression compression =
          c == "zstd" ? quokka::Compression::kZstd : quokka::Compression::kNone;
      if (compression == quokka::Compression::kZstd && !mode->cluster.distributed()) continue;
      for (uint64_t budget : budgets) {
        for (int64_t d : data_ids) variants.push_back({mode.get(), compression, d, budget, {}});
      }
    }
  }

  // Fixed cost of a run (plan shipping, prepare/start/done round trips): one small object.
  std::printf("  run overhead (a run of one object, median of 5):");
  for (auto& mode : clusters) {
    std::vector<double> small;
    int64_t d = data_ids.empty() ? kBytesRand : data_ids.back();
    for (int i = 0; i < 6; ++i) {
      RunResult result = RunOnce(*mode, quokka::Compression::kNone, d, object_bytes, 1, payload[d]);
      if (i > 0) small.push_back(result.seconds);
    }
    std::printf(" %s %.1f ms;", mode->name.c_str(), Median(small) * 1e3);
  }
  std::printf("\n");

  // Warm-up (builds the object in the workers, opens connections), then interleaved rounds.
  for (Variant& v : variants) {
    RunOnce(*v.mode, v.compression, v.data, object_bytes, std::max<int64_t>(1, count[v.data] / 10),
            payload[v.data], v.budget);
  }
  for (int run = 0; run < runs; ++run) {
    for (Variant& v : variants) {
      RunResult r = RunOnce(*v.mode, v.compression, v.data, object_bytes, count[v.data],
                            payload[v.data], v.budget);
      v.runs.push_back(r);
      double payload_gb = payload[v.data] * count[v.data] / 1e9;
      std::fprintf(stderr,
                   "run %d %-9s %-4s %4llu MiB %-12s %7.3f s %6.3f GB/s  sender %.2f+%.2f  "
                   "receiver %.2f+%.2f  driver %.2f+%.2f CPU s (user+sys)\n",
                   run + 1, v.mode->name.c_str(),
                   v.compression == quokka::Compression::kZstd ? "zstd" : "none",
                   (unsigned long long)(v.budget >> 20), kDataNames[v.data], r.seconds,
                   payload_gb / r.seconds, r.sender.user, r.sender.sys, r.receiver.user,
                   r.receiver.sys, r.driver.user, r.driver.sys);
    }
  }

  // The table: medians; ratio vs the insecure, uncompressed run of the same data. CPU per GB
  // of payload: user + system seconds of the sending / receiving worker process (in-process
  // modes: of this process, both sides together); faults = minor page faults per 4 KiB page
  // of payload (1.0 = every payload byte landed once in freshly mapped memory).
  std::map<std::pair<int64_t, uint64_t>, double> reference;  // (data, budget) -> insecure s
  std::map<std::tuple<std::string, int, int64_t>, double> default_budget;  // first budget's s
  auto median_of = [](const Variant& v, auto field) {
    std::vector<double> values;
    for (const RunResult& r : v.runs) values.push_back(field(r));
    return Median(values);
  };
  for (const Variant& v : variants) {
    const double seconds = median_of(v, [](const RunResult& r) { return r.seconds; });
    if (v.mode->name == "insecure" && v.compression == quokka::Compression::kNone) {
      reference[{v.data, v.budget}] = seconds;
    }
    if (v.budget == budgets.front()) {
      default_budget[{v.mode->name, static_cast<int>(v.compression), v.data}] = seconds;
    }
  }
  std::printf(
      "\n| mode | compression | budget MiB | data | GB/s (median) | GB/s min-max | vs insecure "
      "none, same budget | vs first budget | "
      "sender CPU s/GB user+sys | receiver CPU s/GB user+sys | page faults per "
      "payload page snd/rcv |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const Variant& v : variants) {
    const double payload_gb = payload[v.data] * count[v.data] / 1e9;
    const double pages = payload[v.data] * count[v.data] / 4096.0;
    double median = median_of(v, [](const RunResult& r) { return r.seconds; });
    double fastest = 1e300;
    double slowest = 0;
    for (const RunResult& r : v.runs) {
      fastest = std::min(fastest, r.seconds);
      slowest = std::max(slowest, r.seconds);
    }
    char ratio[32] = "-", budget_ratio[32] = "-";
    if (reference.count({v.data, v.budget})) {
      std::snprintf(ratio, sizeof ratio, "%.2fx", reference[{v.data, v.budget}] / median);
    }
    auto key = std::make_tuple(v.mode->name, static_cast<int>(v.compression), v.data);
    if (v.budget != budgets.front() && default_budget.count(key)) {
      std::snprintf(budget_ratio, sizeof budget_ratio, "%.2fx", default_budget[key] / median);
    }
    auto cpu = [&](auto side) {
      char text[64];
      std::snprintf(text, sizeof text, "%.2f+%.2f",
                    median_of(v, [&](const RunResult& r) { return side(r).user; }) / payload_gb,
                    median_of(v, [&](const RunResult& r) { return side(r).sys; }) / payload_gb);
      return std::string(text);
    };
    auto faults = [&](auto side) {
      char text[32];
      std::snprintf(text, sizeof text, "%.2f",
                    median_of(v, [&](const RunResult& r) { return side(r).faults; }) / pages);
      return std::string(text);
    };
    auto sender = [](const RunResult& r) { return r.sender; };
    auto receiver = [](const RunResult& r) { return r.receiver; };
    auto driver = [](const RunResult& r) { return r.driver; };
    const bool split = v.mode->sender && v.mode->receiver;
    std::printf("| %s | %s | %llu | %s | %.3f | %.3f-%.3f | %s | %s | %s | %s | %s |\n",
                v.mode->name.c_str(), v.compression == quokka::Compression::kZstd ? "zstd" : "none",
                (unsigned long long)(v.budget >> 20), kDataNames[v.data], payload_gb / median,
                payload_gb / slowest, payload_gb / fastest, ratio, budget_ratio,
                split ? cpu(sender).c_str() : ("both: " + cpu(driver)).c_str(),
                split ? cpu(receiver).c_str() : "-",
                split ? (faults(sender) + " / " + faults(receiver)).c_str()
                      : ("both: " + faults(driver)).c_str());
  }
  std::fflush(stdout);
  clusters.clear();
  if (own_tls_dir) std::filesystem::remove_all(tls_dir);
  return 0;
}

// Read throughput of TPC-H lineitem (.tbl) from local disk or S3, through the public API.
// bench/s3/read_bench.sh runs it against s3rver and local disk and prints the table.
//
//   bench_s3_read PATH [--channels N] [--mode bytes|csv|csv-all]
//
// PATH is a file, a directory, an s3://bucket/key or an s3://bucket/prefix/ (S3 is configured
// from the environment: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...). One measurement per run:
//   bytes    N threads each read their share of the bytes with RandomAccessFile::ReadAt in
//            8 MiB blocks (the transfer alone, no parsing)
//   csv      CsvReader with N reader channels, parsing the 4 columns Q6 reads (l_quantity,
//            l_extendedprice, l_discount as decimal(15,2), l_shipdate as date32), into a Count
//   csv-all  the same with all 16 columns parsed
// Prints one line: "mode=M channels=N rows=R bytes=B seconds=S mbps=X" (MB = 10^6 bytes of
// input per second of wall time).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "quokka/csv.h"
#include "quokka/executors.h"
#include "quokka/filesystem.h"
#include "quokka/quokka.h"

namespace {

constexpr int64_t kBlock = int64_t{8} << 20;

quokka::CsvReadOptions LineitemOptions(bool all_columns) {
  quokka::CsvReadOptions options;
  options.delimiter = '|';
  options.header = false;
  options.column_names = {"l_orderkey",    "l_partkey",       "l_suppkey",  "l_linenumber",
                          "l_quantity",    "l_extendedprice", "l_discount", "l_tax",
                          "l_returnflag",  "l_linestatus",    "l_shipdate", "l_commitdate",
                          "l_receiptdate", "l_shipinstruct",  "l_shipmode", "l_comment"};
  for (const char* name : {"l_quantity", "l_extendedprice", "l_discount", "l_tax"}) {
    options.column_types[name] = quokka::DataType::Decimal(15, 2);
  }
  for (const char* name : {"l_shipdate", "l_commitdate", "l_receiptdate"}) {
    options.column_types[name] = quokka::DataType::Date32();
  }
  if (!all_columns) {
    options.include_columns = {"l_quantity", "l_extendedprice", "l_discount", "l_shipdate"};
  }
  return options;
}

// The files of `path` and their total size.
std::vector<quokka::FileEntry> Files(const std::string& path, int64_t* bytes) {
  quokka::Result<std::vector<quokka::FileEntry>> files = quokka::ListFiles(path);
  if (!files.ok()) {
    std::fprintf(stderr, "bench_s3_read: %s\n", files.status().message().c_str());
    std::exit(1);
  }
  *bytes = 0;
  for (const quokka::FileEntry& file : *files) *bytes += file.size;
  return *files;
}

// Thread t of n reads bytes [t*total/n, (t+1)*total/n) of the concatenated files.
void ReadBytes(const std::vector<quokka::FileEntry>& files, int64_t total, int channels) {
  std::vector<std::thread> threads;
  std::vector<std::string> errors(channels);
  for (int channel = 0; channel < channels; ++channel) {
    threads.emplace_back([&, channel] {
      const int64_t begin = total * channel / channels, end = total * (channel + 1) / channels;
      std::vector<char> buffer(kBlock);
      int64_t file_start = 0;
      for (const quokka::FileEntry& file : files) {
        const int64_t from = std::max(begin, file_start) - file_start;
        const int64_t to = std::min(end, file_start + file.size) - file_start;
        file_start += file.size;
        if (from >= to) continue;
        auto input = quokka::OpenInputFile(file.path, file.size);
        if (!input.ok()) {
          errors[channel] = input.status().message();
          return;
        }
        for (int64_t offset = from; offset < to; offset += kBlock) {
          const int64_t size = std::min(kBlock, to - offset);
          quokka::Status status = (*input)->ReadAt(offset, size, buffer.data());
          if (!status.ok()) {
            errors[channel] = status.message();
            return;
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& error : errors) {
    if (!error.empty()) {
      std::fprintf(stderr, "bench_s3_read: %s\n", error.c_str());
      std::exit(1);
    }
  }
}

int64_t ReadCsv(const std::string& path, int channels, bool all_columns) {
  quokka::LocalCluster cluster;
  quokka::TaskGraph graph(cluster);
  quokka::Stream tables =
      graph.NewInputReaderNode(quokka::CsvReader(path, LineitemOptions(all_columns)),
                               {.name = "read", .channels = channels});
  quokka::Dataset count =
      graph.NewBlockingNode({{0, tables}}, quokka::Count(), {.name = "count", .channels = 1});
  graph.Run({.progress = quokka::Progress::kOff});
  int64_t rows = 0;
  for (const quokka::Object& partial : count) {
    rows += partial.As<quokka::Table>().column("count")->GetInt64(0);
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  quokka::Init(argc, argv);
  std::string path, mode = "csv";
  int channels = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--channels" && i + 1 < argc) {
      channels = std::atoi(argv[++i]);
    } else if (arg == "--mode" && i + 1 < argc) {
      mode = argv[++i];
    } else if (path.empty() && !arg.empty() && arg[0] != '-') {
      path = arg;
    } else {
      path.clear();
      break;
    }
  }
  if (path.empty() || channels < 1 || (mode != "bytes" && mode != "csv" && mode != "csv-all")) {
    std::fprintf(stderr, "usage: bench_s3_read PATH [--channels N] [--mode bytes|csv|csv-all]\n");
    return 2;
  }
  int64_t bytes = 0;
  const std::vector<quokka::FileEntry> files = Files(path, &bytes);
  int64_t rows = -1;
  const auto start = std::chrono::steady_clock::now();
  try {
    if (mode == "bytes") {
      ReadBytes(files, bytes, channels);
    } else {
      rows = ReadCsv(path, channels, mode == "csv-all");
    }
  } catch (const quokka::Error& error) {
    std::fprintf(stderr, "bench_s3_read: %s\n", error.status().message().c_str());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("mode=%s channels=%d rows=%lld bytes=%lld seconds=%.3f mbps=%.1f\n", mode.c_str(),
              channels, static_cast<long long>(rows), static_cast<long long>(bytes), seconds,
              static_cast<double>(bytes) / 1e6 / seconds);
  return 0;
}

// CSV parse throughput on a generated TPC-H lineitem-like file (16 columns, '|' separated,
// trailing '|').
//
//   build/bin/bench_csv [megabytes=300] [path=/tmp/quokka_lineitem.tbl]
//
// Reports MB/s (10^6 bytes of file per second of wall time, and per second of CPU time of the
// reading threads, which is what one core achieves even when other processes share it) for: the
// projected parse (l_quantity, l_extendedprice, l_discount, l_tax as decimal(15,2) and l_shipdate
// as date32) on one core, the full 16-column parse on one core, and the projected parse with 2
// channels on 2 threads. The file is read once first so that it is in the page cache.

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "quokka/csv.h"

namespace {

std::string Date(std::mt19937_64& rng) {
  char text[16];
  std::snprintf(text, sizeof(text), "199%d-%02d-%02d", static_cast<int>(rng() % 8),
                static_cast<int>(rng() % 12 + 1), static_cast<int>(rng() % 28 + 1));
  return text;
}

void Generate(const std::string& path, int64_t bytes) {
  static const char* kWords[] = {"furiously", "carefully", "quickly",  "blithely", "slyly",
                                 "final",     "regular",   "ironic",   "express",  "pending",
                                 "deposits",  "requests",  "packages", "accounts", "theodolites"};
  static const char* kInstruct[] = {"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"};
  static const char* kMode[] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};
  std::mt19937_64 rng(42);
  std::ofstream out(path, std::ios::binary);
  std::string line;
  int64_t written = 0, order = 1;
  while (written < bytes) {
    const int lines = static_cast<int>(rng() % 7 + 1);
    for (int n = 1; n <= lines; ++n) {
      const int quantity = static_cast<int>(rng() % 50 + 1);
      const int64_t price_cents = quantity * static_cast<int64_t>(rng() % 200000 + 90000) / 100;
      char numbers[160];
      std::snprintf(numbers, sizeof(numbers), "%lld|%d|%d|%d|%d|%lld.%02lld|0.%02d|0.%02d|",
                    static_cast<long long>(order), static_cast<int>(rng() % 200000 + 1),
                    static_cast<int>(rng() % 10000 + 1), n, quantity,
                    static_cast<long long>(price_cents / 100),
                    static_cast<long long>(price_cents % 100), static_cast<int>(rng() % 11),
                    static_cast<int>(rng() % 9));
      line = numbers;
      line += "NRA"[rng() % 3];
      line += '|';
      line += "OF"[rng() % 2];
      line += '|' + Date(rng) + '|' + Date(rng) + '|' + Date(rng) + '|';
      line += kInstruct[rng() % 4];
      line += '|';
      line += kMode[rng() % 7];
      line += '|';
      const int words = static_cast<int>(rng() % 5 + 2);
      for (int w = 0; w < words; ++w) {
        if (w) line += ' ';
        line += kWords[rng() % 15];
      }
      line += "|\n";
      out << line;
      written += static_cast<int64_t>(line.size());
    }
    ++order;
  }
}

quokka::CsvReadOptions LineitemOptions() {
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
  return options;
}

struct Measurement {
  double seconds;      // wall time
  double cpu_seconds;  // CPU time of the reading threads (user + system)
  int64_t rows, batches;
};

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

Measurement Run(const std::string& path, const quokka::CsvReadOptions& options, int channels) {
  quokka::CsvReader reader(path, options);
  std::vector<int64_t> rows(channels, 0), batches(channels, 0);
  std::vector<double> cpu(channels, 0);
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < channels; ++c) {
    threads.emplace_back([&, c] {
      const double cpu_start = ThreadCpuSeconds();
      quokka::CsvReader copy = reader;
      copy.Start(c, channels, 0);
      while (auto item = copy.Next()) {
        rows[c] += item->object.As<quokka::Table>().num_rows();
        ++batches[c];
      }
      cpu[c] = ThreadCpuSeconds() - cpu_start;
    });
  }
  for (auto& thread : threads) thread.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Measurement m{seconds, 0, 0, 0};
  for (int c = 0; c < channels; ++c) {
    m.cpu_seconds += cpu[c];
    m.rows += rows[c];
    m.batches += batches[c];
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t megabytes = argc > 1 ? std::atoll(argv[1]) : 300;
  const std::string path = argc > 2 ? argv[2] : "/tmp/quokka_lineitem.tbl";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || st.st_size < megabytes * 1000000) {
    std::printf("generating %lld MB in %s ...\n", static_cast<long long>(megabytes), path.c_str());
    Generate(path, megabytes * 1000000);
    ::stat(path.c_str(), &st);
  }
  const double mb = static_cast<double>(st.st_size) / 1e6;
  {  // warm the page cache
    std::ifstream in(path, std::ios::binary);
    std::vector<char> buffer(1 << 20);
    while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    }
  }
  quokka::CsvReadOptions projected = LineitemOptions();
  projected.include_columns = {"l_quantity", "l_extendedprice", "l_discount", "l_tax",
                               "l_shipdate"};
  quokka::CsvReadOptions full = LineitemOptions();
  struct Case {
    const char* name;
    const quokka::CsvReadOptions* options;
    int channels;
  } cases[] = {{"projected 4 decimals + 1 date, 1 channel", &projected, 1},
               {"all 16 columns, 1 channel", &full, 1},
               {"projected, 2 channels on 2 threads", &projected, 2}};
  std::printf("file %s: %.1f MB\n", path.c_str(), mb);
  for (const Case& c : cases) {
    double best = 1e30, best_cpu = 1e30;
    Measurement m{};
    for (int repeat = 0; repeat < 5; ++repeat) {
      m = Run(path, *c.options, c.channels);
      best = std::min(best, m.seconds);
      best_cpu = std::min(best_cpu, m.cpu_seconds);
    }
    std::printf("%-40s %6.0f MB/s wall, %6.0f MB/s per CPU-second  (%lld rows, %.0f rows/batch)\n",
                c.name, mb / best, mb / best_cpu, static_cast<long long>(m.rows),
                static_cast<double>(m.rows) / m.batches);
  }
  return 0;
}

// `quokka tpch gen`: argument parsing and the summary of what was written.
#include "tpch_gen.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <system_error>

#include "dbgen.h"
#include "tpch_run.h"

namespace quokka::cli {
namespace {

constexpr const char* kTpchUsage =
    R"(usage: quokka tpch gen --sf SF --out DIR [--files N] [--seed S] [--threads T]
       quokka tpch run --query N --data DIR [--channels K] [--output FILE.csv]

Write the eight TPC-H tables (region, nation, supplier, customer, part, partsupp, orders,
lineitem) as dbgen-style .tbl files ('|'-separated, a '|' after the last field, no header).
  --sf SF        scale factor, 0.01 to 1000 (SF 1 is about 1 GB; lineitem about 6M rows)
  --out DIR      output directory (created if missing)
  --files N      split supplier, customer, part, partsupp, orders and lineitem into N files
                 each: DIR/<table>/part-<k>.tbl (k = 1..N, zero-padded); default 1 writes
                 DIR/<table>.tbl. region and nation are always DIR/region.tbl, DIR/nation.tbl
  --seed S       random seed (default 1); the output depends only on SF and the seed
  --threads T    worker threads (default: the cores); does not change the output
)";

bool ParseInt(const std::string& text, int64_t* value) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end && !text.empty();
}

bool ParseUnsigned(const std::string& text, uint64_t* value) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end && !text.empty();
}

bool ParseDouble(const std::string& text, double* value) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end && !text.empty() && std::isfinite(*value);
}

int UsageError(const std::string& message) {
  std::cerr << "quokka tpch gen: " << message << "\n\n" << kTpchUsage;
  return 2;
}

std::string HumanBytes(int64_t bytes) {
  char text[32];
  if (bytes >= (int64_t{1} << 30)) {
    std::snprintf(text, sizeof(text), "%.2f GiB", bytes / double(int64_t{1} << 30));
  } else if (bytes >= (int64_t{1} << 20)) {
    std::snprintf(text, sizeof(text), "%.1f MiB", bytes / double(int64_t{1} << 20));
  } else if (bytes >= 1024) {
    std::snprintf(text, sizeof(text), "%.1f KiB", bytes / 1024.0);
  } else {
    std::snprintf(text, sizeof(text), "%lld B", static_cast<long long>(bytes));
  }
  return text;
}

}  // namespace

int TpchGen(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) == "help" || std::string(argv[2]) == "--help" ||
      std::string(argv[2]) == "-h") {
    (argc < 3 ? std::cerr : std::cout) << kTpchUsage;
    return argc < 3 ? 2 : 0;
  }
  if (std::string(argv[2]) == "run") return TpchRun(argc, argv);
  if (std::string(argv[2]) != "gen") {
    std::cerr << "quokka tpch: unknown subcommand '" << argv[2] << "'\n\n" << kTpchUsage;
    return 2;
  }
  tpch::TpchGenOptions options;
  bool have_sf = false;
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    // Accept both "--flag value" and "--flag=value".
    size_t equals = arg.find('=');
    bool inline_value = arg.rfind("--", 0) == 0 && equals != std::string::npos;
    if (inline_value) {
      value = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
    }
    auto next_value = [&]() -> bool {
      if (inline_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << kTpchUsage;
      return 0;
    } else if (arg == "--sf") {
      if (!next_value()) return UsageError("--sf needs a value");
      if (!ParseDouble(value, &options.scale_factor)) {
        return UsageError("--sf must be a number, got '" + value + "'");
      }
      quokka::Status status = tpch::ValidateScaleFactor(options.scale_factor);
      if (!status.ok()) return UsageError(status.message());
      have_sf = true;
    } else if (arg == "--out") {
      if (!next_value()) return UsageError("--out needs a directory");
      if (value.empty()) return UsageError("--out must not be empty");
      options.out_dir = value;
    } else if (arg == "--files") {
      int64_t files = 0;
      if (!next_value()) return UsageError("--files needs a value");
      if (!ParseInt(value, &files) || files < 1 || files > tpch::kMaxTpchFiles) {
        return UsageError("--files must be an integer from 1 to " +
                          std::to_string(tpch::kMaxTpchFiles) + ", got '" + value + "'");
      }
      options.files = static_cast<int>(files);
    } else if (arg == "--seed") {
      if (!next_value()) return UsageError("--seed needs a value");
      if (!ParseUnsigned(value, &options.seed)) {
        return UsageError("--seed must be a non-negative integer, got '" + value + "'");
      }
    } else if (arg == "--threads") {
      int64_t threads = 0;
      if (!next_value()) return UsageError("--threads needs a value");
      if (!ParseInt(value, &threads) || threads < 0 || threads > 1024) {
        return UsageError("--threads must be an integer from 0 (the cores) to 1024, got '" + value +
                          "'");
      }
      options.threads = static_cast<int>(threads);
    } else {
      return UsageError("unexpected argument '" + std::string(argv[i]) + "'");
    }
  }
  if (!have_sf) return UsageError("--sf is required");
  if (options.out_dir.empty()) return UsageError("--out is required");

  tpch::TpchGenReport report;
  quokka::Status status = tpch::GenerateTpch(options, &report);
  if (!status.ok()) {
    std::cerr << "quokka tpch gen: " << status.message() << "\n";
    return 1;
  }
  int64_t total_bytes = 0, total_rows = 0;
  std::printf("TPC-H SF %g (seed %llu) in %s:\n", options.scale_factor,
              static_cast<unsigned long long>(options.seed), options.out_dir.c_str());
  for (const tpch::TpchTableReport& table : report.tables) {
    std::string where = table.paths.size() == 1
                            ? table.paths.front()
                            : tpch::TpchReaderInput(options.out_dir, table.table, options.files) +
                                  "/ (" + std::to_string(table.paths.size()) + " files)";
    std::printf("  %-9s %11lld rows %11s  %s\n", tpch::TpchTableName(table.table),
                static_cast<long long>(table.rows), HumanBytes(table.bytes).c_str(), where.c_str());
    total_bytes += table.bytes;
    total_rows += table.rows;
  }
  std::printf("wrote %lld rows, %s in %.2f s\n", static_cast<long long>(total_rows),
              HumanBytes(total_bytes).c_str(), report.seconds);
  return 0;
}

}  // namespace quokka::cli

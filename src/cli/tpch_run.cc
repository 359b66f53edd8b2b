// `quokka tpch run`: one TPC-H query on a data directory; prints the result and the time.
#include "tpch_run.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "cluster_option.h"
#include "queries.h"
#include "quokka/cluster.h"
#include "quokka/csv.h"

namespace quokka::cli {
namespace {

constexpr const char* kUsage =
    R"(usage: quokka tpch run --query N --data DIR [--channels K] [--output FILE.csv]
                       [--workers N | --cluster FILE.json]

Run TPC-H query N (implemented: 1, 3, 4, 5, 6, 10, 12, 13, 14, 19) on the tables in DIR, a directory
or an S3 prefix s3://bucket/prefix/ (DIR/<table>.tbl, DIR/<table>/
with split .tbl files, or DIR/<table>.arrow), print the result and the run time.
  --channels K     reader and operator channels (default: the cores)
  --output FILE    also write the result as CSV with a header row
)";

int Fail(const std::string& message, int code) {
  std::cerr << "quokka tpch run: " << message << "\n";
  return code;
}

bool ParseInt(const std::string& text, long low, long high, long* out) {
  char* end = nullptr;
  *out = std::strtol(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0' && *out >= low && *out <= high;
}

}  // namespace

int TpchRun(int argc, char** argv) {
  tpch::TpchRunOptions options;
  long query = 0;
  std::string output;
  ClusterChoice choice;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage << kClusterOptionsHelp;
      return 0;
    }
    std::string error;
    if (ParseClusterOption(argc, argv, i, choice, error)) {
      if (!error.empty()) return Fail(error, 2);
      continue;
    }
    if (i + 1 >= argc) return Fail(arg + " needs a value (or is unknown)\n" + kUsage, 2);
    const std::string value = argv[++i];
    long number = 0;
    if (arg == "--query") {
      if (!ParseInt(value, 1, 22, &number)) {
        return Fail("--query must be a TPC-H query number from 1 to 22, got '" + value + "'", 2);
      }
      query = number;
    } else if (arg == "--data") {
      options.data_dir = value;
    } else if (arg == "--channels") {
      if (!ParseInt(value, 1, 1024, &number)) {
        return Fail("--channels must be from 1 to 1024, got '" + value + "'", 2);
      }
      options.channels = static_cast<int>(number);
    } else if (arg == "--output") {
      output = value;
    } else {
      return Fail("unknown option '" + arg + "'\n" + kUsage, 2);
    }
  }
  if (query == 0) return Fail("--query is required\n" + std::string(kUsage), 2);
  if (options.data_dir.empty()) return Fail("--data is required\n" + std::string(kUsage), 2);

  // Workers resolve the same path: make it absolute (docs/deployment.md).
  std::error_code ignored;
  if (!IsS3Path(options.data_dir)) {
    options.data_dir = std::filesystem::absolute(options.data_dir, ignored).string();
  }
  std::optional<Cluster> cluster;
  try {
    cluster = MakeCluster(choice);
  } catch (const Error& error) {
    return Fail(error.status().message(), 1);
  }
  options.progress = true;
  const auto start = std::chrono::steady_clock::now();
  Result<tpch::TpchQueryResult> result =
      tpch::RunTpchQuery(static_cast<int>(query), *cluster, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!result.ok()) {
    return Fail(result.status().message(), result.status().code() == StatusCode::kInvalid ? 2 : 1);
  }
  std::cout << result->table.ToString(50);
  std::cout << "TPC-H Q" << query << ": " << result->table.num_rows() << " rows in " << seconds
            << " s\n";
  if (!output.empty()) {
    Status status = WriteCsv(result->table, output);
    if (!status.ok()) return Fail(status.message(), 1);
  }
  return 0;
}

}  // namespace quokka::cli

// The `quokka` command-line tool.
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "cluster.h"
#include "convert.h"
#include "distributed/worker_main.h"
#include "quokka/filesystem.h"
#include "quokka/init.h"
#include "quokka/version.h"
#include "render.h"
#include "tpch_gen.h"

namespace {

constexpr const char* kUsage = R"(usage: quokka <command> [arguments]

commands:
  --version, version            print the version
  help                          print this help
  convert INPUT OUTPUT          convert between CSV (.csv .tbl .txt .tsv) and Arrow IPC
                                (.arrow .feather .ipc), reading with parallel channels
      --delimiter C             CSV field separator (default ',', '|' for .tbl, tab for .tsv)
      --no-header               CSV without a header line (default for .tbl)
      --columns name:type,...   CSV column names and types (types: bool, int8..int64,
                                float64, decimal(p,s), utf8, date32, timestamp[unit])
      --channels N              reader channels (default: the cores)
  head FILE [-n ROWS]           print the first rows (default 10) of a CSV or IPC file as a
                                table; takes the CSV options above
  render GRAPH.dot [-o OUT.svg] draw a task graph (from TaskGraph::Explain or an example's
                                --explain flag) as SVG with Graphviz
  tpch gen --sf SF --out DIR    write the 8 TPC-H tables as .tbl files (see docs/tpch.md)
      [--files N] [--seed S]    N files per large table; the output depends only on SF, S
      [--threads T]
  tpch run --query N --data DIR run a TPC-H query (implemented: 1, 3, 4, 5, 6, 10, 12, 13,
      [--channels K]            14, 19) and print the result; on N local worker processes
      [--output FILE.csv]       or on the workers of a cluster file
      [--workers N | --cluster FILE.json]
  worker --redis HOST:PORT      host channels of distributed runs (see `quokka worker --help`
      [--tls-dir DIR | --insecure] [--name NAME] [--listen ADDR:PORT] [--password-file F]
  cluster keys --out DIR --machines A,B,...   make the cluster CA and certificates
  cluster up|down|status --config FILE.json   start/stop/show workers over SSH
  cluster create --provider aws ...           start a cluster on EC2, write its cluster file
  cluster describe|terminate --config FILE    show or stop its instances (docs/aws.md)

Files and directories may be S3 URLs: s3://bucket/key, s3://bucket/prefix/ (docs/s3.md).
  --s3-endpoint URL             an S3-compatible server (path-style addressing), for every
                                command; default: $AWS_ENDPOINT_URL, else AWS itself
Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or ~/.aws/credentials (AWS_PROFILE).

The examples in build/bin show the library at work: lesson0, wordcount FILE.
)";

// Takes `--s3-endpoint URL` (or --s3-endpoint=URL) out of argv. The endpoint goes into the
// environment too, so worker processes started by this one use it. False (with a message) on
// a bad value.
bool TakeS3Endpoint(int& argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    if (arg == "--s3-endpoint") {
      if (i + 1 >= argc) {
        std::cerr << "quokka: --s3-endpoint needs a URL (e.g. http://127.0.0.1:4568)\n";
        return false;
      }
      value = argv[++i];
    } else if (arg.rfind("--s3-endpoint=", 0) == 0) {
      value = arg.substr(14);
    } else {
      argv[kept++] = argv[i];
      continue;
    }
    ::setenv("AWS_ENDPOINT_URL", value.c_str(), 1);
    quokka::Status status = quokka::SetS3Options(quokka::S3Options::FromEnvironment());
    if (!status.ok()) {
      std::cerr << "quokka: --s3-endpoint: " << status.message() << "\n";
      return false;
    }
  }
  argc = kept;
  argv[argc] = nullptr;
  return true;
}

int Render(int argc, char** argv) {
  std::string input, output;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-o" && i + 1 < argc) {
      output = argv[++i];
    } else if (input.empty() && !arg.empty() && arg[0] != '-') {
      input = arg;
    } else {
      std::cerr << "quokka render: unexpected argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  if (input.empty()) {
    std::cerr << "quokka render: no DOT file given\n";
    return 2;
  }
  if (output.empty()) {
    output = input.size() > 4 && input.substr(input.size() - 4) == ".dot"
                 ? input.substr(0, input.size() - 4) + ".svg"
                 : input + ".svg";
  }
  quokka::Status status = quokka::cli::RenderSvg(input, output);
  if (!status.ok()) {
    std::cerr << "quokka render: " << status.message() << "\n";
    return 1;
  }
  std::cout << "wrote " << output << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  quokka::Init(argc, argv);  // registers types; with --quokka-worker, runs as a worker
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  if (!TakeS3Endpoint(argc, argv)) return 2;
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = argv[1];
  if (command == "--version" || command == "version") {
    std::cout << "quokka " << QK_VERSION_STRING << "\n";
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "render") return Render(argc, argv);
  if (command == "worker") return quokka::dist::WorkerMain(argc, argv, 2, "quokka worker");
  if (command == "cluster") return quokka::cli::ClusterCommand(argc, argv);
  if (command == "convert") return quokka::cli::Convert(argc, argv);
  if (command == "head") return quokka::cli::Head(argc, argv);
  if (command == "tpch") return quokka::cli::TpchGen(argc, argv);
  std::cerr << "quokka: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

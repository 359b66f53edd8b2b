// The `quokka` command-line tool.
#include <cstring>
#include <iostream>
#include <string>

#include "quokka/version.h"
#include "render.h"

namespace {

constexpr const char* kUsage = R"(usage: quokka <command> [arguments]

commands:
  --version, version            print the version
  help                          print this help
  render GRAPH.dot [-o OUT.svg] draw a task graph (from TaskGraph::Explain or an example's
                                --explain flag) as SVG with Graphviz

The examples in build/bin show the library at work: lesson0, wordcount FILE.
)";

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
  std::cerr << "quokka: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

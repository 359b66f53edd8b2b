#include "cluster_option.h"

#include <cstdlib>

namespace quokka::cli {

const char* const kClusterOptionsHelp =
    R"(  --workers N      run on N worker processes on this machine (Redis started for them)
  --cluster FILE   run on the workers of a cluster file (docs/deployment.md)
)";

bool ParseClusterOption(int argc, char** argv, int& i, ClusterChoice& choice, std::string& error) {
  const std::string arg = argv[i];
  if (arg != "--workers" && arg != "--cluster") return false;
  if (i + 1 >= argc) {
    error = arg + " needs a value";
    return true;
  }
  const std::string value = argv[++i];
  if (arg == "--workers") {
    char* end = nullptr;
    long workers = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || workers < 1 || workers > 64) {
      error = "--workers must be from 1 to 64, got '" + value + "'";
    }
    choice.workers = static_cast<int>(workers);
  } else {
    choice.cluster_file = value;
  }
  if (choice.workers > 0 && !choice.cluster_file.empty()) {
    error = "give either --workers or --cluster, not both";
  }
  return true;
}

Cluster MakeCluster(const ClusterChoice& choice) {
  if (!choice.cluster_file.empty()) return Cluster::FromJson(choice.cluster_file);
  if (choice.workers > 0) return LocalCluster::Processes({.workers = choice.workers});
  return LocalCluster();
}

}  // namespace quokka::cli

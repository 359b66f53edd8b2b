#pragma once
// The CLI's choice of cluster: this process (default), N local worker processes
// (--workers N), or the workers of a cluster file (--cluster FILE.json).

#include <string>

#include "quokka/cluster.h"

namespace quokka::cli {

struct ClusterChoice {
  int workers = 0;           ///< > 0: LocalCluster::Processes with this many workers.
  std::string cluster_file;  ///< Non-empty: Cluster::FromJson.
};

/// \brief Consume --workers / --cluster at argv[i] (advancing i). Returns false if argv[i] is
///        neither; sets `error` for a bad value.
bool ParseClusterOption(int argc, char** argv, int& i, ClusterChoice& choice, std::string& error);

/// \brief Make the chosen cluster. Throws quokka::Error saying what is wrong.
Cluster MakeCluster(const ClusterChoice& choice);

extern const char* const kClusterOptionsHelp;

}  // namespace quokka::cli

#pragma once
// ClusterBackend: where a distributed cluster's runs go. Implemented by the distributed runtime
// (src/distributed), which the core runtime does not link: TaskGraph::Run hands the validated
// plan to the backend of a distributed Cluster instead of running it in this process.

#include <vector>

#include "plan.h"
#include "quokka/graph.h"
#include "quokka/stats.h"
#include "quokka/status.h"

namespace quokka::internal {

class ClusterBackend {
 public:
  virtual ~ClusterBackend() = default;
  /// \brief Run the plan on the workers; fill the plan's output datasets (fetched lazily).
  virtual Result<RunStats> Run(const std::vector<const NodeSpec*>& nodes,
                               const RunOptions& options) = 0;
};

}  // namespace quokka::internal

#pragma once
// The plan of a distributed run as bytes: what the driver stores in Redis for the workers.
//
// It holds the cluster's machines, the run options and every node: kind, name, the reader's
// or executor's prototype (registered type name + state), sources with their partitioners,
// channel placement and dependencies. A worker decodes it into the same NodeSpecs the driver
// validated, with readers/executors/partitioners rebuilt through the type registry.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../runtime/plan.h"
#include "quokka/cluster.h"
#include "quokka/graph.h"

namespace quokka::dist {

struct DecodedPlan {
  uint64_t run_id = 0;
  std::vector<Machine> machines;
  RunOptions options;
  std::vector<std::unique_ptr<internal::NodeSpec>> nodes;
  std::vector<const internal::NodeSpec*> specs() const;
};

/// \brief Encode `nodes` for the workers of `machines`. Errors name the node that cannot be
///        shipped.
Result<std::string> EncodePlan(uint64_t run_id, const std::vector<Machine>& machines,
                               const RunOptions& options,
                               const std::vector<const internal::NodeSpec*>& nodes);

/// Finds the dataset a reader node of a later graph reads, on this worker.
using DatasetLookup = std::function<Result<std::shared_ptr<internal::DatasetState>>(
    const std::string& key, const std::vector<std::string>& machines)>;

/// \brief Decode and check a plan. Errors say what is malformed.
Result<DecodedPlan> DecodePlan(std::string_view bytes, const DatasetLookup& lookup_dataset);

/// \brief The key of a blocking node's dataset on the workers.
std::string DatasetKey(uint64_t run_id, int node_id);

}  // namespace quokka::dist

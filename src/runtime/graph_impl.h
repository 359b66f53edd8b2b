#pragma once
// The private state of a TaskGraph, shared by graph.cc (build, validate, run) and explain.cc.

#include <map>
#include <memory>
#include <vector>

#include "plan.h"
#include "quokka/graph.h"

namespace quokka {

struct TaskGraph::Impl {
  explicit Impl(const Cluster& c);

  Cluster cluster;
  uint64_t graph_id;
  std::vector<std::unique_ptr<internal::NodeSpec>> nodes;
  bool created = false;

  internal::NodeSpec& Add(internal::NodeKind kind, internal::Prototype prototype,
                          NodeOptions options, std::map<int, Source> sources);
  Status Validate();
  Status ValidateSources(const internal::NodeSpec& node);
  Status ValidateDependencies(internal::NodeSpec& node);
  Status Place(internal::NodeSpec& node);
  Status CheckShippable(const internal::NodeSpec& node);
  Status CheckDatasetPlacement(const internal::NodeSpec& node);
  bool StreamsInto(int from, int to) const;
};

namespace internal {
/// For tests and tools: the nodes of a created graph.
struct GraphAccess {
  static const std::vector<std::unique_ptr<NodeSpec>>& Nodes(const TaskGraph& graph) {
    return graph.impl_->nodes;
  }
};
}  // namespace internal

}  // namespace quokka

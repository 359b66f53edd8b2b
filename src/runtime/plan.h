#pragma once
// The validated description of a task graph: nodes, their sources, channel placement.
// Built by TaskGraph as nodes are added and completed by Create(); read-only while running.

#include <memory>
#include <string>
#include <vector>

#include "quokka/graph.h"

namespace quokka::internal {

struct DatasetState {
  std::string node_name;
  uint64_t graph_id = 0;
  int node_id = -1;
  std::vector<ObjectList> partitions;
  std::vector<std::string> machines;
  bool produced = false;
};

enum class NodeKind { kReader, kDatasetReader, kNonBlocking, kBlocking, kTask };
const char* NodeKindName(NodeKind kind);

struct SourceSpec {
  int stream_id = 0;
  Stream stream;
  Partitioner partitioner;
};

struct NodeSpec {
  int id = 0;
  std::string name;
  NodeKind kind = NodeKind::kReader;
  Prototype prototype;
  std::shared_ptr<DatasetState> input_dataset;  // kDatasetReader
  std::shared_ptr<DatasetState> output;         // kBlocking
  std::vector<SourceSpec> sources;              // ordered by stream id
  NodeOptions options;

  // Filled by Create().
  std::vector<int> channel_machine;  // machine index of each channel
  std::vector<int> dependencies;     // node ids this node waits for
  std::vector<int> consumers;        // node ids reading this node's stream

  bool is_reader() const { return kind == NodeKind::kReader || kind == NodeKind::kDatasetReader; }
  int num_channels() const { return static_cast<int>(channel_machine.size()); }
};

}  // namespace quokka::internal

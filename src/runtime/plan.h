#pragma once
// The validated description of a task graph: nodes, their sources, channel placement.
// Built by TaskGraph as nodes are added and completed by Create(); read-only while running.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "quokka/graph.h"
#include "quokka/status.h"

namespace quokka::internal {

struct DatasetState {
  ~DatasetState() {
    if (release) release();
  }
  std::string node_name;
  uint64_t graph_id = 0;
  int node_id = -1;
  std::vector<ObjectList> partitions;
  std::vector<std::string> machines;
  bool produced = false;

  // A dataset produced on a distributed cluster stays on the workers: `remote_key` names it
  // there, `fetch` brings its partitions here on first access, `release` frees it on the
  // workers when the last handle goes.
  std::string remote_key;
  std::function<Result<std::vector<ObjectList>>()> fetch;
  std::function<void()> release;
  std::mutex fetch_mutex;
  bool fetched = true;
  /// Fetch the partitions if they are remote and not here yet. Throws quokka::Error.
  void EnsureLocal();
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

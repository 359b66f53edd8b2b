#pragma once
// TaskGraph: build a graph of input readers, stateful operators and sinks, then run it.
//
//   quokka::LocalCluster cluster;
//   quokka::TaskGraph graph(cluster);
//   quokka::Stream numbers = graph.NewInputReaderNode(quokka::RangeReader(0, 80));
//   quokka::Dataset sums = graph.NewBlockingNode({{0, numbers}}, SumExecutor());
//   graph.Create();
//   graph.Run();
//
// Nodes are added in order; a node's sources are streams (stream id -> stream plus partition
// function) of nodes added earlier to the same graph. A non-blocking node's output is a Stream;
// a blocking node's output is a Dataset. A node may depend on other nodes of the graph: its
// channels start only after those nodes finished. Create() validates everything and throws
// quokka::Error saying what is wrong and where; Run() executes and throws quokka::Error naming
// the node, channel and machine of the first failure. Several graphs may run one after another
// on the same cluster; a later one reads an earlier one's Dataset with NewInputDataset().
// A TaskGraph is used from one thread.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "quokka/cluster.h"
#include "quokka/dataset.h"
#include "quokka/executor.h"
#include "quokka/object.h"
#include "quokka/partition.h"
#include "quokka/reader.h"
#include "quokka/stats.h"
#include "quokka/status.h"

namespace quokka {

class TaskGraph;
namespace internal {
struct PlanAccess;
struct GraphAccess;
}  // namespace internal

/// \brief The output stream of a reader or non-blocking node.
class Stream {
 public:
  Stream() = default;
  int node_id() const { return node_id_; }
  uint64_t graph_id() const { return graph_id_; }

 private:
  friend class TaskGraph;
  friend struct internal::PlanAccess;
  Stream(uint64_t graph_id, int node_id) : graph_id_(graph_id), node_id_(node_id) {}
  uint64_t graph_id_ = 0;
  int node_id_ = -1;
};

/// \brief A stream and how it is partitioned over the consuming node's channels.
struct Source {
  Source(Stream s) : stream(s) {}  // NOLINT: a plain stream uses the default partitioning
  Source(Stream s, Partitioner p) : stream(s), partitioner(std::move(p)) {}
  Stream stream;
  Partitioner partitioner;
};

/// \brief A node of the graph, named by its Stream or Dataset, for dependencies.
struct NodeRef {
  NodeRef(const Stream& stream) : graph_id(stream.graph_id()), node_id(stream.node_id()) {}
  NodeRef(const Dataset& dataset);
  uint64_t graph_id = 0;
  int node_id = -1;
};

struct NodeOptions {
  /// Name in statistics, errors and drawings; default "<kind><id>".
  std::string name;
  /// Total channel count; default: readers one per core per machine, operators one per machine.
  std::optional<int> channels;
  /// Placement: channel count on each machine (index = machine). Overrides `channels`.
  std::vector<int> channels_per_machine;
  /// Nodes that must finish before this node's channels start.
  std::vector<NodeRef> depends_on;
};

enum class Progress { kAuto, kOn, kOff };
enum class Compression { kNone, kZstd };

struct RunOptions {
  /// Threads that run all channels; 0 = the cluster's total cores.
  int threads = 0;
  /// Budget for objects queued on all links together; producers are parked (backpressure)
  /// rather than exceed it. Each link gets an equal share.
  uint64_t memory_budget_bytes = uint64_t{256} << 20;
  /// Live progress line on stderr: kAuto shows it only when stderr is a terminal.
  Progress progress = Progress::kAuto;
  /// Distributed clusters: compress objects sent between machines (zstd, fast level) when a
  /// batch is larger than a few KiB. Worth it on slow networks; costs CPU on fast ones.
  Compression compression = Compression::kNone;
};

namespace internal {
struct NodeSpec;
/// A type-erased reader or executor prototype: the object plus how to make a channel copy.
struct Prototype {
  Object value;
  std::function<std::unique_ptr<InputReader>(const Object&)> make_reader;
  std::function<std::unique_ptr<Executor>(const Object&)> make_executor;
};
template <typename R>
Prototype ReaderPrototype(R reader) {
  static_assert(std::is_base_of_v<InputReader, R>, "a reader must derive from quokka::InputReader");
  static_assert(std::is_copy_constructible_v<R>,
                "a reader must be copyable (one copy per channel)");
  return {Object::Make<R>(std::move(reader)),
          [](const Object& o) { return std::make_unique<R>(o.As<R>()); }, nullptr};
}
template <typename E>
Prototype ExecutorPrototype(E executor) {
  static_assert(std::is_base_of_v<Executor, E>, "an executor must derive from quokka::Executor");
  static_assert(std::is_copy_constructible_v<E>,
                "an executor must be copyable (one copy per channel)");
  return {Object::Make<E>(std::move(executor)), nullptr,
          [](const Object& o) { return std::make_unique<E>(o.As<E>()); }};
}
}  // namespace internal

class TaskGraph {
 public:
  explicit TaskGraph(const Cluster& cluster);
  ~TaskGraph();
  TaskGraph(const TaskGraph&) = delete;
  TaskGraph& operator=(const TaskGraph&) = delete;

  /// \brief Add an input reader node; every channel gets a copy of `reader`.
  template <typename R>
  Stream NewInputReaderNode(R reader, NodeOptions options = {}) {
    return AddReader(internal::ReaderPrototype(std::move(reader)), std::move(options));
  }
  /// \brief Read an earlier graph's Dataset as a stream: one channel per partition, placed on
  ///        the partition's machine.
  Stream NewInputDataset(const Dataset& dataset, NodeOptions options = {});
  /// \brief Add a stateful operator whose output is a stream.
  template <typename E>
  Stream NewNonBlockingNode(std::map<int, Source> sources, E executor, NodeOptions options = {}) {
    return AddNonBlocking(std::move(sources), internal::ExecutorPrototype(std::move(executor)),
                          std::move(options), "node");
  }
  /// \brief Add a stateful operator whose output is materialized into a Dataset.
  template <typename E>
  Dataset NewBlockingNode(std::map<int, Source> sources, E executor, NodeOptions options = {}) {
    return AddBlocking(std::move(sources), internal::ExecutorPrototype(std::move(executor)),
                       std::move(options));
  }
  /// \brief Add a stateless task: fn applied to every object. Default channels: the source's.
  Stream NewTask(Source source, std::function<Object(const Object&)> fn, NodeOptions options = {});
  /// \brief Add a filter: keeps the objects for which predicate is true.
  Stream NewFilter(Source source, std::function<bool(const Object&)> predicate,
                   NodeOptions options = {});

  /// \brief Validate the graph and fix channel counts and placement. Throws quokka::Error.
  void Create();
  /// \brief Run the graph to completion (calls Create() if needed). Throws quokka::Error.
  RunStats Run(const RunOptions& options = {});
  /// \brief The graph as Graphviz DOT: nodes, channel counts, partitioning, placement.
  std::string Explain() const;

 private:
  Stream AddReader(internal::Prototype prototype, NodeOptions options);
  Stream AddNonBlocking(std::map<int, Source> sources, internal::Prototype prototype,
                        NodeOptions options, const char* kind);
  Dataset AddBlocking(std::map<int, Source> sources, internal::Prototype prototype,
                      NodeOptions options);

  friend struct internal::GraphAccess;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quokka

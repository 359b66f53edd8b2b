// TaskGraph: building nodes, validating and placing them (Create), running them (Run).
#include "quokka/graph.h"

#include <atomic>
#include <set>

#include "backend.h"
#include "dataset_reader.h"
#include "graph_impl.h"
#include "quokka/serialize.h"
#include "run_state.h"

namespace quokka {

using internal::NodeKind;
using internal::NodeSpec;
using internal::SourceSpec;

namespace {
std::atomic<uint64_t> next_graph_id{1};
}

TaskGraph::Impl::Impl(const Cluster& c) : cluster(c), graph_id(next_graph_id.fetch_add(1)) {}

NodeSpec& TaskGraph::Impl::Add(NodeKind kind, internal::Prototype prototype, NodeOptions options,
                               std::map<int, Source> sources) {
  auto spec = std::make_unique<NodeSpec>();
  spec->id = static_cast<int>(nodes.size());
  spec->kind = kind;
  spec->prototype = std::move(prototype);
  spec->options = std::move(options);
  const char* prefix = kind == NodeKind::kNonBlocking ? "node" : internal::NodeKindName(kind);
  spec->name = spec->options.name.empty() ? prefix + std::to_string(spec->id) : spec->options.name;
  for (auto& [stream_id, source] : sources) {
    spec->sources.push_back({stream_id, source.stream, std::move(source.partitioner)});
  }
  created = false;
  nodes.push_back(std::move(spec));
  return *nodes.back();
}

// --------------------------------------------------------------------------- building

TaskGraph::TaskGraph(const Cluster& cluster) : impl_(std::make_unique<Impl>(cluster)) {}
TaskGraph::~TaskGraph() = default;

NodeRef::NodeRef(const Dataset& dataset)
    : graph_id(dataset.state_ ? dataset.state_->graph_id : 0),
      node_id(dataset.state_ ? dataset.state_->node_id : -1) {}

Stream TaskGraph::AddReader(internal::Prototype prototype, NodeOptions options) {
  NodeSpec& spec = impl_->Add(NodeKind::kReader, std::move(prototype), std::move(options), {});
  return Stream(impl_->graph_id, spec.id);
}

Stream TaskGraph::NewInputDataset(const Dataset& dataset, NodeOptions options) {
  NodeSpec& spec = impl_->Add(NodeKind::kDatasetReader,
                              internal::ReaderPrototype(internal::DatasetReader(dataset.state_)),
                              std::move(options), {});
  spec.input_dataset = dataset.state_;
  return Stream(impl_->graph_id, spec.id);
}

Stream TaskGraph::AddNonBlocking(std::map<int, Source> sources, internal::Prototype prototype,
                                 NodeOptions options, const char* kind) {
  NodeSpec& spec = impl_->Add(NodeKind::kNonBlocking, std::move(prototype), std::move(options),
                              std::move(sources));
  return Stream(impl_->graph_id, spec.id);
}

Dataset TaskGraph::AddBlocking(std::map<int, Source> sources, internal::Prototype prototype,
                               NodeOptions options) {
  NodeSpec& spec =
      impl_->Add(NodeKind::kBlocking, std::move(prototype), std::move(options), std::move(sources));
  spec.output = std::make_shared<internal::DatasetState>();
  spec.output->node_name = spec.name;
  spec.output->graph_id = impl_->graph_id;
  spec.output->node_id = spec.id;
  return Dataset(spec.output);
}

Stream TaskGraph::NewTask(Source source, std::function<Object(const Object&)> fn,
                          NodeOptions options) {
  NodeSpec& spec = impl_->Add(NodeKind::kTask, internal::ExecutorPrototype(MapTask(std::move(fn))),
                              std::move(options), {{0, std::move(source)}});
  return Stream(impl_->graph_id, spec.id);
}

Stream TaskGraph::NewFilter(Source source, std::function<bool(const Object&)> predicate,
                            NodeOptions options) {
  NodeSpec& spec =
      impl_->Add(NodeKind::kTask, internal::ExecutorPrototype(FilterTask(std::move(predicate))),
                 std::move(options), {{0, std::move(source)}});
  return Stream(impl_->graph_id, spec.id);
}

// --------------------------------------------------------------------------- validation

Status TaskGraph::Impl::ValidateSources(const NodeSpec& node) {
  const std::string where = "node '" + node.name + "'";
  if (node.is_reader()) return Status::OK();
  if (node.sources.empty()) {
    return Status::Invalid(where + " has no sources: an operator needs at least one input stream");
  }
  for (const SourceSpec& source : node.sources) {
    const std::string stream = where + " stream " + std::to_string(source.stream_id);
    if (source.stream.node_id() < 0) {
      return Status::Invalid(stream + " is an empty Stream (not returned by a node)");
    }
    if (source.stream.graph_id() != graph_id) {
      return Status::Invalid(stream +
                             " comes from another graph; streams connect nodes of one graph "
                             "(read an earlier graph's output with NewInputDataset)");
    }
    if (source.stream.node_id() >= node.id) {
      return Status::Invalid(stream + " reads a node added after it");
    }
  }
  return Status::OK();
}

bool TaskGraph::Impl::StreamsInto(int from, int to) const {
  // Depth-first search along stream edges (producer -> consumer).
  std::vector<int> stack = {from};
  std::vector<bool> seen(nodes.size(), false);
  while (!stack.empty()) {
    int current = stack.back();
    stack.pop_back();
    if (current == to) return true;
    if (seen[current]) continue;
    seen[current] = true;
    for (int consumer : nodes[current]->consumers) stack.push_back(consumer);
  }
  return false;
}

Status TaskGraph::Impl::ValidateDependencies(NodeSpec& node) {
  node.dependencies.clear();
  for (const NodeRef& dependency : node.options.depends_on) {
    const std::string where = "node '" + node.name + "'";
    if (dependency.graph_id != graph_id || dependency.node_id < 0) {
      return Status::Invalid(where + " depends on a node of another graph");
    }
    if (dependency.node_id == node.id) return Status::Invalid(where + " depends on itself");
    if (dependency.node_id > node.id) return Status::Invalid(where + " depends on a later node");
    if (StreamsInto(dependency.node_id, node.id)) {
      return Status::Invalid(where + " depends on node '" + nodes[dependency.node_id]->name +
                             "', which streams into it: '" + node.name +
                             "' would wait for a node that waits for it (a cycle)");
    }
    node.dependencies.push_back(dependency.node_id);
  }
  return Status::OK();
}

Status TaskGraph::Impl::Place(NodeSpec& node) {
  const std::string where = "node '" + node.name + "'";
  const int machines = cluster.num_machines();
  std::vector<int> per_machine;
  if (!node.options.channels_per_machine.empty()) {
    per_machine = node.options.channels_per_machine;
    if (static_cast<int>(per_machine.size()) != machines) {
      return Status::Invalid(where + ": channels_per_machine has " +
                             std::to_string(per_machine.size()) + " entries, the cluster has " +
                             std::to_string(machines) + " machines");
    }
    int total = 0;
    for (int count : per_machine) {
      if (count < 0) return Status::Invalid(where + ": a negative channel count for a machine");
      total += count;
    }
    if (total == 0) return Status::Invalid(where + " has zero channels on every machine");
  } else if (node.options.channels.has_value()) {
    int total = *node.options.channels;
    if (total < 1) {
      return Status::Invalid(where + " must have at least 1 channel, got " + std::to_string(total));
    }
    per_machine.assign(machines, total / machines);
    for (int m = 0; m < total % machines; ++m) ++per_machine[m];
  } else if (node.kind == NodeKind::kDatasetReader) {
    // One channel per partition, on the partition's machine.
    node.channel_machine.clear();
    for (const std::string& machine_name : node.input_dataset->machines) {
      int machine = 0;
      for (int m = 0; m < machines; ++m) {
        if (cluster.machines()[m].name == machine_name) machine = m;
      }
      node.channel_machine.push_back(machine);
    }
    if (node.channel_machine.empty()) node.channel_machine.push_back(0);
    return Status::OK();
  } else if (node.kind == NodeKind::kTask) {
    node.channel_machine = nodes[node.sources[0].stream.node_id()]->channel_machine;
    return Status::OK();
  } else {
    per_machine.clear();
    for (const Machine& machine : cluster.machines()) {
      per_machine.push_back(node.kind == NodeKind::kReader ? machine.cores : 1);
    }
  }
  node.channel_machine.clear();
  for (int m = 0; m < machines; ++m)
    node.channel_machine.insert(node.channel_machine.end(), per_machine[m], m);
  return Status::OK();
}

Status TaskGraph::Impl::CheckShippable(const NodeSpec& node) {
  if (cluster.num_machines() == 1 && !cluster.distributed()) return Status::OK();
  if (node.kind == NodeKind::kDatasetReader) return CheckDatasetPlacement(node);
  // On a distributed cluster every channel runs in a worker, so everything is shipped.
  bool remote = cluster.distributed();
  for (int machine : node.channel_machine) remote = remote || machine != 0;
  if (!remote) return Status::OK();
  if (node.kind == NodeKind::kTask) {
    return Status::Invalid("node '" + node.name + "' is a task given as a function, which cannot " +
                           "be shipped to " +
                           (cluster.distributed() ? "workers" : "other machines") +
                           ": write it as a registered executor (see serialize.h)");
  }
  if (FindCodec(node.prototype.value.type()) == nullptr) {
    return Status::Invalid("node '" + node.name + "' has channels on other machines, so its " +
                           (node.is_reader() ? "reader" : "executor") + " type " +
                           node.prototype.value.type_name() +
                           " must be shipped there, but it is not registered; call "
                           "quokka::RegisterType<T>(\"name\") (tasks given as lambdas cannot "
                           "be shipped: write them as registered executors)");
  }
  if (!cluster.distributed()) return Status::OK();
  for (const SourceSpec& source : node.sources) {
    const Partitioner& p = source.partitioner;
    bool function = p.kind() == Partitioner::Kind::kHash ||
                    (p.kind() == Partitioner::Kind::kCustom && p.function_object().is_null());
    if (function) {
      return Status::Invalid("node '" + node.name + "' stream " + std::to_string(source.stream_id) +
                             " uses a partition function given as a lambda, which cannot be "
                             "shipped to workers: use HashPartitionBy or Partitioner::Shippable");
    }
    if (p.kind() == Partitioner::Kind::kCustom &&
        FindCodec(p.function_object().type()) == nullptr) {
      return Status::Invalid("node '" + node.name + "' stream " + std::to_string(source.stream_id) +
                             " uses partition function type " + p.function_object().type_name() +
                             ", which is not registered (quokka::RegisterType<T>(\"name\"))");
    }
  }
  return Status::OK();
}

Status TaskGraph::Impl::CheckDatasetPlacement(const NodeSpec& node) {
  if (!cluster.distributed()) return Status::OK();
  const auto& dataset = *node.input_dataset;
  if (dataset.remote_key.empty()) {
    return Status::Invalid("node '" + node.name + "' reads the dataset of node '" +
                           dataset.node_name + "', which was not produced on this cluster");
  }
  // A dataset stays on its workers: channel c reads partition c where it lies.
  for (int c = 0; c < node.num_channels(); ++c) {
    if (node.num_channels() != static_cast<int>(dataset.machines.size()) ||
        cluster.machines()[node.channel_machine[c]].name != dataset.machines[c]) {
      return Status::Invalid("node '" + node.name +
                             "' must keep the default placement on a distributed cluster: one "
                             "channel per partition, on the partition's machine");
    }
  }
  return Status::OK();
}

Status TaskGraph::Impl::Validate() {
  std::set<std::string> names;
  for (auto& node : nodes) {
    if (!names.insert(node->name).second) {
      return Status::Invalid("two nodes are named '" + node->name + "'");
    }
    node->consumers.clear();
  }
  for (auto& node : nodes) {
    QK_RETURN_NOT_OK(ValidateSources(*node));
    for (const SourceSpec& source : node->sources) {
      nodes[source.stream.node_id()]->consumers.push_back(node->id);
    }
    if (node->kind == NodeKind::kDatasetReader) {
      const auto& dataset = node->input_dataset;
      if (!dataset) return Status::Invalid("node '" + node->name + "' reads an empty Dataset");
      if (dataset->graph_id == graph_id) {
        return Status::Invalid("node '" + node->name + "' reads the dataset of node '" +
                               dataset->node_name +
                               "' of the same graph; read it from a later graph");
      }
      if (!dataset->produced) {
        return Status::Invalid("node '" + node->name + "' reads the dataset of node '" +
                               dataset->node_name +
                               "', which has not been produced yet: run its graph first");
      }
    }
  }
  for (auto& node : nodes) {
    QK_RETURN_NOT_OK(ValidateDependencies(*node));
    QK_RETURN_NOT_OK(Place(*node));
    QK_RETURN_NOT_OK(CheckShippable(*node));
    for (const SourceSpec& source : node->sources) {
      if (source.partitioner.kind() == Partitioner::Kind::kToChannel) {
        int channel = source.partitioner.fixed_channel();
        if (channel < 0 || channel >= node->num_channels()) {
          return Status::Invalid("node '" + node->name + "' stream " +
                                 std::to_string(source.stream_id) + " is partitioned to channel " +
                                 std::to_string(channel) + ", but the node has " +
                                 std::to_string(node->num_channels()) + " channels");
        }
      }
      if ((source.partitioner.kind() == Partitioner::Kind::kHash && !source.partitioner.key()) ||
          (source.partitioner.kind() == Partitioner::Kind::kCustom &&
           !source.partitioner.custom())) {
        return Status::Invalid("node '" + node->name + "' stream " +
                               std::to_string(source.stream_id) +
                               " has a partitioner without a function");
      }
    }
  }
  return Status::OK();
}

// --------------------------------------------------------------------------- running

void TaskGraph::Create() {
  Status status = impl_->Validate();
  impl_->created = status.ok();
  ThrowIfError(status);
}

RunStats TaskGraph::Run(const RunOptions& options) {
  if (!impl_->created) Create();
  if (options.threads < 0) throw Error(Status::Invalid("RunOptions.threads must be >= 0"));
  if (options.memory_budget_bytes == 0) {
    throw Error(Status::Invalid("RunOptions.memory_budget_bytes must be > 0"));
  }
  std::vector<const NodeSpec*> specs;
  for (const auto& node : impl_->nodes) specs.push_back(node.get());
  if (impl_->cluster.distributed()) {
    return impl_->cluster.backend()->Run(specs, options).ValueOrThrow();
  }
  internal::RunState run(specs, impl_->cluster, options);
  return run.Execute().ValueOrThrow();
}

}  // namespace quokka

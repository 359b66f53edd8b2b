#include "run_state.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "progress.h"
#include "quokka/serialize.h"

namespace quokka::internal {

RunState::RunState(const std::vector<const NodeSpec*>& nodes, const Cluster& cluster,
                   const RunOptions& options, Transport* transport)
    : specs_(nodes), cluster_(cluster), options_(options), transport_(transport) {}

RunState::~RunState() {
  if (scheduler_) scheduler_->Stop();
}

namespace {

// Makes channel `channel`'s copy of a reader or executor. Channels on machine 0 (the driver's)
// copy the prototype; channels on other machines get it through serialization, as a worker
// will receive it over the network.
Result<Object> ChannelCopy(const NodeSpec& spec, int machine, const std::string* shipped) {
  if (machine == 0 || shipped == nullptr) return spec.prototype.value;
  // (A worker's plan was decoded from the network already: it has no `shipped` bytes.)
  QK_ASSIGN_OR_RAISE(Object copy, Deserialize(*shipped));
  return copy;
}

int64_t CountLinks(const std::vector<const NodeSpec*>& specs) {
  int64_t links = 0;
  for (const NodeSpec* spec : specs) {
    for (const SourceSpec& source : spec->sources) {
      links += int64_t{specs[source.stream.node_id()]->num_channels()} * spec->num_channels();
    }
  }
  return links;
}

}  // namespace

Status RunState::Build() {
  int threads = options_.threads > 0 ? options_.threads
                : transport_         ? cluster_.machines()[transport_->local_machine()].cores
                                     : cluster_.total_cores();
  scheduler_ = std::make_unique<Scheduler>(threads);
  threads_ = threads;

  for (const NodeSpec* spec : specs_) {
    auto node = std::make_unique<NodeRuntime>();
    node->spec = spec;
    std::vector<bool> hosts(cluster_.num_machines(), false);
    int here = 0;
    for (int machine : spec->channel_machine) {
      hosts[machine] = true;
      here += Here(machine) ? 1 : 0;
    }
    node->live_channels = here;
    // Without a transport all channels are here: the node is one part.
    node->unfinished_parts =
        transport_ ? static_cast<int>(std::count(hosts.begin(), hosts.end(), true)) : 1;
    node->unmet_dependencies = static_cast<int>(spec->dependencies.size());
    nodes_.push_back(std::move(node));
  }
  for (const NodeSpec* spec : specs_) {
    for (int dependency : spec->dependencies) {
      nodes_[dependency]->dependents.push_back(nodes_[spec->id].get());
    }
  }

  // One actor per channel, each with its own reader or executor copy.
  for (const NodeSpec* spec : specs_) {
    NodeRuntime* node = nodes_[spec->id].get();
    std::string shipped;
    bool ships = false;
    for (int machine : spec->channel_machine) ships = ships || machine != 0;
    ships = ships && spec->kind != NodeKind::kDatasetReader && transport_ == nullptr;
    if (ships) {
      Result<std::string> encoded = Serialize(spec->prototype.value);
      if (!encoded.ok()) return encoded.status().WithContext("node '" + spec->name + "'");
      shipped = std::move(*encoded);
    }
    if (spec->output) {
      spec->output->partitions.assign(spec->num_channels(), ObjectList());
      spec->output->machines.clear();
      spec->output->produced = false;
    }
    for (int channel = 0; channel < spec->num_channels(); ++channel) {
      int machine = spec->channel_machine[channel];
      const std::string& machine_name = cluster_.machines()[machine].name;
      if (spec->output) spec->output->machines.push_back(machine_name);
      if (!Here(machine)) {
        node->channels.push_back(nullptr);
        continue;
      }
      auto actor =
          std::make_unique<ChannelActor>(scheduler_.get(), this, node, channel, machine_name);
      QK_ASSIGN_OR_RAISE(Object copy, ChannelCopy(*spec, machine, ships ? &shipped : nullptr));
      try {
        if (spec->is_reader()) {
          actor->SetReader(spec->prototype.make_reader(copy));
        } else {
          actor->SetExecutor(spec->prototype.make_executor(copy));
        }
      } catch (const std::exception& error) {
        return Status::Internal(error.what()).WithContext("copying node '" + spec->name + "'");
      }
      if (spec->output) actor->SetDatasetPartition(&spec->output->partitions[channel]);
      node->channels.push_back(actor.get());
      actors_.push_back(std::move(actor));
    }
  }

  // Links: every producer channel to every consumer channel of each stream, each bounded by
  // an equal share of the memory budget.
  int live_senders = 0;
  int64_t num_links = CountLinks(specs_);
  int64_t limit =
      static_cast<int64_t>(options_.memory_budget_bytes) / std::max<int64_t>(1, num_links);
  for (const NodeSpec* consumer : specs_) {
    NodeRuntime* consumer_node = nodes_[consumer->id].get();
    for (const SourceSpec& source : consumer->sources) {
      NodeRuntime* producer_node = nodes_[source.stream.node_id()].get();
      const NodeSpec& producer = *producer_node->spec;
      std::vector<int> local_index(producer.num_channels());
      std::vector<int> seen_per_machine(cluster_.num_machines(), 0);
      for (int p = 0; p < producer.num_channels(); ++p) {
        local_index[p] = seen_per_machine[producer.channel_machine[p]]++;
      }
      for (int p = 0; p < producer.num_channels(); ++p) {
        OutputEdge edge;
        edge.partitioner = &source.partitioner;
        edge.consumer = consumer;
        std::vector<int> same_machine;
        const int producer_machine = producer.channel_machine[p];
        for (int c = 0; c < consumer->num_channels(); ++c) {
          const int consumer_machine = consumer->channel_machine[c];
          bool remote = producer_machine != consumer_machine;
          if (!remote) same_machine.push_back(c);
          if (!Here(producer_machine) && !Here(consumer_machine)) {
            edge.links.push_back(nullptr);
            continue;
          }
          // On a worker, a link crossing machines has a network endpoint at its other end.
          const uint64_t id = LinkId(consumer->id, source.stream_id, p, c);
          Actor* from = producer_node->channels[p];
          Actor* to = consumer_node->channels[c];
          RemoteEndpoint* endpoint = nullptr;
          if (transport_ && remote) {
            endpoints_.push_back(
                Here(producer_machine)
                    ? transport_->MakeSender(scheduler_.get(), id, consumer_machine)
                    : transport_->MakeReceiver(scheduler_.get(), id, producer_machine));
            endpoint = endpoints_.back().get();
            (Here(producer_machine) ? to : from) = endpoint;
            if (Here(producer_machine)) ++live_senders;
          }
          auto link = std::make_unique<Link>(from, to, limit, remote && !transport_, &meter_);
          if (endpoint) endpoint->Attach(link.get());
          if (Here(consumer_machine)) {
            consumer_node->channels[c]->AddInput(link.get(), source.stream_id);
          }
          edge.links.push_back(link.get());
          links_.push_back(std::move(link));
        }
        edge.default_target = same_machine.empty()
                                  ? p % consumer->num_channels()
                                  : same_machine[local_index[p] % same_machine.size()];
        edge.next_round_robin = p % consumer->num_channels();
        if (Here(producer_machine)) producer_node->channels[p]->AddOutputEdge(std::move(edge));
      }
    }
  }
  live_actors_ = static_cast<int>(actors_.size()) + live_senders;
  return Status::OK();
}

void RunState::StartNode(NodeRuntime* node) {
  for (ChannelActor* actor : node->channels) {
    if (actor) actor->Start();
  }
}

void RunState::Fail(Status status) {
  {
    std::lock_guard lock(mutex_);
    if (first_error_.ok()) first_error_ = std::move(status);
  }
  failed_.store(true, std::memory_order_release);
  for (auto& actor : actors_) actor->Wake();
  for (auto& endpoint : endpoints_) endpoint->Wake();
}

void RunState::PartFinished(NodeRuntime* node) {
  if (node->unfinished_parts.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  for (NodeRuntime* dependent : node->dependents) {
    if (dependent->unmet_dependencies.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      StartNode(dependent);
    }
  }
}

void RunState::NodeFinishedElsewhere(int node_id) {
  if (node_id >= 0 && node_id < static_cast<int>(nodes_.size())) {
    PartFinished(nodes_[node_id].get());
  }
}

void RunState::ChannelRetired(NodeRuntime* node) {
  if (node->live_channels.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    if (transport_) transport_->NodeFinishedHere(node->spec->id);
    PartFinished(node);
  }
  ActorGone();
}

void RunState::EndpointRetired() { ActorGone(); }

void RunState::ActorGone() {
  if (live_actors_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    std::lock_guard lock(mutex_);
    finished_ = true;
    all_retired_.notify_all();
  }
}

Status RunState::Prepare() {
  if (prepared_) return Status::OK();
  prepared_ = true;
  return Build();
}

Result<RunStats> RunState::Execute() {
  auto start = std::chrono::steady_clock::now();
  QK_RETURN_NOT_OK(Prepare());
  bool show_progress = options_.progress == Progress::kOn ||
                       (options_.progress == Progress::kAuto && isatty(STDERR_FILENO));
  std::unique_ptr<ProgressLine> progress;
  if (show_progress) progress = std::make_unique<ProgressLine>(actors_);

  if (live_actors_.load() == 0) {
    finished_ = true;
  } else {
    for (auto& node : nodes_) {
      if (node->unmet_dependencies.load() == 0) StartNode(node.get());
    }
  }
  {
    std::unique_lock lock(mutex_);
    all_retired_.wait(lock, [this] { return finished_; });
  }
  scheduler_->Stop();
  progress.reset();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed()) return first_error_;
  for (const NodeSpec* spec : specs_) {
    if (spec->output) spec->output->produced = true;
  }
  return CollectStats(seconds);
}

RunStats RunState::CollectStats(double seconds) const {
  RunStats stats;
  stats.wall_seconds = seconds;
  stats.memory_budget_bytes = options_.memory_budget_bytes;
  stats.peak_queued_bytes = static_cast<uint64_t>(meter_.peak());
  stats.threads = threads_;
  for (const auto& node : nodes_) {
    NodeStats node_stats;
    node_stats.name = node->spec->name;
    node_stats.kind = NodeKindName(node->spec->kind);
    for (const ChannelActor* actor : node->channels) {
      if (actor) node_stats.channels.push_back(actor->stats());
    }
    stats.nodes.push_back(std::move(node_stats));
  }
  return stats;
}

}  // namespace quokka::internal

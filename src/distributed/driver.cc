#include "driver.h"

#include <chrono>
#include <map>
#include <set>

#include "control.h"
#include "plan_codec.h"
#include "quokka/serialize.h"

namespace quokka::dist {
namespace {

using Clock = std::chrono::steady_clock;

// Statistics of every worker's part, as one run's.
RunStats Merge(const std::vector<RunStats>& parts, double seconds) {
  RunStats all;
  all.wall_seconds = seconds;
  std::map<std::string, size_t> index;
  for (const RunStats& part : parts) {
    all.memory_budget_bytes += part.memory_budget_bytes;
    all.peak_queued_bytes += part.peak_queued_bytes;
    all.threads += part.threads;
    for (const NodeStats& node : part.nodes) {
      auto [it, added] = index.emplace(node.name, all.nodes.size());
      if (added) all.nodes.push_back({node.name, node.kind, {}});
      auto& channels = all.nodes[it->second].channels;
      channels.insert(channels.end(), node.channels.begin(), node.channels.end());
    }
  }
  for (NodeStats& node : all.nodes) {
    std::sort(node.channels.begin(), node.channels.end(),
              [](const ChannelStats& a, const ChannelStats& b) { return a.channel < b.channel; });
  }
  return all;
}

// The error that started a failure: a worker's own error rather than the lost streams and
// cancellations it caused on the others.
Status RootCause(const std::vector<Status>& errors) {
  for (const Status& error : errors) {
    if (error.code() != StatusCode::kNetworkError && error.code() != StatusCode::kCancelled) {
      return error;
    }
  }
  return errors.front();
}

Status StatusFromWorker(const ControlMessage& message) {
  auto code = static_cast<StatusCode>(message.number);
  return Status(code == StatusCode::kOk ? StatusCode::kInternal : code,
                "machine '" + message.machine + "': " + message.text);
}

}  // namespace

Result<std::shared_ptr<DriverBackend>> DriverBackend::Connect(RedisEndpoint redis, TlsConfig tls,
                                                              std::shared_ptr<void> owned) {
  std::shared_ptr<DriverBackend> backend(new DriverBackend(std::move(redis), std::move(tls)));
  backend->owned_ = std::move(owned);
  QK_ASSIGN_OR_RAISE(backend->client_, RedisClient::Connect(backend->redis_));
  return backend;
}

Status DriverBackend::Resolve(std::vector<Machine>& machines) {
  std::lock_guard lock(mutex_);
  for (Machine& machine : machines) {
    QK_ASSIGN_OR_RAISE(RedisReply alive, client_->Command({"EXISTS", AliveKey(machine.name)}));
    QK_ASSIGN_OR_RAISE(RedisReply info, client_->Command({"HGETALL", WorkerKey(machine.name)}));
    if (alive.integer == 0 || info.elements.empty()) {
      return Status::NotFound("machine '" + machine.name + "' has no live worker registered in " +
                              "Redis at " + redis_.ToString() + " (start `quokka worker --name " +
                              machine.name + " ...` there, or check `quokka cluster status`)");
    }
    std::map<std::string, std::string> fields;
    for (size_t i = 0; i + 1 < info.elements.size(); i += 2) {
      fields[info.elements[i].string] = info.elements[i + 1].string;
    }
    std::string address = fields["address"];
    int port = std::atoi(fields["data_port"].c_str());
    if (!machine.address.empty() && machine.address != address) {
      return Status::Invalid("machine '" + machine.name + "' is listed at " + machine.address +
                             ", but its worker registered address " + address);
    }
    if (machine.data_port != 0 && machine.data_port != port) {
      return Status::Invalid("machine '" + machine.name + "' is listed with data port " +
                             std::to_string(machine.data_port) + ", but its worker listens on " +
                             std::to_string(port));
    }
    machine.address = address;
    machine.data_port = port;
    if (machine.cores <= 0) machine.cores = std::max(1, std::atoi(fields["cores"].c_str()));
  }
  channels_.assign(machines.size(), nullptr);
  return Status::OK();
}

Result<std::vector<Machine>> DriverBackend::Machines(const std::vector<std::string>& names) {
  std::vector<Machine> machines;
  for (const std::string& name : names) machines.push_back(Machine{name, 0, "", 0});
  QK_RETURN_NOT_OK(Resolve(machines));
  return machines;
}

std::shared_ptr<grpc::Channel> DriverBackend::ChannelTo(const Machine& machine) {
  std::lock_guard lock(mutex_);
  for (size_t m = 0; m < machines_.size(); ++m) {
    if (machines_[m].name == machine.name) {
      if (channels_.size() < machines_.size()) channels_.resize(machines_.size());
      if (!channels_[m]) {
        channels_[m] =
            MakeDataChannel(machine.address + ":" + std::to_string(machine.data_port), tls_);
      }
      return channels_[m];
    }
  }
  return MakeDataChannel(machine.address + ":" + std::to_string(machine.data_port), tls_);
}

Status DriverBackend::Broadcast(uint64_t run_id, const std::string& kind, const std::string& text) {
  for (const Machine& machine : machines_) {
    QK_RETURN_NOT_OK(client_
                         ->Command({"RPUSH", InboxKey(machine.name),
                                    EncodeMessage({kind, run_id, 0, text, "driver"})})
                         .status());
  }
  return Status::OK();
}

// Waits until every machine answered `kind` (returning their texts by machine) or one failed.
Result<std::vector<std::string>> DriverBackend::WaitForAll(uint64_t run_id, const std::string& kind,
                                                           double timeout_seconds) {
  std::vector<std::string> texts(machines_.size());
  std::set<std::string> answered;
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_seconds);
  auto next_check = Clock::now();
  while (answered.size() < machines_.size()) {
    QK_ASSIGN_OR_RAISE(auto popped, client_->BlockingPop({DriverKey(run_id)}, 0.1));
    if (popped) {
      QK_ASSIGN_OR_RAISE(ControlMessage message, DecodeMessage(popped->second));
      if (message.kind == "error") {
        std::vector<Status> errors = {StatusFromWorker(message)};
        answered.insert(message.machine);
        CancelAndDrain(run_id, "machine '" + message.machine + "' failed", answered, &errors);
        return RootCause(errors);
      }
      if (message.kind == kind) {
        for (size_t m = 0; m < machines_.size(); ++m) {
          if (machines_[m].name == message.machine) texts[m] = std::move(message.text);
        }
        answered.insert(message.machine);
      }
    }
    if (Clock::now() >= next_check) {
      next_check = Clock::now() + std::chrono::milliseconds(250);
      for (const Machine& machine : machines_) {
        if (answered.count(machine.name)) continue;
        QK_ASSIGN_OR_RAISE(RedisReply alive, client_->Command({"EXISTS", AliveKey(machine.name)}));
        if (alive.integer == 0) {
          std::string reason = "lost machine '" + machine.name + "' (" + machine.address + ":" +
                               std::to_string(machine.data_port) + "): its worker stopped " +
                               "heartbeating (died or unreachable)";
          answered.insert(machine.name);
          CancelAndDrain(run_id, reason, answered);
          return Status::NetworkError(reason);
        }
      }
    }
    if (Clock::now() > deadline) {
      std::string reason = "workers did not answer '" + kind + "' within " +
                           std::to_string(static_cast<int>(timeout_seconds)) + " s";
      CancelAndDrain(run_id, reason, answered);
      return Status::NetworkError(reason);
    }
  }
  return texts;
}

// Cancels the run everywhere and waits (bounded) until the other workers let go of it, so that
// they are ready for the next graph when Run() returns.
void DriverBackend::CancelAndDrain(uint64_t run_id, const std::string& reason,
                                   std::set<std::string> answered, std::vector<Status>* errors) {
  (void)Broadcast(run_id, "cancel", reason);
  // Bounded: a channel in the middle of a long Execute() call notices the cancel only when it
  // returns.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  auto next_check = Clock::now();
  while (answered.size() < machines_.size() && Clock::now() < deadline) {
    auto popped = client_->BlockingPop({DriverKey(run_id)}, 0.1);
    if (!popped.ok()) break;
    if (*popped) {
      Result<ControlMessage> message = DecodeMessage((*popped)->second);
      if (!message.ok()) continue;
      answered.insert(message->machine);
      if (errors && message->kind == "error") errors->push_back(StatusFromWorker(*message));
    }
    if (Clock::now() >= next_check) {
      // A machine whose heartbeat lapsed will not answer: stop waiting for it.
      next_check = Clock::now() + std::chrono::milliseconds(250);
      for (const Machine& machine : machines_) {
        if (answered.count(machine.name)) continue;
        auto alive = client_->Command({"EXISTS", AliveKey(machine.name)});
        if (alive.ok() && alive->integer == 0) answered.insert(machine.name);
      }
    }
  }
  (void)client_->Command({"DEL", PlanKey(run_id), DriverKey(run_id)});
}

Result<RunStats> DriverBackend::Run(const std::vector<const internal::NodeSpec*>& nodes,
                                    const RunOptions& options) {
  std::lock_guard lock(mutex_);
  return RunLocked(nodes, options);
}

Result<RunStats> DriverBackend::RunLocked(const std::vector<const internal::NodeSpec*>& nodes,
                                          const RunOptions& options) {
  const auto start = Clock::now();
  for (const Machine& machine : machines_) {
    QK_ASSIGN_OR_RAISE(RedisReply alive, client_->Command({"EXISTS", AliveKey(machine.name)}));
    if (alive.integer == 0) {
      return Status::NotFound("machine '" + machine.name + "' has no live worker");
    }
  }
  QK_ASSIGN_OR_RAISE(RedisReply id, client_->Command({"INCR", NextRunKey()}));
  const auto run_id = static_cast<uint64_t>(id.integer);
  QK_ASSIGN_OR_RAISE(std::string plan, EncodePlan(run_id, machines_, options, nodes));
  QK_RETURN_NOT_OK(client_->Command({"SET", PlanKey(run_id), plan, "EX", "86400"}).status());
  QK_RETURN_NOT_OK(client_->Command({"DEL", DriverKey(run_id)}).status());

  QK_RETURN_NOT_OK(Broadcast(run_id, "prepare"));
  QK_RETURN_NOT_OK(WaitForAll(run_id, "ready", 60).status());
  QK_RETURN_NOT_OK(Broadcast(run_id, "start"));
  QK_ASSIGN_OR_RAISE(std::vector<std::string> texts, WaitForAll(run_id, "done", 1e9));
  (void)client_->Command({"DEL", PlanKey(run_id), DriverKey(run_id)});

  std::vector<RunStats> parts;
  for (const std::string& text : texts) {
    QK_ASSIGN_OR_RAISE(RunStats part, DecodeStats(text));
    parts.push_back(std::move(part));
  }
  for (const internal::NodeSpec* spec : nodes) {
    if (spec->output) ShareDataset(run_id, *spec);
  }
  return Merge(parts, std::chrono::duration<double>(Clock::now() - start).count());
}

void DriverBackend::DropLocked(const std::string& key, const std::vector<std::string>& names) {
  std::set<std::string> sent;
  for (const std::string& name : names) {
    if (!sent.insert(name).second) continue;
    (void)client_->Command({"RPUSH", InboxKey(name), EncodeMessage({"drop", 0, 0, key, "driver"})});
  }
}

// Points the driver's handle of a blocking node's dataset at its partitions on the workers.
void DriverBackend::ShareDataset(uint64_t run_id, const internal::NodeSpec& spec) {
  internal::DatasetState& state = *spec.output;
  if (!state.remote_key.empty()) DropLocked(state.remote_key, state.machines);  // a re-run
  state.remote_key = DatasetKey(run_id, spec.id);
  state.machines.clear();
  std::vector<Machine> holders;
  for (int machine : spec.channel_machine) {
    state.machines.push_back(machines_[machine].name);
    holders.push_back(machines_[machine]);
  }
  state.partitions.assign(holders.size(), ObjectList());
  state.produced = true;
  state.fetched = false;
  std::weak_ptr<DriverBackend> weak = weak_from_this();
  const std::string key = state.remote_key;
  state.fetch = [weak, key, holders]() -> Result<std::vector<ObjectList>> {
    auto backend = weak.lock();
    if (!backend) return Status::Invalid("the cluster that holds it is gone");
    std::vector<ObjectList> partitions;
    for (size_t p = 0; p < holders.size(); ++p) {
      const Machine& holder = holders[p];
      QK_ASSIGN_OR_RAISE(std::string bytes,
                         FetchPartition(backend->ChannelTo(holder), key + "/" + std::to_string(p),
                                        "machine '" + holder.name + "'"));
      ObjectList objects;
      try {
        Decoder in(bytes);
        uint32_t count = in.ArrayHeader();
        objects.reserve(count);
        for (uint32_t i = 0; i < count; ++i) objects.push_back(in.ReadObject());
      } catch (const std::exception& error) {
        return Status::Invalid("partition " + std::to_string(p) + " from machine '" + holder.name +
                               "': " + error.what());
      }
      partitions.push_back(std::move(objects));
    }
    return partitions;
  };
  state.release = [weak, key, names = state.machines]() {
    if (auto backend = weak.lock()) {
      std::lock_guard lock(backend->mutex_);
      backend->DropLocked(key, names);
    }
  };
}

}  // namespace quokka::dist

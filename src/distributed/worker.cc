#include "worker.h"

#include <unistd.h>

#include <thread>

#include "../runtime/run_state.h"
#include "control.h"
#include "endpoints.h"
#include "log.h"
#include "plan_codec.h"
#include "quokka/serialize.h"

namespace quokka::dist {

// ------------------------------------------------------------------------------- Run

// One distributed run's part on this worker.
class Worker::Run final : public internal::Transport {
 public:
  Run(Worker* worker, DecodedPlan plan, int local_machine, std::string driver_key)
      : worker_(worker),
        plan_(std::move(plan)),
        cluster_(plan_.machines),
        specs_(plan_.specs()),
        local_machine_(local_machine),
        driver_key_(std::move(driver_key)) {}
  // The links may outlive the run (a peer's incoming stream holds them): cut them off first, so
  // no late failure reaches the destroyed RunState.
  ~Run() override {
    if (links_) links_->Close(true);
  }

  Status Prepare() {
    std::vector<std::string> names, targets;
    for (const Machine& machine : plan_.machines) {
      names.push_back(machine.name);
      targets.push_back(machine.address + ":" + std::to_string(machine.data_port));
    }
    links_ = std::make_shared<RunLinks>(plan_.run_id, local_machine_, names, targets,
                                        [this](Status status) { state_->Fail(std::move(status)); });
    state_ = std::make_unique<internal::RunState>(specs_, cluster_, plan_.options, this);
    return state_->Prepare();
  }

  // internal::Transport
  int local_machine() const override { return local_machine_; }
  std::unique_ptr<internal::RemoteEndpoint> MakeSender(internal::Scheduler* scheduler,
                                                       uint64_t link_id, int machine) override {
    auto sender =
        std::make_unique<SenderEndpoint>(scheduler, state_.get(), links_.get(), link_id, machine,
                                         plan_.options.compression == Compression::kZstd);
    links_->AddSender(link_id, machine, sender.get());
    return sender;
  }
  std::unique_ptr<internal::RemoteEndpoint> MakeReceiver(internal::Scheduler* scheduler,
                                                         uint64_t link_id, int machine) override {
    auto receiver = std::make_unique<ReceiverEndpoint>(scheduler, links_.get(), link_id, machine);
    links_->AddReceiver(link_id, machine, receiver.get());
    return receiver;
  }
  void NodeFinishedHere(int node_id) override {
    for (size_t m = 0; m < plan_.machines.size(); ++m) {
      if (static_cast<int>(m) == local_machine_) continue;
      worker_->Send(InboxKey(plan_.machines[m].name),
                    {"node_done", plan_.run_id, node_id, "", worker_->name()});
    }
  }

  bool started() const { return started_; }
  /// A run cancelled before it started: no thread will finish it, so close it here.
  void Abandon() { links_->Close(true); }

  void Start() {
    started_ = true;
    links_->Start([this](int machine) {
      const Machine& peer = plan_.machines[machine];
      return worker_->ChannelTo(peer.address + ":" + std::to_string(peer.data_port));
    });
    std::lock_guard lock(thread_mutex_);
    thread_ = std::thread([this] {
      // Wait until thread_ is assigned: Execute() may end the run, and FinishRun joins thread_.
      { std::lock_guard started(thread_mutex_); }
      Execute();
    });
  }

  void NodeFinishedElsewhere(int node_id) { state_->NodeFinishedElsewhere(node_id); }
  void Cancel(const std::string& reason) { state_->Fail(Status::Cancelled(reason)); }
  const std::shared_ptr<RunLinks>& links() const { return links_; }
  void Join() {
    std::thread thread;
    {
      std::lock_guard lock(thread_mutex_);
      thread.swap(thread_);
    }
    if (thread.joinable()) thread.join();
  }

 private:
  void Execute() {
    Result<RunStats> stats = state_->Execute();
    links_->Close(!stats.ok());
    if (stats.ok()) {
      for (const internal::NodeSpec* spec : specs_) {
        if (spec->output) {
          worker_->KeepDataset(DatasetKey(plan_.run_id, spec->id), spec->output);
        }
      }
      worker_->Send(driver_key_, {"done", plan_.run_id, 0, EncodeStats(*stats), worker_->name()});
    } else {
      worker_->Send(driver_key_,
                    {"error", plan_.run_id, static_cast<int64_t>(stats.status().code()),
                     stats.status().message(), worker_->name()});
    }
    worker_->FinishRun(plan_.run_id);
  }

  Worker* const worker_;
  DecodedPlan plan_;
  Cluster cluster_;
  std::vector<const internal::NodeSpec*> specs_;
  const int local_machine_;
  const std::string driver_key_;
  std::shared_ptr<RunLinks> links_;
  std::unique_ptr<internal::RunState> state_;
  std::mutex thread_mutex_;
  std::thread thread_;
  bool started_ = false;  // inbox thread only
};

// --------------------------------------------------------------------------- Handler

class Worker::Handler final : public DataHandler {
 public:
  explicit Handler(Worker* worker) : worker_(worker) {}
  std::shared_ptr<RunLinks> FindRun(uint64_t run_id) override {
    std::shared_ptr<Run> run = worker_->FindRun(run_id);
    return run ? run->links() : worker_->EndedLinks(run_id);
  }
  Result<std::string> ReadPartition(const std::string& key) override {
    return worker_->ReadPartition(key);
  }

 private:
  Worker* worker_;
};

// ---------------------------------------------------------------------------- Worker

namespace {

std::string HostName() {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0) return "worker";
  return name;
}

long long MemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<long long>(pages) * size : 0;
}

}  // namespace

Result<std::unique_ptr<Worker>> Worker::Start(WorkerOptions options) {
  if (options.name.empty()) options.name = HostName();
  if (options.cores <= 0) {
    options.cores = std::max(1u, std::thread::hardware_concurrency());
  }
  std::unique_ptr<Worker> worker(new Worker(options));
  SetLogPrefix("quokka worker " + options.name);
  QK_ASSIGN_OR_RAISE(worker->inbox_, RedisClient::Connect(options.redis));
  QK_ASSIGN_OR_RAISE(worker->sender_, RedisClient::Connect(options.redis));
  worker->handler_ = std::make_unique<Handler>(worker.get());
  QK_ASSIGN_OR_RAISE(worker->server_,
                     DataServer::Start(options.listen, options.tls, worker->handler_.get()));
  if (worker->options_.advertise.empty()) {
    std::string host = options.listen.substr(0, options.listen.rfind(':'));
    if (host == "0.0.0.0" || host == "[::]" || host.empty()) {
      return Status::Invalid("--listen " + options.listen +
                             " listens on every interface: give --advertise HOST so that peers "
                             "know which address to use");
    }
    worker->options_.advertise = host + ":" + std::to_string(worker->server_->port());
  }
  QK_RETURN_NOT_OK(worker->Register());
  worker->registered_ = true;
  worker->heartbeat_ = std::thread([w = worker.get()] { w->HeartbeatLoop(); });
  Log("listening on " + worker->options_.advertise + " (" +
      (options.tls.insecure ? "INSECURE: no TLS" : "mutual TLS") + "), " +
      std::to_string(options.cores) + " cores, Redis " + options.redis.ToString());
  return worker;
}

Worker::Worker(WorkerOptions options) : options_(std::move(options)) {}

Worker::~Worker() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  std::map<uint64_t, std::shared_ptr<Run>> runs;
  {
    std::lock_guard lock(mutex_);
    runs = runs_;
  }
  for (auto& [id, run] : runs) run->Cancel("the worker is stopping");
  for (auto& [id, run] : runs) run->Join();
  if (registered_) Deregister();
  if (server_) server_->Shutdown();
}

Status Worker::Register() {
  const std::string& name = options_.name;
  QK_ASSIGN_OR_RAISE(RedisReply alive, sender_->Command({"EXISTS", AliveKey(name)}));
  if (alive.integer != 0) {
    return Status::Invalid("a live worker named '" + name +
                           "' is registered already: give this one another --name");
  }
  std::string port = options_.advertise.substr(options_.advertise.rfind(':') + 1);
  std::string host = options_.advertise.substr(0, options_.advertise.rfind(':'));
  QK_RETURN_NOT_OK(
      sender_
          ->Command({"HSET", WorkerKey(name), "address", host, "data_port", port, "cores",
                     std::to_string(options_.cores), "memory", std::to_string(MemoryBytes()), "pid",
                     std::to_string(getpid()), "started", std::to_string(time(nullptr))})
          .status());
  QK_RETURN_NOT_OK(sender_->Command({"SADD", WorkersKey(), name}).status());
  QK_RETURN_NOT_OK(sender_->Command({"DEL", InboxKey(name)}).status());
  return sender_
      ->Command({"SET", AliveKey(name), std::to_string(getpid()), "PX",
                 std::to_string(kHeartbeatTimeout.count())})
      .status();
}

void Worker::Deregister() {
  std::lock_guard lock(send_mutex_);
  (void)sender_->Command({"DEL", AliveKey(options_.name)});
  (void)sender_->Command({"SREM", WorkersKey(), options_.name});
  (void)sender_->Command({"DEL", WorkerKey(options_.name)});
}

void Worker::HeartbeatLoop() {
  Result<std::unique_ptr<RedisClient>> client = RedisClient::Connect(options_.redis);
  bool reported = false;
  while (!stopping_) {
    if (!client.ok()) client = RedisClient::Connect(options_.redis);
    Status status = client.ok()
                        ? (*client)
                              ->Command({"SET", AliveKey(options_.name), std::to_string(getpid()),
                                         "PX", std::to_string(kHeartbeatTimeout.count())})
                              .status()
                        : client.status();
    if (!status.ok() && !reported) Log("heartbeat failed: " + status.message());
    reported = !status.ok();
    std::unique_lock lock(stop_mutex_);
    stop_cv_.wait_for(lock, kHeartbeatInterval, [this] { return stopping_.load(); });
  }
}

Status Worker::Serve(const std::atomic<bool>* stop_flag) {
  const std::string inbox = InboxKey(options_.name);
  while (!stopping_ && !(stop_flag && stop_flag->load())) {
    auto popped = inbox_->BlockingPop({inbox}, 0.25);
    if (!popped.ok()) {
      Log(popped.status().message());
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    if (!*popped) continue;
    Result<ControlMessage> message = DecodeMessage((*popped)->second);
    if (!message.ok()) {
      Log("dropped a message: " + message.status().message());
      continue;
    }
    Handle(*message);
  }
  Log("stopping");
  return Status::OK();
}

void Worker::Handle(const ControlMessage& message) {
  if (message.kind == "prepare") {
    Prepare(message.run_id);
  } else if (message.kind == "start") {
    if (auto run = FindRun(message.run_id)) run->Start();
  } else if (message.kind == "node_done") {
    if (auto run = FindRun(message.run_id)) {
      run->NodeFinishedElsewhere(static_cast<int>(message.number));
    }
  } else if (message.kind == "cancel") {
    if (auto run = FindRun(message.run_id)) {
      run->Cancel(message.text);
      if (!run->started()) {
        {
          std::lock_guard lock(mutex_);
          runs_.erase(message.run_id);
        }
        run->Abandon();
      }
    }
  } else if (message.kind == "drop") {
    std::lock_guard lock(mutex_);
    datasets_.erase(message.text);
  } else {
    Log("dropped a message of unknown kind '" + message.kind + "'");
  }
}

void Worker::Prepare(uint64_t run_id) {
  const std::string driver = DriverKey(run_id);
  auto fail = [&](const Status& status) {
    Send(driver,
         {"error", run_id, static_cast<int64_t>(status.code()), status.message(), options_.name});
  };
  Result<RedisReply> bytes = inbox_->Command({"GET", PlanKey(run_id)});
  if (!bytes.ok() || bytes->kind != RedisReply::Kind::kString) {
    return fail(Status::NotFound("the plan of run " + std::to_string(run_id) + " is not in Redis"));
  }
  Result<DecodedPlan> plan = DecodePlan(
      bytes->string,
      [this](const std::string& key, const std::vector<std::string>& holders)
          -> Result<std::shared_ptr<internal::DatasetState>> {
        std::lock_guard lock(mutex_);
        auto it = datasets_.find(key);
        bool here = std::find(holders.begin(), holders.end(), options_.name) != holders.end();
        if (it == datasets_.end()) {
          if (here) {
            return Status::NotFound("dataset " + key + " is not on machine '" + options_.name +
                                    "' (dropped, or the worker restarted)");
          }
          auto empty = std::make_shared<internal::DatasetState>();
          empty->partitions.resize(holders.size());
          empty->machines = holders;
          return empty;
        }
        return it->second;
      });
  if (!plan.ok()) return fail(plan.status());
  int local = -1;
  for (size_t m = 0; m < plan->machines.size(); ++m) {
    if (plan->machines[m].name == options_.name) local = static_cast<int>(m);
  }
  if (local < 0) return fail(Status::Invalid("the plan has no machine named " + options_.name));
  auto run = std::make_shared<Run>(this, std::move(*plan), local, driver);
  {
    std::lock_guard lock(mutex_);
    runs_[run_id] = run;
  }
  Status prepared = run->Prepare();
  if (!prepared.ok()) {
    {
      std::lock_guard lock(mutex_);
      runs_.erase(run_id);
    }
    return fail(prepared);
  }
  Send(driver, {"ready", run_id, 0, "", options_.name});
}

void Worker::Send(const std::string& key, const ControlMessage& message) {
  std::lock_guard lock(send_mutex_);
  Status status = sender_->Command({"RPUSH", key, EncodeMessage(message)}).status();
  if (!status.ok()) Log("cannot send '" + message.kind + "': " + status.message());
}

std::shared_ptr<Worker::Run> Worker::FindRun(uint64_t run_id) {
  std::lock_guard lock(mutex_);
  auto it = runs_.find(run_id);
  return it == runs_.end() ? nullptr : it->second;
}

std::shared_ptr<RunLinks> Worker::EndedLinks(uint64_t run_id) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, links] : ended_links_) {
    if (id == run_id) return links;
  }
  return nullptr;
}

void Worker::FinishRun(uint64_t run_id) {
  // Called on the run's own thread: detach it, the object dies with its last reference.
  std::shared_ptr<Run> run;
  {
    std::lock_guard lock(mutex_);
    auto it = runs_.find(run_id);
    if (it == runs_.end()) return;
    run = it->second;
    runs_.erase(it);
    ended_links_.emplace_back(run_id, run->links());
    if (ended_links_.size() > kEndedLinksKept) ended_links_.pop_front();
  }
  std::thread([run] { run->Join(); }).detach();
}

void Worker::KeepDataset(const std::string& key, std::shared_ptr<internal::DatasetState> state) {
  std::lock_guard lock(mutex_);
  datasets_[key] = std::move(state);
}

Result<std::string> Worker::ReadPartition(const std::string& key) {
  size_t slash = key.rfind('/');
  if (slash == std::string::npos) return Status::Invalid("bad partition key '" + key + "'");
  std::shared_ptr<internal::DatasetState> state;
  {
    std::lock_guard lock(mutex_);
    auto it = datasets_.find(key.substr(0, slash));
    if (it != datasets_.end()) state = it->second;
  }
  int partition = -1;
  try {
    partition = std::stoi(key.substr(slash + 1));
  } catch (const std::exception&) {
  }
  if (!state || partition < 0 || partition >= static_cast<int>(state->partitions.size()) ||
      state->machines[partition] != options_.name) {
    return Status::NotFound("dataset partition " + key + " is not on machine '" + options_.name +
                            "'");
  }
  try {
    Encoder out;
    const ObjectList& objects = state->partitions[partition];
    out.ArrayHeader(static_cast<uint32_t>(objects.size()));
    for (const Object& object : objects) out.WriteObject(object);
    return std::string(out.bytes());
  } catch (const Error& error) {
    return error.status();
  }
}

std::shared_ptr<grpc::Channel> Worker::ChannelTo(const std::string& target) {
  std::lock_guard lock(mutex_);
  auto& channel = channels_[target];
  if (!channel) channel = MakeDataChannel(target, options_.tls);
  return channel;
}

}  // namespace quokka::dist

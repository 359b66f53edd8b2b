#pragma once
// Worker: the process that hosts one machine's channels of distributed runs.
//
// It registers the machine in Redis (address, cores, memory, data port), heartbeats, listens
// on its data port (gRPC, mutual TLS unless insecure) and serves its inbox: a driver prepares
// a run (the worker decodes the plan and builds its channels and network endpoints, then
// answers "ready"), starts it, and may cancel it; other workers tell it when their channels of
// a node finished. Datasets produced here stay here until their driver drops them.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "../runtime/plan.h"
#include "control.h"
#include "data_server.h"
#include "quokka/status.h"
#include "redis_client.h"

namespace quokka::dist {

struct WorkerOptions {
  RedisEndpoint redis;
  std::string name;                    ///< Machine name; default: the host name.
  std::string listen = "127.0.0.1:0";  ///< Data-plane address to listen on.
  std::string advertise;  ///< Address peers use; default: the listen host and bound port.
  int cores = 0;          ///< Cores to report and threads to run; 0 = hardware threads.
  TlsConfig tls;
};

class Worker {
 public:
  /// \brief Connect, listen and register. Errors say what to fix (Redis address/password,
  ///        port in use, certificates, a live worker of the same name).
  static Result<std::unique_ptr<Worker>> Start(WorkerOptions options);
  ~Worker();

  /// \brief Serve the inbox until Stop() (or a stop flag set by a signal handler).
  Status Serve(const std::atomic<bool>* stop_flag = nullptr);
  void Stop() { stopping_ = true; }
  const std::string& name() const { return options_.name; }
  int port() const { return server_->port(); }

 private:
  class Run;
  class Handler;
  explicit Worker(WorkerOptions options);
  Status Register();
  void Deregister();
  void HeartbeatLoop();
  void Handle(const ControlMessage& message);
  void Prepare(uint64_t run_id);
  void Send(const std::string& key, const ControlMessage& message);
  std::shared_ptr<Run> FindRun(uint64_t run_id);
  std::shared_ptr<RunLinks> EndedLinks(uint64_t run_id);
  static constexpr size_t kEndedLinksKept = 16;
  void FinishRun(uint64_t run_id);
  void KeepDataset(const std::string& key, std::shared_ptr<internal::DatasetState> state);
  Result<std::string> ReadPartition(const std::string& key);
  std::shared_ptr<grpc::Channel> ChannelTo(const std::string& target);

  WorkerOptions options_;
  std::unique_ptr<Handler> handler_;
  std::unique_ptr<DataServer> server_;
  std::unique_ptr<RedisClient> inbox_;  // inbox loop
  std::mutex send_mutex_;
  std::unique_ptr<RedisClient> sender_;  // messages to peers and drivers
  std::thread heartbeat_;
  std::atomic<bool> stopping_{false};
  std::mutex stop_mutex_;  // wakes the heartbeat thread when stopping
  std::condition_variable stop_cv_;
  bool registered_ = false;  // deregister only what this worker registered

  std::mutex mutex_;  // runs_ and datasets_
  std::map<uint64_t, std::shared_ptr<Run>> runs_;
  // The closed links of the last runs that ended here. A peer may open its stream only after
  // our part of a run ended (its consumers here finished early): the closed links answer its
  // data with close frames, so the peer's producers stop, instead of refusing the stream.
  std::deque<std::pair<uint64_t, std::shared_ptr<RunLinks>>> ended_links_;
  std::map<std::string, std::shared_ptr<internal::DatasetState>> datasets_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;  // by peer target
};

}  // namespace quokka::dist

#pragma once
// DriverBackend: runs a validated plan on the workers of a distributed cluster.
//
// Run(): checks every machine has a live worker, stores the plan in Redis, asks every worker
// to prepare its part, starts them all once all are ready, and waits for each to report done
// (with its statistics) or an error. A worker that reports an error, or whose heartbeat
// lapses, fails the run: the others are cancelled and Run() returns the first error, naming
// the machine. Output datasets stay on the workers and are fetched (DoGet) on first access.

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "../runtime/backend.h"
#include "data_server.h"
#include "redis_client.h"

namespace quokka::dist {

class DriverBackend final : public internal::ClusterBackend,
                            public std::enable_shared_from_this<DriverBackend> {
 public:
  /// \brief Connect to Redis; `owned` is kept alive as long as the backend (e.g. processes).
  static Result<std::shared_ptr<DriverBackend>> Connect(RedisEndpoint redis, TlsConfig tls,
                                                        std::shared_ptr<void> owned = nullptr);

  /// \brief The registered workers' machines, in the order of `names` (all live ones when
  ///        empty). Errors name a machine without a live worker.
  Result<std::vector<Machine>> Machines(const std::vector<std::string>& names);
  /// \brief Check that every machine has a live worker, and fill in its address and port.
  Status Resolve(std::vector<Machine>& machines);

  Result<RunStats> Run(const std::vector<const internal::NodeSpec*>& nodes,
                       const RunOptions& options) override;

  void SetMachines(std::vector<Machine> machines) { machines_ = std::move(machines); }

 private:
  DriverBackend(RedisEndpoint redis, TlsConfig tls)
      : redis_(std::move(redis)), tls_(std::move(tls)) {}
  Result<RunStats> RunLocked(const std::vector<const internal::NodeSpec*>& nodes,
                             const RunOptions& options);
  Status Broadcast(uint64_t run_id, const std::string& kind, const std::string& text = "");
  Result<std::vector<std::string>> WaitForAll(uint64_t run_id, const std::string& kind,
                                              double timeout_seconds);
  /// Cancels the run on every worker and waits (bounded) for their answers; their errors are
  /// appended to `errors`.
  void CancelAndDrain(uint64_t run_id, const std::string& reason, std::set<std::string> answered,
                      std::vector<Status>* errors = nullptr);
  void ShareDataset(uint64_t run_id, const internal::NodeSpec& spec);
  void DropLocked(const std::string& key, const std::vector<std::string>& names);
  std::shared_ptr<grpc::Channel> ChannelTo(const Machine& machine);

  RedisEndpoint redis_;
  TlsConfig tls_;
  std::shared_ptr<void> owned_;
  std::vector<Machine> machines_;
  std::mutex mutex_;  // one run at a time per cluster handle; guards client_ and channels_
  std::unique_ptr<RedisClient> client_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
};

}  // namespace quokka::dist

#pragma once
// Cluster: the machines a task graph's channels are placed on.
//
// A Cluster lists machines and their cores. The defaults derive from it: a reader gets one
// channel per core on every machine, an operator one channel per machine. LocalCluster is this
// machine, running every channel in this process.
//
// A distributed cluster (Cluster::FromJson, LocalCluster::Processes) runs every channel in
// worker processes (`quokka worker`, or any program calling quokka::Init) coordinated through
// Redis; objects between machines travel over gRPC. Readers, executors and partition
// functions are then shipped to the workers through the type registry (see serialize.h).
// A Cluster built from a plain list of machines emulates them inside this process: every
// object crossing machines is serialized and deserialized as on a network.
// A Cluster is an immutable value; copies share the connection to a distributed cluster.

#include <memory>
#include <string>
#include <vector>

namespace quokka {

namespace internal {
class ClusterBackend;
}

struct Machine {
  std::string name;  ///< Used in placement, statistics and error messages.
  int cores = 1;
  std::string address;  ///< Distributed clusters: host the worker's data plane listens on.
  int data_port = 0;    ///< Distributed clusters: the worker's data-plane port.
};

class Cluster {
 public:
  /// \brief A cluster of the given machines. Throws quokka::Error if empty or cores < 1.
  explicit Cluster(std::vector<Machine> machines);
  /// \brief Connect to the workers of a cluster file (format: docs/deployment.md). Every
  ///        listed machine must run a registered, live worker. Throws quokka::Error naming the
  ///        field, file or machine that is wrong.
  static Cluster FromJson(const std::string& path);

  /// \brief Does this cluster run channels in worker processes (rather than in this one)?
  bool distributed() const { return backend_ != nullptr; }
  /// \brief Internal: the distributed runtime behind this cluster.
  const std::shared_ptr<internal::ClusterBackend>& backend() const { return backend_; }
  /// \brief Internal: a cluster whose runs go to `backend`.
  Cluster(std::vector<Machine> machines, std::shared_ptr<internal::ClusterBackend> backend);

  const std::vector<Machine>& machines() const { return machines_; }
  int num_machines() const { return static_cast<int>(machines_.size()); }
  int total_cores() const;

 private:
  std::vector<Machine> machines_;
  std::shared_ptr<internal::ClusterBackend> backend_;
};

/// \brief Options of a multi-process cluster on this machine.
struct LocalProcessOptions {
  int workers = 2;    ///< Worker processes to start.
  int cores = 0;      ///< Cores each worker reports (and threads it runs); 0 = cores / workers.
  std::string redis;  ///< HOST:PORT of a Redis to use; empty = start redis-server for us.
  std::string password_file;  ///< Redis password (with `redis`); empty = none.
  std::string program;  ///< Worker binary; empty = this program (which must call quokka::Init).
  /// Mutual TLS with the certificates in this directory (`quokka cluster keys --machines
  /// local-0,local-1,...`; workers are then named local-0, local-1, ...); empty = no TLS.
  std::string tls_dir;
};

/// \brief This machine; `cores` = 0 means the number of hardware threads.
class LocalCluster : public Cluster {
 public:
  explicit LocalCluster(int cores = 0);
  /// \brief A distributed cluster of worker processes on this machine (loopback, no TLS),
  ///        with redis-server started when none is given. The processes stop when the last
  ///        copy of the returned Cluster is destroyed. Throws quokka::Error if they cannot start.
  static Cluster Processes(const LocalProcessOptions& options = {});
};

}  // namespace quokka

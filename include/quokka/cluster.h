#pragma once
// Cluster: the machines a task graph's channels are placed on.
//
// A Cluster lists machines and their cores. The defaults derive from it: a reader gets one
// channel per core on every machine, an operator one channel per machine. LocalCluster is this
// machine. Until the distributed runtime lands, the machines of a multi-machine Cluster are
// emulated inside this process: channels of each machine run in the same thread pool, and every
// object crossing machines is serialized and deserialized through the type registry, as it
// will be on a network, so unregistered types fail the same way they will in a real cluster.
// A Cluster is an immutable value.

#include <string>
#include <vector>

namespace quokka {

struct Machine {
  std::string name;  ///< Used in placement, statistics and error messages.
  int cores = 1;
};

class Cluster {
 public:
  /// \brief A cluster of the given machines. Throws quokka::Error if empty or cores < 1.
  explicit Cluster(std::vector<Machine> machines);

  const std::vector<Machine>& machines() const { return machines_; }
  int num_machines() const { return static_cast<int>(machines_.size()); }
  int total_cores() const;

 private:
  std::vector<Machine> machines_;
};

/// \brief This machine; `cores` = 0 means the number of hardware threads.
class LocalCluster : public Cluster {
 public:
  explicit LocalCluster(int cores = 0);
};

}  // namespace quokka

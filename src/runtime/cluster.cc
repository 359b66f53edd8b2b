#include "quokka/cluster.h"

#include <thread>

#include "quokka/status.h"

namespace quokka {

Cluster::Cluster(std::vector<Machine> machines, std::shared_ptr<internal::ClusterBackend> backend)
    : Cluster(std::move(machines)) {
  backend_ = std::move(backend);
}

Cluster::Cluster(std::vector<Machine> machines) : machines_(std::move(machines)) {
  if (machines_.empty()) throw Error(Status::Invalid("a cluster needs at least one machine"));
  for (size_t m = 0; m < machines_.size(); ++m) {
    if (machines_[m].cores < 1) {
      throw Error(Status::Invalid("machine '" + machines_[m].name + "' must have at least 1 core"));
    }
    if (machines_[m].name.empty()) machines_[m].name = "machine" + std::to_string(m);
  }
}

int Cluster::total_cores() const {
  int total = 0;
  for (const Machine& machine : machines_) total += machine.cores;
  return total;
}

namespace {
int HardwareCores(int requested) {
  if (requested > 0) return requested;
  unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}
}  // namespace

LocalCluster::LocalCluster(int cores) : Cluster({Machine{"local", HardwareCores(cores)}}) {}

}  // namespace quokka

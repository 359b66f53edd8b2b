#pragma once
// The cluster file: a JSON description of a distributed cluster (docs/deployment.md).
//
//   {
//     "redis": "10.0.0.1:6379",
//     "redis_password_file": "/etc/quokka/redis.pass",
//     "tls_dir": "/etc/quokka/tls",            (or "insecure": true)
//     "machines": [
//       {"name": "w1", "address": "10.0.0.2", "data_port": 7070, "cores": 2,
//        "ssh": "root@10.0.0.2"}
//     ]
//   }

#include <string>
#include <vector>

#include "quokka/cluster.h"
#include "quokka/status.h"

namespace quokka::dist {

struct ClusterFile {
  std::string path;
  std::string redis;                ///< HOST:PORT
  std::string redis_password_file;  ///< May be empty.
  std::string tls_dir;              ///< Empty when insecure.
  bool insecure = false;
  struct Entry {
    Machine machine;
    std::string ssh;  ///< SSH destination for `quokka cluster up`; default: the address.
  };
  std::vector<Entry> machines;
};

/// \brief Read and check a cluster file. Errors name the file and the field.
Result<ClusterFile> ReadClusterFile(const std::string& path);

}  // namespace quokka::dist

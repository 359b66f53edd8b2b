#pragma once
// `quokka cluster keys`: make the cluster's TLS CA and the keys of its machines (see
// docs/security.md).

namespace quokka::cli {

/// \brief `quokka cluster keys --out DIR --machines NAME,NAME,... [--force]`; argv[1] is
///        "cluster", argv[2] "keys", options from argv[3]. Returns the process exit code
///        (0 ok, 1 failure, 2 usage error).
int ClusterKeys(int argc, char** argv);

}  // namespace quokka::cli

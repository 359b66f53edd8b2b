#pragma once
// `quokka cluster create|describe|terminate`: a cluster on AWS EC2 (docs/aws.md).

namespace quokka::cli {

/// \brief `quokka cluster create --provider aws ...`, `quokka cluster describe ...` and
///        `quokka cluster terminate ...`; argv[1] is "cluster", argv[2] the command, flags from
///        argv[3]. Returns the exit code (0 ok, 1 failure, 2 usage error).
int ClusterAws(int argc, char** argv);

}  // namespace quokka::cli

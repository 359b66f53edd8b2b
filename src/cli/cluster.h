#pragma once

namespace quokka::cli {

/// \brief `quokka cluster keys|up|down|status ...` (argv[1] == "cluster").
int ClusterCommand(int argc, char** argv);

}  // namespace quokka::cli

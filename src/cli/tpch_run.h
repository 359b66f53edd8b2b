#pragma once

namespace quokka::cli {

/// \brief `quokka tpch run --query N --data DIR [--channels K] [--output FILE.csv]`.
int TpchRun(int argc, char** argv);

}  // namespace quokka::cli

#pragma once
// `quokka tpch gen`: write the eight TPC-H tables as dbgen-style .tbl files.

namespace quokka::cli {

/// \brief `quokka tpch gen --sf SF --out DIR [--files N] [--seed S] [--threads T]`; argv[1] is
///        "tpch". Returns the process exit code (0 ok, 1 failure, 2 usage error).
int TpchGen(int argc, char** argv);

}  // namespace quokka::cli

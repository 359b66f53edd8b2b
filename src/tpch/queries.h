#pragma once
// TPC-H queries as task graphs (physical plans), run by `quokka tpch run`.
//
// Each query reads the .tbl (or .arrow) files of a data directory with parallel reader channels,
// pushes projection and predicates into the readers (as expressions, so every node can be
// shipped), partitions by hash where it joins or groups, and materializes only its result.
// Parameters are the specification's validation values. Implemented: 1, 3, 4, 5, 6, 10, 12, 13,
// 14 and 19.

#include <string>
#include <vector>

#include "quokka/cluster.h"
#include "quokka/stats.h"
#include "quokka/status.h"
#include "quokka/table.h"

namespace quokka::tpch {

struct TpchRunOptions {
  std::string data_dir;
  int channels = 0;  ///< reader and operator channels; 0 = the cluster's cores
  bool progress = false;
};

struct TpchQueryResult {
  Table table;
  RunStats stats;
};

/// \brief The query numbers RunTpchQuery accepts.
const std::vector<int>& ImplementedTpchQueries();

/// \brief Run query `number` on `options.data_dir`. Errors (unknown or unimplemented query, a
///        missing table file, malformed data) name the query, file or argument.
Result<TpchQueryResult> RunTpchQuery(int number, const Cluster& cluster,
                                     const TpchRunOptions& options);

}  // namespace quokka::tpch

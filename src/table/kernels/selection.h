#pragma once
// Internal gather helpers shared by filter, take, hash_partition and the expression evaluator.

#include <cstdint>
#include <string>
#include <vector>

#include "quokka/column.h"
#include "quokka/status.h"
#include "quokka/table.h"

namespace quokka::compute {

/// NotFound naming `name`, what looked for it, and the table's columns.
Status ColumnNotFound(const Table& table, const std::string& name, const char* what);

namespace internal {

/// Rows idx[0..m) of `c` (in bounds, unchecked); `index_validity` (zero-offset bitmap or null)
/// marks output rows that are null regardless of `c`.
ColumnPtr Gather(const Column& c, const int64_t* idx, int64_t m, BufferPtr index_validity);
Result<Table> GatherTable(const Table& table, const int64_t* idx, int64_t m,
                          BufferPtr index_validity);

}  // namespace internal
}  // namespace quokka::compute

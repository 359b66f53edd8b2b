// Registration of the canned executors and partition functions for shipping (codecs.cc).
#include "quokka/executors.h"
#include "quokka/serialize.h"

namespace quokka {

Status RegisterExecutorTypes() {
  // Once per process; a failure (a name taken by another type) is reported on every call.
  static const Status status = [] {
    QK_RETURN_NOT_OK(RegisterIoTypes());
    QK_RETURN_NOT_OK(RegisterType<HashPartitionFunction>("quokka.hash_partition"));
    QK_RETURN_NOT_OK(RegisterType<FilterExecutor>("quokka.filter_executor"));
    QK_RETURN_NOT_OK(RegisterType<ProjectExecutor>("quokka.project_executor"));
    QK_RETURN_NOT_OK(RegisterType<HashJoin>("quokka.hash_join"));
    QK_RETURN_NOT_OK(RegisterType<AsofJoin>("quokka.asof_join"));
    QK_RETURN_NOT_OK(RegisterType<HashAggregate>("quokka.hash_aggregate"));
    QK_RETURN_NOT_OK(RegisterType<Count>("quokka.count"));
    QK_RETURN_NOT_OK(RegisterType<Distinct>("quokka.distinct"));
    QK_RETURN_NOT_OK(RegisterType<Sort>("quokka.sort"));
    QK_RETURN_NOT_OK(RegisterType<Limit>("quokka.limit"));
    QK_RETURN_NOT_OK(RegisterType<CsvSink>("quokka.csv_sink"));
    return RegisterType<IpcSink>("quokka.ipc_sink");
  }();
  return status;
}

}  // namespace quokka

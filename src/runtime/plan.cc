#include "plan.h"

namespace quokka::internal {

const char* NodeKindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kReader:
      return "reader";
    case NodeKind::kDatasetReader:
      return "dataset";
    case NodeKind::kNonBlocking:
      return "non-blocking";
    case NodeKind::kBlocking:
      return "blocking";
    case NodeKind::kTask:
      return "task";
  }
  return "?";
}

}  // namespace quokka::internal

// libFuzzer target for the Arrow IPC readers. The first input byte picks the format (even:
// stream, odd: file), the rest is the IPC data. Reading must never crash, leak or touch memory
// it does not own; when it succeeds, every value of every table is read back and the tables
// are written and read again. Built by fuzz/build_ipc.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "quokka/ipc.h"
#include "quokka/table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  quokka::SchemaPtr schema;
  auto tables = (data[0] & 1) ? quokka::ReadIpcFileBytes(bytes, &schema, "fuzz")
                              : quokka::ReadIpcStream(bytes, &schema);
  if (!tables.ok()) {
    if (tables.status().message().empty()) std::abort();  // errors must say something
    return 0;
  }
  for (const quokka::Table& table : *tables) {
    for (int c = 0; c < table.num_columns(); ++c) {
      for (int64_t r = 0; r < table.num_rows(); ++r) (void)table.column(c)->ValueToString(r);
    }
  }
  // What was read can be written and read back unchanged.
  auto again = quokka::WriteIpcStream(schema, *tables);
  if (!again.ok()) std::abort();
  auto reread = quokka::ReadIpcStream(*again);
  if (!reread.ok() || reread->size() != tables->size()) std::abort();
  for (size_t i = 0; i < tables->size(); ++i) {
    if (!(*reread)[i].Equals((*tables)[i])) std::abort();
  }
  return 0;
}

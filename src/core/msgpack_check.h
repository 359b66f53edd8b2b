#pragma once
// A structural check of MessagePack bytes that allocates nothing. msgpack-c reserves memory for
// a container from its declared size before reading the elements, so a 5-byte header claiming
// four billion elements would allocate gigabytes; every value is checked with this first.

#include <cstddef>
#include <string>
#include <string_view>

namespace quokka::internal {

/// \brief Check that `bytes` starting at `offset` holds one complete, well-formed value whose
///        containers declare no more elements than there are bytes left. On success returns
///        true and sets `end` to the offset after the value; otherwise sets `error`.
bool CheckMsgpackValue(std::string_view bytes, size_t offset, size_t* end, std::string* error);

}  // namespace quokka::internal

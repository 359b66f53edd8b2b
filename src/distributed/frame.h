#pragma once
// Data-plane frames: the messages of a DoPut stream between two workers.
//
// Every gRPC message is a 16-byte header followed by a body:
//   "QK" | version (1) | kind (1) | count (u32 LE) | link id (u64 LE)
// kData: body = the MessagePack array of `count` objects of link `link` (type registry);
// kEnd: the producer ended link `link`; kCredit: the consumer side grants `count` more data
// frames on `link`; kClose: the consumer finished early and wants nothing more on `link`.
// kDataZstd: a kData body compressed with zstd. Data and end frames go from producer to
// consumer machine, credit and close frames back.

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "quokka/object.h"
#include "quokka/status.h"

namespace quokka::dist {

enum class FrameKind : uint8_t { kData = 1, kEnd = 2, kCredit = 3, kClose = 4, kDataZstd = 5 };

struct FrameHeader {
  FrameKind kind = FrameKind::kData;
  uint32_t count = 0;
  uint64_t link = 0;
};

constexpr size_t kFrameHeaderSize = 16;

std::string EncodeFrameHeader(const FrameHeader& header);
/// \brief Check and decode the header at the start of `message`. Errors say what is wrong.
Result<FrameHeader> DecodeFrameHeader(std::string_view message);

/// \brief Compress a data frame body (zstd, fast level).
std::string CompressBody(std::string_view body);
/// \brief Decompress a kDataZstd body of at most `max_size` bytes; errors for corrupt input or
///        a larger body. Memory grows with the data actually decompressed, not with the size
///        the frame claims.
Result<std::string> DecompressBody(std::string_view compressed, size_t max_size);

/// Largest decompressed data frame accepted (one link's batch is far smaller in practice).
constexpr size_t kMaxDataBody = size_t{1} << 30;

/// \brief The objects of a data frame (kData or kDataZstd) body; errors for corrupt bodies,
///        unknown type names, or a count other than the header's.
///        `decoded_bytes` (if given) receives the size of the (decompressed) body.
Result<ObjectList> DecodeDataBody(const FrameHeader& header, std::string_view body,
                                  size_t* decoded_bytes = nullptr);

/// \brief A message of a header and a body, the body handed to gRPC without a copy.
grpc::ByteBuffer MakeMessage(const FrameHeader& header, std::string body = {});
/// The bytes of a received message, contiguous: a view of gRPC's slice when the message
/// arrived in one, else a joined copy.
class MessageBytes {
 public:
  explicit MessageBytes(const grpc::ByteBuffer& message);
  std::string_view view() const { return view_; }

 private:
  std::vector<grpc::Slice> slices_;
  std::string joined_;
  std::string_view view_;
};

}  // namespace quokka::dist

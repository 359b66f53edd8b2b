#include "frame.h"

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "quokka/serialize.h"

namespace quokka::dist {
namespace {

constexpr uint8_t kVersion = 1;

void PutLE(char* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}
uint64_t GetLE(const char* in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= uint64_t(uint8_t(in[i])) << (8 * i);
  return value;
}

}  // namespace

std::string EncodeFrameHeader(const FrameHeader& header) {
  std::string out(kFrameHeaderSize, '\0');
  out[0] = 'Q';
  out[1] = 'K';
  out[2] = static_cast<char>(kVersion);
  out[3] = static_cast<char>(header.kind);
  PutLE(&out[4], header.count, 4);
  PutLE(&out[8], header.link, 8);
  return out;
}

Result<FrameHeader> DecodeFrameHeader(std::string_view message) {
  if (message.size() < kFrameHeaderSize) {
    return Status::Invalid("data-plane message of " + std::to_string(message.size()) +
                           " bytes is shorter than a frame header");
  }
  if (message[0] != 'Q' || message[1] != 'K') {
    return Status::Invalid("data-plane message without the frame magic");
  }
  if (static_cast<uint8_t>(message[2]) != kVersion) {
    return Status::Invalid("data-plane frame version " +
                           std::to_string(static_cast<uint8_t>(message[2])) + " (expected " +
                           std::to_string(kVersion) + ")");
  }
  uint8_t kind = static_cast<uint8_t>(message[3]);
  if (kind < 1 || kind > 5) {
    return Status::Invalid("data-plane frame of unknown kind " + std::to_string(kind));
  }
  FrameHeader header;
  header.kind = static_cast<FrameKind>(kind);
  header.count = static_cast<uint32_t>(GetLE(&message[4], 4));
  header.link = GetLE(&message[8], 8);
  bool data = header.kind == FrameKind::kData || header.kind == FrameKind::kDataZstd;
  if (!data && message.size() != kFrameHeaderSize) {
    return Status::Invalid("data-plane control frame with a body");
  }
  return header;
}

std::string CompressBody(std::string_view body) {
  std::string out(ZSTD_compressBound(body.size()), '\0');
  size_t size = ZSTD_compress(out.data(), out.size(), body.data(), body.size(), 1);
  out.resize(ZSTD_isError(size) ? 0 : size);
  return out;
}

Result<std::string> DecompressBody(std::string_view compressed, size_t max_size) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!context) return Status::OutOfMemory("cannot make a zstd context");
  std::string out;
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  size_t remaining = 1;
  while (remaining != 0) {
    if (out.size() == max_size) {
      return Status::Invalid("compressed data frame larger than " + std::to_string(max_size) +
                             " bytes");
    }
    // Grow with the output actually produced (doubling), never by the claimed size.
    size_t used = out.size();
    out.resize(std::min(max_size, std::max<size_t>(64 << 10, used * 2)));
    ZSTD_outBuffer chunk{out.data() + used, out.size() - used, 0};
    remaining = ZSTD_decompressStream(context.get(), &chunk, &in);
    if (ZSTD_isError(remaining)) {
      return Status::Invalid(std::string("corrupt compressed data frame: ") +
                             ZSTD_getErrorName(remaining));
    }
    out.resize(used + chunk.pos);
    if (remaining != 0 && in.pos == in.size && chunk.pos < chunk.size) {
      return Status::Invalid("truncated compressed data frame");
    }
  }
  if (in.pos != in.size) return Status::Invalid("trailing bytes after a compressed data frame");
  return out;
}

Result<ObjectList> DecodeDataBody(const FrameHeader& header, std::string_view body,
                                  size_t* decoded_bytes) {
  std::string decompressed;
  if (header.kind == FrameKind::kDataZstd) {
    QK_ASSIGN_OR_RAISE(decompressed, DecompressBody(body, kMaxDataBody));
    body = decompressed;
  } else if (header.kind != FrameKind::kData) {
    return Status::Invalid("not a data frame");
  }
  if (decoded_bytes) *decoded_bytes = body.size();
  ObjectList objects;
  try {
    Decoder decoder(body);
    uint32_t count = decoder.ArrayHeader();
    if (count != header.count) {
      throw Error(Status::Invalid("it holds " + std::to_string(count) + " objects, its header " +
                                  std::to_string(header.count)));
    }
    objects.reserve(count);
    for (uint32_t i = 0; i < count; ++i) objects.push_back(decoder.ReadObject());
    if (!decoder.AtEnd()) throw Error(Status::Invalid("trailing bytes"));
  } catch (const std::exception& error) {
    return Status::Invalid("corrupt data frame for link " + std::to_string(header.link) + ": " +
                           error.what());
  }
  return objects;
}

grpc::ByteBuffer MakeMessage(const FrameHeader& header, std::string body) {
  std::string head = EncodeFrameHeader(header);
  std::vector<grpc::Slice> slices;
  slices.emplace_back(head.data(), head.size());
  if (!body.empty()) {
    // The slice owns the body's string: gRPC sends it without copying.
    auto* owned = new std::string(std::move(body));
    slices.emplace_back(
        owned->data(), owned->size(), [](void* user) { delete static_cast<std::string*>(user); },
        owned);
  }
  return grpc::ByteBuffer(slices.data(), slices.size());
}

MessageBytes::MessageBytes(const grpc::ByteBuffer& message) {
  if (!message.Dump(&slices_).ok() || slices_.empty()) return;
  if (slices_.size() == 1) {
    view_ = std::string_view(reinterpret_cast<const char*>(slices_[0].begin()), slices_[0].size());
    return;
  }
  size_t total = 0;
  for (const grpc::Slice& slice : slices_) total += slice.size();
  joined_.reserve(total);
  for (const grpc::Slice& slice : slices_) {
    joined_.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  slices_.clear();
  view_ = joined_;
}

}  // namespace quokka::dist

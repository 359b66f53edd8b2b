#pragma once
// Internals shared by the Arrow IPC writer and readers: framing constants, encoding of schema
// and record batch messages, and the checked decoding of messages read from untrusted bytes.

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arrow_format_generated.h"
#include "quokka/ipc.h"
#include "quokka/status.h"
#include "quokka/table.h"

namespace quokka::ipc {

constexpr uint32_t kContinuation = 0xFFFFFFFFu;
constexpr char kMagic[] = "ARROW1";  // 6 bytes, padded to 8 at the start of a file
constexpr int64_t kMagicSize = 6;
constexpr int64_t kFileHeaderSize = 8;

inline int64_t PadTo8(int64_t n) { return (n + 7) & ~int64_t{7}; }

inline uint32_t LoadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline int32_t LoadI32(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline int64_t LoadI64(const uint8_t* p) {
  int64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// ---- Writing --------------------------------------------------------------------------------

/// A framed message: prefix (continuation + length) and padded metadata, then the body.
struct EncodedMessage {
  std::string metadata;  // 0xFFFFFFFF, int32 length, flatbuffer, zero padding (multiple of 8)
  std::string body;      // buffers, each padded to 8 bytes
};

/// The schema message of `schema`.
EncodedMessage EncodeSchemaMessage(const Schema& schema);
/// The record batch message of `table`. Fails if the table does not match `schema`.
Result<EncodedMessage> EncodeRecordBatchMessage(const Schema& schema, const Table& table);
/// 0xFFFFFFFF followed by a zero length.
std::string EndOfStreamMarker();
/// The footer flatbuffer (without its length and trailing magic).
std::string EncodeFooter(const Schema& schema, const std::vector<IpcFileWriter::Block>& blocks);
/// Checks that every table has `schema`; names the first offender.
Status CheckSchemas(const Schema& schema, const std::vector<Table>& tables);

// ---- Reading --------------------------------------------------------------------------------

/// A copy of metadata bytes at 8-byte alignment, as flatbuffers' verifier and accessors need.
class AlignedBytes {
 public:
  AlignedBytes() = default;
  AlignedBytes(const uint8_t* data, int64_t size);
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(words_.data()); }
  int64_t size() const { return size_; }

 private:
  std::vector<uint64_t> words_;
  int64_t size_ = 0;
};

/// How the values of a field are laid out in the input, when it differs from the quokka type.
enum class SourceLayout : uint8_t {
  kNative,     // exactly the quokka type's layout
  kUInt8,      // -> int16
  kUInt16,     // -> int32
  kUInt32,     // -> int64
  kFloat32,    // -> float64
  kDecimal,    // Decimal of `decimal_bit_width` bits -> int64
  kLargeUtf8,  // int64 offsets -> utf8
  kUtf8View,   // views + variadic buffers -> utf8
  kDate64,     // milliseconds -> date32
};

/// A schema read from a file and how to decode each field.
struct DecodedSchema {
  SchemaPtr schema;
  std::vector<SourceLayout> layouts;
  std::vector<int> decimal_bit_width;
};

/// Verify `bytes` as a Message flatbuffer; returns it (pointing into `bytes`).
Result<const fb::Message*> VerifyMessage(const AlignedBytes& bytes);
/// Verify `bytes` as a Footer flatbuffer.
Result<const fb::Footer*> VerifyFooter(const AlignedBytes& bytes);
/// Check the message version (V4 or V5).
Status CheckVersion(fb::MetadataVersion version);
/// Convert a schema; errors name the unsupported field and type.
Result<DecodedSchema> DecodeSchema(const fb::Schema* schema);
/// Decode one record batch whose body is [body, body + body_length).
Result<Table> DecodeRecordBatch(const DecodedSchema& schema, const fb::RecordBatch* batch,
                                const uint8_t* body, int64_t body_length);

/// Make sure the object file holding the type registrations is linked.
void EnsureRegistered();

}  // namespace quokka::ipc

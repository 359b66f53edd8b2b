// libFuzzer target for the distributed runtime's decoders of bytes from other machines:
// data-plane frames (DecodeFrameHeader, DecodeDataBody incl. zstd bodies, frame.h), plans
// (DecodePlan, plan_codec.h), control messages (DecodeMessage) and run statistics
// (DecodeStats, control.h). Built by fuzz/build_dataplane.sh; see fuzz/README.md.
//
// Input: byte 0 chooses the decoder (byte 0 % 8), the rest is what it decodes:
//   0  a data-plane message (16-byte header + body): header, then the body of a data frame
//   1  a header + a plain body that the target compresses (zstd) and decodes as kDataZstd, so
//      that mutations reach the objects inside compressed frames
//   2  a plan (DatasetLookup answers NotFound, as a worker without the dataset would)
//   3  a control message
//   4  run statistics
//   5-7  the rest through every decoder above (0, 2, 3, 4)
// Decoding must never crash, hang, leak or trip ASan/UBSan, and errors must say something.
// What decodes is also used the way the receiver uses it, and must round-trip:
//   - frame objects are rendered (Object::ToString, every value of every Table), re-encoded,
//     decoded again and re-encoded to the same bytes;
//   - a plan makes one reader/executor per node like a worker does, and EncodePlan of it
//     decodes again and re-encodes to the same bytes;
//   - a control message / statistics re-encode, decode to the same fields / bytes; statistics
//     are rendered (RunStats::ToString) as the driver prints them.
// A violated expectation prints what differs and aborts (libFuzzer saves the input).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "distributed/control.h"
#include "distributed/frame.h"
#include "distributed/plan_codec.h"
#include "quokka/csv.h"
#include "quokka/executors.h"
#include "quokka/serialize.h"
#include "quokka/table.h"

namespace {

using quokka::Object;
using quokka::ObjectList;
using quokka::Status;
namespace dist = quokka::dist;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "dataplane_fuzz: %s\n", what.c_str());
  std::abort();
}

// Errors must say what is wrong.
void CheckError(const Status& status, const char* decoder) {
  if (status.ok()) Fail(std::string(decoder) + ": failed with an OK status");
  if (status.message().empty()) Fail(std::string(decoder) + ": error without a message");
}

std::string Hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < 512; ++i) {
    out += digits[static_cast<uint8_t>(bytes[i]) >> 4];
    out += digits[static_cast<uint8_t>(bytes[i]) & 15];
  }
  if (bytes.size() > 512) out += "...";
  return out;
}

// Touch everything a consumer of the objects could touch.
void Render(const Object& object) {
  (void)object.ToString();
  (void)object.byte_size();
  if (const auto* list = object.GetIf<ObjectList>()) {
    for (const Object& item : *list) Render(item);
  } else if (const auto* map = object.GetIf<quokka::ObjectMap>()) {
    for (const auto& [key, value] : *map) Render(value);
  } else if (const auto* table = object.GetIf<quokka::Table>()) {
    for (int c = 0; c < table->num_columns(); ++c) {
      for (int64_t r = 0; r < table->num_rows(); ++r) (void)table->column(c)->ValueToString(r);
    }
  }
}

// The body of a kData frame holding `objects`.
std::string EncodeBody(const ObjectList& objects) {
  quokka::Encoder out;
  out.ArrayHeader(static_cast<uint32_t>(objects.size()));
  for (const Object& object : objects) out.WriteObject(object);
  return std::string(out.bytes());
}

// A data frame: header, then body; what decodes renders and round-trips.
void FuzzFrame(std::string_view message) {
  auto header = dist::DecodeFrameHeader(message);
  if (!header.ok()) return CheckError(header.status(), "DecodeFrameHeader");
  if (header->kind != dist::FrameKind::kData && header->kind != dist::FrameKind::kDataZstd) {
    if (message.size() != dist::kFrameHeaderSize) Fail("a control frame with a body decoded");
    return;
  }
  auto objects = dist::DecodeDataBody(*header, message.substr(dist::kFrameHeaderSize));
  if (!objects.ok()) return CheckError(objects.status(), "DecodeDataBody");
  if (objects->size() != header->count) Fail("DecodeDataBody: count differs from the header's");
  for (const Object& object : *objects) Render(object);

  std::string first;
  try {
    first = EncodeBody(*objects);
  } catch (const std::exception& error) {
    Fail(std::string("decoded objects do not encode again: ") + error.what());
  }
  dist::FrameHeader plain{dist::FrameKind::kData, header->count, header->link};
  auto again = dist::DecodeDataBody(plain, first);
  if (!again.ok()) {
    Fail("re-encoded objects do not decode: " + again.status().message() + "\nbody " + Hex(first));
  }
  std::string second = EncodeBody(*again);
  if (second != first)
    Fail("objects re-encode differently:\n  " + Hex(first) + "\n  " + Hex(second));
  // The compressed form of the same body decodes to the same objects.
  dist::FrameHeader zstd{dist::FrameKind::kDataZstd, header->count, header->link};
  auto unpacked = dist::DecodeDataBody(zstd, dist::CompressBody(first));
  if (!unpacked.ok() || EncodeBody(*unpacked) != first) Fail("compressed body differs");
}

// Mode 1: the fuzzer mutates the plain body of a compressed frame.
void FuzzCompressedFrame(std::string_view input) {
  if (input.size() < dist::kFrameHeaderSize) return;
  std::string message(input.substr(0, dist::kFrameHeaderSize));
  message[3] = static_cast<char>(dist::FrameKind::kDataZstd);
  message += dist::CompressBody(input.substr(dist::kFrameHeaderSize));
  FuzzFrame(message);
}

quokka::Result<std::shared_ptr<quokka::internal::DatasetState>> NoDatasets(
    const std::string& key, const std::vector<std::string>& machines) {
  return Status::NotFound("dataset " + key + " is not on this machine");
}

void FuzzPlan(std::string_view bytes) {
  auto plan = dist::DecodePlan(bytes, NoDatasets);
  if (!plan.ok()) return CheckError(plan.status(), "DecodePlan");
  // Like a worker: one reader or executor per node (a channel's copy of the prototype).
  for (const auto& node : plan->nodes) {
    const quokka::internal::Prototype& prototype = node->prototype;
    if (node->is_reader()) {
      if (!prototype.make_reader) Fail("reader node '" + node->name + "' without make_reader");
      if (prototype.make_reader(prototype.value) == nullptr) Fail("make_reader gave nothing");
    } else {
      if (!prototype.make_executor) Fail("node '" + node->name + "' without make_executor");
      if (prototype.make_executor(prototype.value) == nullptr) Fail("make_executor gave nothing");
    }
    for (const auto& source : node->sources) (void)source.partitioner.ToString();
    (void)prototype.value.ToString();
  }
  auto first = dist::EncodePlan(plan->run_id, plan->machines, plan->options, plan->specs());
  if (!first.ok()) Fail("a decoded plan does not encode again: " + first.status().message());
  auto again = dist::DecodePlan(*first, NoDatasets);
  if (!again.ok()) Fail("a re-encoded plan does not decode: " + again.status().message());
  auto second = dist::EncodePlan(again->run_id, again->machines, again->options, again->specs());
  if (!second.ok() || *second != *first) {
    Fail("plan re-encodes differently:\n  " + Hex(*first) + "\n  " +
         (second.ok() ? Hex(*second) : second.status().message()));
  }
}

void FuzzMessage(std::string_view bytes) {
  auto message = dist::DecodeMessage(bytes);
  if (!message.ok()) return CheckError(message.status(), "DecodeMessage");
  auto again = dist::DecodeMessage(dist::EncodeMessage(*message));
  if (!again.ok())
    Fail("a re-encoded control message does not decode: " + again.status().message());
  if (again->kind != message->kind || again->run_id != message->run_id ||
      again->number != message->number || again->text != message->text ||
      again->machine != message->machine) {
    Fail("control message fields differ after a round trip");
  }
}

void FuzzStats(std::string_view bytes) {
  auto stats = dist::DecodeStats(bytes);
  if (!stats.ok()) return CheckError(stats.status(), "DecodeStats");
  (void)stats->ToString(true);  // what the driver prints
  (void)stats->ToString(false);
  for (const quokka::NodeStats& node : stats->nodes) {
    (void)node.objects_in();
    (void)node.objects_out();
  }
  std::string first = dist::EncodeStats(*stats);
  auto again = dist::DecodeStats(first);
  if (!again.ok()) Fail("re-encoded statistics do not decode: " + again.status().message());
  if (dist::EncodeStats(*again) != first) Fail("statistics re-encode differently");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // What quokka::RegisterBuiltinTypes() (src/distributed/init.cc) does, without linking the
  // worker: the readers, executors, partition functions and table types a plan or frame names.
  Status status = quokka::RegisterIoTypes();
  if (status.ok()) status = quokka::RegisterExecutorTypes();
  if (!status.ok()) Fail("cannot register the built-in types: " + status.message());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 8) {
    case 0:
      FuzzFrame(rest);
      break;
    case 1:
      FuzzCompressedFrame(rest);
      break;
    case 2:
      FuzzPlan(rest);
      break;
    case 3:
      FuzzMessage(rest);
      break;
    case 4:
      FuzzStats(rest);
      break;
    default:
      FuzzFrame(rest);
      FuzzPlan(rest);
      FuzzMessage(rest);
      FuzzStats(rest);
      break;
  }
  return 0;
}

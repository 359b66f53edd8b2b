#include "plan_codec.h"

#include "../runtime/dataset_reader.h"
#include "quokka/serialize.h"

namespace quokka::internal {
// The one place outside TaskGraph that makes streams: nodes decoded on a worker.
struct PlanAccess {
  static Stream MakeStream(int node_id) { return Stream(0, node_id); }
};
}  // namespace quokka::internal

namespace quokka::dist {
namespace {

using internal::NodeKind;
using internal::NodeSpec;

constexpr int64_t kPlanVersion = 1;
constexpr int64_t kMaxChannels = 1 << 20;  // link ids hold 20-bit channel numbers

void EncodePartitioner(const Partitioner& p, Encoder& out) {
  out.ArrayHeader(3);
  out.Int(static_cast<int64_t>(p.kind()));
  out.Int(p.fixed_channel());
  if (p.function_object().is_null()) {
    out.Nil();
  } else {
    out.WriteObject(p.function_object());
  }
}

Partitioner DecodePartitioner(Decoder& in) {
  if (in.ArrayHeader() != 3) throw Error(Status::Invalid("partitioner: expected 3 fields"));
  int64_t kind = in.Int();
  int64_t channel = in.Int();
  switch (static_cast<Partitioner::Kind>(kind)) {
    case Partitioner::Kind::kDefault:
      in.Nil();
      return Partitioner::Default();
    case Partitioner::Kind::kBroadcast:
      in.Nil();
      return Partitioner::Broadcast();
    case Partitioner::Kind::kRoundRobin:
      in.Nil();
      return Partitioner::RoundRobin();
    case Partitioner::Kind::kToChannel:
      in.Nil();
      return Partitioner::ToChannel(static_cast<int>(channel));
    case Partitioner::Kind::kCustom: {
      Object function = in.ReadObject();
      const TypeCodec* codec = FindCodec(function.type());
      if (codec == nullptr || !codec->make_partitioner) {
        throw Error(Status::Invalid("partitioner of type " + function.type_name() +
                                    " is not a registered PartitionFunction"));
      }
      return codec->make_partitioner(function);
    }
    default:
      throw Error(Status::Invalid("partitioner of unknown kind " + std::to_string(kind)));
  }
}

void EncodeInts(const std::vector<int>& values, Encoder& out) {
  out.ArrayHeader(static_cast<uint32_t>(values.size()));
  for (int value : values) out.Int(value);
}

std::vector<int> DecodeInts(Decoder& in, int64_t min, int64_t max, const char* what) {
  uint32_t size = in.ArrayHeader();
  if (size > kMaxChannels) throw Error(Status::Invalid(std::string(what) + ": too many entries"));
  std::vector<int> values;
  values.reserve(size);
  for (uint32_t i = 0; i < size; ++i) {
    int64_t value = in.Int();
    if (value < min || value > max) {
      throw Error(Status::Invalid(std::string(what) + ": value " + std::to_string(value) +
                                  " out of range"));
    }
    values.push_back(static_cast<int>(value));
  }
  return values;
}

void EncodeNode(const NodeSpec& node, Encoder& out) {
  out.ArrayHeader(9);
  out.Int(node.id);
  out.String(node.name);
  out.Int(static_cast<int64_t>(node.kind));
  if (node.kind == NodeKind::kDatasetReader) {
    out.Nil();
    out.ArrayHeader(2);
    out.String(node.input_dataset->remote_key);
    out.ArrayHeader(static_cast<uint32_t>(node.input_dataset->machines.size()));
    for (const std::string& machine : node.input_dataset->machines) out.String(machine);
  } else {
    out.WriteObject(node.prototype.value);
    out.Nil();
  }
  out.Bool(node.output != nullptr);
  out.ArrayHeader(static_cast<uint32_t>(node.sources.size()));
  for (const internal::SourceSpec& source : node.sources) {
    out.ArrayHeader(3);
    out.Int(source.stream_id);
    out.Int(source.stream.node_id());
    EncodePartitioner(source.partitioner, out);
  }
  EncodeInts(node.channel_machine, out);
  EncodeInts(node.dependencies, out);
  EncodeInts(node.consumers, out);
}

}  // namespace

std::vector<const NodeSpec*> DecodedPlan::specs() const {
  std::vector<const NodeSpec*> out;
  for (const auto& node : nodes) out.push_back(node.get());
  return out;
}

std::string DatasetKey(uint64_t run_id, int node_id) {
  return std::to_string(run_id) + "/" + std::to_string(node_id);
}

Result<std::string> EncodePlan(uint64_t run_id, const std::vector<Machine>& machines,
                               const RunOptions& options,
                               const std::vector<const NodeSpec*>& nodes) {
  Encoder out;
  out.ArrayHeader(6);
  out.Int(kPlanVersion);
  out.Int(static_cast<int64_t>(run_id));
  out.ArrayHeader(static_cast<uint32_t>(machines.size()));
  for (const Machine& machine : machines) {
    out.ArrayHeader(4);
    out.String(machine.name);
    out.Int(machine.cores);
    out.String(machine.address);
    out.Int(machine.data_port);
  }
  out.ArrayHeader(3);
  out.Int(options.threads);
  out.Int(static_cast<int64_t>(options.memory_budget_bytes));
  out.Int(static_cast<int64_t>(options.compression));
  out.ArrayHeader(static_cast<uint32_t>(nodes.size()));
  for (const NodeSpec* node : nodes) {
    if (node->num_channels() >= kMaxChannels || node->id >= 65536 ||
        (!node->sources.empty() && node->sources.back().stream_id > 255)) {
      return Status::Invalid("node '" + node->name +
                             "' is too large for a distributed run (at most 65536 nodes, "
                             "1048575 channels and stream ids up to 255)");
    }
    try {
      EncodeNode(*node, out);
    } catch (const Error& error) {
      return error.status().WithContext("shipping node '" + node->name + "'");
    }
  }
  out.Nil();  // reserved
  return std::string(out.bytes());
}

Result<DecodedPlan> DecodePlan(std::string_view bytes, const DatasetLookup& lookup_dataset) {
  DecodedPlan plan;
  try {
    Decoder in(bytes);
    if (in.ArrayHeader() != 6) throw Error(Status::Invalid("expected 6 fields"));
    if (in.Int() != kPlanVersion) {
      throw Error(
          Status::Invalid("plan version differs: driver and worker must be the same build"));
    }
    plan.run_id = static_cast<uint64_t>(in.Int());
    uint32_t machines = in.ArrayHeader();
    if (machines == 0 || machines > 4096) throw Error(Status::Invalid("bad machine count"));
    for (uint32_t m = 0; m < machines; ++m) {
      if (in.ArrayHeader() != 4) throw Error(Status::Invalid("machine: expected 4 fields"));
      Machine machine;
      machine.name = in.String();
      machine.cores = static_cast<int>(in.Int());
      machine.address = in.String();
      machine.data_port = static_cast<int>(in.Int());
      if (machine.cores < 1) throw Error(Status::Invalid("machine without cores"));
      plan.machines.push_back(std::move(machine));
    }
    if (in.ArrayHeader() != 3) throw Error(Status::Invalid("options: expected 3 fields"));
    plan.options.threads = static_cast<int>(in.Int());
    plan.options.memory_budget_bytes = static_cast<uint64_t>(in.Int());
    int64_t compression = in.Int();
    if (compression < 0 || compression > static_cast<int64_t>(Compression::kZstd)) {
      throw Error(Status::Invalid("unknown compression"));
    }
    plan.options.compression = static_cast<Compression>(compression);
    plan.options.progress = Progress::kOff;
    if (plan.options.threads < 0 || plan.options.memory_budget_bytes == 0) {
      throw Error(Status::Invalid("bad run options"));
    }
    uint32_t count = in.ArrayHeader();
    if (count > 65536) throw Error(Status::Invalid("too many nodes"));
    for (uint32_t n = 0; n < count; ++n) {
      auto node = std::make_unique<NodeSpec>();
      if (in.ArrayHeader() != 9) throw Error(Status::Invalid("node: expected 9 fields"));
      node->id = static_cast<int>(in.Int());
      if (node->id != static_cast<int>(n)) throw Error(Status::Invalid("node ids out of order"));
      node->name = in.String();
      int64_t kind = in.Int();
      if (kind < 0 || kind > static_cast<int64_t>(NodeKind::kBlocking)) {
        throw Error(Status::Invalid("node '" + node->name + "' of unknown kind"));
      }
      node->kind = static_cast<NodeKind>(kind);
      if (node->kind == NodeKind::kDatasetReader) {
        in.Nil();
        if (in.ArrayHeader() != 2) throw Error(Status::Invalid("dataset: expected 2 fields"));
        std::string key = in.String();
        std::vector<std::string> holders(in.ArrayHeader());
        for (std::string& holder : holders) holder = in.String();
        Result<std::shared_ptr<internal::DatasetState>> dataset = lookup_dataset(key, holders);
        if (!dataset.ok()) throw Error(dataset.status());
        node->input_dataset = *dataset;
        node->prototype = internal::ReaderPrototype(internal::DatasetReader(*dataset));
      } else {
        node->prototype.value = in.ReadObject();
        in.Nil();
        const TypeCodec* codec = FindCodec(node->prototype.value.type());
        bool reader = node->kind == NodeKind::kReader;
        if (codec == nullptr || (reader ? !codec->make_reader : !codec->make_executor)) {
          throw Error(Status::Invalid("node '" + node->name + "': type " +
                                      node->prototype.value.type_name() + " is not a registered " +
                                      (reader ? "reader" : "executor")));
        }
        node->prototype.make_reader = codec->make_reader;
        node->prototype.make_executor = codec->make_executor;
      }
      if (in.Bool()) {
        node->output = std::make_shared<internal::DatasetState>();
        node->output->node_name = node->name;
        node->output->node_id = node->id;
      }
      uint32_t sources = in.ArrayHeader();
      if (sources > 256) throw Error(Status::Invalid("too many sources"));
      for (uint32_t s = 0; s < sources; ++s) {
        if (in.ArrayHeader() != 3) throw Error(Status::Invalid("source: expected 3 fields"));
        internal::SourceSpec source;
        int64_t stream_id = in.Int();
        int64_t producer = in.Int();
        if (stream_id < 0 || stream_id > 255 || producer < 0 || producer >= node->id) {
          throw Error(Status::Invalid("node '" + node->name + "': bad source"));
        }
        source.stream_id = static_cast<int>(stream_id);
        source.stream = internal::PlanAccess::MakeStream(static_cast<int>(producer));
        source.partitioner = DecodePartitioner(in);
        node->sources.push_back(std::move(source));
      }
      node->channel_machine = DecodeInts(in, 0, machines - 1, "channel placement");
      if (node->channel_machine.empty()) throw Error(Status::Invalid("node without channels"));
      for (const internal::SourceSpec& source : node->sources) {
        const Partitioner& p = source.partitioner;
        if (p.kind() == Partitioner::Kind::kToChannel &&
            (p.fixed_channel() < 0 || p.fixed_channel() >= node->num_channels())) {
          throw Error(Status::Invalid("node '" + node->name + "': partitioned to channel " +
                                      std::to_string(p.fixed_channel()) + " of " +
                                      std::to_string(node->num_channels())));
        }
      }
      node->dependencies = DecodeInts(in, 0, static_cast<int64_t>(n) - 1, "dependencies");
      node->consumers = DecodeInts(in, 0, count - 1, "consumers");
      if (node->kind == NodeKind::kDatasetReader && node->input_dataset &&
          node->input_dataset->partitions.size() != node->channel_machine.size()) {
        throw Error(Status::Invalid("node '" + node->name + "': dataset placement differs"));
      }
      plan.nodes.push_back(std::move(node));
    }
    in.Nil();
    if (!in.AtEnd()) throw Error(Status::Invalid("trailing bytes"));
  } catch (const Error& error) {
    return error.status().WithContext("decoding the plan");
  } catch (const std::exception& error) {
    return Status::Invalid(std::string("decoding the plan: ") + error.what());
  }
  return plan;
}

}  // namespace quokka::dist

#include "control.h"

#include "quokka/serialize.h"

namespace quokka::dist {

std::string WorkersKey() { return "quokka:workers"; }
std::string WorkerKey(const std::string& name) { return "quokka:worker:" + name; }
std::string AliveKey(const std::string& name) { return "quokka:alive:" + name; }
std::string InboxKey(const std::string& name) { return "quokka:inbox:" + name; }
std::string PlanKey(uint64_t run_id) { return "quokka:run:" + std::to_string(run_id) + ":plan"; }
std::string DriverKey(uint64_t run_id) {
  return "quokka:run:" + std::to_string(run_id) + ":driver";
}
std::string NextRunKey() { return "quokka:next_run"; }

std::string EncodeMessage(const ControlMessage& message) {
  Encoder out;
  out.ArrayHeader(5);
  out.String(message.kind);
  out.Int(static_cast<int64_t>(message.run_id));
  out.Int(message.number);
  out.Binary(message.text);
  out.String(message.machine);
  return std::string(out.bytes());
}

Result<ControlMessage> DecodeMessage(std::string_view bytes) {
  try {
    Decoder in(bytes);
    if (in.ArrayHeader() != 5) return Status::Invalid("control message: expected 5 fields");
    ControlMessage message;
    message.kind = in.String();
    message.run_id = static_cast<uint64_t>(in.Int());
    message.number = in.Int();
    message.text = in.Binary();
    message.machine = in.String();
    return message;
  } catch (const std::exception& error) {
    return Status::Invalid(std::string("malformed control message: ") + error.what());
  }
}

std::string EncodeStats(const RunStats& stats) {
  Encoder out;
  out.ArrayHeader(5);
  out.Double(stats.wall_seconds);
  out.Int(static_cast<int64_t>(stats.memory_budget_bytes));
  out.Int(static_cast<int64_t>(stats.peak_queued_bytes));
  out.Int(stats.threads);
  out.ArrayHeader(static_cast<uint32_t>(stats.nodes.size()));
  for (const NodeStats& node : stats.nodes) {
    out.ArrayHeader(3);
    out.String(node.name);
    out.String(node.kind);
    out.ArrayHeader(static_cast<uint32_t>(node.channels.size()));
    for (const ChannelStats& c : node.channels) {
      out.ArrayHeader(11);
      out.Int(c.channel);
      out.String(c.machine);
      out.Int(static_cast<int64_t>(c.objects_in));
      out.Int(static_cast<int64_t>(c.batches_in));
      out.Int(static_cast<int64_t>(c.objects_out));
      out.Int(static_cast<int64_t>(c.bytes_out));
      out.Double(c.execute_seconds);
      out.Double(c.done_seconds);
      out.Int(static_cast<int64_t>(c.max_queue_depth));
      out.Int(static_cast<int64_t>(c.backpressure_stalls));
      out.Bool(c.finished_early);
    }
  }
  return std::string(out.bytes());
}

Result<RunStats> DecodeStats(std::string_view bytes) {
  try {
    Decoder in(bytes);
    RunStats stats;
    if (in.ArrayHeader() != 5) return Status::Invalid("statistics: expected 5 fields");
    stats.wall_seconds = in.Double();
    stats.memory_budget_bytes = static_cast<uint64_t>(in.Int());
    stats.peak_queued_bytes = static_cast<uint64_t>(in.Int());
    stats.threads = static_cast<int>(in.Int());
    uint32_t nodes = in.ArrayHeader();
    for (uint32_t n = 0; n < nodes; ++n) {
      if (in.ArrayHeader() != 3) return Status::Invalid("statistics: bad node");
      NodeStats node;
      node.name = in.String();
      node.kind = in.String();
      uint32_t channels = in.ArrayHeader();
      for (uint32_t i = 0; i < channels; ++i) {
        if (in.ArrayHeader() != 11) return Status::Invalid("statistics: bad channel");
        ChannelStats c;
        c.channel = static_cast<int>(in.Int());
        c.machine = in.String();
        c.objects_in = static_cast<uint64_t>(in.Int());
        c.batches_in = static_cast<uint64_t>(in.Int());
        c.objects_out = static_cast<uint64_t>(in.Int());
        c.bytes_out = static_cast<uint64_t>(in.Int());
        c.execute_seconds = in.Double();
        c.done_seconds = in.Double();
        c.max_queue_depth = static_cast<uint64_t>(in.Int());
        c.backpressure_stalls = static_cast<uint64_t>(in.Int());
        c.finished_early = in.Bool();
        node.channels.push_back(std::move(c));
      }
      stats.nodes.push_back(std::move(node));
    }
    return stats;
  } catch (const std::exception& error) {
    return Status::Invalid(std::string("malformed statistics: ") + error.what());
  }
}

}  // namespace quokka::dist

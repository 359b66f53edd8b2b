#include "quokka/stats.h"

#include <cstdio>
#include <string>

#include "quokka/status.h"

namespace quokka {

uint64_t NodeStats::objects_in() const {
  uint64_t total = 0;
  for (const ChannelStats& channel : channels) total += channel.objects_in;
  return total;
}

uint64_t NodeStats::objects_out() const {
  uint64_t total = 0;
  for (const ChannelStats& channel : channels) total += channel.objects_out;
  return total;
}

const NodeStats& RunStats::node(const std::string& name) const {
  for (const NodeStats& stats : nodes) {
    if (stats.name == name) return stats;
  }
  throw Error(Status::NotFound("no node named '" + name + "' in the run statistics"));
}

namespace {
void AppendRow(std::string& out, const std::string& name, const std::string& kind,
               const std::string& channel, uint64_t in, uint64_t out_objects, double execute,
               double done, uint64_t depth, uint64_t stalls) {
  char line[256];
  std::snprintf(line, sizeof(line), "%-20s %-12s %7s %12llu %12llu %10.3f %8.3f %9llu %7llu\n",
                name.c_str(), kind.c_str(), channel.c_str(), static_cast<unsigned long long>(in),
                static_cast<unsigned long long>(out_objects), execute, done,
                static_cast<unsigned long long>(depth), static_cast<unsigned long long>(stalls));
  out += line;
}
}  // namespace

std::string RunStats::ToString(bool per_channel) const {
  char header[256];
  std::snprintf(header, sizeof(header),
                "run: %.3f s on %d threads, peak queued %llu of %llu bytes budget\n", wall_seconds,
                threads, static_cast<unsigned long long>(peak_queued_bytes),
                static_cast<unsigned long long>(memory_budget_bytes));
  std::string out = header;
  std::snprintf(header, sizeof(header), "%-20s %-12s %7s %12s %12s %10s %8s %9s %7s\n", "node",
                "kind", "channel", "objects in", "objects out", "execute s", "done s", "max queue",
                "stalls");
  out += header;
  for (const NodeStats& node : nodes) {
    double execute = 0, done = 0;
    uint64_t depth = 0, stalls = 0;
    for (const ChannelStats& channel : node.channels) {
      execute += channel.execute_seconds;
      done += channel.done_seconds;
      depth = std::max(depth, channel.max_queue_depth);
      stalls += channel.backpressure_stalls;
    }
    AppendRow(out, node.name, node.kind, "x" + std::to_string(node.channels.size()),
              node.objects_in(), node.objects_out(), execute, done, depth, stalls);
    if (!per_channel) continue;
    for (const ChannelStats& channel : node.channels) {
      AppendRow(out, "", channel.machine, std::to_string(channel.channel), channel.objects_in,
                channel.objects_out, channel.execute_seconds, channel.done_seconds,
                channel.max_queue_depth, channel.backpressure_stalls);
    }
  }
  return out;
}

}  // namespace quokka

#pragma once
// The control plane's layout in Redis and the messages exchanged through it.
//
// Keys (prefix "quokka:"):
//   workers                  set of worker names
//   worker:NAME              hash: address, data_port, cores, memory, pid, started
//   alive:NAME               heartbeat, expires after kHeartbeatTimeout
//   inbox:NAME               list: messages to worker NAME
//   run:ID:plan              the encoded plan of run ID (plan_codec.h)
//   run:ID:driver            list: messages from workers to the driver of run ID
//   next_run                 counter for run ids
// Messages are MessagePack arrays [kind, run id, number, text].

#include <chrono>
#include <cstdint>
#include <string>

#include "quokka/stats.h"
#include "quokka/status.h"

namespace quokka::dist {

constexpr auto kHeartbeatInterval = std::chrono::milliseconds(500);
constexpr auto kHeartbeatTimeout = std::chrono::milliseconds(2000);

std::string WorkersKey();
std::string WorkerKey(const std::string& name);
std::string AliveKey(const std::string& name);
std::string InboxKey(const std::string& name);
std::string PlanKey(uint64_t run_id);
std::string DriverKey(uint64_t run_id);
std::string NextRunKey();

/// Kinds: to workers "prepare", "start", "node_done" (number = node id), "cancel" (text =
/// reason), "drop" (text = dataset key); to the driver "ready", "done" (text = statistics),
/// "error" (text = message). `machine` names the sender or subject.
struct ControlMessage {
  std::string kind;
  uint64_t run_id = 0;
  int64_t number = 0;
  std::string text;
  std::string machine;
};

std::string EncodeMessage(const ControlMessage& message);
Result<ControlMessage> DecodeMessage(std::string_view bytes);

std::string EncodeStats(const RunStats& stats);
Result<RunStats> DecodeStats(std::string_view bytes);

}  // namespace quokka::dist

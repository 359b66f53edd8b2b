#include "progress.h"

#include <cstdio>
#include <string>

namespace quokka::internal {

std::string HumanCount(double value) {
  const char* suffixes[] = {"", "K", "M", "G", "T"};
  int index = 0;
  while (value >= 1000 && index < 4) {
    value /= 1000;
    ++index;
  }
  char text[32];
  std::snprintf(text, sizeof(text), index == 0 ? "%.0f%s" : "%.3g%s", value, suffixes[index]);
  return text;
}

std::string HumanBytes(double bytes) {
  const char* suffixes[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int index = 0;
  while (bytes >= 1024 && index < 4) {
    bytes /= 1024;
    ++index;
  }
  char text[32];
  std::snprintf(text, sizeof(text), index == 0 ? "%.0f %s" : "%.1f %s", bytes, suffixes[index]);
  return text;
}

ProgressLine::ProgressLine(const std::vector<std::unique_ptr<ChannelActor>>& actors)
    : actors_(actors), start_(std::chrono::steady_clock::now()), thread_([this] { Loop(); }) {}

ProgressLine::~ProgressLine() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  Draw();
  std::fputc('\n', stderr);
}

void ProgressLine::Loop() {
  std::unique_lock lock(mutex_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; })) {
    Draw();
  }
}

void ProgressLine::Draw() {
  uint64_t in = 0, out = 0, bytes = 0;
  for (const auto& actor : actors_) {
    in += actor->live_objects_in();
    out += actor->live_objects_out();
    bytes += actor->live_bytes_out();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = seconds > 0 ? static_cast<double>(out) / seconds : 0;
  std::fprintf(stderr, "\r\033[K[quokka] %.1fs  in %s obj  out %s obj (%s)  %s obj/s", seconds,
               HumanCount(static_cast<double>(in)).c_str(),
               HumanCount(static_cast<double>(out)).c_str(),
               HumanBytes(static_cast<double>(bytes)).c_str(), HumanCount(rate).c_str());
  std::fflush(stderr);
}

}  // namespace quokka::internal

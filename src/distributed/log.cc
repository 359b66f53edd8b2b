#include "log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace quokka::dist {
namespace {
std::mutex mutex;
std::string prefix = "quokka";
}  // namespace

void SetLogPrefix(std::string new_prefix) {
  std::lock_guard lock(mutex);
  prefix = std::move(new_prefix);
}

void Log(const std::string& message) {
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", std::localtime(&now));
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "%s %s: %s\n", stamp, prefix.c_str(), message.c_str());
  std::fflush(stderr);
}

}  // namespace quokka::dist

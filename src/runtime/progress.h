#pragma once
// The live progress line a run prints on stderr while it works (only on a terminal).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "channel_actor.h"

namespace quokka::internal {

class ProgressLine {
 public:
  /// \brief Start redrawing every 200 ms. `actors` must outlive this object.
  explicit ProgressLine(const std::vector<std::unique_ptr<ChannelActor>>& actors);
  /// \brief Draw the final state and end the line.
  ~ProgressLine();

 private:
  void Loop();
  void Draw();

  const std::vector<std::unique_ptr<ChannelActor>>& actors_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

/// \brief Format a count as "812", "12.3K", "4.56M", "1.20G".
std::string HumanCount(double value);
/// \brief Format bytes as "512 B", "1.5 KiB", "3.2 MiB", ...
std::string HumanBytes(double bytes);

}  // namespace quokka::internal

// The progress line of long work on a terminal (DESIGN §9): a bar, the count, the elapsed time
// and an estimate of the time left. Callers show it only when the stream is a terminal.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "sim/sweep/sweep.hpp"

namespace faultline::sim::sweep {

class ProgressBar {
 public:
  explicit ProgressBar(std::FILE* out) : out_(out) {}
  /// Redraws at most ten times a second.
  void update(const SweepProgress& p);
  /// Draws the final state and ends the line.
  void finish(const SweepProgress& p);

  /// The line without its leading carriage return, for tests.
  static std::string render(const SweepProgress& p, int width = 30);

 private:
  std::FILE* out_;
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

/// 9.5 s, 4m05s, 1h02m.
std::string format_wall_time(double seconds);

}  // namespace faultline::sim::sweep

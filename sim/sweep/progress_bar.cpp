#include "sim/sweep/progress_bar.hpp"

#include <cmath>

namespace faultline::sim::sweep {

std::string format_wall_time(double seconds) {
  char buf[32];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  } else if (seconds < 3600) {
    const auto s = static_cast<long>(std::lround(seconds));
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    const auto m = static_cast<long>(std::lround(seconds / 60));
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", m / 60, m % 60);
  }
  return buf;
}

std::string ProgressBar::render(const SweepProgress& p, int width) {
  const double frac = p.total ? static_cast<double>(p.done) / static_cast<double>(p.total) : 1.0;
  const int filled = static_cast<int>(std::floor(frac * width));
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(width - filled), '-');
  std::string eta = "--";
  if (p.done_now > 0 && p.done < p.total)
    eta = format_wall_time(p.elapsed_seconds / static_cast<double>(p.done_now) * static_cast<double>(p.total - p.done));
  else if (p.done >= p.total)
    eta = "0 s";
  char buf[200];
  std::snprintf(buf, sizeof buf, "sweep [%s] %zu/%zu runs %3d%%  %s elapsed, ETA %s", bar.c_str(), p.done, p.total,
                static_cast<int>(std::floor(frac * 100)), format_wall_time(p.elapsed_seconds).c_str(), eta.c_str());
  return buf;
}

void ProgressBar::update(const SweepProgress& p) {
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  std::fprintf(out_, "\r%s\033[K", render(p).c_str());
  std::fflush(out_);
}

void ProgressBar::finish(const SweepProgress& p) {
  std::fprintf(out_, "\r%s\033[K\n", render(p).c_str());
  std::fflush(out_);
}

}  // namespace faultline::sim::sweep

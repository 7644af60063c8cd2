#include "models/workload/rate_profile.hpp"

#include <cmath>
#include <stdexcept>

namespace faultline::models {

RateProfile::RateProfile(double rate_per_s) : time_{0.0}, rate_{rate_per_s}, forever_(true) {
  if (!(rate_per_s >= 0) || !std::isfinite(rate_per_s)) throw std::invalid_argument("a rate must be finite and ≥ 0");
}

RateProfile::RateProfile(double start_per_s, std::vector<Stage> stages) : RateProfile(start_per_s) {
  if (stages.empty()) return;
  forever_ = false;
  double t = 0;
  for (const Stage& s : stages) {
    if (!(s.duration_s >= 0) || !(s.target_per_s >= 0) || !std::isfinite(s.duration_s) || !std::isfinite(s.target_per_s))
      throw std::invalid_argument("a stage needs a finite duration ≥ 0 and target ≥ 0");
    t += s.duration_s;
    time_.push_back(t);
    rate_.push_back(s.target_per_s);
  }
}

double RateProfile::rate_at(double t) const {
  if (t < 0) return 0;
  if (forever_) return rate_[0];
  for (size_t i = 0; i + 1 < time_.size(); ++i) {
    if (t < time_[i + 1]) {
      const double span = time_[i + 1] - time_[i];
      return span <= 0 ? rate_[i + 1] : rate_[i] + (rate_[i + 1] - rate_[i]) * (t - time_[i]) / span;
    }
  }
  return 0;
}

double RateProfile::integral(double a, double b) const {
  if (b <= a) return 0;
  if (forever_) return rate_[0] * (b - std::max(a, 0.0)) * (b > 0 ? 1 : 0);
  double total = 0;
  for (size_t i = 0; i + 1 < time_.size(); ++i) {
    const double lo = std::max(a, time_[i]), hi = std::min(b, time_[i + 1]);
    if (hi <= lo) continue;
    total += (rate_at(lo) + rate_at(hi - 0.0)) / 2 * (hi - lo);  // trapezoid is exact for linear pieces
  }
  return total;
}

std::optional<double> RateProfile::advance_general(double from, double amount) const {
  if (!(amount > 0)) throw std::invalid_argument("advance needs an amount > 0");
  from = std::max(from, 0.0);
  if (forever_) {
    if (rate_[0] <= 0) return std::nullopt;
    return from + amount / rate_[0];
  }
  double left = amount;
  for (size_t i = 0; i + 1 < time_.size(); ++i) {
    const double seg_end = time_[i + 1];
    if (seg_end <= from) continue;
    const double x = std::max(from, time_[i]);
    const double span = seg_end - time_[i];
    const double slope = span <= 0 ? 0 : (rate_[i + 1] - rate_[i]) / span;
    const double r0 = rate_at(x);
    const double here = (r0 + (slope == 0 ? r0 : r0 + slope * (seg_end - x))) / 2 * (seg_end - x);
    // A tolerance of 1e-9 arrivals absorbs the rounding of accumulated times, so an arrival due
    // exactly at a segment's end (the last one of a stage) is not lost to it.
    if (here + 1e-9 < left) {
      left -= here;
      continue;
    }
    // Solve r0·u + slope/2·u² = left for u in [0, seg_end − x].
    double u;
    if (std::fabs(slope) < 1e-15) {
      u = left / r0;
    } else {
      const double disc = r0 * r0 + 2 * slope * left;
      u = (std::sqrt(std::max(disc, 0.0)) - r0) / slope;
    }
    return x + std::min(std::max(u, 0.0), seg_end - x);
  }
  return std::nullopt;
}

std::optional<double> RateProfile::end() const {
  if (forever_) return std::nullopt;
  return time_.back();
}

}  // namespace faultline::models

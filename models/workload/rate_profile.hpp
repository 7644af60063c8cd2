// A piecewise-linear arrival rate over time, as k6's ramping-arrival-rate executor defines it:
// a start rate, then stages that ramp linearly to a target over a duration. After the last
// stage the load ends (k6 ends the executor). Pure logic, no engine dependency.
#pragma once

#include <optional>
#include <vector>

namespace faultline::models {

class RateProfile {
 public:
  struct Stage {
    double duration_s;
    double target_per_s;
  };
  /// A constant rate for ever.
  explicit RateProfile(double rate_per_s);
  /// `start_per_s`, then the stages; empty stages means a constant rate for ever.
  RateProfile(double start_per_s, std::vector<Stage> stages);

  /// The rate at time t ≥ 0 (seconds since the profile's start).
  [[nodiscard]] double rate_at(double t) const;
  /// Expected arrivals in [a, b].
  [[nodiscard]] double integral(double a, double b) const;
  /// The time t ≥ from at which the cumulative intensity since `from` reaches `amount` (> 0);
  /// empty if the profile ends first. Arrivals of a non-homogeneous Poisson process follow
  /// with amount ~ Exp(1); evenly spaced arrivals with amount = 1.
  [[nodiscard]] std::optional<double> advance(double from, double amount) const;
  /// When the load ends; empty for ever.
  [[nodiscard]] std::optional<double> end() const;

 private:
  // Breakpoints: rate_[i] at time_[i]; linear in between; after the last, 0 (or constant when
  // the profile has no stages).
  std::vector<double> time_;
  std::vector<double> rate_;
  bool forever_ = false;
};

}  // namespace faultline::models

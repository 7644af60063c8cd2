// A piecewise-linear arrival rate over time, as k6's ramping-arrival-rate executor defines it:
// a start rate, then stages that ramp linearly to a target over a duration. After the last
// stage the load ends (k6 ends the executor). Pure logic, no engine dependency.
#pragma once

#include <algorithm>
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
  [[nodiscard]] std::optional<double> advance(double from, double amount) const {
    double at = 0;
    if (!advance(from, amount, at)) return std::nullopt;
    return at;
  }
  /// The same as a bool: false when the profile ends first, else the time goes to `at`. For
  /// the per-message path: no std::optional to assemble on the stack and read back.
  [[nodiscard]] bool advance(double from, double amount, double& at) const {
    // A constant positive rate (every arrival of the benchmark) inline, with the same
    // arithmetic as advance_general().
    if (forever_ && amount > 0 && rate_[0] > 0) {
      at = std::max(from, 0.0) + amount / rate_[0];
      return true;
    }
    const std::optional<double> next = advance_general(from, amount);
    if (next) at = *next;
    return next.has_value();
  }
  /// When the load ends; empty for ever.
  [[nodiscard]] std::optional<double> end() const;

 private:
  [[nodiscard]] std::optional<double> advance_general(double from, double amount) const;

  // Breakpoints: rate_[i] at time_[i]; linear in between; after the last, 0 (or constant when
  // the profile has no stages).
  std::vector<double> time_;
  std::vector<double> rate_;
  bool forever_ = false;
};

}  // namespace faultline::models

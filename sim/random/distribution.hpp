// Distributions written in the project (DESIGN §3): std:: distributions are not reproducible
// across standard libraries. Values are in the base unit of whatever they describe (seconds
// for durations, messages per second for rates).
#pragma once

#include <string>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/random/random_stream.hpp"

namespace faultline::sim {

class Distribution {
 public:
  enum class Kind { constant, uniform, exponential, normal, lognormal, pareto, empirical, histogram };
  struct Bin {
    double lower;
    double upper;
    double weight;
  };

  Distribution() = default;  // constant 0
  static Distribution constant(double value);
  static Distribution uniform(double lower, double upper);
  static Distribution exponential(double mean);
  static Distribution normal(double mean, double stddev);
  /// Lognormal from the parameters of the underlying normal: exp(N(mu, sigma)).
  static Distribution lognormal(double mu, double sigma);
  /// Lognormal with the given mean and standard deviation of the variable itself.
  static Distribution lognormal_from_moments(double mean, double stddev);
  /// Pareto type I: P(X > x) = (scale / x)^shape for x ≥ scale.
  static Distribution pareto(double scale, double shape);
  /// Piecewise-linear inverse of the empirical CDF of the samples (at least one).
  static Distribution empirical(std::vector<double> samples);
  /// Bins chosen by weight, then uniform inside the bin.
  static Distribution histogram(std::vector<Bin> bins);

  /// One draw. Throws nothing; the parameters were checked at construction.
  double sample(RandomStream& rng) const;
  /// One draw as a duration in seconds, clamped at zero (a normal can go negative).
  Duration sample_duration(RandomStream& rng) const;
  /// The distribution's mean; +infinity for a Pareto with shape ≤ 1.
  [[nodiscard]] double mean() const;
  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] double param(size_t i) const { return p_[i]; }
  [[nodiscard]] const std::vector<double>& samples() const { return samples_; }
  [[nodiscard]] const std::vector<Bin>& bins() const { return bins_; }
  [[nodiscard]] static std::string kind_name(Kind k);

 private:
  Kind kind_ = Kind::constant;
  double p_[2] = {0.0, 0.0};
  std::vector<double> samples_;     // sorted (empirical)
  std::vector<Bin> bins_;           // histogram
  std::vector<double> cumulative_;  // histogram: cumulative normalised weights
};

}  // namespace faultline::sim

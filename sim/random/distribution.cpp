#include "sim/random/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace faultline::sim {

namespace {
void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}
bool finite(double v) { return std::isfinite(v); }
}  // namespace

Distribution Distribution::constant(double value) {
  require(finite(value), "constant: the value must be finite");
  Distribution d;
  d.kind_ = Kind::constant;
  d.p_[0] = value;
  return d;
}

Distribution Distribution::uniform(double lower, double upper) {
  require(finite(lower) && finite(upper) && lower <= upper, "uniform: needs finite min ≤ max");
  Distribution d;
  d.kind_ = Kind::uniform;
  d.p_[0] = lower;
  d.p_[1] = upper;
  return d;
}

Distribution Distribution::exponential(double mean) {
  require(finite(mean) && mean > 0, "exponential: the mean must be > 0");
  Distribution d;
  d.kind_ = Kind::exponential;
  d.p_[0] = mean;
  return d;
}

Distribution Distribution::normal(double mean, double stddev) {
  require(finite(mean) && finite(stddev) && stddev >= 0, "normal: needs a finite mean and stddev ≥ 0");
  Distribution d;
  d.kind_ = Kind::normal;
  d.p_[0] = mean;
  d.p_[1] = stddev;
  return d;
}

Distribution Distribution::lognormal(double mu, double sigma) {
  require(finite(mu) && finite(sigma) && sigma >= 0, "lognormal: needs a finite mu and sigma ≥ 0");
  Distribution d;
  d.kind_ = Kind::lognormal;
  d.p_[0] = mu;
  d.p_[1] = sigma;
  return d;
}

Distribution Distribution::lognormal_from_moments(double mean, double stddev) {
  require(finite(mean) && mean > 0 && finite(stddev) && stddev >= 0, "lognormal: needs mean > 0 and stddev ≥ 0");
  // E = exp(mu + s²/2), Var = (exp(s²) − 1) E²  ⇒  s² = ln(1 + Var/E²), mu = ln E − s²/2.
  const double s2 = std::log1p((stddev * stddev) / (mean * mean));
  return lognormal(std::log(mean) - s2 / 2, std::sqrt(s2));
}

Distribution Distribution::pareto(double scale, double shape) {
  require(finite(scale) && scale > 0 && finite(shape) && shape > 0, "pareto: needs scale > 0 and shape > 0");
  Distribution d;
  d.kind_ = Kind::pareto;
  d.p_[0] = scale;
  d.p_[1] = shape;
  return d;
}

Distribution Distribution::empirical(std::vector<double> samples) {
  require(!samples.empty(), "empirical: needs at least one sample");
  for (double v : samples) require(finite(v), "empirical: every sample must be finite");
  Distribution d;
  d.kind_ = Kind::empirical;
  std::sort(samples.begin(), samples.end());
  d.samples_ = std::move(samples);
  return d;
}

Distribution Distribution::histogram(std::vector<Bin> bins) {
  require(!bins.empty(), "histogram: needs at least one bin");
  double total = 0;
  for (const Bin& b : bins) {
    require(finite(b.lower) && finite(b.upper) && b.lower <= b.upper, "histogram: each bin needs lower ≤ upper");
    require(finite(b.weight) && b.weight >= 0, "histogram: each weight must be ≥ 0");
    total += b.weight;
  }
  require(total > 0, "histogram: the weights must not all be zero");
  Distribution d;
  d.kind_ = Kind::histogram;
  d.bins_ = std::move(bins);
  double acc = 0;
  for (const Bin& b : d.bins_) {
    acc += b.weight / total;
    d.cumulative_.push_back(acc);
  }
  d.cumulative_.back() = 1.0;
  return d;
}

double Distribution::sample(RandomStream& rng) const {
  switch (kind_) {
    case Kind::constant:
      return p_[0];
    case Kind::uniform:
      return p_[0] + (p_[1] - p_[0]) * rng.uniform01();
    case Kind::exponential:
      return rng.exponential(p_[0]);
    case Kind::normal:
    case Kind::lognormal: {
      // Box–Muller with two fresh uniforms per draw, no cached spare: the number of draws
      // per sample stays fixed, which keeps streams easy to reason about.
      const double u1 = 1.0 - rng.uniform01();  // (0, 1]
      const double u2 = rng.uniform01();
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
      const double x = p_[0] + p_[1] * z;
      return kind_ == Kind::normal ? x : std::exp(x);
    }
    case Kind::pareto:
      return p_[0] * std::pow(1.0 - rng.uniform01(), -1.0 / p_[1]);
    case Kind::empirical: {
      if (samples_.size() == 1) return samples_[0];
      const double pos = rng.uniform01() * static_cast<double>(samples_.size() - 1);
      const auto i = static_cast<size_t>(pos);
      const double frac = pos - static_cast<double>(i);
      return samples_[i] + frac * (samples_[i + 1] - samples_[i]);
    }
    case Kind::histogram: {
      const double u = rng.uniform01();
      auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
      if (it == cumulative_.end()) --it;
      const Bin& b = bins_[static_cast<size_t>(it - cumulative_.begin())];
      return b.lower + (b.upper - b.lower) * rng.uniform01();
    }
  }
  return 0.0;
}

Duration Distribution::sample_duration(RandomStream& rng) const {
  return Duration::from_seconds(std::max(0.0, sample(rng)));
}

double Distribution::mean() const {
  switch (kind_) {
    case Kind::constant:
      return p_[0];
    case Kind::uniform:
      return (p_[0] + p_[1]) / 2;
    case Kind::exponential:
      return p_[0];
    case Kind::normal:
      return p_[0];
    case Kind::lognormal:
      return std::exp(p_[0] + p_[1] * p_[1] / 2);
    case Kind::pareto:
      return p_[1] <= 1 ? std::numeric_limits<double>::infinity() : p_[1] * p_[0] / (p_[1] - 1);
    case Kind::empirical: {
      // Mean of the piecewise-linear interpolation: trapezoid rule over order statistics.
      if (samples_.size() == 1) return samples_[0];
      double acc = 0;
      for (size_t i = 0; i + 1 < samples_.size(); ++i) acc += (samples_[i] + samples_[i + 1]) / 2;
      return acc / static_cast<double>(samples_.size() - 1);
    }
    case Kind::histogram: {
      double acc = 0, prev = 0;
      for (size_t i = 0; i < bins_.size(); ++i) {
        acc += (cumulative_[i] - prev) * (bins_[i].lower + bins_[i].upper) / 2;
        prev = cumulative_[i];
      }
      return acc;
    }
  }
  return 0.0;
}

std::string Distribution::kind_name(Kind k) {
  switch (k) {
    case Kind::constant: return "constant";
    case Kind::uniform: return "uniform";
    case Kind::exponential: return "exponential";
    case Kind::normal: return "normal";
    case Kind::lognormal: return "lognormal";
    case Kind::pareto: return "pareto";
    case Kind::empirical: return "empirical";
    case Kind::histogram: return "histogram";
  }
  return "?";
}

}  // namespace faultline::sim

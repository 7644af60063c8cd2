#include "sim/sweep/student_t.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace faultline::sim::sweep {

double student_t_central_probability(double t, uint64_t df) {
  if (df == 0) throw std::invalid_argument("student_t: df must be ≥ 1");
  if (!(t > 0)) return 0.0;
  const double nu = static_cast<double>(df);
  const double theta = std::atan(t / std::sqrt(nu));
  const double c2 = std::cos(theta) * std::cos(theta);
  const double s = std::sin(theta);
  if (df % 2 == 1) {
    // A = 2/π [θ + sin θ (cos θ + 2/3 cos³θ + … + (2·4⋯(ν−3))/(1·3⋯(ν−2)) cos^(ν−2)θ)]
    double sum = 0;
    if (df > 1) {
      double term = std::cos(theta);
      sum = term;
      for (uint64_t k = 3; k + 2 <= df; k += 2) {
        term *= c2 * static_cast<double>(k - 1) / static_cast<double>(k);
        sum += term;
      }
    }
    return 2.0 / std::numbers::pi * (theta + s * sum);
  }
  // A = sin θ [1 + 1/2 cos²θ + (1·3)/(2·4) cos⁴θ + … + (1·3⋯(ν−3))/(2·4⋯(ν−2)) cos^(ν−2)θ]
  double term = 1.0, sum = 1.0;
  for (uint64_t k = 2; k + 2 <= df; k += 2) {
    term *= c2 * static_cast<double>(k - 1) / static_cast<double>(k);
    sum += term;
  }
  return s * sum;
}

double student_t_critical(double confidence, uint64_t df) {
  if (!(confidence > 0 && confidence < 1)) throw std::invalid_argument("student_t: confidence must be in (0, 1)");
  double lo = 0, hi = 1;
  while (student_t_central_probability(hi, df) < confidence) {
    hi *= 2;
    if (hi > 1e12) return hi;  // confidence too close to 1 for df = 1
  }
  for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (student_t_central_probability(mid, df) < confidence ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace faultline::sim::sweep

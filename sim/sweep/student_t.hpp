// Student's t distribution for confidence intervals across seeds: the runs of one setting are
// independent draws, so the interval of the mean is mean ± t(1-α/2, n-1) · s / √n.
#pragma once

#include <cstdint>

namespace faultline::sim::sweep {

/// P(|T| ≤ t) for T with `df` ≥ 1 degrees of freedom, t ≥ 0 (Abramowitz & Stegun 26.7.3/4:
/// finite sums for integer df, so no special functions are needed).
double student_t_central_probability(double t, uint64_t df);

/// The two-sided critical value: the t with P(|T| ≤ t) = confidence, 0 < confidence < 1.
double student_t_critical(double confidence, uint64_t df);

}  // namespace faultline::sim::sweep

// Random streams and distributions (DESIGN §3). The derivation is pinned bit for bit, so that a
// change to the hashing (which would change every run's draws and every pinned fingerprint) is
// caught here first, with a clear name. Distribution tests compare sample moments with their
// analytic values over a fixed seed; each tolerance is 5 standard errors of the estimate, so a
// correct implementation fails with probability < 1e-6 per check, and a fixed seed makes the
// outcome reproducible anyway.
#include "sim/random/random_stream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "sim/random/distribution.hpp"

namespace faultline::sim {
namespace {

// ---- Stream derivation: pinned values. The expected numbers come from an independent Python
// transcription of the documented algorithm (FNV-1a 64 → splitmix64 finaliser; chained mixing of
// seed, path hash and purpose hash; xoshiro256** seeded through splitmix64), not from this code.

TEST(RandomStream, StableHashIsFnv1aThenSplitmix) {
  // FNV-1a 64 of "a" is the published test vector 0xaf63dc4c8601ec8c; stable_hash mixes it.
  EXPECT_EQ(stable_hash("a"), mix64(0xaf63dc4c8601ec8cULL));
  EXPECT_EQ(stable_hash("a"), 0x02c0bdbf481420f8ULL);
  // The empty string hashes the FNV offset basis 0xcbf29ce484222325.
  EXPECT_EQ(stable_hash(""), 0xf52a15e9a9b5e89bULL);
  EXPECT_EQ(stable_hash("consumer/consumer-0"), 0x061e3c28c5e4985cULL);
}

TEST(RandomStream, DerivedSeedsAndFirstDrawsArePinned) {
  EXPECT_EQ(derive_stream_seed(42, "consumer/consumer-0", "processing"), 0x314acadeddf43de8ULL);
  RandomStream s = RandomStream::derive(42, "consumer/consumer-0", "processing");
  EXPECT_EQ(s.next_u64(), 0x0e97319f7390c973ULL);
  EXPECT_EQ(s.next_u64(), 0xf623cf96a1ffcf35ULL);
  EXPECT_EQ(s.next_u64(), 0x680e04849bf4f24aULL);

  EXPECT_EQ(derive_stream_seed(7, "producer/producer-0", "arrivals"), 0x02f8fdc7ab50e4d9ULL);
  RandomStream p = RandomStream::derive(7, "producer/producer-0", "arrivals");
  EXPECT_EQ(p.next_u64(), 0x8305e82d175e70a8ULL);
  EXPECT_EQ(p.next_u64(), 0x1e5c02503a47cbd7ULL);
  EXPECT_EQ(p.next_u64(), 0xbb9f4b6f492adbe3ULL);
}

TEST(RandomStream, RawGeneratorIsTheBenchmarksXoshiro) {
  // RandomStream(seed) is xoshiro256** with its state filled by splitmix64(seed), exactly as
  // ../shared/bench/rng.hpp seeds the floor; these are that generator's first draws for seed 42.
  RandomStream s(42);
  EXPECT_EQ(s.next_u64(), 0x15780b2e0c2ec716ULL);
  EXPECT_EQ(s.next_u64(), 0x6104d9866d113a7eULL);
  EXPECT_EQ(s.next_u64(), 0xae17533239e499a1ULL);
  // uniform01 keeps the top 53 bits: (x >> 11) · 2^-53.
  RandomStream t(42);
  EXPECT_EQ(t.uniform01(), static_cast<double>(0x15780b2e0c2ec716ULL >> 11) * 0x1.0p-53);
}

TEST(RandomStream, PurposesPathsAndSeedsGiveDifferentStreams) {
  const uint64_t base = derive_stream_seed(1, "consumer/consumer-0", "processing");
  EXPECT_NE(base, derive_stream_seed(1, "consumer/consumer-0", "arrivals"));
  EXPECT_NE(base, derive_stream_seed(1, "consumer/consumer-1", "processing"));
  EXPECT_NE(base, derive_stream_seed(2, "consumer/consumer-0", "processing"));
  // Chained, not XOR: swapping path and purpose gives another stream.
  EXPECT_NE(derive_stream_seed(1, "a", "b"), derive_stream_seed(1, "b", "a"));
  // Concatenation ambiguity: ("ab", "c") and ("a", "bc") differ.
  EXPECT_NE(derive_stream_seed(1, "ab", "c"), derive_stream_seed(1, "a", "bc"));
}

double correlation(RandomStream a, RandomStream b, int n) {
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (int i = 0; i < n; ++i) {
    const double x = a.uniform01(), y = b.uniform01();
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  const double cov = sxy / n - (sx / n) * (sy / n);
  return cov / std::sqrt((sxx / n - (sx / n) * (sx / n)) * (syy / n - (sy / n) * (sy / n)));
}

TEST(RandomStream, StreamsOfOneComponentAreUncorrelated) {
  // For independent uniforms the sample correlation has standard error 1/sqrt(n):
  // n = 100000 → 0.00316; 5 standard errors → 0.0158.
  const int n = 100'000;
  EXPECT_LT(std::abs(correlation(RandomStream::derive(3, "c/c-0", "processing"),
                                 RandomStream::derive(3, "c/c-0", "arrivals"), n)),
            0.0158);
  EXPECT_LT(std::abs(correlation(RandomStream::derive(3, "c/c-0", "processing"),
                                 RandomStream::derive(3, "c/c-1", "processing"), n)),
            0.0158);
  // Seeds 3 and 4 (adjacent integers) must not give related streams either.
  EXPECT_LT(std::abs(correlation(RandomStream::derive(3, "c/c-0", "processing"),
                                 RandomStream::derive(4, "c/c-0", "processing"), n)),
            0.0158);
}

TEST(RandomStream, SameDerivationSameSequence) {
  RandomStream a = RandomStream::derive(9, "x", "y"), b = RandomStream::derive(9, "x", "y");
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next_u64(), b.next_u64());
}

TEST(RandomStream, UniformBelowStaysInBounds) {
  RandomStream rng(5);
  EXPECT_EQ(rng.uniform_below(0), 0u);  // degenerate sizes give 0 without drawing
  EXPECT_EQ(rng.uniform_below(1), 0u);
  for (const uint64_t n : {uint64_t{2}, uint64_t{3}, uint64_t{7}, uint64_t{1000}, (uint64_t{1} << 63) + 1,
                           std::numeric_limits<uint64_t>::max()}) {
    for (int i = 0; i < 20'000; ++i) ASSERT_LT(rng.uniform_below(n), n) << "n = " << n;
  }
}

TEST(RandomStream, UniformBelowIsUniform) {
  // 70000 draws over 7 values: 10000 expected each. Pearson's chi-square has 6 degrees of
  // freedom; its 0.999 quantile is 22.46.
  RandomStream rng(11);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70'000; ++i) ++counts[rng.uniform_below(7)];
  double chi2 = 0;
  for (int c : counts) chi2 += (c - 10'000.0) * (c - 10'000.0) / 10'000.0;
  EXPECT_LT(chi2, 22.46);
  // Every value reachable, including the top one (an off-by-one would miss it).
  EXPECT_GT(*std::min_element(counts.begin(), counts.end()), 0);
}

TEST(RandomStream, BernoulliFrequency) {
  // p = 0.3 over 100000 trials: standard error sqrt(0.3·0.7/1e5) = 0.00145; 5 se = 0.0072.
  RandomStream rng(13);
  int hits = 0;
  for (int i = 0; i < 100'000; ++i) hits += rng.bernoulli(0.3) ? 1 : 0;
  EXPECT_NEAR(hits / 1e5, 0.3, 0.0072);
}

// ---- Distributions.

struct Moments {
  double mean = 0, var = 0, min = 0, max = 0;
};

Moments sample(const Distribution& d, int n, uint64_t seed) {
  RandomStream rng(seed);
  std::vector<double> xs(static_cast<size_t>(n));
  for (auto& x : xs) x = d.sample(rng);
  Moments m;
  for (double x : xs) m.mean += x;
  m.mean /= n;
  for (double x : xs) m.var += (x - m.mean) * (x - m.mean);
  m.var /= (n - 1);
  m.min = *std::min_element(xs.begin(), xs.end());
  m.max = *std::max_element(xs.begin(), xs.end());
  return m;
}

constexpr int kN = 200'000;

TEST(Distribution, Constant) {
  const Distribution d = Distribution::constant(2.5);
  const Moments m = sample(d, 1000, 1);
  EXPECT_EQ(m.min, 2.5);
  EXPECT_EQ(m.max, 2.5);
  EXPECT_EQ(d.mean(), 2.5);
  RandomStream rng(1);
  EXPECT_EQ(Distribution().sample(rng), 0.0);  // default: constant 0
}

TEST(Distribution, Uniform) {
  // U(1, 3): mean 2, variance (3−1)²/12 = 1/3.
  // se(mean) = sqrt((1/3)/2e5) = 0.00129 → tolerance 0.0065.
  // se(var) = sqrt((μ4 − σ⁴)/n) with μ4 = (b−a)⁴/80 = 0.2, σ⁴ = 1/9: sqrt(0.0889/2e5) = 0.00067 → 0.0034.
  const Distribution d = Distribution::uniform(1, 3);
  const Moments m = sample(d, kN, 21);
  EXPECT_NEAR(m.mean, 2.0, 0.0065);
  EXPECT_NEAR(m.var, 1.0 / 3.0, 0.0034);
  EXPECT_GE(m.min, 1.0);
  EXPECT_LT(m.max, 3.0);
  EXPECT_EQ(d.mean(), 2.0);
}

TEST(Distribution, Exponential) {
  // Exp(mean 3.5 ms): mean 0.0035, variance mean² = 1.225e-5.
  // se(mean) = 0.0035/sqrt(2e5) = 7.83e-6 → tolerance 3.9e-5 (1.1 %).
  // se(var) = sqrt((μ4 − σ⁴)/n) = sqrt(8/n)·mean² (μ4 = 9·mean⁴) = 7.75e-8 → tolerance 3.9e-7.
  const Distribution d = Distribution::exponential(0.0035);
  const Moments m = sample(d, kN, 22);
  EXPECT_NEAR(m.mean, 0.0035, 3.9e-5);
  EXPECT_NEAR(m.var, 1.225e-5, 3.9e-7);
  EXPECT_GE(m.min, 0.0);
  EXPECT_EQ(d.mean(), 0.0035);
  // The stream's own exponential is the same inverse CDF: −mean·ln(1 − U).
  RandomStream a(1), b(1);
  EXPECT_EQ(a.exponential(2.0), -2.0 * std::log(1.0 - b.uniform01()));
}

TEST(Distribution, Normal) {
  // N(10, 2²): se(mean) = 2/sqrt(2e5) = 0.00447 → 0.0224; se(var) = sqrt(2/n)·σ² = 0.01265 → 0.063.
  const Distribution d = Distribution::normal(10, 2);
  const Moments m = sample(d, kN, 23);
  EXPECT_NEAR(m.mean, 10.0, 0.0224);
  EXPECT_NEAR(m.var, 4.0, 0.063);
  EXPECT_EQ(d.mean(), 10.0);
}

TEST(Distribution, NormalTailMass) {
  // P(|Z| > 1.96) = 0.05 for a standard normal: a Box–Muller slip would bend the tails.
  // se = sqrt(0.05·0.95/2e5) = 0.00049 → 5 se = 0.0025.
  const Distribution d = Distribution::normal(0, 1);
  RandomStream rng(29);
  int out = 0;
  for (int i = 0; i < kN; ++i) out += std::abs(d.sample(rng)) > 1.959964 ? 1 : 0;
  EXPECT_NEAR(static_cast<double>(out) / kN, 0.05, 0.0025);
}

TEST(Distribution, Lognormal) {
  // exp(N(0, 0.5²)): mean e^(σ²/2) = e^0.125 = 1.133148; variance (e^σ² − 1)·e^σ² = 0.284025·1.284025 = 0.364696.
  // se(mean) = sqrt(0.3647/2e5) = 0.00135 → 0.00675. Excess kurtosis e^(4σ²) + 2e^(3σ²) + 3e^(2σ²) − 6 = 5.898,
  // so se(var) = σ²_X·sqrt((5.898 + 2)/n) = 0.3647·0.00628 = 0.00229 → 0.0115.
  const Distribution d = Distribution::lognormal(0, 0.5);
  const Moments m = sample(d, kN, 24);
  EXPECT_NEAR(m.mean, std::exp(0.125), 0.00675);
  EXPECT_NEAR(m.var, (std::exp(0.25) - 1) * std::exp(0.25), 0.0115);
  EXPECT_GT(m.min, 0.0);
  EXPECT_DOUBLE_EQ(d.mean(), std::exp(0.125));
}

TEST(Distribution, LognormalFromMoments) {
  // Given mean 10 ms and sd 5 ms, the variable itself has those moments.
  // se(mean) = 0.005/sqrt(2e5) = 1.12e-5 → 5.6e-5.
  const Distribution d = Distribution::lognormal_from_moments(0.010, 0.005);
  const Moments m = sample(d, kN, 25);
  EXPECT_NEAR(m.mean, 0.010, 5.6e-5);
  EXPECT_NEAR(d.mean(), 0.010, 1e-15);
  // sd: log-scale s² = ln(1 + 0.5²) = 0.2231, excess kurtosis e^(4s²) + 2e^(3s²) + 3e^(2s²) − 6 = 5.035,
  // se(var) = 2.5e-5·sqrt(7.035/2e5) = 1.48e-7, se(sd) = se(var)/(2·sd) = 1.48e-5 → 7.4e-5.
  EXPECT_NEAR(std::sqrt(m.var), 0.005, 7.4e-5);
}

TEST(Distribution, Pareto) {
  // Pareto(scale 1, shape 5): mean shape·scale/(shape−1) = 1.25; variance
  // scale²·shape/((shape−1)²(shape−2)) = 5/48 = 0.10417; se(mean) = sqrt(0.10417/2e5) = 7.2e-4 → 0.0036.
  // Tail: P(X > 2) = (1/2)^5 = 0.03125, se = sqrt(0.03125·0.96875/2e5) = 3.9e-4 → 0.00195.
  const Distribution d = Distribution::pareto(1, 5);
  RandomStream rng(26);
  double sum = 0, lo = 1e300;
  int over2 = 0;
  for (int i = 0; i < kN; ++i) {
    const double x = d.sample(rng);
    sum += x;
    lo = std::min(lo, x);
    over2 += x > 2 ? 1 : 0;
  }
  EXPECT_NEAR(sum / kN, 1.25, 0.0036);
  EXPECT_NEAR(static_cast<double>(over2) / kN, 0.03125, 0.00195);
  EXPECT_GE(lo, 1.0);  // support starts at the scale
  EXPECT_DOUBLE_EQ(d.mean(), 1.25);
  EXPECT_TRUE(std::isinf(Distribution::pareto(1, 1).mean()));  // shape ≤ 1: no finite mean
}

TEST(Distribution, EmpiricalInterpolatesTheSamples) {
  // Samples 1, 2, 3, 4 (given unsorted): the piecewise-linear inverse CDF through equally spaced
  // order statistics is U(1, 4): mean 2.5, variance 9/12 = 0.75.
  // se(mean) = sqrt(0.75/2e5) = 0.00194 → 0.0097.
  const Distribution d = Distribution::empirical({4, 1, 3, 2});
  const Moments m = sample(d, kN, 27);
  EXPECT_NEAR(m.mean, 2.5, 0.0097);
  EXPECT_NEAR(m.var, 0.75, 0.0075);  // se(var) = sqrt((81/80 − 0.5625)/2e5) = 0.0015 → 0.0075
  EXPECT_GE(m.min, 1.0);
  EXPECT_LE(m.max, 4.0);
  // The analytic mean is the trapezoid rule over the order statistics: (1.5 + 2.5 + 3.5)/3.
  EXPECT_DOUBLE_EQ(d.mean(), 2.5);
  // Unequal gaps: samples 0, 0, 10 → the mean of the interpolation is (0 + 5)/2 = 2.5.
  EXPECT_DOUBLE_EQ(Distribution::empirical({0, 0, 10}).mean(), 2.5);
  // One sample: always that value.
  const Distribution one = Distribution::empirical({7});
  RandomStream rng(1);
  EXPECT_EQ(one.sample(rng), 7.0);
  EXPECT_EQ(one.mean(), 7.0);
}

TEST(Distribution, HistogramChoosesBinsByWeight) {
  // Bins [0,1) weight 1 and [1,3) weight 3: P = 0.25, 0.75.
  // Mean 0.25·0.5 + 0.75·2 = 1.625. E[X²] = 0.25·(1/3) + 0.75·(1 + 3 + 9)/3 = 3.33333, variance
  // 3.33333 − 1.625² = 0.692708; se(mean) = sqrt(0.6927/2e5) = 0.00186 → 0.0093.
  // The share below 1: se = sqrt(0.25·0.75/2e5) = 0.00097 → 0.0048.
  const Distribution d = Distribution::histogram({{0, 1, 1}, {1, 3, 3}});
  RandomStream rng(28);
  double sum = 0;
  int low = 0;
  for (int i = 0; i < kN; ++i) {
    const double x = d.sample(rng);
    sum += x;
    low += x < 1 ? 1 : 0;
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 3.0);
  }
  EXPECT_NEAR(sum / kN, 1.625, 0.0093);
  EXPECT_NEAR(static_cast<double>(low) / kN, 0.25, 0.0048);
  EXPECT_DOUBLE_EQ(d.mean(), 1.625);
}

TEST(Distribution, DurationsClampAtZero) {
  // N(−1 s, 0.1 s) is always negative: a duration cannot be, so every draw is 0.
  const Distribution d = Distribution::normal(-1, 0.1);
  RandomStream rng(1);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(d.sample_duration(rng), Duration::zero());
  // 3.5 ms as a duration is exactly 3'500'000 ns.
  EXPECT_EQ(Distribution::constant(0.0035).sample_duration(rng).count_ns(), 3'500'000);
}

TEST(Distribution, InvalidParametersAreRefused) {
  EXPECT_THROW(Distribution::exponential(0), std::invalid_argument);
  EXPECT_THROW(Distribution::exponential(-1), std::invalid_argument);
  EXPECT_THROW(Distribution::uniform(3, 1), std::invalid_argument);
  EXPECT_THROW(Distribution::normal(0, -1), std::invalid_argument);
  EXPECT_THROW(Distribution::lognormal(0, -1), std::invalid_argument);
  EXPECT_THROW(Distribution::lognormal_from_moments(0, 1), std::invalid_argument);
  EXPECT_THROW(Distribution::pareto(0, 1), std::invalid_argument);
  EXPECT_THROW(Distribution::pareto(1, 0), std::invalid_argument);
  EXPECT_THROW(Distribution::empirical({}), std::invalid_argument);
  EXPECT_THROW(Distribution::empirical({1, std::numeric_limits<double>::quiet_NaN()}), std::invalid_argument);
  EXPECT_THROW(Distribution::histogram({}), std::invalid_argument);
  EXPECT_THROW(Distribution::histogram({{0, 1, 0}, {1, 2, 0}}), std::invalid_argument);
  EXPECT_THROW(Distribution::histogram({{2, 1, 1}}), std::invalid_argument);
  EXPECT_THROW(Distribution::constant(std::numeric_limits<double>::infinity()), std::invalid_argument);
}

TEST(Distribution, DrawsPerSampleAreFixed) {
  // Normal and lognormal take exactly two uniforms per draw (no cached spare), so a stream's
  // later draws do not depend on how many normals came before in an odd or even count.
  RandomStream a(3), b(3);
  Distribution::normal(0, 1).sample(a);
  b.uniform01();
  b.uniform01();
  EXPECT_EQ(a.next_u64(), b.next_u64());
}

}  // namespace
}  // namespace faultline::sim

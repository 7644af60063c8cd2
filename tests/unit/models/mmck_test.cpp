// Analytic check (DESIGN §8): the loss rate of a bounded queue with reject-publish, M/M/c/K,
// against the exact blocking probability of its continuous-time Markov chain (solved with Eigen
// in validation/analytic).
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/scenario_bench.hpp"
#include "validation/analytic/queueing.hpp"

namespace faultline {
namespace {

TEST(AnalyticQueueing, ErlangCMatchesTheBenchmarkFigures) {
  // ../shared/bench/README.md: λ = 1000/s, mean service 3.5 ms, c = 4 → P(wait) = 0.73786,
  // Wq = 5.1650 ms, W = 8.6650 ms.
  const auto e = analytic::erlang_c(1000, 1 / 3.5e-3, 4);
  EXPECT_NEAR(e.wait_probability, 0.73786, 1e-5);
  EXPECT_NEAR(e.mean_wait * 1e3, 5.1650, 1e-4);
  EXPECT_NEAR(e.mean_sojourn * 1e3, 8.6650, 1e-4);
}

TEST(AnalyticQueueing, MMcKStationaryDistributionByHand) {
  // M/M/1/2 with λ = μ = 1: the balance equations give π0 = π1 = π2 = 1/3.
  const auto pi = analytic::mmck_stationary(1, 1, 1, 2);
  ASSERT_EQ(pi.size(), 3u);
  for (double p : pi) EXPECT_NEAR(p, 1.0 / 3, 1e-12);
  // M/M/2/2 (Erlang B) with a = λ/μ = 2: B = (a²/2) / (1 + a + a²/2) = 2/5.
  EXPECT_NEAR(analytic::mmck_blocking(2, 1, 2, 2), 0.4, 1e-12);
}

TEST(AnalyticQueueing, RejectPublishLossMatchesTheCtmc) {
  // λ = 1000/s, c = 4 consumers (prefetch 1, exponential 3.5 ms), max-length 6 ready messages with
  // reject-publish. x-max-length counts ready messages only (R-MAXLEN), so the system holds at
  // most K = 4 in service + 6 ready = 10 messages, and by PASTA the lost fraction of publishes
  // is π_10 of the M/M/4/10 chain.
  const double expected = analytic::mmck_blocking(1000, 1 / 3.5e-3, 4, 10);
  auto run = testing::run_yaml(R"(
name: mmck
seed: 3
components:
  - {name: p, kind: producer, target: rmq.q, arrivals: poisson, rate: 1000/s, messages: 400000}
  - name: rmq
    kind: broker-cluster
    count: 1
    queues: [{name: q, max_length: 6, overflow: reject-publish}]
  - name: c
    kind: consumer
    count: 4
    queue: rmq.q
    prefetch: 1
    processing_time: {dist: exponential, mean: 3.5ms}
)");
  const double published = static_cast<double>(run->sim().ledger().published());
  const double lost = static_cast<double>(testing::lost_by(*run, "overflow_rejected"));
  const double fraction = lost / published;
  // Tolerance: a binomial proportion over N = 4e5 arrivals has sd √(p(1−p)/N) ≈ 4e-4 for
  // p ≈ 0.07; blocking events come in bursts (autocorrelation inflates the variance several
  // times), so allow 4 × 3 × sd ≈ 0.005 absolute.
  EXPECT_NEAR(fraction, expected, 0.005) << "expected π_K = " << expected;
  EXPECT_GT(expected, 0.01);  // the check is not vacuous
  EXPECT_EQ(run->sim().ledger().lost(), testing::lost_by(*run, "overflow_rejected"));
}

}  // namespace
}  // namespace faultline

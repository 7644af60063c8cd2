// The Envoy/Istio sidecar rules (domain_models.md §6) and the HTTP services of models/mesh, on
// small benches: a load generator and one or two services, run through the scenario path.
// Each expected value is derived by hand above its assertion.
//
// Timing facts the derivations use:
// - `arrivals: constant`, `rate: 10/s`, `start: 50ms` sends request k (k = 1, 2, …) at
//   t = 0.05 + 0.1 k s: never on a multiple of 10 s, where the outlier sweeps run.
// - Without a network component every hop takes no time; a constant service_time is exact.
// - Metrics are read as reporter="source" (once per request, what the caller got, after
//   retries) and reporter="destination" (once per try that reached a pod).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "models/mesh/outlier_detector.hpp"
#include "models/mesh/retry_policy.hpp"
#include "sim/random/random_stream.hpp"
#include "tests/support/metric_values.hpp"
#include "tests/support/scenario_bench.hpp"

namespace faultline {
namespace {

using models::AttemptOutcome;
using models::OutlierConfig;
using models::OutlierDetector;
using models::RetryOn;
using models::RetryPolicy;
using testing::count_events;
using testing::metric_at;
using testing::run_yaml;
using Kind = AttemptOutcome::Kind;

const char* kRequests = "istio_requests_total";
const char* kDurationSum = "istio_request_duration_milliseconds_sum";
const char* kDurationCount = "istio_request_duration_milliseconds_count";
const char* kDurationBucket = "istio_request_duration_milliseconds_bucket";

sim::Labels source_of(const std::string& service) { return {{"reporter", "source"}, {"destination_workload", service}}; }
sim::Labels destination_of(const std::string& service) {
  return {{"reporter", "destination"}, {"destination_workload", service}};
}
sim::Labels with(sim::Labels l, const std::string& k, const std::string& v) {
  l[k] = v;
  return l;
}

sim::SimTime at_s(double s) { return sim::SimTime::at(sim::Duration::from_seconds(s)); }

// A load generator: `n` requests at 10/s from t = 0.15 s to the service "back".
std::string load(int n, const std::string& rate = "10/s") {
  return R"(
  - name: load
    kind: http-load
    target: back
    arrivals: constant
    start: 50ms
    rate: )" + rate + "\n    requests: " + std::to_string(n) + "\n";
}

// ---------------------------------------------------------------- retry policy (pure)

TEST(MeshRetryPolicy, BackoffRangesAreJitteredExponentialCappedAtTenTimesTheBase) {
  // R-E7: retry n waits U[0, (2^n − 1) × 25 ms), at most 250 ms: ranges 25, 75, 175, 375 ms
  // (the last capped to 250 ms).
  RetryPolicy p;
  EXPECT_EQ(p.backoff_range(1), sim::Duration::ms(25));
  EXPECT_EQ(p.backoff_range(2), sim::Duration::ms(75));
  EXPECT_EQ(p.backoff_range(3), sim::Duration::ms(175));
  EXPECT_EQ(p.backoff_range(4), sim::Duration::ms(375));
  EXPECT_EQ(p.backoff_cap(), sim::Duration::ms(250));
  sim::RandomStream rng(42);
  // 20000 draws per retry number: every draw inside its range; the mean of U[0, r) is r / 2 with
  // a standard error of r / sqrt(12 × 20000) ≈ 0.002 r, so ±0.01 r is 5 standard errors.
  const double ranges_ms[] = {25, 75, 175};
  for (uint32_t n = 1; n <= 3; ++n) {
    double sum = 0, max = 0;
    for (int i = 0; i < 20000; ++i) {
      const double ms = p.backoff(n, rng).seconds() * 1e3;
      ASSERT_GE(ms, 0.0);
      max = std::max(max, ms);
      sum += ms;
    }
    const double r = ranges_ms[n - 1];
    EXPECT_LT(max, r) << "retry " << n;
    EXPECT_NEAR(sum / 20000, r / 2, 0.01 * r) << "retry " << n;
  }
  // Retry 4 draws from U[0, 375 ms) capped at 250 ms: P(draw ≥ 250) = 125 / 375 = 1/3 of the
  // draws sit exactly on the cap (±5σ, σ = sqrt(20000 × 2/9) ≈ 67).
  int capped = 0;
  for (int i = 0; i < 20000; ++i) {
    const sim::Duration d = p.backoff(4, rng);
    ASSERT_LE(d, sim::Duration::ms(250));
    if (d == sim::Duration::ms(250)) ++capped;
  }
  EXPECT_NEAR(capped, 20000.0 / 3, 5 * 67);
  for (int i = 0; i < 1000; ++i) ASSERT_LE(p.backoff(30, rng), sim::Duration::ms(250));  // no overflow
}

TEST(MeshRetryPolicy, RetryOnDecidesWhatIsRetried) {
  // R-E5: the default policy retries connection failures but not a 500 or 503 from the app.
  RetryPolicy dflt;
  EXPECT_EQ(dflt.max_tries(), 3u);  // R-E6: 1 + attempts
  EXPECT_TRUE(dflt.retriable({Kind::connect_failure, 503}));
  EXPECT_FALSE(dflt.retriable({Kind::response, 503}));
  EXPECT_FALSE(dflt.retriable({Kind::response, 500}));
  EXPECT_FALSE(dflt.retriable({Kind::timeout, 504}));
  // R-E8: 5xx covers any 5xx and no answer at all (reset, per-try timeout).
  RetryPolicy fivexx;
  fivexx.on = RetryOn::parse("5xx");
  EXPECT_TRUE(fivexx.retriable({Kind::response, 500}));
  EXPECT_TRUE(fivexx.retriable({Kind::timeout, 504}));
  EXPECT_TRUE(fivexx.retriable({Kind::reset, 503}));
  EXPECT_FALSE(fivexx.retriable({Kind::response, 404}));
  // gateway-error: 502, 503, 504 only.
  RetryPolicy gateway;
  gateway.on = RetryOn::parse("gateway-error");
  EXPECT_TRUE(gateway.retriable({Kind::response, 503}));
  EXPECT_FALSE(gateway.retriable({Kind::response, 500}));
  // A listed status code is retried; retriable-4xx is 409.
  RetryPolicy codes;
  codes.on = RetryOn::parse("retriable-status-codes, 500 ,retriable-4xx");
  EXPECT_TRUE(codes.retriable({Kind::response, 500}));
  EXPECT_TRUE(codes.retriable({Kind::response, 409}));
  EXPECT_FALSE(codes.retriable({Kind::response, 503}));
  // A circuit-breaker overflow and "no healthy upstream" are never retried, whatever retryOn says.
  RetryPolicy all;
  all.on = RetryOn::parse("5xx,gateway-error,reset,connect-failure,503");
  EXPECT_FALSE(all.retriable({Kind::overflow, 503}));
  EXPECT_FALSE(all.retriable({Kind::no_healthy_upstream, 503}));
  EXPECT_THROW(RetryOn::parse("5xx,sometimes"), std::invalid_argument);
  EXPECT_THROW(RetryOn::parse("700"), std::invalid_argument);
}

TEST(MeshRetryPolicy, ABadRetryOnIsAnInputErrorAtItsPlace) {
  const std::string yaml = "name: bench\nduration: 1s\ncomponents:\n" + load(1) + R"(
  - name: back
    kind: http-service
    retry_on: 5xx,sometimes
)";
  try {
    run_yaml(yaml);
    FAIL() << "expected an InputError";
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/components/1/retry_on");
    EXPECT_NE(e.message().find("sometimes"), std::string::npos);
  }
}

// ---------------------------------------------------------------- retries and timeouts

TEST(MeshSidecar, RetriesMakeOnePlusAttemptsTriesWithJitteredBackoff) {
  // back-0 answers 500 to everything (io-fault 100 %, a server-side error, so retries apply,
  // R-E9). retry_attempts 3, retryOn 5xx: each of the 100 requests is tried 1 + 3 = 4 times
  // (R-E6): 400 tries reach the pod, 100 answers of 500 reach the caller, flagged URX (retry
  // limit exceeded).
  const std::string yaml = "name: bench\nduration: 30s\ncomponents:\n" + load(100) + R"(
  - name: back
    kind: http-service
    count: 1
    service_time: 10ms
    retry_attempts: 3
    retry_on: 5xx
faults:
  - {kind: io-fault, target: back/back-0, at: 0s, params: {percent: 100%}}
)";
  auto run = run_yaml(yaml);
  EXPECT_EQ(metric_at(*run, kRequests, with(destination_of("back"), "response_code", "500")), 400.0);
  EXPECT_EQ(metric_at(*run, kRequests, source_of("back")), 100.0);
  EXPECT_EQ(metric_at(*run, kRequests, with(with(source_of("back"), "response_code", "500"), "response_flags", "URX")),
            100.0);
  // The caller waits 4 × 10 ms of work plus the back-offs b1 + b2 + b3 with b_n ~ U[0, (2^n − 1)
  // × 25 ms): between 40 ms and 40 + 25 + 75 + 175 = 315 ms, on average 40 + 12.5 + 37.5 + 87.5
  // = 177.5 ms. The sum's standard deviation is sqrt((25² + 75² + 175²) / 12) = 55.4 ms, so the
  // mean of 100 requests is within ±5 × 5.54 ms.
  const double count = metric_at(*run, kDurationCount, source_of("back"));
  const double mean = metric_at(*run, kDurationSum, source_of("back")) / count;
  EXPECT_NEAR(mean, 177.5, 5 * 5.54);
  EXPECT_EQ(metric_at(*run, kDurationBucket, with(source_of("back"), "le", "25")), 0.0);   // none under 40 ms
  EXPECT_EQ(metric_at(*run, kDurationBucket, with(source_of("back"), "le", "500")), 100.0);  // all under 315 ms
  EXPECT_EQ(run->summary()["components"]["back"]["retries"].get<int>(), 300);

  // Istio's default policy (attempts 2, retryOn connect-failure,refused-stream,unavailable,
  // cancelled, R-E5) does not retry an application's 500: one try per request.
  auto dflt = run_yaml(yaml, {"components.back.retry_attempts=2",
                              "components.back.retry_on=connect-failure,refused-stream,unavailable,cancelled"});
  EXPECT_EQ(metric_at(*dflt, kRequests, destination_of("back")), 100.0);
}

TEST(MeshSidecar, TheRouteTimeoutIncludesEveryRetry) {
  // back takes 400 ms; per-try timeout 300 ms, 5 retries on 5xx (per-try timeouts count), route
  // timeout 1 s (R-E2). Tries start at 0, 0.3 + b1, 0.6 + b1 + b2, 0.9 + b1 + b2 + b3 with
  // b1 < 25 ms, b2 < 75 ms, b3 < 175 ms: the third try times out at 0.9 + b1 + b2 < 1.0 s, and
  // the route timeout cuts the fourth (or its back-off) at exactly 1 s. So every request gets
  // 504 UT after exactly 1000 ms; 3 per-try timeouts each; 3 or 4 tries reach the pod, every one
  // abandoned by the caller (destination response_code 0, flag DC).
  const std::string yaml = "name: bench\nduration: 10s\ncomponents:\n" + load(20) + R"(
  - name: back
    kind: http-service
    count: 1
    service_time: 400ms
    timeout: 1s
    per_try_timeout: 300ms
    retry_attempts: 5
    retry_on: 5xx
)";
  auto run = run_yaml(yaml);
  EXPECT_EQ(metric_at(*run, kRequests, with(with(source_of("back"), "response_code", "504"), "response_flags", "UT")),
            20.0);
  EXPECT_DOUBLE_EQ(metric_at(*run, kDurationSum, source_of("back")), 20 * 1000.0);
  const double tries = metric_at(*run, kRequests, destination_of("back"));
  EXPECT_GE(tries, 3 * 20.0);
  EXPECT_LE(tries, 4 * 20.0);
  EXPECT_EQ(metric_at(*run, kRequests, with(with(destination_of("back"), "response_code", "0"), "response_flags", "DC")),
            tries);
  EXPECT_EQ(run->summary()["components"]["back"]["per_try_timeouts"].get<int>(), 60);
  EXPECT_EQ(run->summary()["components"]["back"]["route_timeouts"].get<int>(), 20);
}

TEST(MeshSidecar, ARetryAvoidsTheHostThatFailed) {
  // Two pods of 1 s work; back-0 is killed at 0.5 s while serving the first request (sent at
  // 0.15 s, round robin's first host). The reset (503 UC) is retried under 5xx on back-1, not
  // tried yet (R-E6), which answers 1 s later: 200 after 0.5 + b1 + 1 s, b1 < 25 ms.
  const std::string yaml = "name: bench\nduration: 5s\ncomponents:\n" + load(1) + R"(
  - name: back
    kind: http-service
    count: 2
    service_time: 1s
    retry_on: 5xx
faults:
  - {kind: pod-kill, target: back/back-0, at: 500ms}
)";
  auto run = run_yaml(yaml);
  EXPECT_EQ(metric_at(*run, kRequests, with(source_of("back"), "response_code", "200")), 1.0);
  const double ms = metric_at(*run, kDurationSum, source_of("back"));
  EXPECT_GE(ms, 1350.0);  // 0.15 → 0.5 s on back-0, then 1 s on back-1
  EXPECT_LT(ms, 1375.0);
  EXPECT_EQ(run->summary()["components"]["back/back-1"]["served"].get<int>(), 1);
}

// ---------------------------------------------------------------- circuit breaking

TEST(MeshSidecar, PendingOverflowIsAnImmediate503) {
  // One pod, 1 s per request; maxConnections 1, http1MaxPendingRequests 1 (R-E15). Requests at
  // 0.15, 0.25, 0.35 s: the first takes the connection (done at 1.15 s, 1000 ms), the second
  // waits for it (served 1.15 → 2.15 s, 1900 ms), the third finds the queue full: 503 UO at
  // once (0 ms), not retried even with retryOn 5xx.
  const std::string yaml = "name: bench\nduration: 5s\ncomponents:\n" + load(3) + R"(
  - name: back
    kind: http-service
    count: 1
    service_time: 1s
    max_connections: 1
    max_pending_requests: 1
    retry_on: 5xx,gateway-error
)";
  auto run = run_yaml(yaml);
  const auto uo = with(with(source_of("back"), "response_code", "503"), "response_flags", "UO");
  EXPECT_EQ(metric_at(*run, kRequests, uo), 1.0);
  EXPECT_EQ(metric_at(*run, kDurationSum, uo), 0.0);
  EXPECT_EQ(metric_at(*run, kRequests, with(source_of("back"), "response_code", "200")), 2.0);
  EXPECT_DOUBLE_EQ(metric_at(*run, kDurationSum, with(source_of("back"), "response_code", "200")), 1000.0 + 1900.0);
  EXPECT_EQ(metric_at(*run, kRequests, destination_of("back")), 2.0);  // the overflow never left the caller
  EXPECT_EQ(run->summary()["components"]["back"]["overflows"].get<int>(), 1);

  // http2MaxRequests 1 instead: the second and third requests find one outstanding: both 503 UO.
  auto by_requests = run_yaml(yaml, {"components.back.max_connections=4294967295",
                                     "components.back.max_pending_requests=4294967295",
                                     "components.back.max_requests=1"});
  EXPECT_EQ(metric_at(*by_requests, kRequests, uo), 2.0);
}

// ---------------------------------------------------------------- outlier detection

TEST(MeshOutlierDetector, EjectionTimeGrowsWithTheCountAndDecaysWhenHealthy) {
  OutlierConfig c;
  c.enabled = true;  // the R-E12 defaults: 5 consecutive 5xx, 10 s sweeps, 30 s base, 10 %
  OutlierDetector d(c, 3);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(d.record(0, 503, at_s(1)));
  EXPECT_TRUE(d.record(0, 503, at_s(1)));  // the 5th consecutive 5xx ejects inline (R-E13)
  EXPECT_EQ(d.ejection_time(0), sim::Duration::s(30));
  // 10 %: with one of three hosts out (33 %), no other host may be ejected.
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(d.record(1, 500, at_s(2)));
  EXPECT_FALSE(d.ejected(1));
  // Back at the first sweep at least 30 s after 1 s: the one at 40 s.
  EXPECT_TRUE(d.sweep(at_s(10)).empty());
  EXPECT_TRUE(d.sweep(at_s(30)).empty());
  EXPECT_EQ(d.sweep(at_s(40)), std::vector<size_t>{0});
  // Failing again before the next sweep: multiplier 2, 60 s.
  for (int i = 0; i < 5; ++i) d.record(0, 500, at_s(45));
  EXPECT_TRUE(d.ejected(0));
  EXPECT_EQ(d.ejection_time(0), sim::Duration::s(60));
  EXPECT_TRUE(d.sweep(at_s(100)).empty());  // 55 s < 60 s
  EXPECT_EQ(d.sweep(at_s(110)), std::vector<size_t>{0});
  // Two sweeps in service (120, 130 s) decay the multiplier 2 → 0: the next ejection is 30 s.
  d.sweep(at_s(120));
  EXPECT_EQ(d.multiplier(0), 1u);
  d.sweep(at_s(130));
  EXPECT_EQ(d.multiplier(0), 0u);
  EXPECT_FALSE(d.needs_sweep());
  for (int i = 0; i < 5; ++i) d.record(0, 502, at_s(131));
  EXPECT_EQ(d.ejection_time(0), sim::Duration::s(30));
  // A success in between resets the count: 4 errors, a 200, 4 errors eject nothing.
  OutlierDetector e(c, 1);
  for (int i = 0; i < 4; ++i) e.record(0, 500, at_s(1));
  e.record(0, 200, at_s(1));
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(e.record(0, 500, at_s(1)));
  // The multiplier stops at max_ejection_time / base: 300 s / 30 s = 10.
  OutlierDetector f(c, 1);
  for (int k = 0; k < 15; ++k) {
    for (int i = 0; i < 5; ++i) f.record(0, 500, at_s(1000.0 * k));
    f.sweep(at_s(1000.0 * k + 999));
  }
  EXPECT_EQ(f.ejection_time(0), sim::Duration::s(300));
}

TEST(MeshSidecar, OutlierEjectionAndReturnAtTheSweeps) {
  // Three pods, back-0 answers 500 to everything; outlier detection with Istio's defaults
  // (R-E12): 5 consecutive 5xx, sweeps every 10 s, 30 s × the ejection count, 10 %, panic 50 %.
  // Round robin sends request k (at 0.05 + 0.1 k s) to host (k − 1) mod 3, so back-0 fails
  // k = 1, 4, 7, 10, 13: ejected when the 13th answer comes back, at 1.35 + 0.005 s, for 30 s.
  // Two healthy hosts of three (67 % ≥ 50 %):
  // no panic, so only back-1 and back-2 serve (alternately: k even → back-1, odd → back-2).
  // It returns at the first sweep ≥ 31.355 s: 40 s. The cursor stands after back-2 (k = 399),
  // so k = 400 (40.05 s) goes to back-0 again, then every third request: its 5th failure is
  // k = 412, answered at 41.255 s, before the next sweep could decay the multiplier: 2 × 30 =
  // 60 s. It returns at the first sweep ≥ 101.255 s: 110 s. The cursor then stands after back-1 (k = 1099
  // odd → back-1), so k = 1100 → back-2, 1101 → back-0, …: failures at k = 1101, 1104, 1107,
  // 1110, 1113: ejected at 111.355 s for 3 × 30 = 90 s, until after the run (205 s).
  const std::string yaml = "name: bench\nduration: 205s\ncomponents:\n" + load(2100) + R"(
  - name: back
    kind: http-service
    count: 3
    service_time: 5ms
    outlier_detection: true
faults:
  - {kind: io-fault, target: back/back-0, at: 0s, params: {percent: 100%}}
)";
  auto run = run_yaml(yaml);
  std::vector<double> ejected_at, ejection_s, returned_at;
  for (const std::string& line : run->sim().events().lines()) {
    const auto j = nlohmann::json::parse(line);
    if (j.value("component", "") != "back") continue;
    if (j.value("event", "") == "outlier-ejected") {
      EXPECT_EQ(j["host"], "back/back-0");
      ejected_at.push_back(j["t_s"].get<double>());
      ejection_s.push_back(j["ejection_s"].get<double>());
    }
    if (j.value("event", "") == "outlier-returned") returned_at.push_back(j["t_s"].get<double>());
  }
  ASSERT_EQ(ejected_at.size(), 3u);
  EXPECT_NEAR(ejected_at[0], 1.355, 1e-9);
  EXPECT_NEAR(ejected_at[1], 41.255, 1e-9);
  EXPECT_NEAR(ejected_at[2], 111.355, 1e-9);
  EXPECT_EQ(ejection_s, (std::vector<double>{30, 60, 90}));
  EXPECT_EQ(returned_at, (std::vector<double>{40, 110}));
  // Five failures per ejection, and nothing else failed. Requests sent by 205 s: 0.05 + 0.1 k
  // ≤ 205, k ≤ 2049, each answered 5 ms later.
  EXPECT_EQ(metric_at(*run, kRequests, with(source_of("back"), "response_code", "500")), 15.0);
  EXPECT_EQ(metric_at(*run, kRequests, with(source_of("back"), "response_code", "200")), 2049.0 - 15.0);
}

TEST(MeshSidecar, BelowThePanicThresholdTheEjectedHostStillGetsTraffic) {
  // One pod that answers 500; it is ejected after its 5th failure (k = 5, 0.55 s: the first
  // ejection is always allowed, R-E13). Then 0 of 1 hosts is healthy, below the 50 % panic
  // threshold (R-E14): Envoy balances over every host, so all 100 requests still reach back-0
  // and get its 500.
  const std::string yaml = "name: bench\nduration: 11s\ncomponents:\n" + load(100) + R"(
  - name: back
    kind: http-service
    count: 1
    service_time: 5ms
    outlier_detection: true
faults:
  - {kind: io-fault, target: back/back-0, at: 0s, params: {percent: 100%}}
)";
  auto panic = run_yaml(yaml);
  EXPECT_EQ(count_events(*panic, "back", "outlier-ejected"), 1u);
  EXPECT_EQ(metric_at(*panic, kRequests, with(source_of("back"), "response_code", "500")), 100.0);
  EXPECT_EQ(metric_at(*panic, kRequests, destination_of("back")), 100.0);
  // Without a panic threshold the ejected host gets nothing: the 95 requests after the ejection
  // are answered 503 UH (no healthy upstream) by the caller's sidecar.
  auto strict = run_yaml(yaml, {"components.back.panic_threshold=0"});
  EXPECT_EQ(metric_at(*strict, kRequests, with(source_of("back"), "response_code", "500")), 5.0);
  EXPECT_EQ(metric_at(*strict, kRequests, with(with(source_of("back"), "response_code", "503"), "response_flags", "UH")),
            95.0);
  EXPECT_EQ(metric_at(*strict, kRequests, destination_of("back")), 5.0);
}

// ---------------------------------------------------------------- fault injection

TEST(MeshFaults, AbortAndDelayHitTheirPercentageOfRequestsIndependently) {
  // 2000 requests; mesh-abort 25 % (503) and mesh-delay 50 % (100 ms), drawn independently
  // (R-E11). Aborted ~ Binomial(2000, 0.25): 500 ± 5σ, σ = sqrt(2000 × 0.25 × 0.75) = 19.4;
  // delayed ~ Binomial(2000, 0.5): 1000 ± 5σ, σ = 22.4; both ~ Binomial(2000, 0.125): 250 ± 5σ,
  // σ = 14.8. The route has retries on 5xx and a 50 ms timeout, but R-E9 turns both off while
  // the faults are on it: an injected 503 is not retried (the pod sees exactly the requests not
  // aborted) and a delayed request is not cut at 50 ms (no 504).
  const std::string yaml = "name: bench\nduration: 20s\ncomponents:\n" + load(2000, "200/s") + R"(
  - name: back
    kind: http-service
    count: 1
    service_time: 1ms
    retry_on: 5xx
    timeout: 50ms
faults:
  - {kind: mesh-abort, target: back, at: 0s, params: {http_status: 503, percent: 25%}}
  - {kind: mesh-delay, target: back, at: 0s, params: {delay: 100ms, percent: 50%}}
)";
  auto run = run_yaml(yaml);
  const double aborted = metric_at(*run, kRequests, with(source_of("back"), "response_code", "503"));
  EXPECT_NEAR(aborted, 500, 5 * 19.4);
  const double only_delayed = metric_at(*run, kRequests, with(source_of("back"), "response_flags", "DI"));
  const double both = metric_at(*run, kRequests, with(source_of("back"), "response_flags", "DI,FI"));
  EXPECT_NEAR(only_delayed + both, 1000, 5 * 22.4);
  EXPECT_NEAR(both, 250, 5 * 14.8);
  EXPECT_EQ(metric_at(*run, kRequests, with(source_of("back"), "response_flags", "FI")) + both, aborted);
  EXPECT_EQ(metric_at(*run, kRequests, destination_of("back")), 2000 - aborted);
  EXPECT_EQ(metric_at(*run, kRequests, with(source_of("back"), "response_code", "504")), 0.0);
  // The delayed ones took 100 ms (+1 ms of work unless aborted): none in the buckets up to 50 ms.
  const double fast = metric_at(*run, kDurationBucket, with(source_of("back"), "le", "50"));
  EXPECT_EQ(fast, 2000 - (only_delayed + both));
  EXPECT_EQ(run->summary()["components"]["back"]["retries"].get<int>(), 0);
}

TEST(MeshFaults, MeshFaultsAimAtTheServiceNotItsPods) {
  const std::string yaml = "name: bench\nduration: 2s\ncomponents:\n" + load(5) + R"(
  - name: back
    kind: http-service
    count: 1
faults:
  - {kind: mesh-abort, target: back/back-0, at: 0s, params: {http_status: 500, percent: 100%}}
)";
  auto run = run_yaml(yaml);
  ASSERT_EQ(run->summary()["faults"].size(), 1u);
  // Unmapped, with the reason: nothing is aborted.
  EXPECT_EQ(metric_at(*run, kRequests, with(source_of("back"), "response_code", "200")), 5.0);
  bool unmapped = false;
  for (const std::string& line : run->sim().events().lines())
    if (line.find("fault-unmapped") != std::string::npos &&
        line.find("aim mesh-abort at the service back") != std::string::npos)
      unmapped = true;
  EXPECT_TRUE(unmapped);
}

// ---------------------------------------------------------------- round trips

TEST(MeshSidecar, RoundTripsFollowTheNetwork) {
  // With a network component each hop asks it for the one-way delay. load on host a, back-0 on
  // host b, 10 ms between them: 10 + 5 (work) + 10 = 25 ms per request. A netem delay of 100 ms
  // on back-0's egress from 1 s to 1.5 s delays its answers only (R-N1, R-N2): the requests of
  // 1.05 … 1.45 s (5) take 125 ms. A partition of back-0 from 1.6 s to 1.8 s: the requests of
  // 1.65 and 1.75 s cannot connect; after the 2 s connect timeout (R-E4) they get 503 UF, not
  // retried (retry_attempts 0). The answer to 1.45 s leaves at 1.465 s and is still in the netem
  // queue when the fault ends at 1.5 s: dropped with the qdisc, sent again one RTO later
  // (200 ms + RTT 120 ms), it arrives at 1.83 s: 380 ms. The pair is one TCP flow, delivered in
  // order, so the answer to 1.55 s waits for it too: 280 ms. 18 answer 200:
  // 12 × 25 + 4 × 125 + 380 + 280 = 1460 ms in all.
  const std::string yaml = "name: bench\nduration: 10s\ncomponents:\n" + load(20) + R"(
  - name: back
    kind: http-service
    count: 1
    service_time: 5ms
    retry_attempts: 0
    connect_timeout: 2s
  - name: net
    kind: network
    hosts: [a, b]
    latency: 10ms
    placement:
      - {pods: load, hosts: [a]}
      - {pods: back, hosts: [b]}
faults:
  - {kind: network-delay, target: back/back-0, at: 1s, duration: 500ms, params: {latency: 100ms}}
  - {kind: network-partition, target: back/back-0, at: 1.6s, duration: 200ms}
)";
  auto run = run_yaml(yaml);
  const auto ok = with(source_of("back"), "response_code", "200");
  EXPECT_EQ(metric_at(*run, kRequests, ok), 18.0);
  EXPECT_NEAR(metric_at(*run, kDurationSum, ok), 1460.0, 18 * 0.01);  // serialisation: microseconds
  const auto uf = with(with(source_of("back"), "response_code", "503"), "response_flags", "UF");
  EXPECT_EQ(metric_at(*run, kRequests, uf), 2.0);
  EXPECT_DOUBLE_EQ(metric_at(*run, kDurationSum, uf), 2 * 2000.0);
  EXPECT_EQ(metric_at(*run, kRequests, destination_of("back")), 18.0);
}

// ---------------------------------------------------------------- the application

std::string front_back(const std::string& front_extra) {
  return std::string("name: bench\nduration: 10s\ncomponents:\n") + R"(
  - name: load
    kind: http-load
    target: front
    arrivals: constant
    start: 50ms
    rate: 10/s
    requests: 50
  - name: front
    kind: http-service
    count: 1
    service_time: 2ms
    calls: back
)" + front_extra + R"(
  - name: back
    kind: http-service
    count: 1
    service_time: 1ms
)";
}

TEST(MeshService, AFallbackAnswersWithoutTheFailedDependency) {
  // back aborted at 100 % on the route from front (client-side, so back's pod sees nothing).
  // Without a fallback front answers its error_status 500 to all 50 requests; with one, a
  // degraded 200 after fallback_time (R-E16): 2 ms of work + 3 ms = 5 ms each.
  const std::string abort =
      "faults:\n  - {kind: mesh-abort, target: back, at: 0s, params: {http_status: 500, percent: 100%}}\n";
  auto failing = run_yaml(front_back("") + abort);
  EXPECT_EQ(metric_at(*failing, kRequests, with(destination_of("front"), "response_code", "500")), 50.0);
  EXPECT_EQ(metric_at(*failing, kRequests, destination_of("back")), 0.0);
  auto degraded = run_yaml(front_back("    fallback: true\n    fallback_time: 3ms\n") + abort);
  EXPECT_EQ(metric_at(*degraded, kRequests, with(destination_of("front"), "response_code", "200")), 50.0);
  EXPECT_EQ(degraded->summary()["components"]["front/front-0"]["fallbacks"].get<int>(), 50);
  EXPECT_NEAR(metric_at(*degraded, kDurationSum, source_of("front")), 50 * 5.0, 1e-6);
}

TEST(MeshService, TheApplicationsOwnCallTimeoutTriggersTheFallback) {
  // back delayed 1 s (R-E9: the route to it has no timeout then); front's application gives up
  // after call_timeout 200 ms and falls back: 2 + 200 + 0 ms = 202 ms per request, all 200.
  // The abandoned calls are reported by back's caller side as response_code 0, flag DC.
  auto run = run_yaml(front_back("    fallback: true\n    call_timeout: 200ms\n") +
                      "faults:\n  - {kind: mesh-delay, target: back, at: 0s, params: {delay: 1s, percent: 100%}}\n");
  EXPECT_EQ(metric_at(*run, kRequests, with(source_of("front"), "response_code", "200")), 50.0);
  EXPECT_NEAR(metric_at(*run, kDurationSum, source_of("front")), 50 * 202.0, 1e-6);
  EXPECT_EQ(metric_at(*run, kRequests, with(with(source_of("back"), "response_code", "0"), "response_flags", "DI,DC")),
            50.0);
  EXPECT_EQ(metric_at(*run, kRequests, destination_of("back")), 0.0);  // cancelled during the delay
}

TEST(MeshService, AFullWorkerQueueAnswers503) {
  // One worker, a queue of 1; work 1 s; requests at 0.15, 0.25, 0.35 s: the first works, the
  // second waits, the third finds the queue full and gets the application's 503 at once.
  const std::string yaml = "name: bench\nduration: 5s\ncomponents:\n" + load(3) + R"(
  - name: back
    kind: http-service
    count: 1
    service_time: 1s
    concurrency: 1
    queue_limit: 1
)";
  auto run = run_yaml(yaml);
  EXPECT_EQ(metric_at(*run, kRequests, with(with(destination_of("back"), "response_code", "503"), "response_flags", "-")),
            1.0);
  EXPECT_EQ(metric_at(*run, kRequests, with(source_of("back"), "response_code", "200")), 2.0);
  EXPECT_DOUBLE_EQ(metric_at(*run, kDurationSum, with(source_of("back"), "response_code", "200")), 1000.0 + 1900.0);
}

TEST(MeshService, RequestsAreNotMessages) {
  // The mesh counts requests in metrics, never in the message ledger.
  auto run = run_yaml(front_back(""));
  EXPECT_EQ(run->sim().ledger().published(), 0u);
  EXPECT_EQ(metric_at(*run, "faultline_http_client_requests_total", {{"client", "load"}, {"response_code", "200"}}),
            50.0);
  EXPECT_EQ(run->summary()["components"]["load"]["sent"].get<int>(), 50);
}

}  // namespace
}  // namespace faultline

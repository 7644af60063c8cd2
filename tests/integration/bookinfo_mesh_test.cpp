// Reference experiment C (DESIGN §1, seed 004): bookinfo's productpage → reviews → ratings
// behind Istio sidecars, a browser loading the page once a second, Gloo Shot aborting or
// delaying ratings from t = 60 s for 3 minutes (scenarios/bookinfo-ratings-abort.yaml).
//
// Timing facts the derivations use: the browser's requests leave at t_k = k + 0.5 s (k = 1 …
// 299, constant arrivals from 0.5 s); the three services work a few milliseconds each
// (exponential, means 10, 5 and 2 ms), so a request that nothing delays is answered within a
// few tens of milliseconds and every record of it falls in the same second, between the half
// second and the next whole one: never on a scrape. Failures are read as the destination
// sidecar reports them (reporter="destination"), at the 1 s scrapes.
#include <gtest/gtest.h>

#include "tests/support/metric_values.hpp"
#include "tests/support/scenario_bench.hpp"

namespace faultline {
namespace {

using testing::metric_at;
using testing::metric_increase;
using testing::run_file;

const char* kScenario = "scenarios/bookinfo-ratings-abort.yaml";
const char* kRequests = "istio_requests_total";

sim::Labels at_destination(const std::string& workload, const std::string& code = "") {
  sim::Labels l = {{"reporter", "destination"}, {"destination_workload", workload}};
  if (!code.empty()) l["response_code"] = code;
  return l;
}

TEST(BookinfoMesh, FailedRequestsPerMinuteOnProductpageWithoutAndWithTheFallback) {
  // Variant 1: every page requested from 60.5 s on reaches reviews' sidecar while ratings is
  // aborted (100 %, HTTP 500, injected by that sidecar: R-E11); reviews has no fallback and
  // answers 500, and so does productpage: one failed page a second, recorded at t_k + a few ms.
  // The raw count reaches 10 at the scrape of 70 s and 11 at 71 s.
  //
  // The seed's failure condition, sum(increase(…{response_code=~"5.."}[1m])) > 10, is polled
  // every 5 s from the fault's start (sim/experiment/README.md). Its series appears with the
  // first failure: first sample 1 at the 61 s scrape. At 70 s the window holds the samples 1 … 10
  // of 61 … 70 s: an increase of 9 over 9 s, extrapolated by half a scrape interval at the start
  // (the series starts 51 s after the window does; a counter's extrapolation stops at its zero,
  // 1 s before the first sample): 9 × 9.5 / 9 = 9.5, not > 10. At 75 s: 14 × 14.5 / 14 = 14.5 >
  // 10: the condition fires and the fault is rolled back at 75 s. So 15 pages fail (60.5 …
  // 74.5 s), all in the minute (60, 120], and none after.
  auto v1 = run_file(kScenario, {}, "ratings-abort-no-fallback");
  const auto& fault = v1->summary()["faults"][0];
  EXPECT_EQ(fault["start_s"].get<double>(), 60.0);
  EXPECT_EQ(fault["end_s"].get<double>(), 75.0);
  const auto failed = at_destination("productpage", "500");
  EXPECT_EQ(metric_increase(*v1, kRequests, failed, 0, 60), 0.0);
  EXPECT_EQ(metric_increase(*v1, kRequests, failed, 60, 120), 15.0);
  EXPECT_EQ(metric_increase(*v1, kRequests, failed, 120, 180), 0.0);
  EXPECT_EQ(metric_increase(*v1, kRequests, failed, 180, 240), 0.0);
  EXPECT_EQ(metric_increase(*v1, kRequests, failed, 240, 300), 0.0);
  EXPECT_EQ(metric_at(*v1, kRequests, failed, 70), 10.0);
  EXPECT_EQ(metric_at(*v1, kRequests, failed, 71), 11.0);
  EXPECT_EQ(metric_at(*v1, kRequests, at_destination("productpage")), 299.0);  // 284 pages of 200 + 15 of 500
  // The aborts never reach ratings' pod: only the 284 requests outside the fault do.
  EXPECT_EQ(metric_at(*v1, kRequests, at_destination("ratings")), 284.0);
  EXPECT_EQ(metric_at(*v1, kRequests,
                      {{"reporter", "source"}, {"destination_workload", "ratings"}, {"response_code", "500"},
                       {"response_flags", "FI"}}),
            15.0);

  // Variant 2: the same fault, but reviews answers without ratings (R-E16): no page fails in any
  // minute, the condition never fires, and the fault lasts its 3 minutes: 180 aborts, 180
  // fallbacks.
  auto v2 = run_file(kScenario, {}, "ratings-abort-with-fallback");
  EXPECT_EQ(v2->summary()["faults"][0]["end_s"].get<double>(), 240.0);
  for (double from : {0.0, 60.0, 120.0, 180.0, 240.0})
    EXPECT_EQ(metric_increase(*v2, kRequests, failed, from, from + 60), 0.0) << "minute from " << from;
  EXPECT_EQ(metric_at(*v2, kRequests, at_destination("productpage", "200")), 299.0);
  EXPECT_EQ(v2->summary()["components"]["reviews/reviews-0"]["fallbacks"].get<int>(), 180);

  // Without --experiment the run is the seed's: variant 1.
  auto seed = run_file(kScenario);
  EXPECT_EQ(metric_at(*seed, kRequests, failed), 15.0);
}

TEST(BookinfoMesh, DelayWithRetriesAmplifiesTheRequestsAtReviewsAndRatings) {
  // Variant 3 (no failure condition): ratings delayed 2 s from 60 s to 240 s. The route to
  // ratings has retries and timeouts configured, but R-E9 turns them off while the fault is on
  // it: each request reviews makes to ratings reaches ratings exactly once. The route to
  // reviews (productpage's sidecar) has a 3 s timeout and 2 retries with a 1 s per-try timeout
  // on 5xx (per-try timeouts count, R-E8). A page requested at t (in the fault) reaches reviews at a1 ≈ t + 10 ms; reviews calls
  // ratings, which answers after 2 s, so the try times out at a1 + 1 s; the retry goes at
  // a1 + 1 + b1 (b1 < 25 ms), times out at a1 + 2 + b1; the third try starts at a1 + 2 + b1 + b2
  // (b2 < 75 ms) and the route timeout ends everything at a1 + 3 s with 504 (R-E2): three
  // requests at reviews and three at ratings per page, and productpage answers 500.
  //
  // In a minute well inside the fault, (120, 180]: productpage's destination sidecar reports the
  // 60 pages (at t + 3.0x s), reviews' reports 3 × 60 abandoned tries (at t + 1.0x, t + 2.0x,
  // t + 3.0x s: response_code 0, DC), ratings' reports 3 × 60 answers (each at its call + 2.0x s).
  auto v3 = run_file(kScenario, {}, "ratings-delay-retries");
  EXPECT_EQ(metric_increase(*v3, kRequests, at_destination("productpage"), 120, 180), 60.0);
  EXPECT_EQ(metric_increase(*v3, kRequests, at_destination("reviews"), 120, 180), 180.0);
  EXPECT_EQ(metric_increase(*v3, kRequests, at_destination("ratings"), 120, 180), 180.0);
  EXPECT_EQ(metric_increase(*v3, kRequests, at_destination("reviews", "0"), 120, 180), 180.0);

  // Over the run: 299 pages. Pages from 60.5 s to 237.5 s (178) take three tries each and fail.
  // The page of 238.5 s: its first two tries call ratings before 240 s (delayed), its third,
  // at ≈ 240.5 s, after the fault: answered at once, 200: three tries. The page of 239.5 s: the
  // second try is already after the fault: two tries, 200. So reviews gets 299 + 178 × 2 + 2 + 1
  // = 658 requests, and ratings exactly as many (1 per reviews request: no retries on the faulted
  // route, R-E9); 537 of them delayed (178 × 3 + 2 + 1).
  EXPECT_EQ(metric_at(*v3, kRequests, at_destination("productpage")), 299.0);
  EXPECT_EQ(metric_at(*v3, kRequests, at_destination("productpage", "500")), 178.0);
  EXPECT_EQ(metric_at(*v3, kRequests, at_destination("reviews")), 658.0);
  EXPECT_EQ(metric_at(*v3, kRequests, at_destination("ratings")), 658.0);
  const auto& components = v3->summary()["components"];
  EXPECT_EQ(components["reviews"]["retries"].get<int>(), 359);
  EXPECT_EQ(components["reviews"]["route_timeouts"].get<int>(), 178);
  EXPECT_EQ(components["ratings"]["delays_injected"].get<int>(), 537);
  EXPECT_EQ(components["ratings"]["retries"].get<int>(), 0);
}

TEST(BookinfoMesh, SameSeedSameRun) {
  auto a = run_file(kScenario, {}, "ratings-delay-retries");
  auto b = run_file(kScenario, {}, "ratings-delay-retries");
  EXPECT_EQ(a->fingerprint(), b->fingerprint());
  auto other = run_file(kScenario, {"seed=2"}, "ratings-delay-retries");
  EXPECT_NE(a->fingerprint(), other->fingerprint());
  // Pinned (DESIGN §3): update only when a model change is meant to change these runs, and say
  // so in the commit.
  EXPECT_EQ(a->fingerprint(), "ecc1dad4641a8e87");
  EXPECT_EQ(run_file(kScenario, {}, "ratings-abort-no-fallback")->fingerprint(), "09523ca87f89504b");
  EXPECT_EQ(run_file(kScenario, {}, "ratings-abort-with-fallback")->fingerprint(), "ed55ee4e04ca319d");
  EXPECT_EQ(run_file(kScenario)->fingerprint(), "09523ca87f89504b");  // the base run is variant 1
}

}  // namespace
}  // namespace faultline

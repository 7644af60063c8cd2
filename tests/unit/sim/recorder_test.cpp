// The recorder (DESIGN §6): counters, gauges and histograms with labels, sampled on a scrape
// interval with sample-and-hold for gauges; and the backlog tracker's peak and drain time.
#include "sim/metrics/recorder.hpp"

#include <gtest/gtest.h>

#include "sim/metrics/backlog.hpp"
#include "sim/output/run_outputs.hpp"

namespace faultline::sim {
namespace {

SimTime at_s(int64_t s) { return SimTime::at(Duration::s(s)); }

TEST(Recorder, InstrumentsAreKeyedByNameAndLabels) {
  Recorder rec;
  Counter& a = rec.counter("msgs_total", {{"queue", "a"}}, "help");
  Counter& a_again = rec.counter("msgs_total", {{"queue", "a"}}, "help");
  Counter& b = rec.counter("msgs_total", {{"queue", "b"}}, "help");
  EXPECT_EQ(&a, &a_again);
  EXPECT_NE(&a, &b);
  a.inc();
  a.inc(2.5);
  b.inc();
  EXPECT_EQ(rec.current("msgs_total", {{"queue", "a"}}), 3.5);
  EXPECT_EQ(rec.current("msgs_total", {{"queue", "b"}}), 1.0);
  EXPECT_FALSE(rec.current("msgs_total", {{"queue", "c"}}).has_value());
  EXPECT_FALSE(rec.current("nothing", {}).has_value());
  Gauge& g = rec.gauge("depth", {{"queue", "a"}, {"vhost", "/"}}, "help");
  g.set(5);
  g.add(-2);
  EXPECT_EQ(rec.current("depth", {{"vhost", "/"}, {"queue", "a"}}), 3.0);  // label order does not matter
}

TEST(Recorder, NamesAreValidated) {
  Recorder rec;
  EXPECT_THROW(rec.counter("messages", {}, "h"), std::logic_error);  // a counter ends in _total
  EXPECT_THROW(rec.gauge("1abc", {}, "h"), std::invalid_argument);
  EXPECT_THROW(rec.gauge("a-b", {}, "h"), std::invalid_argument);
  EXPECT_THROW(rec.gauge("", {}, "h"), std::invalid_argument);
  EXPECT_NO_THROW(rec.gauge("ns:metric_name_2", {}, "h"));
  EXPECT_THROW(rec.gauge("ok", {{"bad-label", "x"}}, "h"), std::invalid_argument);
  EXPECT_THROW(rec.gauge("ok", {{"le", "1"}}, "h"), std::logic_error);  // reserved for buckets
  EXPECT_THROW(rec.gauge("ok", {{"__name__", "x"}}, "h"), std::logic_error);
  // One name, one type.
  rec.counter("dual_total", {}, "h");
  EXPECT_THROW(rec.gauge("dual_total", {}, "h"), std::logic_error);
  EXPECT_THROW(check_metric_name("with space"), std::invalid_argument);
}

TEST(Recorder, HistogramBucketsCountObservationsAtMostTheirBound) {
  Recorder rec;
  Histogram& h = rec.histogram("lat_seconds", {}, "h", {1, 2, 5});
  // Prometheus buckets are "≤ le": 0.5 and 1 → le=1; 1.5 → le=2; 5 → le=5; 7 → +Inf.
  for (double v : {0.5, 1.0, 1.5, 5.0, 7.0}) h.observe(v);
  EXPECT_EQ(h.counts(), (std::vector<uint64_t>{2, 1, 1, 1}));
  EXPECT_EQ(h.sum(), 15.0);
  EXPECT_EQ(h.count(), 5u);
  rec.scrape(at_s(0));
  // Flattened series: cumulative buckets 2, 3, 4, 5, then _sum 15 and _count 5.
  const auto series = rec.series();
  ASSERT_EQ(series.size(), 6u);
  EXPECT_EQ(series[0].identity(), "lat_seconds_bucket{le=\"1\"}");
  EXPECT_EQ(series[3].identity(), "lat_seconds_bucket{le=\"+Inf\"}");
  EXPECT_EQ(series[4].identity(), "lat_seconds_sum");
  EXPECT_EQ(series[5].identity(), "lat_seconds_count");
  std::vector<double> first;
  for (const auto& s : series) first.push_back((*s.values)[0]);
  EXPECT_EQ(first, (std::vector<double>{2, 3, 4, 5, 15, 5}));
  EXPECT_THROW(rec.histogram("bad_seconds", {}, "h", {2, 1}), std::logic_error);
  EXPECT_THROW(rec.histogram("bad2_seconds", {}, "h", {1, 1}), std::logic_error);
  EXPECT_THROW(rec.histogram("lat_seconds", {{"a", "b"}}, "h", {1, 2}), std::logic_error);  // other buckets
  EXPECT_NO_THROW(rec.histogram("lat_seconds", {{"a", "b"}}, "h", {1, 2, 5}));
}

TEST(Recorder, GaugesSampleAndHold) {
  Recorder rec;
  Gauge& g = rec.gauge("depth", {}, "h");
  g.set(3);
  rec.scrape(at_s(0));
  g.set(5);
  g.set(7);  // only the last value before a scrape is seen
  rec.scrape(at_s(1));
  rec.scrape(at_s(2));  // no change: held
  Counter& c = rec.counter("n_total", {}, "h");
  (void)c;
  const auto series = rec.series();
  ASSERT_EQ(series[0].name, "depth");
  EXPECT_EQ(*series[0].values, (std::vector<double>{3, 7, 7}));
  EXPECT_EQ(rec.scrape_times_ns(), (std::vector<int64_t>{0, 1'000'000'000, 2'000'000'000}));
}

TEST(Recorder, SeriesCreatedAfterScrapingStartedBeginLater) {
  Recorder rec;
  rec.gauge("early", {}, "h").set(1);
  rec.scrape(at_s(0));
  rec.scrape(at_s(1));
  rec.gauge("late", {{"queue", "q"}}, "h").set(9);
  rec.scrape(at_s(2));
  const auto series = rec.series();
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[1].identity(), "late{queue=\"q\"}");
  EXPECT_EQ(series[1].first_sample, 2u);
  EXPECT_EQ(*series[1].values, (std::vector<double>{9}));
  // The CSV leaves the cells before its first sample empty; one row per scrape.
  EXPECT_EQ(render_series_csv(rec, 0),
            "time_s,time,early,\"late{queue=\"\"q\"\"}\"\n"
            "0,1970-01-01T00:00:00Z,1,\n"
            "1,1970-01-01T00:00:01Z,1,\n"
            "2,1970-01-01T00:00:02Z,1,9\n");
  // OpenMetrics writes only the samples that exist, with their own timestamps.
  const std::string om = render_openmetrics(rec, 0);
  EXPECT_NE(om.find("late{queue=\"q\"} 9 2\n"), std::string::npos) << om;
  EXPECT_EQ(om.find("late{queue=\"q\"} 9 0\n"), std::string::npos) << om;
  EXPECT_EQ(om.substr(om.size() - 6), "# EOF\n");
}

TEST(Recorder, SeriesAreOrderedByFamilyThenLabels) {
  Recorder rec;
  rec.gauge("zeta", {}, "h");
  rec.gauge("alpha", {{"queue", "b"}}, "h");
  rec.gauge("alpha", {{"queue", "a"}}, "h");
  const auto series = rec.series();
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series[0].identity(), "alpha{queue=\"a\"}");
  EXPECT_EQ(series[1].identity(), "alpha{queue=\"b\"}");
  EXPECT_EQ(series[2].identity(), "zeta");
  EXPECT_EQ(rec.help("zeta"), "h");
  EXPECT_EQ(rec.help("unknown"), "");
}

// ---- Backlog (DESIGN §6): ready + unacked summed over queues; peak; drain time back to the level
// before the first fault within max(10 %, 10 messages).

TEST(Backlog, PeakAndDrainTimeFromAZeroBaseline) {
  Recorder rec;
  BacklogTracker b(rec);
  auto& qa = b.register_queue("a");
  auto& qb = b.register_queue("b");
  qa.add(3, at_s(1));
  qb.add(2, at_s(2));  // total 5: the peak, at 2 s
  EXPECT_EQ(b.total(), 5);
  EXPECT_EQ(b.peak(), 5);
  EXPECT_EQ(b.peak_time(), at_s(2));
  // The baseline is the total at t = 0, 0; the threshold is 0 + max(0, 10) = 10, and 5 is
  // already within it: the total is "back" at once, a drain time of 0.
  ASSERT_TRUE(b.drain_time().has_value());
  EXPECT_EQ(*b.drain_time(), Duration::zero());
  // Per-queue and total gauges follow every change.
  EXPECT_EQ(rec.current("faultline_queue_backlog_messages", {{"queue", "a"}}), 3.0);
  EXPECT_EQ(rec.current("faultline_backlog_messages", {}), 5.0);
}

TEST(Backlog, DrainTimeCountsFromThePeakToTheReturn) {
  Recorder rec;
  BacklogTracker b(rec);
  auto& q = b.register_queue("q");
  q.add(100, at_s(0));
  b.mark_baseline(at_s(10));  // first fault at 10 s with 100 queued: threshold 100 + max(10, 10) = 110
  EXPECT_EQ(b.baseline(), 100);
  q.add(400, at_s(20));       // 500: the peak at 20 s
  q.add(-380, at_s(30));      // 120 > 110: not back yet
  EXPECT_FALSE(b.drain_time().has_value());
  q.add(-10, at_s(40));       // 110 ≤ 110: back at 40 s
  ASSERT_TRUE(b.drain_time().has_value());
  EXPECT_EQ(*b.drain_time(), Duration::s(20));  // 40 − 20
  q.add(-50, at_s(50));       // later returns do not move it
  EXPECT_EQ(*b.drain_time(), Duration::s(20));
}

TEST(Backlog, TenPercentWhenLargerThanTenMessages) {
  Recorder rec;
  BacklogTracker b(rec);
  auto& q = b.register_queue("q");
  q.add(200, at_s(0));
  b.mark_baseline(at_s(1));  // threshold 200 + max(20, 10) = 220
  q.add(800, at_s(2));       // peak 1000 at 2 s
  q.add(-779, at_s(3));      // 221: not back
  EXPECT_FALSE(b.drain_time().has_value());
  q.add(-1, at_s(4));        // 220: back
  EXPECT_EQ(*b.drain_time(), Duration::s(2));
}

TEST(Backlog, ANewPeakAfterAReturnResetsTheDrain) {
  Recorder rec;
  BacklogTracker b(rec);
  auto& q = b.register_queue("q");
  q.add(50, at_s(1));
  q.add(-50, at_s(2));  // back at 2 s (drain 1 s)
  EXPECT_EQ(*b.drain_time(), Duration::s(1));
  q.add(80, at_s(5));   // new peak 80 at 5 s; never back
  EXPECT_EQ(b.peak(), 80);
  EXPECT_EQ(b.peak_time(), at_s(5));
  EXPECT_FALSE(b.drain_time().has_value());
  // An equal level later is not a new peak: the peak keeps its first time.
  q.add(-10, at_s(6));
  q.add(10, at_s(7));
  EXPECT_EQ(b.peak_time(), at_s(5));
}

}  // namespace
}  // namespace faultline::sim

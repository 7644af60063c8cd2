// The series store: ordering, gaps, duplicate samples, identities, and the simulated series.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/core/rfc3339.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/series/series_store.hpp"

namespace faultline::sim {
namespace {

constexpr int64_t kSec = 1'000'000'000;

TEST(SeriesStore, SortsSeriesByLabelsAndSamplesByTime) {
  SeriesStore s;
  s.add_sample({{"__name__", "b"}}, 2 * kSec, 2);
  s.add_sample({{"__name__", "a"}, {"x", "2"}}, 1 * kSec, 1);
  s.add_sample({{"__name__", "a"}, {"x", "1"}}, 3 * kSec, 3);
  s.add_sample({{"__name__", "b"}}, 1 * kSec, 1);  // out of order: inserted before 2 s
  ASSERT_EQ(s.size(), 3u);
  // Label sets compare as sorted (name, value) lists: a{x=1} < a{x=2} < b.
  EXPECT_EQ(s.series()[0].labels.at("x"), "1");
  EXPECT_EQ(s.series()[1].labels.at("x"), "2");
  EXPECT_EQ(s.series()[2].name(), "b");
  ASSERT_EQ(s.series()[2].samples.size(), 2u);
  EXPECT_EQ(s.series()[2].samples[0].t_ns, 1 * kSec);
  EXPECT_EQ(s.sample_count(), 4u);
  EXPECT_EQ(s.first_time(), 1 * kSec);
  EXPECT_EQ(s.last_time(), 3 * kSec);
  EXPECT_EQ(s.names(), (std::vector<std::string>{"a", "b"}));
}

TEST(SeriesStore, DuplicateSamplesAndEmptyLabels) {
  SeriesStore s;
  EXPECT_EQ(s.add_sample({{"__name__", "g"}, {"empty", ""}}, 0, 1.0), SeriesStore::AddResult::added);
  // An empty label value is the same as no label: this is the same series and the same sample.
  EXPECT_EQ(s.add_sample({{"__name__", "g"}}, 0, 1.0), SeriesStore::AddResult::same_value);
  EXPECT_EQ(s.add_sample({{"__name__", "g"}}, 0, 2.0), SeriesStore::AddResult::conflict);
  EXPECT_EQ(s.series()[0].samples[0].value, 1.0);  // the first value stays
  // NaN equals NaN for this purpose (a re-read of the same export is not a conflict).
  s.add_sample({{"__name__", "n"}}, 0, std::nan(""));
  EXPECT_EQ(s.add_sample({{"__name__", "n"}}, 0, std::nan("")), SeriesStore::AddResult::same_value);
  EXPECT_NE(s.find({{"__name__", "g"}, {"empty", ""}}), nullptr);
  EXPECT_EQ(s.find({{"__name__", "missing"}}), nullptr);
}

TEST(SeriesIdentity, FormatAndParseRoundTrip) {
  const Labels l = {{"__name__", "x"}, {"q", "a \"b\"\\c\nd"}, {"z", "1"}};
  const std::string text = format_series_identity(l);
  EXPECT_EQ(text, "x{q=\"a \\\"b\\\"\\\\c\\nd\",z=\"1\"}");
  EXPECT_EQ(parse_series_identity(text), l);
  EXPECT_EQ(format_series_identity({{"__name__", "up"}}), "up");
  EXPECT_EQ(format_series_identity({{"job", "a"}}), "{job=\"a\"}");
  EXPECT_EQ(parse_series_identity("{job=\"a\"}"), (Labels{{"job", "a"}}));
  std::string err;
  EXPECT_FALSE(parse_series_identity("x{a=\"1", &err).has_value());
  EXPECT_NE(err.find("unterminated value of label \"a\""), std::string::npos) << err;
  EXPECT_FALSE(parse_series_identity("x{a=\"1\"", &err).has_value());
  EXPECT_NE(err.find("expected ',' or '}'"), std::string::npos) << err;
  EXPECT_FALSE(parse_series_identity("x{a=\"1\",a=\"2\"}", &err).has_value());
  EXPECT_NE(err.find("given twice"), std::string::npos) << err;
  EXPECT_FALSE(parse_series_identity("x{a=1}", &err).has_value());
  EXPECT_FALSE(parse_series_identity("x y", &err).has_value());
  EXPECT_FALSE(parse_series_identity("", &err).has_value());
}

TEST(SeriesStoreFromRecorder, AnchorsScrapesAtTheStartTimeAndKeepsGaps) {
  Recorder rec;
  rec.counter("jobs_total", {{"queue", "q"}}, "jobs").inc(3);
  rec.gauge("depth", {}, "depth").set(7);
  rec.scrape(SimTime::zero());
  rec.gauge("depth", {}, "depth").set(5);
  // A series that first appears after the first scrape has no sample before it (a gap, not 0).
  rec.gauge("late", {}, "late").set(1);
  auto& h = rec.histogram("lat_seconds", {}, "lat", {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  rec.scrape(SimTime::from_ns(1'500'000'000));
  const int64_t start = kDefaultStartEpochNs;
  const SeriesStore s = series_store_from_recorder(rec, start);
  const StoredSeries* depth = s.find({{"__name__", "depth"}});
  ASSERT_NE(depth, nullptr);
  EXPECT_EQ(depth->kind, SeriesKind::gauge);
  ASSERT_EQ(depth->samples.size(), 2u);
  EXPECT_EQ(depth->samples[0].t_ns, start);
  EXPECT_EQ(depth->samples[1].t_ns, start + 1'500'000'000);
  EXPECT_EQ(depth->samples[1].value, 5.0);
  const StoredSeries* late = s.find({{"__name__", "late"}});
  ASSERT_NE(late, nullptr);
  ASSERT_EQ(late->samples.size(), 1u);
  EXPECT_EQ(late->samples[0].t_ns, start + 1'500'000'000);
  ASSERT_EQ(s.size(), 8u);  // jobs_total, depth, late, 3 buckets, _sum, _count
  for (const auto& x : s.series()) ASSERT_FALSE(x.samples.empty()) << format_series_identity(x.labels);
  EXPECT_EQ(s.find({{"__name__", "jobs_total"}, {"queue", "q"}})->kind, SeriesKind::counter);
  // The histogram appears as cumulative buckets with le, then _sum and _count:
  // observations 0.05 and 0.5 → le=0.1: 1, le=1: 2, +Inf: 2 — but it was created after the first
  // scrape, so each has one sample.
  const StoredSeries* b = s.find({{"__name__", "lat_seconds_bucket"}, {"le", "1"}});
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->kind, SeriesKind::histogram);
  ASSERT_EQ(b->samples.size(), 1u);
  EXPECT_EQ(b->samples[0].value, 2.0);
  EXPECT_EQ(s.find({{"__name__", "lat_seconds_bucket"}, {"le", "0.1"}})->samples[0].value, 1.0);
  EXPECT_EQ(s.find({{"__name__", "lat_seconds_bucket"}, {"le", "+Inf"}})->samples[0].value, 2.0);
  EXPECT_DOUBLE_EQ(s.find({{"__name__", "lat_seconds_sum"}})->samples[0].value, 0.55);
}

}  // namespace
}  // namespace faultline::sim

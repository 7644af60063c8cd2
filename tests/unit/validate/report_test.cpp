// The validation report's shape: the SVG plot (well-formed, both lines, gaps, faults, escaped
// text, round ticks) and report.md / report.json (sim/validate/report.hpp).
#include "sim/validate/report.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/support/test_support.hpp"

namespace faultline::validate {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(ValidateSvg, NiceTicks) {
  // 0..47 in about 5 steps: raw 9.4 → step 10: 0, 10, 20, 30, 40.
  EXPECT_EQ(nice_ticks(0, 47, 5), (std::vector<double>{0, 10, 20, 30, 40}));
  // 0..1.2 in about 5 steps: raw 0.24 → step 0.5: 0, 0.5, 1.
  const auto t = nice_ticks(0, 1.2, 5);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_DOUBLE_EQ(t[1], 0.5);
  // 30..150 in about 8 steps: raw 15 → step 20: 40, 60, ..., 140 (30 and 150 are not multiples).
  EXPECT_EQ(nice_ticks(30, 150, 8), (std::vector<double>{40, 60, 80, 100, 120, 140}));
}

TEST(ValidateSvg, PlotShape) {
  Plot p;
  p.title = "backlog <qq & cq>";
  p.y_label = "messages";
  // The observed line has a gap between 2 s and 10 s (a node down): two polylines.
  p.lines.push_back({"observed", {{0, 1}, {1, 2}, {2, 3}, {10, 4}, {11, 5}}, "#222222", false});
  p.lines.push_back({"predicted", {{0, 1}, {1, 1}, {2, 1}, {3, 1}}, "#1f77b4", true});
  p.spans.push_back({30, 55, "process-freeze"});  // a span with an end: a shaded rect
  p.spans.push_back({60, std::nullopt, "kill"});  // one-shot: a line only
  const std::string svg = render_svg(p);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_EQ(count(svg, "<polyline"), 3u);                         // observed in two pieces, predicted in one
  EXPECT_EQ(count(svg, "stroke-dasharray=\"5,3\" points="), 1u);  // the predicted line is dashed
  EXPECT_EQ(count(svg, "fill-opacity=\"0.10\""), 1u);             // the freeze's span
  EXPECT_NE(svg.find("backlog &lt;qq &amp; cq&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<qq"), std::string::npos);
  EXPECT_NE(svg.find(">observed</text>"), std::string::npos);
  EXPECT_NE(svg.find(">predicted</text>"), std::string::npos);
  // Every element opened is closed (a well-formedness check by counting).
  EXPECT_EQ(count(svg, "<text"), count(svg, "</text>"));
  EXPECT_EQ(count(svg, "<title>"), count(svg, "</title>"));
  // The x axis reaches the faults at 30–60 s although the lines stop at 11 s: tick 60 exists.
  EXPECT_NE(svg.find(">60</text>"), std::string::npos);
  // Deterministic: the same plot renders the same bytes.
  EXPECT_EQ(svg, render_svg(p));
}

ValidationResult hand_made_result() {
  ValidationResult r;
  r.scenario = "testbed";
  r.scenario_file = "scenario.yaml";
  r.record_label = "rmq-classic-kill run 1";
  r.start_time = "2026-11-22T05:02:04.451Z";
  r.until_s = 124;
  r.predicted_messages = {{"published", 12000}, {"delivered", 11557}, {"lost", 443},
                          {"in_flight", 0},     {"duplicates", 0},    {"lost_by_cause", {{"publish_failed", 443}}}};
  GroundTruth g;
  g.file = "truth.json";
  g.published = 12000;
  g.delivered = 11576;
  g.lost = 424;
  r.truth = g;
  r.loss = compare(443, 424, Tolerance{0.10, 20.0});
  MetricResult m;
  m.id = m.name = "backlog";
  m.title = "backlog";
  m.unit = "messages";
  m.observed = {{0, 1}, {1, 15}, {2, 1}};
  m.predicted = {{0, 0}, {1, 6}, {2, 0}};
  m.peak = compare(6, 15, Tolerance{0.15, std::nullopt});
  m.plot_file = "backlog.svg";
  r.metrics.push_back(m);
  RecoveryResult rr;
  rr.kind = "container-kill";
  rr.targets = {"rabbitmq/rabbitmq-1"};
  rr.start_s = 30.278;
  rr.recovery = compare(12.18, 8.869, Tolerance{std::nullopt, 2.0});
  r.recoveries.push_back(rr);
  r.fault_marks.push_back({30.278, std::nullopt, "container-kill rabbitmq-1"});
  r.fault_targets.push_back({"rabbitmq/rabbitmq-1"});
  r.fault_recovery.push_back(0);
  return r;
}

TEST(ValidateReport, MarkdownShape) {
  const ValidationResult r = hand_made_result();
  // loss passes, the peak and the recovery fail: 1 of 3.
  EXPECT_EQ(r.counts(), (std::pair<size_t, size_t>{1, 2}));
  EXPECT_FALSE(r.passed());
  const std::string md = render_markdown(r);
  EXPECT_NE(md.find("# Validation of testbed against rmq-classic-kill run 1"), std::string::npos);
  EXPECT_NE(md.find("**Verdict: FAIL** — 1 of 3 checks within tolerance (2 outside)."), std::string::npos);
  EXPECT_NE(md.find("| messages lost | 443 | 424 | +19 (+4.5 %) | ±10 % or ±20 messages (larger) | pass |"),
            std::string::npos);
  EXPECT_NE(md.find("| backlog: peak | 6 messages | 15 messages | -9 messages (-60.0 %) | ±15 % | **FAIL** |"),
            std::string::npos);
  EXPECT_NE(md.find("![backlog](backlog.svg)"), std::string::npos);
  // The fault row: recorded recovery 30.278 + 8.869 = 39.15 s, the model's 30.278 + 12.18 = 42.46 s.
  EXPECT_NE(md.find("| container-kill rabbitmq-1 | rabbitmq/rabbitmq-1 | 30.28 | — | 39.15 | 42.46 |"),
            std::string::npos);
}

TEST(ValidateReport, WritesTheFolder) {
  test::TempDir dir;
  const ValidationResult r = hand_made_result();
  write_report(r, dir / "out");
  for (const char* f : {"report.md", "report.json", "backlog.svg"})
    EXPECT_TRUE(std::filesystem::exists(dir / ("out/" + std::string(f)))) << f;
  const auto j = nlohmann::json::parse(test::read_file(dir / "out/report.json"));
  EXPECT_EQ(j["verdict"], "fail");
  EXPECT_EQ(j["checks"]["passed"], 1);
  EXPECT_EQ(j["checks"]["failed"], 2);
  EXPECT_EQ(j["loss"]["result"], "pass");
  EXPECT_EQ(j["metrics"][0]["peak"]["result"], "fail");
  EXPECT_EQ(j["recoveries"][0]["result"], "fail");
}

}  // namespace
}  // namespace faultline::validate

// The output folder (DESIGN §6): every file, the summary.json keys, the query_range shape, one CSV
// row per scrape, OpenMetrics that promtool accepts, and atomic writes (no temporary file left).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.hpp"

namespace faultline::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::set<std::string> kFiles = {"summary.json",  "timing.json",  "series.csv",   "metrics.om",
                                      "query_range.json", "events.jsonl", "faults.jsonl", "scenario.resolved.json"};

// The reference workload cut to 20000 messages (about 20 s simulated), plus one consumer pod-kill
// so that faults.jsonl, events.jsonl and the summary's fault list have content.
std::string write_scenario(const TempDir& dir) {
  json sc = json::parse(read_file(source_path("scenarios/mmc-reference.json")));
  sc["name"] = "outputs";
  for (auto& c : sc["components"])
    if (c["name"] == "producer") c["messages"] = 20000;
  sc["faults"] = json::array({json{{"kind", "pod-kill"}, {"at", "5s"}, {"target", "consumer/consumer-1"}}});
  const std::string path = dir / "outputs.json";
  write_file(path, sc.dump(2));
  return path;
}

class Outputs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string scenario = write_scenario(*dir_);
    const CliResult r = run_cli({"run", scenario, "--seed", "3", "--out", *dir_ / "out"}, 120);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    stdout_ = new std::string(r.out);
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete stdout_;
  }
  static std::string out(const std::string& name) { return *dir_ / ("out/" + name); }
  static json summary() { return json::parse(read_file(out("summary.json"))); }
  static TempDir* dir_;
  static std::string* stdout_;
};
TempDir* Outputs::dir_ = nullptr;
std::string* Outputs::stdout_ = nullptr;

TEST_F(Outputs, EveryFileAndNoTemporaryLeftOver) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(*dir_ / "out")) names.insert(e.path().filename().string());
  // Exactly the files of DESIGN §6 (journal.json only comes with an experiment): a ".x.tmp.PID"
  // left behind would show up here.
  EXPECT_EQ(names, kFiles);
}

TEST_F(Outputs, SummaryHasEveryKeyOfDesign6) {
  const json s = summary();
  for (const char* key : {"scenario", "experiment", "seed", "start_time", "fingerprint", "simulated_seconds", "events",
                          "messages", "backlog", "faults", "verdict"})
    EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_EQ(s["scenario"], "outputs");
  EXPECT_TRUE(s["experiment"].is_null());
  EXPECT_EQ(s["seed"], 3);
  EXPECT_EQ(s["start_time"], "2026-01-01T00:00:00Z");
  EXPECT_TRUE(s["fingerprint"].is_string());
  EXPECT_EQ(s["fingerprint"].get<std::string>().size(), 16u);
  EXPECT_TRUE(s["simulated_seconds"].is_number());
  EXPECT_TRUE(s["events"].is_number_unsigned());
  const json& m = s["messages"];
  for (const char* key : {"published", "delivered", "duplicates", "in_flight", "lost", "lost_by_cause", "lost_by_component"})
    EXPECT_TRUE(m.contains(key)) << key;
  EXPECT_TRUE(m["lost_by_cause"].is_object());
  EXPECT_TRUE(m["lost_by_component"].is_object());
  // published = delivered + in flight + lost; duplicates apart.
  EXPECT_EQ(m["published"].get<uint64_t>(),
            m["delivered"].get<uint64_t>() + m["in_flight"].get<uint64_t>() + m["lost"].get<uint64_t>());
  EXPECT_EQ(m["published"], 20000);
  const json& b = s["backlog"];
  for (const char* key : {"peak", "peak_time_s", "drain_time_s"}) EXPECT_TRUE(b.contains(key)) << key;
  ASSERT_TRUE(s["faults"].is_array());
  ASSERT_EQ(s["faults"].size(), 1u);
  const json& f = s["faults"][0];
  for (const char* key : {"kind", "targets", "start_s", "end_s", "recovered_s"}) EXPECT_TRUE(f.contains(key)) << key;
  EXPECT_EQ(f["kind"], "pod-kill");
  EXPECT_EQ(f["targets"], json::array({"consumer/consumer-1"}));
  EXPECT_EQ(f["start_s"], 5.0);
  EXPECT_TRUE(f["end_s"].is_null());
  EXPECT_TRUE(s["verdict"].is_null());
  // The text report printed the same fingerprint.
  EXPECT_NE(stdout_->find("fingerprint " + s["fingerprint"].get<std::string>()), std::string::npos) << *stdout_;
}

TEST_F(Outputs, TimingHasWallEventsAndMemory) {
  const json t = json::parse(read_file(out("timing.json")));
  for (const char* key : {"wall_seconds", "events_per_second", "peak_rss_bytes"}) EXPECT_TRUE(t.contains(key)) << key;
  EXPECT_GT(t["peak_rss_bytes"].get<double>(), 0);
}

TEST_F(Outputs, FaultsAndEventsAreJsonLines) {
  const std::string faults = read_file(out("faults.jsonl"));
  ASSERT_EQ(count_lines(faults), 1u);
  const json f = json::parse(faults);
  // The timeline line of DESIGN §5.
  for (const char* key : {"start_s", "end_s", "kind", "targets", "params", "source"}) EXPECT_TRUE(f.contains(key)) << key;
  EXPECT_EQ(f["source"]["at"], "/faults/0");
  std::istringstream events(read_file(out("events.jsonl")));
  size_t n = 0;
  for (std::string line; std::getline(events, line); ++n) {
    const json e = json::parse(line);
    EXPECT_TRUE(e.contains("t_s") && e.contains("component") && e.contains("event")) << line;
  }
  EXPECT_GT(n, 0u);  // at least the fault being applied
}

TEST_F(Outputs, SeriesCsvHasOneRowPerScrape) {
  const double end = summary()["simulated_seconds"].get<double>();
  std::istringstream csv(read_file(out("series.csv")));
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("time_s,time,", 0), 0u) << header;
  std::vector<std::string> rows;
  for (std::string line; std::getline(csv, line);) rows.push_back(line);
  // Scrapes every 1 s from t = 0 while the run lasts, plus the closing one at the end time when
  // it is not itself a whole second: floor(end) + 1 (+ 1).
  const double whole = std::floor(end);
  const size_t expected = static_cast<size_t>(whole) + 1 + (end > whole ? 1 : 0);
  ASSERT_EQ(rows.size(), expected) << "end " << end;
  EXPECT_EQ(rows.front().rfind("0,2026-01-01T00:00:00Z,", 0), 0u) << rows.front();
  EXPECT_EQ(rows[1].rfind("1,2026-01-01T00:00:01Z,", 0), 0u) << rows[1];
  // Every row has as many cells as the header.
  const auto cells = [](const std::string& line) {
    size_t n = 1;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted) ++n;
    }
    return n;
  };
  for (const auto& row : rows) ASSERT_EQ(cells(row), cells(header)) << row;
}

TEST_F(Outputs, QueryRangeHasThePrometheusShape) {
  const json q = json::parse(read_file(out("query_range.json")));
  EXPECT_EQ(q["status"], "success");
  EXPECT_EQ(q["data"]["resultType"], "matrix");
  const json& result = q["data"]["result"];
  ASSERT_TRUE(result.is_array());
  ASSERT_FALSE(result.empty());
  std::set<std::string> names;
  const size_t rows = count_lines(read_file(out("series.csv"))) - 1;
  for (const json& series : result) {
    ASSERT_TRUE(series["metric"].is_object());
    ASSERT_TRUE(series["metric"]["__name__"].is_string());
    names.insert(series["metric"]["__name__"].get<std::string>());
    const json& values = series["values"];
    ASSERT_TRUE(values.is_array());
    ASSERT_LE(values.size(), rows);
    double last = 0;
    for (const json& v : values) {
      // [unix seconds as a number, value as a string], in time order.
      ASSERT_TRUE(v.is_array() && v.size() == 2);
      ASSERT_TRUE(v[0].is_number());
      ASSERT_TRUE(v[1].is_string());
      ASSERT_GT(v[0].get<double>(), last);
      last = v[0].get<double>();
      (void)std::stod(v[1].get<std::string>());
    }
  }
  // The names of DESIGN §6 that this workload produces.
  for (const char* name : {"rabbitmq_queue_messages_ready", "rabbitmq_queue_messages_unacked",
                           "rabbitmq_global_messages_received_total", "rabbitmq_global_messages_delivered_total",
                           "faultline_messages_delivered_total", "faultline_message_latency_seconds_bucket"})
    EXPECT_TRUE(names.count(name)) << name;
  // The first sample is at the start time: 2026-01-01T00:00:00Z = 1767225600.
  EXPECT_EQ(result[0]["values"][0][0].get<double>(), 1767225600.0);
}

std::string find_promtool() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string d; std::getline(dirs, d, ':');)
    if (!d.empty() && fs::exists(d + "/promtool")) return d + "/promtool";
  return fs::exists("/usr/bin/promtool") ? "/usr/bin/promtool" : "";
}

TEST_F(Outputs, PromtoolAcceptsTheOpenMetrics) {
  const std::string om = read_file(out("metrics.om"));
  ASSERT_GE(om.size(), 6u);
  EXPECT_EQ(om.substr(om.size() - 6), "# EOF\n");
  const std::string promtool = find_promtool();
  if (promtool.empty())
    GTEST_SKIP() << "promtool not found (Debian package prometheus; .ci/setup installs it): metrics.om not checked";
  TempDir blocks;
  const CliResult r =
      run_program(promtool, {"tsdb", "create-blocks-from", "openmetrics", out("metrics.om"), blocks.path()}, 120);
  ASSERT_TRUE(r.exited) << r.describe();
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  // It wrote at least one block (a ULID-named folder).
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(blocks.path())) n += e.is_directory() ? 1 : 0;
  EXPECT_GE(n, 1u) << r.describe();
}

TEST(OutputsMisc, StartTimeShiftsEveryTimestamp) {
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const CliResult r = run_cli({"run", scenario, "--until", "3s", "--start-time", "2030-06-01T12:00:00+02:00", "--out",
                               dir / "out"},
                              60);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(json::parse(read_file(dir / "out/summary.json"))["start_time"], "2030-06-01T10:00:00Z");
  const std::string csv = read_file(dir / "out/series.csv");
  EXPECT_NE(csv.find("\n0,2030-06-01T10:00:00Z,"), std::string::npos);
  // --until 3s: scrapes at 0, 1, 2 and 3 s, and the run ends at exactly 3 s.
  EXPECT_EQ(count_lines(csv), 1u + 4u);
  EXPECT_EQ(json::parse(read_file(dir / "out/summary.json"))["simulated_seconds"], 3.0);
  // 2030-06-01T10:00:00Z: 2030-01-01 is 1893456000 s, + 151 days (Jan–May) + 10 h = 1906538400 s.
  EXPECT_NE(read_file(dir / "out/metrics.om").find(" 1906538400\n"), std::string::npos);
}

TEST(OutputsMisc, JsonFlagPrintsTheSummary) {
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const CliResult r = run_cli({"run", scenario, "--until", "2s", "--json", "--out", dir / "out"}, 60);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(json::parse(r.out), json::parse(read_file(dir / "out/summary.json")));
}

TEST(OutputsMisc, RewritingAFolderReplacesItsFiles) {
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  ASSERT_EQ(run_cli({"run", scenario, "--until", "2s", "--out", dir / "out"}, 60).exit_code, 0);
  ASSERT_EQ(run_cli({"run", scenario, "--until", "4s", "--out", dir / "out"}, 60).exit_code, 0);
  EXPECT_EQ(json::parse(read_file(dir / "out/summary.json"))["simulated_seconds"], 4.0);
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir / "out")) names.insert(e.path().filename().string());
  EXPECT_EQ(names, kFiles);
}

TEST(OutputsMisc, ResolvedScenarioIsWrittenNextToTheOutputs) {
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  ASSERT_EQ(run_cli({"run", scenario, "--until", "1s", "--set", "components.consumer.count=2", "--out", dir / "out"}, 60)
                .exit_code,
            0);
  const json r = json::parse(read_file(dir / "out/scenario.resolved.json"));
  EXPECT_EQ(r["name"], "outputs");
  EXPECT_EQ(r["overrides"], json::array({"components.consumer.count=2"}));
  bool found = false;
  for (const auto& c : r["components"])
    if (c["name"] == "consumer") {
      found = true;
      EXPECT_EQ(c["count"], 2);
      EXPECT_EQ(c["instances"], json::array({"consumer/consumer-0", "consumer/consumer-1"}));
      EXPECT_EQ(c["ack"], "manual");  // a default made explicit
    }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace faultline::test

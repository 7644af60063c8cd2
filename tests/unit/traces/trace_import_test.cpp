// Trace import: query_range JSON, OpenMetrics, Prometheus text and CSV, from the project's own
// fixtures (tests/fixtures/traces/) and, when ../shared is present, the corpus files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "sim/core/rfc3339.hpp"
#include "sim/output/run_outputs.hpp"
#include "sim/scenario/input_error.hpp"
#include "sim/traces/number_text.hpp"
#include "sim/traces/trace_import.hpp"

namespace faultline::sim {
namespace {

using traces::TraceFormat;

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = 1'767'225'600LL * kSec;  // 2026-01-01T00:00:00Z

std::string fixture(const std::string& name) { return std::string(FAULTLINE_SOURCE_DIR) + "/tests/fixtures/traces/" + name; }

const StoredSeries& series(const traces::Trace& t, const Labels& l) {
  const StoredSeries* s = t.store.find(l);
  if (s == nullptr) {
    std::string all;
    for (const auto& x : t.store.series()) all += format_series_identity(x.labels) + "\n";
    ADD_FAILURE() << "no series " << format_series_identity(l) << " in\n" << all;
    static const StoredSeries empty;
    return empty;
  }
  return *s;
}

InputError input_error_of(const std::string& file, TraceFormat format = TraceFormat::automatic) {
  try {
    traces::import_trace(fixture(file), format);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for " << file;
  return InputError("", "", 0, "");
}

TEST(TraceNumbers, DecimalTimesAreExact) {
  // 1435781430.781 s is 1435781430781000000 ns exactly, not the nearest double × 1e9.
  EXPECT_EQ(traces::parse_decimal_time("1435781430.781", kSec), 1435781430781000000);
  EXPECT_EQ(traces::parse_decimal_time("1.7672256015e9", kSec), 1767225601500000000);
  EXPECT_EQ(traces::parse_decimal_time("-2.5", kSec), -2500000000);
  // Milliseconds (Prometheus text): 1767225601250 ms.
  EXPECT_EQ(traces::parse_decimal_time("1767225601250", 1'000'000), 1767225601250000000);
  // Beyond 1 ns: rounded half away from zero.
  EXPECT_EQ(traces::parse_decimal_time("0.0000000015", kSec), 2);
  EXPECT_EQ(traces::parse_decimal_time("0.0000000014", kSec), 1);
  EXPECT_FALSE(traces::parse_decimal_time("1e30", kSec).has_value());
  EXPECT_FALSE(traces::parse_decimal_time("12a", kSec).has_value());
  EXPECT_FALSE(traces::parse_decimal_time("", kSec).has_value());
  // A JSON double: the shortest round-trip text is read exactly.
  EXPECT_EQ(traces::seconds_double_to_ns(1435781430.781), 1435781430781000000);
  EXPECT_EQ(traces::seconds_double_to_ns(1767225600.0), kT0);
  // Values: Go's ParseFloat forms.
  EXPECT_EQ(traces::parse_sample_value("+Inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(traces::parse_sample_value("-inf"), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(*traces::parse_sample_value("NaN")));
  EXPECT_EQ(traces::parse_sample_value("1.5e3"), 1500.0);
  EXPECT_EQ(traces::parse_sample_value("-0.25"), -0.25);
  EXPECT_FALSE(traces::parse_sample_value("one").has_value());
  EXPECT_FALSE(traces::parse_sample_value("1,5").has_value());
  EXPECT_FALSE(traces::parse_sample_value("").has_value());
}

TEST(QueryRangeImport, OneResponseWithGapsAndSpecialValues) {
  const auto t = traces::import_trace(fixture("query_range_single.json"));
  EXPECT_EQ(t.format, TraceFormat::query_range_json);
  ASSERT_EQ(t.store.size(), 2u);
  const auto& ready = series(t, {{"__name__", "rabbitmq_queue_messages_ready"},
                                 {"instance", "rabbit-1:15692"},
                                 {"queue", "orders"},
                                 {"vhost", "/"}});
  // The step at 1767225603 is missing: 5 samples, and no zero in its place.
  ASSERT_EQ(ready.samples.size(), 5u);
  EXPECT_EQ(ready.samples[2].t_ns, kT0 + 2 * kSec);
  EXPECT_EQ(ready.samples[3].t_ns, kT0 + 4 * kSec);
  EXPECT_EQ(ready.samples[3].value, 18.0);
  const auto& avg = series(t, {{"__name__", "mysql_global_status_wsrep_local_recv_queue_avg"}, {"instance", "db-1:9104"}});
  ASSERT_EQ(avg.samples.size(), 4u);
  EXPECT_EQ(avg.samples[0].t_ns, kT0 + kSec / 2);
  EXPECT_TRUE(std::isnan(avg.samples[0].value));
  EXPECT_EQ(avg.samples[1].value, std::numeric_limits<double>::infinity());
  EXPECT_EQ(avg.samples[2].value, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(avg.samples[3].value, 0.25);
  EXPECT_TRUE(t.skipped.empty());
}

TEST(QueryRangeImport, ObjectOfQueriesMergesNamedSeriesAndKeepsResultsApart) {
  const auto t = traces::import_trace(fixture("query_range_multi.json"));
  ASSERT_EQ(t.queries.size(), 6u);
  EXPECT_EQ(t.queries[5], "up");
  // The same series from two queries (0,1,2 and 1,2,3 s) merges into 4 samples.
  const auto& ready = series(t, {{"__name__", "rabbitmq_queue_messages_ready"},
                                 {"instance", "10.0.0.1:15692"},
                                 {"job", "rabbitmq"},
                                 {"queue", "orders"},
                                 {"vhost", "/"}});
  ASSERT_EQ(ready.samples.size(), 4u);
  EXPECT_EQ(ready.samples[3].value, 2.0);
  // Results without a name carry their query in __query__, so the two {} results stay apart.
  const auto& user = series(t, {{"__query__", "sum by (mode) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5s]))"},
                                {"mode", "user"}});
  ASSERT_EQ(user.samples.size(), 2u);
  EXPECT_EQ(user.samples[1].value, 1.75);
  EXPECT_EQ(series(t, {{"__query__", "sum(rate(node_cpu_seconds_total{mode=\"user\"}[5s]))"}}).samples.size(), 1u);
  // 1 ready + 2 received + 2 modes + 1 sum; "up" returned no series.
  EXPECT_EQ(t.store.size(), 6u);
}

TEST(QueryRangeImport, ErrorsNameThePointerAndTheLine) {
  // Two queries give the same series different values at the same time.
  InputError c = input_error_of("query_range_conflict.json");
  EXPECT_EQ(c.pointer(), "/rabbitmq_queue_messages_ready offset 1s/data/result/0/values/0");
  EXPECT_EQ(c.line(), 5);
  EXPECT_NE(c.message().find("already has a different value"), std::string::npos) << c.what();
  // An error response.
  InputError e = input_error_of("query_range_error.json");
  EXPECT_EQ(e.pointer(), "/status");
  EXPECT_EQ(e.line(), 2);
  EXPECT_NE(e.message().find("bad_data"), std::string::npos) << e.what();
  // A value that is not a number, on line 10 of the file.
  InputError v = input_error_of("query_range_bad_value.json");
  EXPECT_EQ(v.pointer(), "/data/result/0/values/1/1");
  EXPECT_EQ(v.line(), 10);
  EXPECT_NE(v.message().find("expected a sample value"), std::string::npos) << v.what();
  EXPECT_NE(std::string(v.what()).find("query_range_bad_value.json:10: at /data/result/0/values/1/1"), std::string::npos)
      << v.what();
}

TEST(QueryRangeImport, MalformedShapes) {
  auto err = [](const std::string& text) -> std::string {
    try {
      traces::parse_query_range_json(text, "x.json");
    } catch (const InputError& e) {
      return e.pointer() + " | " + e.message();
    }
    return "no error";
  };
  EXPECT_NE(err("[1]").find("expected a Prometheus API response"), std::string::npos);
  EXPECT_NE(err("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"1\"]}}").find("/data/resultType"),
            std::string::npos);
  EXPECT_NE(err("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[1]]}]}}")
                .find("/data/result/0/values/0 | expected a pair"),
            std::string::npos);
  EXPECT_NE(err("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"a\":1},\"values\":[]}]}}")
                .find("/data/result/0/metric/a"),
            std::string::npos);
  EXPECT_NE(err("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[],\"extra\":1}}").find("/data/extra"),
            std::string::npos);
  EXPECT_NE(err("{\"status\":\"success\",").find("JSON syntax error"), std::string::npos);
  // A number beyond a double is nlohmann's out_of_range, still an InputError.
  EXPECT_NE(err("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
                "\"values\":[[1e999,\"1\"]]}]}}")
                .find("invalid JSON: number overflow"),
            std::string::npos);
  EXPECT_NE(err("{\"q\": 1}").find("/q | expected the Prometheus API response"), std::string::npos);
  // An instant query's vector is read too: one sample per series.
  auto v = traces::parse_query_range_json(
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"up\"},"
      "\"value\":[1767225600.25,\"1\"]}]}}",
      "v.json");
  ASSERT_EQ(v.store.sample_count(), 1u);
  EXPECT_EQ(v.store.series()[0].samples[0].t_ns, kT0 + kSec / 4);
  // Native histograms are skipped, counted and reported.
  auto h = traces::parse_query_range_json(
      "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"__name__\":\"h\"},"
      "\"histograms\":[[1767225600,{\"count\":\"1\",\"sum\":\"1\"}]]},{\"metric\":{\"__name__\":\"g\"},"
      "\"values\":[[1767225600,\"2\"]]}]}}",
      "h.json");
  ASSERT_EQ(h.skipped.size(), 1u);
  // Prometheus's warnings are reported with the skips.
  auto w = traces::parse_query_range_json(
      "{\"status\":\"success\",\"warnings\":[\"PromQL info: metric might not be a counter\"],"
      "\"data\":{\"resultType\":\"matrix\",\"result\":[]}}",
      "w.json");
  ASSERT_EQ(w.skipped.size(), 1u);
  EXPECT_EQ(w.skipped[0].reason, "Prometheus warning: PromQL info: metric might not be a counter");
  EXPECT_EQ(w.skipped[0].first_pointer, "/warnings/0");
  EXPECT_EQ(h.skipped[0].first_pointer, "/data/result/0/histograms");
  EXPECT_EQ(h.store.size(), 1u);
  EXPECT_NE(h.report().find("skipped 1 × native histogram samples"), std::string::npos) << h.report();
}

TEST(ExpositionImport, OpenMetricsSecondsTypesExemplarsAndEscapes) {
  const auto t = traces::import_trace(fixture("openmetrics.om"));
  EXPECT_EQ(t.format, TraceFormat::openmetrics);
  const auto& rx = series(t, {{"__name__", "rabbitmq_global_messages_received_total"}, {"protocol", "amqp091"}});
  // "# TYPE rabbitmq_global_messages_received counter" covers its _total and _created samples.
  EXPECT_EQ(rx.kind, SeriesKind::counter);
  ASSERT_EQ(rx.samples.size(), 2u);
  EXPECT_EQ(rx.samples[1].t_ns, kT0 + 1'500'000'000);  // seconds with a fraction
  EXPECT_EQ(rx.samples[1].value, 125.5);
  EXPECT_EQ(series(t, {{"__name__", "rabbitmq_global_messages_received_created"}, {"protocol", "amqp091"}}).kind,
            SeriesKind::counter);
  const auto& ready = series(t, {{"__name__", "rabbitmq_queue_messages_ready"}, {"queue", "orders"}, {"vhost", "/"}});
  EXPECT_EQ(ready.kind, SeriesKind::gauge);
  ASSERT_EQ(ready.samples.size(), 2u);
  EXPECT_EQ(ready.samples[1].t_ns, kT0 + 1'500'000'000);  // 1.7672256015e9
  EXPECT_EQ(series(t, {{"__name__", "rabbitmq_queue_messages_ready"}, {"queue", "a \"quoted\"\\name\nline"}, {"vhost", "/"}})
                .samples.size(),
            1u);
  EXPECT_EQ(series(t, {{"__name__", "faultline_message_latency_seconds_bucket"}, {"le", "+Inf"}}).kind,
            SeriesKind::histogram);
  EXPECT_EQ(series(t, {{"__name__", "faultline_message_latency_seconds_sum"}}).kind, SeriesKind::histogram);
  // The exemplar is dropped and reported, not silently ignored.
  ASSERT_EQ(t.skipped.size(), 1u);
  EXPECT_EQ(t.skipped[0].reason, "exemplar (dropped)");
  EXPECT_EQ(t.skipped[0].first_line, 4);
}

TEST(ExpositionImport, PrometheusTextMilliseconds) {
  const auto t = traces::import_trace(fixture("prometheus_text.prom"));
  EXPECT_EQ(t.format, TraceFormat::prometheus_text);
  const auto& size = series(t, {{"__name__", "mysql_global_status_wsrep_cluster_size"}, {"instance", "db-0"}});
  EXPECT_EQ(size.kind, SeriesKind::unknown);  // untyped
  ASSERT_EQ(size.samples.size(), 2u);
  EXPECT_EQ(size.samples[1].t_ns, kT0 + 1'250'000'000);  // 1767225601250 ms
  const auto& paused = series(t, {{"__name__", "mysql_global_status_wsrep_flow_control_paused_ns_total"}, {"instance", "db-0"}});
  EXPECT_EQ(paused.kind, SeriesKind::counter);
  EXPECT_EQ(paused.samples[1].value, 1.5e9);
  // The free comment (line 1) and the blank line (6) are counted and reported.
  ASSERT_EQ(t.skipped.size(), 2u);
  EXPECT_EQ(t.skipped[0].reason, "comment line");
  EXPECT_EQ(t.skipped[0].first_line, 1);
  EXPECT_EQ(t.skipped[1].reason, "blank line");
  EXPECT_EQ(t.skipped[1].first_line, 6);
}

TEST(ExpositionImport, ErrorsGiveTheLine) {
  InputError no_ts = input_error_of("openmetrics_no_timestamp.om");
  EXPECT_EQ(no_ts.line(), 3);
  EXPECT_NE(no_ts.message().find("expected a timestamp"), std::string::npos) << no_ts.what();
  InputError float_ts = input_error_of("prometheus_text_float_ts.prom");
  EXPECT_EQ(float_ts.line(), 2);
  EXPECT_NE(float_ts.message().find("integer number of milliseconds"), std::string::npos) << float_ts.what();
  auto err = [](const std::string& text, TraceFormat f = TraceFormat::automatic) -> std::string {
    try {
      traces::parse_exposition(text, "x.om", f);
    } catch (const InputError& e) {
      return std::to_string(e.line()) + " | " + e.message();
    }
    return "no error";
  };
  EXPECT_EQ(err("up 1 1767225600\n# EOF\nup 2 1767225601\n# EOF\n"), "3 | text after \"# EOF\" (OpenMetrics ends there)");
  EXPECT_EQ(err("up 1 17672256\n", TraceFormat::openmetrics), "1 | an OpenMetrics file must end with \"# EOF\"");
  EXPECT_EQ(err("# TYPE up gauge\n# TYPE up gauge\nup 1 1\n# EOF\n"), "2 | a second TYPE line for the metric family up");
  EXPECT_NE(err("# TYPE up meter\nup 1 1\n# EOF\n").find("1 | unknown metric type \"meter\""), std::string::npos);
  EXPECT_NE(err("up{a=\"1\" 1 1\n# EOF\n").find("1 | expected ',' or '}'"), std::string::npos);
  EXPECT_EQ(err("up one 1\n# EOF\n"), "1 | invalid sample value \"one\"");
  EXPECT_EQ(err("up 1 1\nup 2 1\n# EOF\n"), "2 | a second sample of up at the same timestamp");
  EXPECT_EQ(err("up 1 1 extra\n"), "1 | unexpected text after the timestamp: \"extra\"");
  EXPECT_EQ(err("# only a comment\n"), "0 | no samples found");
}

TEST(CsvImport, FaultlineSeriesCsv) {
  const auto t = traces::import_trace(fixture("series.csv"));
  EXPECT_EQ(t.format, TraceFormat::csv);
  // time_s is skipped in favour of the absolute time column.
  ASSERT_EQ(t.store.size(), 3u);
  const auto& ready = series(t, {{"__name__", "rabbitmq_queue_messages_ready"}, {"queue", "orders"}});
  // Empty cell at 0 s is a gap: samples at 1, 2.5 (NaN) and 3 s.
  ASSERT_EQ(ready.samples.size(), 3u);
  EXPECT_EQ(ready.samples[0].t_ns, kT0 + kSec);
  EXPECT_EQ(ready.samples[1].t_ns, kT0 + 2'500'000'000);
  EXPECT_TRUE(std::isnan(ready.samples[1].value));
  const auto& inf = series(t, {{"__name__", "faultline_message_latency_seconds_bucket"}, {"le", "+Inf"}});
  ASSERT_EQ(inf.samples.size(), 3u);
  EXPECT_EQ(inf.samples[2].value, 2000.0);
  // The blank line 5 is counted.
  ASSERT_EQ(t.skipped.size(), 1u);
  EXPECT_EQ(t.skipped[0].first_line, 5);
}

TEST(CsvImport, UnixSecondsAndErrors) {
  const auto t = traces::import_trace(fixture("unix_seconds.csv"));
  const auto& d = series(t, {{"__name__", "queue_depth"}, {"queue", "orders"}});
  ASSERT_EQ(d.samples.size(), 2u);
  EXPECT_EQ(d.samples[1].t_ns, kT0 + 1'250'000'000);
  EXPECT_EQ(series(t, {{"__name__", "kube_deployment_status_replicas_ready"}, {"deployment", "consumer"}}).samples.size(), 1u);
  InputError row = input_error_of("bad_row.csv");
  EXPECT_EQ(row.line(), 3);
  EXPECT_NE(row.message().find("expected 2 fields"), std::string::npos) << row.what();
  auto err = [](const std::string& text) -> std::string {
    try {
      traces::parse_trace_csv(text, "x.csv");
    } catch (const InputError& e) {
      return std::to_string(e.line()) + " | " + e.message();
    }
    return "no error";
  };
  EXPECT_NE(err("when,up\n1,1\n").find("1 | expected a \"time\" column"), std::string::npos);
  EXPECT_NE(err("time,up{a=1}\n1,1\n").find("1 | column 2 \"up{a=1}\" is not a series name"), std::string::npos);
  EXPECT_NE(err("time,up\nyesterday,1\n").find("2 | invalid time \"yesterday\""), std::string::npos);
  EXPECT_NE(err("time,up\n1,x\n").find("2 | invalid value \"x\" in column 2 (up)"), std::string::npos);
  EXPECT_NE(err("time,up\n1,1\n1,2\n").find("3 | a second row for the time 1"), std::string::npos);
  EXPECT_NE(err("time,\"up\n1,1\n").find("1 | unterminated quoted field"), std::string::npos);
  EXPECT_NE(err("time,up,up\n").find("name the same series"), std::string::npos);
  // Quoted fields may hold commas, quotes and newlines; CRLF line ends are fine.
  auto q = traces::parse_trace_csv("time,\"x{a=\"\"1,2\"\"}\"\r\n5,1\r\n", "q.csv");
  ASSERT_EQ(q.store.size(), 1u);
  EXPECT_EQ(q.store.series()[0].labels, (Labels{{"__name__", "x"}, {"a", "1,2"}}));
}

TEST(TraceImport, RoundTripOfTheRunOutputs) {
  // The three files a run writes read back to the recorder's own series, sample for sample.
  Recorder rec;
  rec.counter("c_total", {{"q", "a,b"}}, "c").inc(1);
  rec.gauge("g", {}, "g").set(0.1);
  rec.scrape(SimTime::zero());
  rec.counter("c_total", {{"q", "a,b"}}, "c").inc(2.5);
  rec.gauge("g", {}, "g").set(std::numeric_limits<double>::infinity());
  rec.histogram("h_seconds", {}, "h", {0.5}).observe(0.25);
  rec.scrape(SimTime::from_ns(500'000'000));
  rec.gauge("g", {}, "g").set(-1e-7);
  rec.scrape(SimTime::from_ns(1'000'000'000));
  const int64_t start = kT0 + 123'000'000;
  const SeriesStore want = series_store_from_recorder(rec, start);
  auto same = [&](const traces::Trace& got, bool with_kinds) {
    ASSERT_EQ(got.store.size(), want.size()) << got.report();
    for (size_t i = 0; i < want.size(); ++i) {
      const auto& a = want.series()[i];
      const auto& b = got.store.series()[i];
      EXPECT_EQ(a.labels, b.labels);
      if (with_kinds) {
        EXPECT_EQ(a.kind, b.kind) << format_series_identity(a.labels);
      }
      ASSERT_EQ(a.samples.size(), b.samples.size()) << format_series_identity(a.labels);
      for (size_t k = 0; k < a.samples.size(); ++k) {
        EXPECT_EQ(a.samples[k].t_ns, b.samples[k].t_ns);
        EXPECT_EQ(a.samples[k].value, b.samples[k].value);
      }
    }
  };
  same(traces::parse_trace(render_series_csv(rec, start), "series.csv"), false);
  same(traces::parse_trace(render_openmetrics(rec, start), "metrics.om"), true);
  same(traces::parse_trace(render_query_range(rec, start), "query_range.json"), false);
}

TEST(TraceImport, CorpusFiles) {
  const std::filesystem::path dir = std::filesystem::path(FAULTLINE_SHARED_DIR) / "corpus" / "prometheus";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "../shared/corpus/prometheus is absent: corpus checks skipped";
  // The query_range example of Prometheus's API docs: up for two jobs, 3 points 15 s apart.
  const auto q = traces::import_trace((dir / "query_range_up_docs_example.json").string());
  ASSERT_EQ(q.store.size(), 2u);
  const auto& node = series(q, {{"__name__", "up"}, {"job", "node"}, {"instance", "localhost:9091"}});
  ASSERT_EQ(node.samples.size(), 3u);
  EXPECT_EQ(node.samples[0].t_ns, 1435781430781000000);
  EXPECT_EQ(node.samples[2].t_ns, 1435781460781000000);
  EXPECT_EQ(node.samples[2].value, 1.0);
  // promtool's OpenMetrics round-trip test file: 14 samples of 7 series, seconds with milliseconds.
  const auto om = traces::import_trace((dir / "dump-openmetrics-roundtrip-test.prom").string());
  EXPECT_EQ(om.format, TraceFormat::openmetrics);
  EXPECT_EQ(om.store.size(), 7u);
  EXPECT_EQ(om.store.sample_count(), 14u);
  const auto& inf = series(om, {{"__name__", "my_histogram_bucket"}, {"instance", "localhost:8000"}, {"job", "example2"},
                                {"le", "+Inf"}});
  ASSERT_EQ(inf.samples.size(), 2u);
  EXPECT_EQ(inf.samples[0].t_ns, 1700215884373000000);
  EXPECT_EQ(inf.samples[1].value, 1.026872507e+10);
  EXPECT_TRUE(om.skipped.empty());
}

}  // namespace
}  // namespace faultline::sim

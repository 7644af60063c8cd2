#include "sim/importers/k6.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/core/rfc3339.hpp"

namespace faultline::sim::importers {

namespace {

constexpr int64_t kSec = 1'000'000'000LL;

const std::vector<std::string> kOptionKeys = {"scenarios", "stages", "vus", "duration", "iterations", "rps"};

std::string text_at(const Json& obj, const std::vector<std::string>& path) {
  const Json* v = find(obj, path);
  return v == nullptr ? std::string() : scalar_text(*v).value_or("");
}

// k6 durations: "1m30s", or a number of milliseconds.
int64_t k6_duration(const Json& v, const Document& doc, const std::string& ptr) {
  if (v.is_number() && !v.is_boolean()) {
    const double ms = v.get<double>();
    if (!(ms >= 0) || ms > 1e13) throw doc.error(ptr, "expected a duration ≥ 0");
    return Duration::from_seconds(ms / 1000).count_ns();
  }
  const Duration d = read_duration(v, doc, ptr);
  if (d < Duration::zero() || d > Duration::hours(24 * 366)) throw doc.error(ptr, "expected a duration ≥ 0 (at most a year)");
  return d.count_ns();
}

double count(const Json& v, const Document& doc, const std::string& ptr, const std::string& what) {
  const double d = read_number(v, doc, ptr, what);
  if (d < 0 || d > 1e9) throw doc.error(ptr, "expected " + what + " ≥ 0");
  return d;
}

class Options {
 public:
  Options(ImportContext& ctx, const Document& doc) : ctx_(ctx), doc_(doc) {}

  void scenario(const std::string& name, const Json& s, const std::string& ptr) {
    if (!s.is_object()) throw doc_.error(ptr, "expected a k6 scenario {executor, …}");
    const std::string executor = text_at(s, {"executor"});
    PendingLoad load;
    load.name = name;
    load.source = {{"file", doc_.file}, {"at", ptr}, {"executor", executor}};
    int64_t t = 0;
    if (const Json* st = find(s, {"startTime"}); st != nullptr) t = k6_duration(*st, doc_, pointer_append(ptr, "startTime"));
    const auto unit_s = [&]() {
      const Json* u = find(s, {"timeUnit"});
      if (u == nullptr) return 1.0;
      const double v = static_cast<double>(k6_duration(*u, doc_, pointer_append(ptr, "timeUnit"))) / 1e9;
      if (v <= 0) throw doc_.error(pointer_append(ptr, "timeUnit"), "expected a time unit > 0");
      return v;
    };
    if (s.contains("exec"))
      ctx_.unmapped(doc_, pointer_append(ptr, "exec"), "exec " + text_at(s, {"exec"}),
                    "each iteration is taken as one message, whatever function it runs", "assumed");
    for (const char* key : {"preAllocatedVUs", "maxVUs"})
      if (s.contains(key))
        ctx_.unmapped(doc_, pointer_append(ptr, key), key,
                      "VU limits are not modelled: every iteration of the rate starts (k6 drops those it has no VU for)",
                      "assumed");
    if (executor == "ramping-arrival-rate") {
      const double unit = unit_s();
      double r = s.contains("startRate") ? count(s["startRate"], doc_, pointer_append(ptr, "startRate"), "startRate") / unit : 0;
      stages(s, ptr, t, r, 1.0 / unit, load);
    } else if (executor == "constant-arrival-rate") {
      if (!s.contains("rate") || !s.contains("duration"))
        throw doc_.error(ptr, "a constant-arrival-rate scenario needs \"rate\" and \"duration\"");
      const double r = count(s["rate"], doc_, pointer_append(ptr, "rate"), "rate") / unit_s();
      const int64_t d = k6_duration(s["duration"], doc_, pointer_append(ptr, "duration"));
      load.pieces.push_back({t, t + d, r, r});
    } else if (executor == "ramping-vus" || executor == "constant-vus" || executor == "per-vu-iterations" ||
               executor == "shared-iterations") {
      if (!vu_scenario(executor, s, ptr, t, load)) return;
    } else if (executor == "externally-controlled") {
      ctx_.unmapped(doc_, pointer_append(ptr, "executor"), "executor externally-controlled",
                    "the load is changed at run time through k6's API: record the run (--out json) instead", "load dropped");
      return;
    } else {
      throw doc_.error(pointer_append(ptr, "executor"),
                       "unknown k6 executor \"" + executor + "\"" +
                           did_you_mean(executor, {"ramping-arrival-rate", "constant-arrival-rate", "ramping-vus",
                                                   "constant-vus", "per-vu-iterations", "shared-iterations",
                                                   "externally-controlled"}));
    }
    ctx_.add_load(std::move(load));
  }

  // Stages ramp linearly from the previous value to each target; `scale` turns a target into msg/s.
  void stages(const Json& s, const std::string& ptr, int64_t t, double r, double scale, PendingLoad& load) {
    const Json* list = find(s, {"stages"});
    if (list == nullptr || !list->is_array() || list->empty()) throw doc_.error(ptr, "expected \"stages\": [{duration, target}]");
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string sp = pointer_append(pointer_append(ptr, "stages"), i);
      const Json& st = (*list)[i];
      if (!st.is_object() || !st.contains("duration") || !st.contains("target"))
        throw doc_.error(sp, "a stage needs {duration, target}");
      const int64_t d = k6_duration(st["duration"], doc_, pointer_append(sp, "duration"));
      const double target = count(st["target"], doc_, pointer_append(sp, "target"), "target") * scale;
      if (d > 0) load.pieces.push_back({t, t + d, r, target});
      t += d;
      r = target;
    }
  }

  // VU executors: the rate is VUs / (time of one iteration), from --k6-iteration.
  bool vu_scenario(const std::string& executor, const Json& s, const std::string& ptr, int64_t t, PendingLoad& load) {
    const auto& it = ctx_.options().k6_iteration;
    if (!it || *it <= Duration::zero()) {
      ctx_.unmapped(doc_, pointer_append(ptr, "executor"), "executor " + executor,
                    "VU executors give virtual users, not a rate: give --k6-iteration (the time one iteration takes, "
                    "its sleep() plus the request) to turn VUs into messages per second",
                    "load dropped");
      return false;
    }
    const double per_vu = 1.0 / it->seconds();
    const double vus = s.contains("vus") ? count(s["vus"], doc_, pointer_append(ptr, "vus"), "vus") : 1;
    if (executor == "ramping-vus") {
      const double start = s.contains("startVUs") ? count(s["startVUs"], doc_, pointer_append(ptr, "startVUs"), "startVUs") : 1;
      stages(s, ptr, t, start * per_vu, per_vu, load);
    } else if (executor == "constant-vus") {
      if (!s.contains("duration")) throw doc_.error(ptr, "a constant-vus scenario needs \"duration\"");
      const int64_t d = k6_duration(s["duration"], doc_, pointer_append(ptr, "duration"));
      load.pieces.push_back({t, t + d, vus * per_vu, vus * per_vu});
    } else {
      // Iterations at the VUs' pace until done, or until maxDuration (default 10m).
      const double iterations = s.contains("iterations") ? count(s["iterations"], doc_, pointer_append(ptr, "iterations"), "iterations") : 1;
      const double total = executor == "per-vu-iterations" ? iterations * vus : iterations;
      int64_t max = 600 * kSec;
      if (s.contains("maxDuration")) max = k6_duration(s["maxDuration"], doc_, pointer_append(ptr, "maxDuration"));
      const double rate = vus * per_vu;
      const int64_t d = std::min<int64_t>(max, static_cast<int64_t>(std::llround(total / rate * 1e9)));
      load.pieces.push_back({t, t + d, rate, rate});
    }
    ctx_.unmapped(doc_, pointer_append(ptr, "executor"), "executor " + executor,
                  "each VU runs one iteration every " + format_duration(*it) + " (--k6-iteration), one message each",
                  "assumed");
    return true;
  }

 private:
  ImportContext& ctx_;
  const Document& doc_;
};

}  // namespace

bool is_k6_options(const Json& root) {
  if (!root.is_object() || root.contains("apiVersion") || root.contains("metrics")) return false;
  const Json& o = root.contains("options") && root["options"].is_object() ? root["options"] : root;
  return std::any_of(kOptionKeys.begin(), kOptionKeys.end(), [&](const std::string& k) { return o.contains(k); });
}

bool is_k6_summary(const Json& root) {
  return root.is_object() && root.contains("metrics") && root["metrics"].is_object() &&
         (root.contains("root_group") || root.contains("state"));
}

bool looks_like_k6_ndjson(std::string_view text) {
  const size_t nl = text.find('\n');
  const std::string_view first = text.substr(0, nl);
  if (first.size() > 100000 || first.empty() || first.front() != '{') return false;
  try {
    const Json j = Json::parse(first);
    const std::string type = j.value("type", std::string());
    return (type == "Metric" || type == "Point") && j.contains("metric");
  } catch (const std::exception&) {
    return false;
  }
}

bool looks_like_k6_csv(std::string_view text) { return text.rfind("metric_name,timestamp,metric_value", 0) == 0; }

void refuse_if_javascript(const std::string& file, std::string_view text) {
  const auto ends = [&](std::string_view s) { return file.size() >= s.size() && file.compare(file.size() - s.size(), s.size(), s) == 0; };
  int line = 0;
  bool js = ends(".js") || ends(".mjs") || ends(".ts");
  for (std::string_view marker : {"from 'k6", "from \"k6", "require('k6", "export default function", "export const options",
                                  "export let options"}) {
    const size_t at = text.find(marker);
    if (at == std::string_view::npos) continue;
    js = true;
    line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    break;
  }
  if (js)
    throw InputError(file, "", line,
                     "a k6 JavaScript script is not parsed: export its options as JSON (`k6 inspect script.js > "
                     "options.json`, or copy `export const options` into a JSON file) and import that, or import the "
                     "run's record (--summary-export or --out json)");
}

void import_k6_options(ImportContext& ctx, const Document& doc) {
  ctx.note_format(doc.file, "k6 options");
  const bool wrapped = doc.root.contains("options") && doc.root["options"].is_object();
  const Json& o = wrapped ? doc.root["options"] : doc.root;
  const std::string base = wrapped ? "/options" : "";
  Options opt(ctx, doc);
  if (o.contains("scenarios")) {
    const std::string sp = base + "/scenarios";
    if (!o["scenarios"].is_object() || o["scenarios"].empty()) throw doc.error(sp, "expected {name: {executor, …}}");
    for (const auto& [name, s] : o["scenarios"].items()) opt.scenario(name, s, pointer_append(sp, name));
    for (const char* key : {"stages", "vus", "duration", "iterations"})
      if (o.contains(key))
        ctx.unmapped(doc, base + "/" + key, key, "with \"scenarios\" set, k6 ignores the top-level shortcut", "ignored");
  } else {
    // The shortcuts: stages → ramping-vus; vus + duration → constant-vus; iterations → shared-iterations.
    Json s = Json::object();
    if (o.contains("stages")) {
      s["executor"] = "ramping-vus";
      s["stages"] = o["stages"];
      if (o.contains("vus")) s["startVUs"] = o["vus"];
    } else if (o.contains("duration")) {
      s["executor"] = "constant-vus";
      s["duration"] = o["duration"];
      if (o.contains("vus")) s["vus"] = o["vus"];
    } else if (o.contains("iterations")) {
      s["executor"] = "shared-iterations";
      s["iterations"] = o["iterations"];
      if (o.contains("vus")) s["vus"] = o["vus"];
    } else {
      throw doc.error(base.empty() ? "" : base, "the k6 options give no load: expected scenarios, stages, duration or iterations");
    }
    opt.scenario("default", s, base);
  }
  if (o.contains("rps"))
    ctx.unmapped(doc, base + "/rps", "rps", "a global request-rate cap is not modelled: the executors' rate is used",
                 "field ignored");
}

void import_k6_summary(ImportContext& ctx, const Document& doc) {
  ctx.note_format(doc.file, "k6 summary");
  const Json& m = doc.root["metrics"];
  // Legacy --summary-export: {count, rate}; handleSummary: {values: {count, rate}}.
  const auto metric = [&](const char* name) -> std::optional<std::pair<double, double>> {
    const Json* v = find(m, {name});
    if (v == nullptr || !v->is_object()) return std::nullopt;
    const Json& vals = v->contains("values") ? (*v)["values"] : *v;
    const std::string p = "/metrics/" + std::string(name) + (v->contains("values") ? "/values" : "");
    if (!vals.is_object() || !vals.contains("count") || !vals.contains("rate"))
      throw doc.error(p, std::string("expected {count, rate} for the counter ") + name);
    return std::make_pair(count(vals["count"], doc, p + "/count", "count"), read_number(vals["rate"], doc, p + "/rate", "rate"));
  };
  auto reqs = metric("http_reqs");
  const char* used = "http_reqs";
  if (!reqs) {
    reqs = metric("iterations");
    used = "iterations";
  }
  if (!reqs) throw doc.error("/metrics", "the summary has neither http_reqs nor iterations: no load to take from it");
  const auto [n, rate] = *reqs;
  double seconds = rate > 0 ? n / rate : 0;
  if (const Json* ms = find(doc.root, {"state", "testRunDurationMs"}); ms != nullptr)
    seconds = read_number(*ms, doc, "/state/testRunDurationMs", "testRunDurationMs") / 1000.0;
  if (!(seconds > 0) || seconds > 1e8) throw doc.error("/metrics", "the summary gives no positive test duration");
  PendingLoad load;
  load.source = {{"file", doc.file}, {"at", "/metrics/" + std::string(used)}};
  const double r = n / seconds;
  load.pieces.push_back({0, Duration::from_seconds(seconds).count_ns(), r, r});
  ctx.add_load(std::move(load));
  ctx.unmapped(doc, "/metrics/" + std::string(used), used,
               "a summary holds totals only: its " + std::to_string(static_cast<int64_t>(n)) +
                   " requests are spread evenly over " + format_seconds(Duration::from_seconds(seconds).count_ns()) +
                   " s from the scenario's start",
               "assumed");
  if (const Json* d = find(m, {"dropped_iterations"}); d != nullptr)
    ctx.unmapped(doc, "/metrics/dropped_iterations", "dropped_iterations",
                 "iterations k6 could not start are not in the load", "ignored");
}

namespace {

// Counts per bin (absolute, epoch-aligned) → a piecewise-constant load per k6 scenario.
struct Binner {
  int64_t bin;
  std::map<std::string, std::map<int64_t, double>> counts;  // scenario → bin start → count
  std::optional<int64_t> first;
  void add(const std::string& scenario, int64_t t, double v) {
    const int64_t b = (t >= 0 ? t / bin : (t - bin + 1) / bin) * bin;
    counts[scenario][b] += v;
    if (!first || t < *first) first = t;
  }
  void emit(ImportContext& ctx, const std::string& file, const std::string& metric) {
    for (auto& [scenario, bins] : counts) {
      PendingLoad load;
      load.name = scenario;
      load.absolute = true;
      load.source = {{"file", file}, {"metric", metric}};
      for (const auto& [b, c] : bins) load.pieces.push_back({b, b + bin, c * 1e9 / static_cast<double>(bin), c * 1e9 / static_cast<double>(bin)});
      ctx.add_load(std::move(load));
    }
    if (first) ctx.add_anchor((*first >= 0 ? *first / bin : (*first - bin + 1) / bin) * bin);
  }
};

}  // namespace

void import_k6_ndjson(ImportContext& ctx, const std::string& file, std::string_view text) {
  ctx.note_format(file, "k6 --out json");
  Binner reqs{ctx.options().k6_bin.count_ns(), {}, {}}, iters{ctx.options().k6_bin.count_ns(), {}, {}};
  size_t pos = 0;
  int line = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    const std::string_view l = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line;
    if (l.empty() || l == "\r") continue;
    Json j;
    try {
      j = Json::parse(l);
    } catch (const std::exception& e) {
      throw InputError(file, "", line, std::string("expected one JSON object per line (k6 --out json): ") + e.what());
    }
    const std::string type = j.is_object() ? j.value("type", std::string()) : "";
    if (type == "Metric") continue;
    if (type != "Point")
      throw InputError(file, "", line, "expected {\"type\": \"Point\" or \"Metric\", \"metric\", \"data\"}");
    const std::string metric = j.value("metric", std::string());
    if (metric != "http_reqs" && metric != "iterations") continue;
    const Json* time = find(j, {"data", "time"});
    const Json* value = find(j, {"data", "value"});
    std::optional<int64_t> t;
    if (time != nullptr && time->is_string()) t = parse_rfc3339(time->get<std::string>());
    if (!t) throw InputError(file, "/data/time", line, "expected an RFC 3339 time in data.time");
    if (value == nullptr || !value->is_number()) throw InputError(file, "/data/value", line, "expected a number in data.value");
    const std::string scenario = text_at(j, {"data", "tags", "scenario"});
    (metric == "http_reqs" ? reqs : iters).add(scenario, *t, value->get<double>());
  }
  Binner& use = reqs.counts.empty() ? iters : reqs;
  if (use.counts.empty()) throw InputError(file, "", 0, "the k6 record has no http_reqs or iterations points: no load");
  use.emit(ctx, file, &use == &reqs ? "http_reqs" : "iterations");
  ctx.unmapped_line(file, 1, "points", "requests are counted per " + format_duration(ctx.options().k6_bin) +
                                           " bin (--k6-bin): the rate is constant within a bin",
                    "assumed");
}

void import_k6_csv(ImportContext& ctx, const std::string& file, std::string_view text) {
  ctx.note_format(file, "k6 --out csv");
  Binner reqs{ctx.options().k6_bin.count_ns(), {}, {}}, iters{ctx.options().k6_bin.count_ns(), {}, {}};
  std::vector<std::string> header;
  size_t pos = 0;
  int line = 0;
  long col_name = -1, col_time = -1, col_value = -1, col_scenario = -1;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    std::string l(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.empty()) continue;
    std::vector<std::string> cells;
    std::string cur;
    bool quoted = false;
    for (char c : l) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) {
        cells.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    cells.push_back(cur);
    if (line == 1) {
      // Read the header: columns differ between k6 versions.
      for (size_t i = 0; i < cells.size(); ++i) {
        if (cells[i] == "metric_name") col_name = static_cast<long>(i);
        if (cells[i] == "timestamp") col_time = static_cast<long>(i);
        if (cells[i] == "metric_value") col_value = static_cast<long>(i);
        if (cells[i] == "scenario") col_scenario = static_cast<long>(i);
      }
      continue;
    }
    const auto cell = [&](long c) -> std::string { return c >= 0 && static_cast<size_t>(c) < cells.size() ? cells[static_cast<size_t>(c)] : ""; };
    const std::string metric = cell(col_name);
    if (metric != "http_reqs" && metric != "iterations") continue;
    const std::string ts = cell(col_time);
    std::optional<int64_t> t;
    if (ts.find('T') != std::string::npos) {
      t = parse_rfc3339(ts);
    } else {
      size_t used = 0;
      double v = 0;
      try {
        v = std::stod(ts, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == ts.size() && used > 0 && v >= 0 && v < 1e19) {
        // timeFormat unix (s), unix_milli, unix_micro or unix_nano: told apart by magnitude.
        const double ns = v > 1e17 ? v : v > 1e14 ? v * 1e3 : v > 1e11 ? v * 1e6 : v * 1e9;
        // Past int64 nanoseconds (year 2262) the cast is undefined: refuse instead.
        if (ns < 9.2e18) t = static_cast<int64_t>(ns);
      }
    }
    if (!t) throw InputError(file, "", line, "expected a timestamp (unix seconds or RFC 3339), got \"" + ts + "\"");
    double value = 1;
    try {
      value = std::stod(cell(col_value));
    } catch (const std::exception&) {
      throw InputError(file, "", line, "expected a number in metric_value");
    }
    if (!std::isfinite(value)) throw InputError(file, "", line, "expected a finite metric_value");
    (metric == "http_reqs" ? reqs : iters).add(cell(col_scenario), *t, value);
  }
  if (col_name < 0 || col_time < 0) throw InputError(file, "", 1, "expected a k6 CSV header with metric_name and timestamp");
  Binner& use = reqs.counts.empty() ? iters : reqs;
  if (use.counts.empty()) throw InputError(file, "", 0, "the k6 record has no http_reqs or iterations rows: no load");
  use.emit(ctx, file, &use == &reqs ? "http_reqs" : "iterations");
  ctx.unmapped_line(file, 1, "rows", "requests are counted per " + format_duration(ctx.options().k6_bin) +
                                         " bin (--k6-bin): the rate is constant within a bin",
                    "assumed");
}

}  // namespace faultline::sim::importers

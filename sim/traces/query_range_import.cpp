// Prometheus HTTP API responses (docs/querying/api.md): a matrix (query_range) or a vector
// (instant query), alone or as the values of an object keyed by query string (how the testbed's
// export_prom.py records several queries in one file).
#include <algorithm>
#include <cmath>

#include "sim/output/number_format.hpp"
#include "sim/scenario/document.hpp"
#include "sim/traces/number_text.hpp"
#include "sim/traces/trace_import.hpp"

namespace faultline::sim::traces {

namespace {

class QueryRangeReader {
 public:
  QueryRangeReader(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  Trace read() {
    Json root;
    try {
      root = Json::parse(text_.begin(), text_.end());
    } catch (const nlohmann::json::parse_error&) {
      parse_document(text_, file_, DocumentFormat::json);  // throws the InputError with the line
      throw InputError(file_, "", 0, "JSON syntax error");
    } catch (const nlohmann::json::exception& e) {
      // e.g. out_of_range 406, a number too large for a double ("1e999"): no position is given.
      std::string msg = e.what();
      if (auto p = msg.find("] "); p != std::string::npos) msg = msg.substr(p + 2);
      throw InputError(file_, "", 0, "invalid JSON: " + msg);
    }
    trace_.file = file_;
    trace_.format = TraceFormat::query_range_json;
    if (!root.is_object())
      fail("", "expected a Prometheus API response ({\"status\": ..., \"data\": ...}) or an object mapping query "
               "strings to responses");
    if (root.contains("status")) {
      response(root, "", "");
    } else {
      if (root.empty()) fail("", "expected a Prometheus API response or an object mapping queries to responses, got {}");
      for (const auto& [query, resp] : root.items()) {
        const std::string ptr = pointer_append("", query);
        if (!resp.is_object() || !resp.contains("status"))
          fail(ptr, "expected the Prometheus API response of the query \"" + query +
                        "\" ({\"status\": ..., \"data\": ...}); the file is neither one response nor an object of them");
        trace_.queries.push_back(query);
        response(resp, ptr, query);
      }
    }
    return std::move(trace_);
  }

 private:
  [[noreturn]] void fail(const std::string& pointer, const std::string& msg) const {
    // The line comes from the scenario loader's line map, built only on this error path. Its
    // scanner recurses per nesting level: very deep documents go without a line.
    int line = 0;
    if (max_depth() < 1000) {
      try {
        line = parse_document(text_, file_, DocumentFormat::json).line_of(pointer);
      } catch (const InputError&) {
      }
    }
    throw InputError(file_, pointer, line, msg);
  }

  int max_depth() const {
    int depth = 0, max = 0;
    bool in_string = false;
    for (size_t i = 0; i < text_.size(); ++i) {
      const char c = text_[i];
      if (in_string) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        max = std::max(max, ++depth);
      } else if (c == '}' || c == ']') {
        --depth;
      }
    }
    return max;
  }

  void skip(const std::string& pointer, const std::string& reason) {
    for (Skip& s : trace_.skipped)
      if (s.reason == reason) {
        ++s.count;
        return;
      }
    trace_.skipped.push_back({reason, 1, 0, pointer});
  }

  void only_keys(const Json& obj, const std::string& ptr, std::initializer_list<const char*> allowed) const {
    for (const auto& [k, v] : obj.items()) {
      bool ok = false;
      std::vector<std::string> names;
      for (const char* a : allowed) {
        names.emplace_back(a);
        ok = ok || k == a;
      }
      if (!ok) fail(pointer_append(ptr, k), "unexpected key \"" + k + "\"" + did_you_mean(k, names));
    }
  }

  void response(const Json& r, const std::string& ptr, const std::string& query) {
    only_keys(r, ptr, {"status", "data", "errorType", "error", "warnings", "infos"});
    const Json& status = r["status"];
    const std::string sptr = pointer_append(ptr, "status");
    if (!status.is_string()) fail(sptr, "expected \"success\" or \"error\"");
    if (status == "error") {
      std::string msg = "the response is an error";
      if (r.contains("errorType") && r["errorType"].is_string()) msg += ": " + r["errorType"].get<std::string>();
      if (r.contains("error") && r["error"].is_string()) msg += ": " + r["error"].get<std::string>();
      fail(sptr, msg);
    }
    if (status != "success") fail(sptr, "expected \"success\" or \"error\", got \"" + status.get<std::string>() + "\"");
    // Prometheus's warnings and infos are not samples, but they are reported, not dropped.
    for (const char* key : {"warnings", "infos"}) {
      if (!r.contains(key)) continue;
      const std::string wptr = pointer_append(ptr, key);
      if (!r[key].is_array()) fail(wptr, "expected an array of strings");
      for (size_t i = 0; i < r[key].size(); ++i) {
        if (!r[key][i].is_string()) fail(pointer_append(wptr, i), "expected a string");
        trace_.skipped.push_back({std::string("Prometheus ") + (key[0] == 'w' ? "warning" : "info") + ": " +
                                      r[key][i].get<std::string>(),
                                  1, 0, pointer_append(wptr, i)});
      }
    }
    const std::string dptr = pointer_append(ptr, "data");
    if (!r.contains("data") || !r["data"].is_object()) fail(dptr, "expected an object with resultType and result");
    const Json& data = r["data"];
    only_keys(data, dptr, {"resultType", "result", "stats"});
    const std::string tptr = pointer_append(dptr, "resultType");
    if (!data.contains("resultType") || !data["resultType"].is_string()) fail(tptr, "expected \"matrix\" or \"vector\"");
    const std::string type = data["resultType"];
    if (type != "matrix" && type != "vector")
      fail(tptr, "expected \"matrix\" (a range query) or \"vector\" (an instant query), got \"" + type +
                     "\": a trace needs series");
    const std::string rptr = pointer_append(dptr, "result");
    if (!data.contains("result") || !data["result"].is_array()) fail(rptr, "expected an array of series");
    size_t i = 0;
    for (const Json& el : data["result"]) element(el, pointer_append(rptr, i++), type == "matrix", query);
  }

  void element(const Json& el, const std::string& ptr, bool matrix, const std::string& query) {
    if (!el.is_object()) fail(ptr, "expected {\"metric\": {...}, \"values\": [...]}");
    only_keys(el, ptr, {"metric", "values", "value", "histograms", "histogram"});
    const std::string mptr = pointer_append(ptr, "metric");
    if (!el.contains("metric") || !el["metric"].is_object()) fail(mptr, "expected the series' labels as an object");
    Labels labels;
    for (const auto& [k, v] : el["metric"].items()) {
      if (!v.is_string()) fail(pointer_append(mptr, k), "expected a string label value");
      labels[k] = v.get<std::string>();
    }
    if (!query.empty() && labels.count("__name__") == 0) labels["__query__"] = query;
    if (el.contains("histograms") || el.contains("histogram"))
      skip(pointer_append(ptr, el.contains("histograms") ? "histograms" : "histogram"),
           "native histogram samples (not supported; only float samples are read)");
    if (matrix) {
      if (el.contains("value")) fail(pointer_append(ptr, "value"), "a matrix result has \"values\", not \"value\"");
      if (!el.contains("values")) {
        if (el.contains("histograms")) return;
        fail(ptr, "expected \"values\": [[unix_seconds, \"value\"], ...]");
      }
      const std::string vptr = pointer_append(ptr, "values");
      if (!el["values"].is_array()) fail(vptr, "expected an array of [unix_seconds, \"value\"] pairs");
      size_t k = 0;
      for (const Json& p : el["values"]) sample(labels, p, pointer_append(vptr, k++), query);
    } else {
      if (el.contains("values")) fail(pointer_append(ptr, "values"), "a vector result has \"value\", not \"values\"");
      if (!el.contains("value")) {
        if (el.contains("histogram")) return;
        fail(ptr, "expected \"value\": [unix_seconds, \"value\"]");
      }
      sample(labels, el["value"], pointer_append(ptr, "value"), query);
    }
  }

  void sample(const Labels& labels, const Json& p, const std::string& ptr, const std::string& query) {
    if (!p.is_array() || p.size() != 2) fail(ptr, "expected a pair [unix_seconds, \"value\"]");
    const Json& ts = p[0];
    std::optional<int64_t> t;
    if (ts.is_number_integer()) {
      const int64_t s = ts.get<int64_t>();
      int64_t ns;
      if (!__builtin_mul_overflow(s, int64_t{1'000'000'000}, &ns)) t = ns;
    } else if (ts.is_number_float()) {
      t = seconds_double_to_ns(ts.get<double>());
    } else if (ts.is_string()) {
      t = parse_decimal_time(ts.get<std::string>(), 1'000'000'000);
    }
    if (!t) fail(pointer_append(ptr, 0), "expected a timestamp in unix seconds");
    const Json& v = p[1];
    std::optional<double> value;
    if (v.is_string())
      value = parse_sample_value(v.get<std::string>());
    else if (v.is_number())
      value = v.get<double>();
    if (!value) fail(pointer_append(ptr, 1), "expected a sample value as a string such as \"1.5\", \"NaN\" or \"+Inf\"");
    if (trace_.store.add_sample(labels, *t, *value) == SeriesStore::AddResult::conflict)
      fail(ptr, "the series " + format_series_identity(normalize_labels(labels)) + " already has a different value at " +
                    format_unix_seconds(*t) +
                    (query.empty() ? std::string() : " (from an earlier query; this one is \"" + query + "\")"));
  }

  std::string_view text_;
  const std::string& file_;
  Trace trace_;
};

}  // namespace

Trace parse_query_range_json(std::string_view text, const std::string& file) { return QueryRangeReader(text, file).read(); }

}  // namespace faultline::sim::traces

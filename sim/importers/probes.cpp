#include "sim/importers/probes.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>

#include "sim/experiment/experiment_schema.hpp"

namespace faultline::sim::importers {

namespace {

std::string text(const Json& obj, const std::vector<std::string>& path) {
  const Json* v = find(obj, path);
  return v == nullptr ? std::string() : scalar_text(*v).value_or("");
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Litmus writes comparator values as strings: "0.99", "[200,201]".
std::optional<double> number_of(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::optional<std::vector<std::string>> list_of(const Json& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const Json& x : v) {
      auto s = scalar_text(x);
      if (!s) return std::nullopt;
      out.push_back(*s);
    }
    return out;
  }
  std::string s = scalar_text(v).value_or("");
  s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; }), s.end());
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  size_t pos = 0;
  while (pos <= s.size()) {
    const size_t comma = s.find(',', pos);
    out.push_back(s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

const char* kModes[] = {"SOT", "EOT", "Edge", "Continuous", "OnChaos"};

bool polls(const std::string& mode) { return mode == "Continuous" || mode == "OnChaos"; }

// The Litmus comparator {type, criteria, value} as a tolerance; empty with the reason.
std::optional<Json> litmus_tolerance(const Json& comparator, std::string& reason) {
  const std::string type = lower(text(comparator, {"type"}));
  const std::string criteria = text(comparator, {"criteria"});
  if (type == "string") {
    reason = "a string comparison (" + criteria + ") of the query's output: the simulated query gives numbers";
    return std::nullopt;
  }
  if (!type.empty() && type != "int" && type != "float") {
    reason = "unknown comparator type \"" + type + "\" (expected int, float or string)";
    return std::nullopt;
  }
  const Json* value = find(comparator, {"value"});
  if (value == nullptr) {
    reason = "the comparator has no value";
    return std::nullopt;
  }
  if (criteria == "oneOf" || criteria == "between") {
    const auto items = list_of(*value);
    std::vector<double> nums;
    if (items)
      for (const std::string& i : *items)
        if (auto d = number_of(i)) nums.push_back(*d);
    if (!items || nums.size() != items->size() || nums.empty() || (criteria == "between" && nums.size() != 2)) {
      reason = "criteria " + criteria + " needs a list of numbers such as \"[1,5]\", got " + value->dump();
      return std::nullopt;
    }
    if (criteria == "between")
      return Json{{"range", Json::array({std::min(nums[0], nums[1]), std::max(nums[0], nums[1])})}};
    return Json{{"one_of", nums}};
  }
  experiment::Tolerance::Op op{};
  if (!experiment::Tolerance::parse_op(criteria, op)) {
    reason = "unknown criteria \"" + criteria + "\" (expected >=, <=, >, <, ==, !=, oneOf, between)";
    return std::nullopt;
  }
  const auto d = number_of(scalar_text(*value).value_or(""));
  if (!d) {
    reason = "the comparator's value " + value->dump() + " is not a number";
    return std::nullopt;
  }
  return Json(criteria + " " + experiment::number_text(*d));
}

// The component an HTTP URL's host names ("http://productpage.bookinfo.svc:9080/x" → productpage).
std::string url_host_name(const std::string& url) {
  std::string rest = url;
  if (const size_t scheme = rest.find("://"); scheme != std::string::npos) rest = rest.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.find('@'); at != std::string::npos) rest = rest.substr(at + 1);
  rest = rest.substr(0, rest.find(':'));
  return rest.substr(0, rest.find('.'));
}

void litmus_probe(ImportContext& ctx, const Document& doc, const std::string& ptr, const Json& probe,
                  const std::string& engine) {
  const std::string name = text(probe, {"name"});
  const std::string type = text(probe, {"type"});
  const std::string what =
      "probe " + (name.empty() ? std::string("(unnamed)") : name) + " (" + type + ", " + text(probe, {"mode"}) + ")";
  std::string mode;
  for (const char* m : kModes)
    if (lower(m) == lower(text(probe, {"mode"}))) mode = m;
  if (type != "promProbe" && type != "httpProbe") {
    const std::string why = type == "cmdProbe" ? "a cmdProbe runs a command in a live pod; the simulator has no shell"
                            : type == "k8sProbe"
                                ? "a k8sProbe reads or changes Kubernetes objects, which are not simulated"
                            : type == "sloProbe" ? "an sloProbe reads a Harness SLO, which is not simulated"
                                                 : "unknown probe type \"" + type + "\"";
    ctx.unmapped(doc, ptr, what, why, "probe dropped");
    return;
  }
  if (mode.empty()) {
    ctx.unmapped(doc, pointer_append(ptr, "mode"), what,
                 "unknown mode \"" + text(probe, {"mode"}) + "\" (expected SOT, EOT, Edge, Continuous or OnChaos)",
                 "probe dropped");
    return;
  }
  Json block = {{"name", name.empty() ? "litmus-probe" : name},
                {"description", "Litmus " + type + " of ChaosEngine " + engine}};
  const std::string rp = pointer_append(ptr, "runProperties");
  const Json* props = find(probe, {"runProperties"});
  std::optional<Duration> interval;
  if (props != nullptr && props->is_object()) {
    std::vector<std::string> ignored;
    for (const auto& [k, v] : props->items()) {
      if (k == "probePollingInterval" || k == "initialDelay" || k == "initialDelaySeconds") {
        const auto d = tool_duration(v);
        if (!d) {
          ctx.unmapped(doc, pointer_append(rp, k), k, "expected seconds or a duration such as \"2s\", got " + v.dump(),
                       "field ignored");
          continue;
        }
        if (!polls(mode)) {
          ctx.unmapped(doc, pointer_append(rp, k), k, "applies to Continuous and OnChaos probes only", "field ignored");
          continue;
        }
        if (k == "probePollingInterval") {
          if (d->count_ns() <= 0) {
            ctx.unmapped(doc, pointer_append(rp, k), k, "a polling interval of 0: faultline's default (5s) is used",
                         "assumed");
            continue;
          }
          interval = *d;
          block["interval"] = format_duration(*d);
        } else {
          block["initial_delay"] = format_duration(*d);
        }
      } else if (k == "stopOnFailure") {
        const std::string s = lower(scalar_text(v).value_or(""));
        if (s == "true" || s == "false")
          block["stop_on_failure"] = s == "true";
        else
          ctx.unmapped(doc, pointer_append(rp, k), k, "expected true or false, got " + v.dump(), "field ignored");
      } else {
        ignored.push_back(k);
      }
    }
    if (!ignored.empty()) {
      std::string list;
      for (const auto& k : ignored) list += (list.empty() ? "" : ", ") + k;
      ctx.unmapped(doc, rp, "runProperties " + list,
                   "a simulated query answers at once and never fails to run: timeouts and retries do not apply",
                   "field ignored");
    }
  }
  block["mode"] = mode;
  if (type == "promProbe") {
    const std::string ip = pointer_append(ptr, "promProbe/inputs");
    const Json* inputs = find(probe, {"promProbe/inputs"});
    if (inputs == nullptr || !inputs->is_object()) {
      ctx.unmapped(doc, ptr, what, "a promProbe needs promProbe/inputs", "probe dropped");
      return;
    }
    if (inputs->contains("queryPath") && !inputs->contains("query")) {
      ctx.unmapped(doc, pointer_append(ip, "queryPath"), what,
                   "the query is in a file of the probe's pod (queryPath), which the import cannot read: copy it into "
                   "the scenario's hypothesis",
                   "probe dropped");
      return;
    }
    const std::string query = text(*inputs, {"query"});
    if (query.empty()) {
      ctx.unmapped(doc, ip, what, "a promProbe needs a query", "probe dropped");
      return;
    }
    std::string reason;
    const Json* comparator = find(*inputs, {"comparator"});
    const auto tol = comparator != nullptr ? litmus_tolerance(*comparator, reason) : std::nullopt;
    if (!tol) {
      ctx.unmapped(doc, pointer_append(ip, "comparator"), what,
                   comparator == nullptr ? "a promProbe needs a comparator" : reason, "probe dropped");
      return;
    }
    if (!mapped_query_ok(ctx, doc, pointer_append(ip, "query"), query, true, what, "probe dropped")) return;
    if (inputs->contains("endpoint"))
      ctx.unmapped(doc, pointer_append(ip, "endpoint"), "endpoint " + text(*inputs, {"endpoint"}),
                   "the query reads the simulated series, not this Prometheus", "assumed");
    block["query"] = query;
    block["tolerance"] = *tol;
    ctx.add_check({false, block, doc.file, ptr});
    return;
  }
  // httpProbe: one request to a URL, its status code compared. The nearest simulated measure is
  // the status of the requests the service answered in the last polling period.
  const std::string ip = pointer_append(ptr, "httpProbe/inputs");
  const Json* inputs = find(probe, {"httpProbe/inputs"});
  const std::string url = inputs != nullptr ? text(*inputs, {"url"}) : "";
  if (url.empty()) {
    ctx.unmapped(doc, ptr, what, "an httpProbe needs httpProbe/inputs.url", "probe dropped");
    return;
  }
  const std::string host = url_host_name(url);
  const ComponentEntry* entry = ctx.scenario().entry(host);
  if (entry == nullptr) {
    ctx.unmapped(doc, pointer_append(ip, "url"), what,
                 "the URL's host \"" + host + "\" names no component of scenario " + ctx.scenario().name,
                 "probe dropped");
    return;
  }
  if (entry->kind->name != "http-service") {
    ctx.unmapped(doc, pointer_append(ip, "url"), what,
                 "component " + host + " (kind " + entry->kind->name +
                     ") answers no HTTP requests in the model, so there is no status code to check",
                 "probe dropped");
    return;
  }
  const Json* method = find(*inputs, {"method"});
  const Json* call = method == nullptr ? nullptr : find(*method, {"get"});
  std::string verb = "get";
  if (method != nullptr && call == nullptr) {
    call = find(*method, {"post"});
    verb = "post";
  }
  if (call == nullptr || !call->is_object()) {
    ctx.unmapped(doc, ip, what, "an httpProbe needs method.get or method.post with criteria and responseCode",
                 "probe dropped");
    return;
  }
  const std::string cp = pointer_append(pointer_append(ip, "method"), verb);
  const std::string criteria = lower(text(*call, {"criteria"}));
  std::vector<std::string> codes;
  if (criteria == "oneof") {
    codes = list_of((*call).value("responseCode", Json())).value_or(std::vector<std::string>{});
  } else {
    codes.push_back(text(*call, {"responseCode"}));
  }
  static const std::regex code_re("[1-5][0-9][0-9]");
  bool codes_ok = !codes.empty();
  for (const auto& c : codes) codes_ok = codes_ok && std::regex_match(c, code_re);
  if (!codes_ok || (criteria != "==" && criteria != "!=" && criteria != "oneof")) {
    ctx.unmapped(doc, cp, what,
                 "expected criteria ==, != or oneOf and HTTP status codes, got criteria \"" + criteria + "\"",
                 "probe dropped");
    return;
  }
  std::string alternatives;
  for (const auto& c : codes) alternatives += (alternatives.empty() ? "" : "|") + c;
  // "==": no answer other than the code; "!=": no answer with it.
  const std::string matcher = criteria == "!="    ? "response_code=\"" + codes[0] + "\""
                              : codes.size() == 1 ? "response_code!=\"" + codes[0] + "\""
                                                  : "response_code!~\"" + alternatives + "\"";
  Duration window = interval.value_or(Duration::s(5));
  window = std::max(window, ctx.scenario().scrape_interval * 2);
  const std::string w = promql::format_promql_duration(window.count_ns());
  const std::string query = "sum(increase(istio_requests_total{destination_service_name=\"" + host + "\"," + matcher +
                            "}[" + w + "])) or vector(0)";
  if (!mapped_query_ok(ctx, doc, pointer_append(ip, "url"), query, true, what, "probe dropped")) return;
  block["query"] = query;
  block["tolerance"] = "== 0";
  ctx.add_check({false, block, doc.file, ptr});
  ctx.unmapped(doc, pointer_append(ip, "url"), what,
               "an HTTP probe sends one request; faultline checks instead that no request " + host +
                   " answered in the "
                   "last " +
                   w + " had a status " + (criteria == "!=" ? "equal to " : "other than ") + alternatives +
                   " (istio_requests_total)",
               "assumed");
  std::vector<std::string> ignored;
  for (const char* k : {"insecureSkipVerify", "responseTimeout", "headers"})
    if (inputs->contains(k)) ignored.push_back(k);
  for (const char* k : {"body", "bodyPath", "contentType"})
    if (call->contains(k)) ignored.push_back(k);
  if (!ignored.empty()) {
    std::string list;
    for (const auto& k : ignored) list += (list.empty() ? "" : ", ") + k;
    ctx.unmapped(doc, ip, "httpProbe " + list, "requests carry no TLS, body or timeout in the model", "field ignored");
  }
}

// The values a JSONPath tolerance selects from a chaosprometheus query result.
bool selects_values(const std::string& path) {
  static const std::regex re(R"(\$\.data\.result(\[\d+\]|\[\*\]|\.\*|\[:\])\.value\[1\])");
  return std::regex_match(path, re);
}

// A Chaos Toolkit tolerance over a chaosprometheus query result; empty with the reason.
std::optional<Json> toolkit_tolerance(const Json& t, std::string& reason, std::string& assumed) {
  if (t.is_object()) {
    const std::string type = text(t, {"type"});
    if (type == "range") {
      const Json* r = find(t, {"range"});
      if (r == nullptr || !r->is_array() || r->size() != 2 || !(*r)[0].is_number() || !(*r)[1].is_number()) {
        reason = "a range tolerance needs \"range\": [lo, hi]";
        return std::nullopt;
      }
      if (t.contains("target"))
        assumed = "the range applies to every sample's value (target " + text(t, {"target"}) + ")";
      return Json{{"range", *r}};
    }
    if (type == "jsonpath") {
      const std::string path = text(t, {"path"});
      if (selects_values(path) && t.contains("expect") && !t.contains("count")) {
        const auto d = number_of(scalar_text(t["expect"]).value_or(""));
        if (!d) {
          reason = "a jsonpath tolerance expecting " + t["expect"].dump() + ", not a number";
          return std::nullopt;
        }
        if (path.find("[0]") != std::string::npos) assumed = "every sample is checked, not only the first";
        return Json("== " + experiment::number_text(*d));
      }
      // "no sample whose value OP x": every sample's value meets the opposite comparison.
      static const std::regex filter(
          R"re(\$\.data\.result(\.\*)?\[\?\(@\.value\[1\]\s*(==|!=|>=|<=|>|<)\s*['"]?([^'")]+)['"]?\)\])re");
      std::smatch m;
      const Json* count = find(t, {"count"});
      if (std::regex_match(path, m, filter) && count != nullptr && count->is_number_integer() &&
          count->get<int64_t>() == 0) {
        const auto d = number_of(m[3].str());
        const std::string op = m[2].str();
        const std::string negated = op == "=="   ? "!="
                                    : op == "!=" ? "=="
                                    : op == ">=" ? "<"
                                    : op == "<=" ? ">"
                                    : op == ">"  ? "<="
                                                 : ">=";
        if (d) return Json(negated + " " + experiment::number_text(*d));
      }
      reason = "a jsonpath tolerance (" + path + (count != nullptr ? ", count " + count->dump() : std::string()) +
               ") other than the values of the samples with \"expect\", or a filter with \"count\": 0";
      return std::nullopt;
    }
    reason = "a " + (type.empty() ? std::string("typeless") : type) + " tolerance object";
    return std::nullopt;
  }
  if (t.is_number())
    reason =
        "a number tolerance compares the response's \"status\" field (chaoslib within_tolerance), never a sample "
        "value: use a range or a jsonpath tolerance";
  else
    reason = "a " + std::string(t.type_name()) + " tolerance over a Prometheus response";
  return std::nullopt;
}

}  // namespace

std::optional<Duration> tool_duration(const Json& v) {
  if (v.is_number()) {
    const double s = v.get<double>();
    if (!std::isfinite(s) || s < 0 || s > 1e9) return std::nullopt;
    return Duration::from_seconds(s);
  }
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  if (auto d = number_of(s); d && *d >= 0 && *d <= 1e9) return Duration::from_seconds(*d);
  try {
    const Duration d = parse_duration(s);
    if (d < Duration::zero()) return std::nullopt;
    return d;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool mapped_query_ok(ImportContext& ctx, const Document& doc, const std::string& pointer, const std::string& query,
                     bool scalar_allowed, const std::string& what, const std::string& effect) {
  try {
    experiment::parse_query(Json(query), doc, pointer, scalar_allowed);
    return true;
  } catch (const InputError& e) {
    ctx.unmapped(doc, pointer, what, e.message(), effect);
    return false;
  }
}

void import_litmus_probes(ImportContext& ctx, const Document& doc, const std::string& pointer, const Json& probes,
                          const std::string& engine) {
  for (size_t i = 0; i < probes.size(); ++i) {
    const std::string ptr = pointer_append(pointer, i);
    if (!probes[i].is_object()) {
      ctx.unmapped(doc, ptr, "probe", "expected a probe object", "probe dropped");
      continue;
    }
    litmus_probe(ctx, doc, ptr, probes[i], engine);
  }
}

void import_chaos_toolkit_hypothesis(ImportContext& ctx, const Document& doc, const Json& experiment,
                                     const std::string& pointer, const Substitute& substitute) {
  const Json* probes = find(experiment, {"steady-state-hypothesis", "probes"});
  if (probes == nullptr || !probes->is_array() || probes->empty()) return;
  const std::string hp = pointer + "/steady-state-hypothesis/probes";
  // runtime.hypothesis.strategy: when the hypothesis is checked (chaos_formats.md §3.1).
  const std::string strategy = text(experiment, {"runtime", "hypothesis", "strategy"});
  const std::string sp = pointer + "/runtime/hypothesis";
  std::string mode = "Edge";
  if (strategy == "before-method-only") mode = "SOT";
  if (strategy == "after-method-only") mode = "EOT";
  if (strategy == "during-method-only") mode = "OnChaos";
  if (strategy == "continuous") mode = "Continuous";
  if (strategy == "skip") {
    ctx.unmapped(doc, sp + "/strategy", "steady-state-hypothesis", "runtime.hypothesis.strategy skip: never checked",
                 "probe dropped");
    return;
  }
  if (!strategy.empty() && strategy != "default" && mode == "Edge")
    ctx.unmapped(doc, sp + "/strategy", "strategy " + strategy, "unknown strategy: the default (before and after)",
                 "assumed");
  std::optional<std::string> interval;
  if (const Json* f = find(experiment, {"runtime", "hypothesis", "frequency"}); f != nullptr && polls(mode)) {
    const auto d = tool_duration(*f);
    if (d && d->count_ns() > 0)
      interval = format_duration(*d);
    else
      ctx.unmapped(doc, sp + "/frequency", "frequency", "expected seconds > 0, got " + f->dump(), "field ignored");
  }
  const Json* fail_fast = find(experiment, {"runtime", "hypothesis", "fail_fast"});
  const std::string title = text(experiment, {"steady-state-hypothesis", "title"});
  for (size_t i = 0; i < probes->size(); ++i) {
    const std::string ptr = pointer_append(hp, i);
    const Json& p = (*probes)[i];
    const std::string name = text(p, {"name"});
    const std::string what = "probe " + (name.empty() ? "#" + std::to_string(i) : name);
    if (!p.is_object() || p.contains("ref")) {
      ctx.unmapped(doc, ptr, what, "a reference to another activity, not a probe definition", "probe dropped");
      continue;
    }
    const std::string module = text(p, {"provider", "module"});
    const std::string func = text(p, {"provider", "func"});
    const std::string ptype = text(p, {"provider", "type"});
    if (ptype != "python" || module != "chaosprometheus.probes" || func != "query") {
      const std::string why =
          ptype == "python" && module == "chaosprometheus.probes"
              ? "chaosprometheus." + func +
                    " is not an instant query (query_interval gives a range): a probe takes one value"
              : "the probe calls " +
                    (ptype == "python" ? module + "." + func
                                       : ptype + " " + text(p, {"provider", "url"}) + text(p, {"provider", "path"})) +
                    ", which checks a live system; only Prometheus queries (chaosprometheus.probes.query) are "
                    "evaluated";
      ctx.unmapped(doc, ptr, what, why, "probe dropped");
      continue;
    }
    const std::string raw = text(p, {"provider", "arguments", "query"});
    std::string reason;
    const auto query = substitute(raw, reason);
    if (!query || query->empty()) {
      ctx.unmapped(doc, ptr + "/provider/arguments/query", what, raw.empty() ? "the probe has no query" : reason,
                   "probe dropped");
      continue;
    }
    const Json* tol = find(p, {"tolerance"});
    std::string assumed;
    const auto tolerance = tol != nullptr ? toolkit_tolerance(*tol, reason, assumed) : std::nullopt;
    if (!tolerance) {
      ctx.unmapped(doc, ptr + "/tolerance", what, tol == nullptr ? "the probe has no tolerance" : reason,
                   "probe dropped");
      continue;
    }
    if (!mapped_query_ok(ctx, doc, ptr + "/provider/arguments/query", *query, true, what, "probe dropped")) continue;
    if (!assumed.empty()) ctx.unmapped(doc, ptr + "/tolerance", what, assumed, "assumed");
    if (const Json* when = find(p, {"provider", "arguments", "when"}); when != nullptr)
      ctx.unmapped(doc, ptr + "/provider/arguments/when", "when",
                   "the query is evaluated at each simulated check time, not at " + when->dump(), "field ignored");
    Json block = {{"name", name.empty() ? "probe-" + std::to_string(i) : name},
                  {"description", "Chaos Toolkit probe" + (title.empty() ? std::string() : " of \"" + title + "\"")},
                  {"query", *query},
                  {"tolerance", *tolerance},
                  {"mode", mode}};
    if (interval) block["interval"] = *interval;
    if (fail_fast != nullptr && fail_fast->is_boolean() && fail_fast->get<bool>()) block["stop_on_failure"] = true;
    ctx.add_check({false, block, doc.file, ptr});
  }
}

}  // namespace faultline::sim::importers

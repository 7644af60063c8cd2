#include "sim/experiment/experiment_schema.hpp"

#include <algorithm>
#include <map>

namespace faultline::sim::experiment {

namespace {

const char* kModes[] = {"SOT", "EOT", "Edge", "Continuous", "OnChaos"};

std::string show(const Json& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

std::vector<ParamSpec> without(const std::vector<ParamSpec>& specs, const std::string& name) {
  std::vector<ParamSpec> out;
  for (const ParamSpec& s : specs)
    if (s.name != name) out.push_back(s);
  return out;
}

ProbeMode mode_of(const std::string& s) {
  for (size_t i = 0; i < std::size(kModes); ++i)
    if (s == kModes[i]) return static_cast<ProbeMode>(i);
  return ProbeMode::edge;
}

bool polls(ProbeMode m) { return m == ProbeMode::continuous || m == ProbeMode::on_chaos; }

std::string text_or_empty(const Json& v) { return v.is_string() ? v.get<std::string>() : std::string(); }

ProbeSpec parse_probe(const Json& obj, const Document& doc, const std::string& ptr) {
  if (!obj.is_object()) throw doc.error(ptr, "expected a probe object with name, query, tolerance and mode");
  const Json p = normalize_params(without(probe_fields(), "tolerance"), obj, doc, ptr, {"tolerance"});
  if (!obj.contains("tolerance"))
    throw doc.error(ptr, "missing required parameter \"tolerance\" (" + probe_fields()[3].help + ")");
  ProbeSpec s;
  s.pointer = ptr;
  s.file = doc.file;
  s.name = p["name"].get<std::string>();
  if (s.name.empty()) throw doc.error(pointer_append(ptr, "name"), "expected a non-empty probe name");
  s.description = text_or_empty(p["description"]);
  s.mode = mode_of(p["mode"].get<std::string>());
  s.query = parse_query(obj["query"], doc, pointer_append(ptr, "query"), true);
  s.tolerance = Tolerance::parse(obj["tolerance"], doc, pointer_append(ptr, "tolerance"));
  const std::vector<ParamSpec>& specs = probe_fields();
  const ParamValues values(&p, &specs, ptr);
  for (const char* key : {"interval", "initial_delay"})
    if (obj.contains(key) && !polls(s.mode))
      throw doc.error(pointer_append(ptr, key),
                      std::string("\"") + key + "\" applies to Continuous and OnChaos probes; " + "a " +
                          probe_mode_name(s.mode) + " probe is checked " +
                          (s.mode == ProbeMode::sot   ? "once, at the chaos start"
                           : s.mode == ProbeMode::eot ? "once, at the run's end"
                                                      : "at the chaos start and at the run's end"));
  s.interval = values.duration("interval");
  s.initial_delay = values.duration("initial_delay");
  s.stop_on_failure = values.boolean("stop_on_failure");
  return s;
}

AbortSpec parse_condition(const Json& obj, const Document& doc, const std::string& ptr) {
  if (!obj.is_object()) throw doc.error(ptr, "expected an abort condition object with name and query");
  const Json p = normalize_params(without(abort_fields(), "when"), obj, doc, ptr, {"when"});
  AbortSpec s;
  s.pointer = ptr;
  s.file = doc.file;
  s.name = p["name"].get<std::string>();
  if (s.name.empty()) throw doc.error(pointer_append(ptr, "name"), "expected a non-empty condition name");
  s.description = text_or_empty(p["description"]);
  const bool has_when = obj.contains("when") && !obj["when"].is_null();
  s.query = parse_query(obj["query"], doc, pointer_append(ptr, "query"), has_when);
  if (has_when) s.when = Tolerance::parse(obj["when"], doc, pointer_append(ptr, "when"));
  const std::vector<ParamSpec>& specs = abort_fields();
  const ParamValues values(&p, &specs, ptr);
  s.interval = values.duration("interval");
  s.initial_delay = values.duration("initial_delay");
  return s;
}

void check_unique(const std::vector<std::pair<std::string, std::string>>& names, const Document& doc) {
  std::map<std::string, std::string> seen;
  for (const auto& [name, ptr] : names) {
    auto [it, fresh] = seen.emplace(name, ptr);
    if (!fresh)
      throw doc.error(pointer_append(ptr, "name"), "duplicate name \"" + name + "\" (also at " + it->second +
                                                       ", line " + std::to_string(doc.line_of(it->second)) +
                                                       "): probes and abort conditions need unique names");
  }
}

// The blocks at these pointers ("" = absent), checked as one set.
ExperimentSpec build(const Document& doc, const std::string& hyp, const std::string& abort, const std::string& rb) {
  ExperimentSpec spec;
  auto at = [&](const std::string& p) -> const Json& { return doc.root.at(Json::json_pointer(p)); };
  if (!hyp.empty()) spec.title = parse_hypothesis(at(hyp), doc, hyp, spec.probes);
  if (!abort.empty()) spec.aborts = parse_abort(at(abort), doc, abort);
  if (!rb.empty()) spec.rollbacks = parse_rollbacks(at(rb), doc, rb);
  std::vector<std::pair<std::string, std::string>> names;
  for (const ProbeSpec& p : spec.probes) names.emplace_back(p.name, p.pointer);
  for (const AbortSpec& a : spec.aborts) names.emplace_back(a.name, a.pointer);
  check_unique(names, doc);
  return spec;
}

}  // namespace

const char* probe_mode_name(ProbeMode m) { return kModes[static_cast<size_t>(m)]; }

const char* rollback_strategy_name(RollbackStrategy s) {
  switch (s) {
    case RollbackStrategy::default_:
      return "default";
    case RollbackStrategy::always:
      return "always";
    case RollbackStrategy::never:
      return "never";
    case RollbackStrategy::deviated:
      return "deviated";
  }
  return "?";
}

const std::vector<ParamSpec>& hypothesis_fields() {
  static const std::vector<ParamSpec> f = {
      ParamSpec::text("title")
          .optional()
          .describe("what the steady state is")
          .from("Chaos Toolkit steady-state-hypothesis.title"),
      ParamSpec::records("probes", {})
          .require()
          .describe("the probes, each with name, query, tolerance and mode")
          .from("Chaos Toolkit steady-state-hypothesis.probes; Litmus spec.experiments[].spec.probe"),
  };
  return f;
}

const std::vector<ParamSpec>& probe_fields() {
  static const std::vector<ParamSpec> f = {
      ParamSpec::text("name")
          .require()
          .describe("the probe's name, unique among probes and abort conditions")
          .from("Litmus probe name; Chaos Toolkit activity name"),
      ParamSpec::text("description").optional().describe("free text").from("Chaos Toolkit activity description"),
      ParamSpec::text("query")
          .require()
          .describe("a PromQL query (sim/promql/README.md) giving a number or an instant vector")
          .from("Litmus promProbe/inputs.query; chaosprometheus probes.query"),
      ParamSpec::text("tolerance")
          .require()
          .describe(
              "what every sample must meet: \"== 0\", \">= 0.99\", {op, value}, {range: [lo, hi]}, {one_of: [..]}")
          .from("Litmus comparator (criteria, value); Chaos Toolkit tolerance (range)"),
      ParamSpec::choice("mode", {"SOT", "EOT", "Edge", "Continuous", "OnChaos"})
          .def("Edge")
          .describe("when the probe is checked: SOT at the chaos start, EOT at the run's end, Edge both, Continuous "
                    "from the chaos "
                    "start to the run's end, OnChaos during the chaos")
          .from("Litmus probe mode (chaos_formats.md §2.2); Edge is Chaos Toolkit's default (before and after the "
                "method)"),
      ParamSpec::duration("interval")
          .def("5s")
          .above(0)
          .describe("polling period of Continuous and OnChaos probes")
          .from("Litmus runProperties.probePollingInterval; 5 s is Gloo Shot's poll interval (chaos_formats.md §4.1)"),
      ParamSpec::duration("initial_delay")
          .def("0s")
          .at_least(0)
          .describe("first check of a Continuous or OnChaos probe after the chaos start")
          .from("Litmus runProperties.initialDelay"),
      ParamSpec::boolean("stop_on_failure")
          .def(false)
          .describe("a failed check stops the chaos (the faults are removed, as by an abort) and the verdict is fail")
          .from("Litmus runProperties.stopOnFailure, default false"),
  };
  return f;
}

const std::vector<ParamSpec>& abort_fields() {
  static const std::vector<ParamSpec> f = {
      ParamSpec::text("name")
          .require()
          .describe("the condition's name, unique among probes and abort conditions")
          .from("Gloo Shot failureConditions[].name"),
      ParamSpec::text("description").optional().describe("free text").from("faultline"),
      ParamSpec::text("query")
          .require()
          .describe("a PromQL query; without \"when\", an instant vector that is empty until the condition holds")
          .from("Gloo Shot trigger.prometheus.customQuery"),
      ParamSpec::text("when")
          .optional()
          .describe("the condition fires when a sample meets this tolerance, e.g. \"> 10\"")
          .from("Gloo Shot comparisonOperator and thresholdValue"),
      ParamSpec::duration("interval")
          .def("5s")
          .above(0)
          .describe("polling period")
          .from("Gloo Shot's shared Prometheus poller, 5 s (pkg/promquery/client.go, chaos_formats.md §4.1)"),
      ParamSpec::duration("initial_delay")
          .def("0s")
          .at_least(0)
          .describe("first check after the chaos start")
          .from("faultline: Gloo Shot polls from the experiment's start"),
  };
  return f;
}

const std::vector<ParamSpec>& rollback_fields() {
  static const std::vector<ParamSpec> f = {
      ParamSpec::choice("strategy", {"default", "always", "never", "deviated"})
          .def("default")
          .describe(
              "default and always run the actions, never does not, deviated only after a failed probe or an abort")
          .from("Chaos Toolkit runtime.rollbacks.strategy (chaos_formats.md §3.1)"),
      ParamSpec::records("actions", {})
          .require()
          .describe("fault entries (kind, target or selector, params) whose \"at\" counts from the rollback time")
          .from("Chaos Toolkit rollbacks"),
  };
  return f;
}

promql::Query parse_query(const Json& value, const Document& doc, const std::string& pointer, bool scalar_allowed) {
  if (!value.is_string() || value.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos)
    throw doc.error(pointer, "expected a PromQL query (a string), got " + show(value));
  const std::string text = value.get<std::string>();
  promql::Query q;
  try {
    q = promql::Query::parse(text);
  } catch (const promql::QueryError& e) {
    const char* what = e.kind() == promql::QueryError::Kind::unsupported ? "PromQL that faultline does not support"
                                                                         : "a PromQL syntax error";
    const std::string at = e.line() > 1 ? "line " + std::to_string(e.line()) + ", column " + std::to_string(e.column())
                                        : "column " + std::to_string(e.column());
    const size_t from = std::min(e.position(), text.size());
    std::string near = text.substr(from, 30);
    if (near.find('\n') != std::string::npos) near = near.substr(0, near.find('\n'));
    throw doc.error(pointer, std::string(what) + " at " + at + " of the query" +
                                 (near.empty() ? "" : " (near `" + near + "`)") + ": " + e.message() +
                                 " (the subset is listed in sim/promql/README.md)");
  }
  const promql::ValueType t = q.type();
  if (t == promql::ValueType::matrix || t == promql::ValueType::string)
    throw doc.error(pointer, std::string("the query gives a ") +
                                 (t == promql::ValueType::matrix ? "range vector" : "string") +
                                 "; expected a number or an instant vector (wrap a range vector in a function such as "
                                 "rate(...) or max_over_time(...))");
  if (t == promql::ValueType::scalar && !scalar_allowed)
    throw doc.error(pointer,
                    "the query gives a number, which is always there: give \"when\" (e.g. \"> 10\") to say when "
                    "the condition fires, or write the query as a filter such as `sum(...) > 10`");
  return q;
}

std::string parse_hypothesis(const Json& block, const Document& doc, const std::string& pointer,
                             std::vector<ProbeSpec>& probes) {
  if (!block.is_object())
    throw doc.error(pointer, "expected a hypothesis object {title, probes: [...]}, got " + show(block));
  const Json p = normalize_params(without(hypothesis_fields(), "probes"), block, doc, pointer, {"probes"});
  if (!block.contains("probes")) throw doc.error(pointer, "missing required parameter \"probes\" (a list of probes)");
  const std::string pp = pointer_append(pointer, "probes");
  const Json& list = block["probes"];
  if (!list.is_array()) throw doc.error(pp, "expected a list of probes, got " + show(list));
  for (size_t i = 0; i < list.size(); ++i) probes.push_back(parse_probe(list[i], doc, pointer_append(pp, i)));
  return text_or_empty(p["title"]);
}

std::vector<AbortSpec> parse_abort(const Json& block, const Document& doc, const std::string& pointer) {
  if (!block.is_array()) throw doc.error(pointer, "expected a list of abort conditions, got " + show(block));
  std::vector<AbortSpec> out;
  for (size_t i = 0; i < block.size(); ++i) out.push_back(parse_condition(block[i], doc, pointer_append(pointer, i)));
  return out;
}

RollbackSpec parse_rollbacks(const Json& block, const Document& doc, const std::string& pointer) {
  if (!block.is_object()) throw doc.error(pointer, "expected {strategy, actions: [...]}, got " + show(block));
  const Json p = normalize_params(without(rollback_fields(), "actions"), block, doc, pointer, {"actions"});
  if (!block.contains("actions"))
    throw doc.error(pointer, "missing required parameter \"actions\" (a list of fault entries)");
  RollbackSpec r;
  const std::string s = p["strategy"].get<std::string>();
  r.strategy = s == "always"     ? RollbackStrategy::always
               : s == "never"    ? RollbackStrategy::never
               : s == "deviated" ? RollbackStrategy::deviated
                                 : RollbackStrategy::default_;
  r.actions_pointer = pointer_append(pointer, "actions");
  r.actions = block["actions"];
  if (!r.actions.is_array())
    throw doc.error(r.actions_pointer, "expected a list of fault entries, got " + show(r.actions));
  for (size_t i = 0; i < r.actions.size(); ++i)
    if (!r.actions[i].is_object())
      throw doc.error(pointer_append(r.actions_pointer, i),
                      "expected a fault entry {kind, target, ...}, got " + show(r.actions[i]));
  return r;
}

ExperimentSpec resolve_experiment_spec(const Document& doc, const std::string& experiment_pointer) {
  const Json& root = doc.root;
  auto top = [&](const char* key) {
    return root.is_object() && root.contains(key) ? "/" + std::string(key) : std::string();
  };
  const std::string base_h = top("hypothesis"), base_a = top("abort"), base_r = top("rollbacks");
  ExperimentSpec chosen = build(doc, base_h, base_a, base_r);
  if (root.is_object() && root.contains("experiments") && root["experiments"].is_array()) {
    const Json& list = root["experiments"];
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_object()) continue;
      const std::string ep = pointer_append("/experiments", i);
      auto own = [&](const char* key, const std::string& base) {
        return list[i].contains(key) ? pointer_append(ep, key) : base;
      };
      ExperimentSpec s = build(doc, own("hypothesis", base_h), own("abort", base_a), own("rollbacks", base_r));
      if (ep == experiment_pointer) chosen = std::move(s);
    }
  }
  return chosen;
}

void merge_imported(ExperimentSpec& into, const ExperimentSpec& imported) {
  std::map<std::string, std::string> names;
  for (const ProbeSpec& p : into.probes) names.emplace(p.name, p.file + " at " + p.pointer);
  for (const AbortSpec& a : into.aborts) names.emplace(a.name, a.file + " at " + a.pointer);
  auto add = [&](const std::string& name, const std::string& file, const std::string& ptr) {
    if (auto it = names.find(name); it != names.end())
      throw InputError(
          file, ptr, 0,
          "the imported probe or condition \"" + name + "\" has the name of " + it->second + ": rename one of them");
    names.emplace(name, file + " at " + ptr);
  };
  for (const ProbeSpec& p : imported.probes) {
    add(p.name, p.file, p.pointer);
    into.probes.push_back(p);
  }
  for (const AbortSpec& a : imported.aborts) {
    add(a.name, a.file, a.pointer);
    into.aborts.push_back(a);
  }
  if (into.title.empty()) into.title = imported.title;
  if (imported.rollbacks && !into.rollbacks) into.rollbacks = imported.rollbacks;
}

Json ExperimentSpec::to_json() const {
  Json j = Json::object();
  if (!probes.empty() || !title.empty()) {
    Json h;
    if (!title.empty()) h["title"] = title;
    Json list = Json::array();
    for (const ProbeSpec& p : probes) {
      Json pj;
      pj["name"] = p.name;
      if (!p.description.empty()) pj["description"] = p.description;
      pj["query"] = p.query.text();
      pj["tolerance"] = p.tolerance.to_json();
      pj["mode"] = probe_mode_name(p.mode);
      if (polls(p.mode)) {
        pj["interval"] = format_duration(p.interval);
        pj["initial_delay"] = format_duration(p.initial_delay);
      }
      pj["stop_on_failure"] = p.stop_on_failure;
      list.push_back(pj);
    }
    h["probes"] = list;
    j["hypothesis"] = h;
  }
  if (!aborts.empty()) {
    Json list = Json::array();
    for (const AbortSpec& a : aborts) {
      Json aj;
      aj["name"] = a.name;
      if (!a.description.empty()) aj["description"] = a.description;
      aj["query"] = a.query.text();
      if (a.when) aj["when"] = a.when->to_json();
      aj["interval"] = format_duration(a.interval);
      aj["initial_delay"] = format_duration(a.initial_delay);
      list.push_back(aj);
    }
    j["abort"] = list;
  }
  if (rollbacks)
    j["rollbacks"] = Json{{"strategy", rollback_strategy_name(rollbacks->strategy)}, {"actions", rollbacks->actions}};
  return j;
}

}  // namespace faultline::sim::experiment

#include "sim/importers/import_context.hpp"

#include <algorithm>
#include <regex>
#include <stdexcept>

#include "sim/core/rfc3339.hpp"
#include "sim/experiment/experiment_schema.hpp"
#include "sim/faults/fault_kinds.hpp"

namespace faultline::sim::importers {

ImportContext::ImportContext(const ResolvedScenario& scenario, const ImportOptions& options)
    : scenario_(scenario), options_(options), components_(addressable_components(scenario)) {}

void ImportContext::unmapped(const Document& doc, const std::string& pointer, const std::string& what,
                             const std::string& reason, const std::string& effect) {
  unmapped_.push_back({doc.file, pointer, doc.line_of(pointer), what, reason, effect});
}

void ImportContext::unmapped_line(const std::string& file, int line, const std::string& what, const std::string& reason,
                                  const std::string& effect) {
  unmapped_.push_back({file, "line " + std::to_string(line), line, what, reason, effect});
}

void ImportContext::add_fault(PendingFault f) {
  f.order = faults_.size();
  faults_.push_back(std::move(f));
}

void ImportContext::add_check(ImportedCheck c) {
  // Names are unique among the imported checks and the scenario's own probes and conditions.
  std::vector<std::string> names;
  if (scenario_.experiment_spec) {
    for (const auto& p : scenario_.experiment_spec->probes) names.push_back(p.name);
    for (const auto& a : scenario_.experiment_spec->aborts) names.push_back(a.name);
  }
  for (const ImportedCheck& other : checks_) names.push_back(other.block.value("name", std::string()));
  const std::string base = c.block.value("name", std::string("check"));
  std::string name = base;
  for (int n = 2; std::find(names.begin(), names.end(), name) != names.end(); ++n)
    name = base + "-" + std::to_string(n);
  if (name != base)
    unmapped_.push_back({c.file, c.at, 0, "name " + base,
                         "a probe or abort condition of the scenario or of another file has this name: imported as " +
                             name,
                         "assumed"});
  c.block["name"] = name;
  checks_.push_back(std::move(c));
}

void ImportContext::note_format(const std::string& file, const std::string& format) {
  if (files_.empty() || files_.back().file != file) files_.push_back({file, {}});
  files_.back().formats.push_back(format);
}

namespace {
// A Deployment's pod: <deployment>-<replicaset hash>-<5 characters>.
bool looks_hashed(const std::string& pod) {
  static const std::regex re(".+-[a-z0-9]{5,10}-[a-z0-9]{5}");
  return pod.size() < 256 && std::regex_match(pod, re);
}
}  // namespace

std::optional<std::string> ImportContext::map_pod(const std::string& id, std::string& reason) const {
  // "ns/pod" or "pod"; a container suffix is the caller's business.
  const std::string pod = id.substr(id.find('/') == std::string::npos ? 0 : id.find('/') + 1);
  for (const std::string& key : {id, pod}) {
    auto it = options_.pod_map.find(key);
    if (it == options_.pod_map.end()) continue;
    for (const auto& c : components_)
      if (c.path == it->second) return c.path;
    reason = "--map " + key + "=" + it->second + " names no component of scenario " + scenario_.name;
    return std::nullopt;
  }
  std::vector<std::string> hits;
  for (const auto& c : components_) {
    const size_t slash = c.path.rfind('/');
    if (c.path.substr(slash == std::string::npos ? 0 : slash + 1) == pod) hits.push_back(c.path);
  }
  if (hits.size() == 1) return hits[0];
  if (hits.size() > 1) {
    reason = "pod " + pod + " matches several components (" + hits[0] + ", " + hits[1] + "): give --map " + pod + "=PATH";
    return std::nullopt;
  }
  reason = "no component of scenario " + scenario_.name + " has a path ending in \"" + pod + "\"";
  if (looks_hashed(pod))
    reason += " (a Deployment's pod name carries hashes): give --map " + pod + "=<component path>";
  else
    reason += ": give --map " + pod + "=<component path>";
  return std::nullopt;
}

std::vector<std::string> ImportContext::select(const LabelSelector& selector) const {
  std::vector<std::string> out;
  for (const auto& a : components_) {
    const ComponentEntry* entry = scenario_.entry(a.path);
    if (!a.is_member && entry != nullptr && entry->kind->replication == Replication::self) continue;
    if (selector.matches(a.labels)) out.push_back(a.path);
  }
  return out;
}

std::string ImportContext::labels_overview() const {
  std::string out;
  for (const ComponentEntry& c : scenario_.components) {
    out += (out.empty() ? "" : "; ") + c.name + " {";
    bool first = true;
    for (const auto& [k, v] : c.labels) {
      out += (first ? "" : ", ") + k + ": " + v;
      first = false;
    }
    out += "}";
  }
  return "the components' labels: " + out;
}

RandomStream ImportContext::stream(const std::string& object, const std::string& purpose) const {
  return RandomStream::derive(scenario_.seed, "import/" + object, purpose);
}

Json ImportContext::fault_params(const std::string& kind, const std::vector<Param>& given, const Document& doc,
                                 const std::string& pointer) const {
  const FaultKindInfo* info = find_fault_kind(kind);
  if (info == nullptr) throw std::logic_error("importer produced unknown fault kind " + kind);
  Json object = Json::object();
  for (const Param& p : given) {
    const ParamSpec* spec = nullptr;
    for (const ParamSpec& s : info->params)
      if (s.name == p.name) spec = &s;
    if (spec == nullptr) throw std::logic_error("importer gave undeclared parameter " + p.name + " to " + kind);
    if (p.value.is_null()) continue;
    object[p.name] = normalize_param(*spec, p.value, doc, p.pointer);
  }
  return normalize_params(info->params, object, doc, pointer, {});
}

int64_t ImportContext::window_end_ns(const Document& doc, const std::string& pointer) const {
  if (options_.window) return (options_.at + *options_.window).count_ns();
  if (scenario_.duration) return scenario_.duration->count_ns();
  throw doc.error(pointer, "a schedule repeats without end and scenario " + scenario_.name +
                               " has no duration: give --window (how long to expand it, e.g. 10m)");
}

// ---- readers

const Json* find(const Json& root, const std::vector<std::string>& path) {
  const Json* cur = &root;
  for (const std::string& k : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(k);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::optional<std::string> scalar_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return v.dump();
  return std::nullopt;
}

Duration read_duration(const Json& v, const Document& doc, const std::string& pointer) {
  if (!v.is_string()) throw doc.error(pointer, "expected a duration such as \"30s\" or \"1m30s\", got " + v.dump().substr(0, 60));
  try {
    return parse_duration(v.get<std::string>());
  } catch (const std::exception& e) {
    throw doc.error(pointer, e.what());
  }
}

int64_t read_timestamp(const Json& v, const Document& doc, const std::string& pointer) {
  std::optional<int64_t> t;
  if (v.is_string()) t = parse_rfc3339(v.get<std::string>());
  if (!t)
    throw doc.error(pointer, "expected an RFC 3339 timestamp such as \"2026-01-01T00:00:00Z\" or "
                             "\"2026-01-01T01:00:00.123456+01:00\", got " + v.dump().substr(0, 60));
  return *t;
}

double read_number(const Json& v, const Document& doc, const std::string& pointer, const std::string& what) {
  if (v.is_number() && !v.is_boolean()) {
    const double d = v.get<double>();
    if (std::isfinite(d)) return d;
  }
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    size_t used = 0;
    try {
      const double d = std::stod(s, &used);
      if (used == s.size() && std::isfinite(d)) return d;
    } catch (const std::exception&) {
    }
  }
  throw doc.error(pointer, "expected a number for " + what + ", got " + v.dump().substr(0, 60));
}

namespace {
std::string trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}
}  // namespace

LabelSelector parse_label_string(const std::string& text, const Document& doc, const std::string& pointer) {
  LabelSelector sel;
  // Split on commas outside parentheses.
  std::vector<std::string> terms;
  std::string cur;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      terms.push_back(trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  terms.push_back(trim(cur));
  const std::string expected =
      "expected a label selector such as \"app=rabbitmq\", \"app in (a,b)\", \"tier!=db\" or \"!legacy\"";
  for (const std::string& term : terms) {
    if (term.empty()) throw doc.error(pointer, "empty term in label selector \"" + text + "\": " + expected);
    const size_t ne = term.find("!=");
    const size_t eq = term.find('=');
    const auto set_op = [&](const std::string& op_word, const std::string& op) -> bool {
      const size_t at = term.find(" " + op_word + " ");
      if (at == std::string::npos) return false;
      LabelSelector::Expression e;
      e.key = trim(term.substr(0, at));
      std::string rest = trim(term.substr(at + op_word.size() + 2));
      if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')')
        throw doc.error(pointer, "in \"" + term + "\": " + expected);
      std::string item;
      for (char c : rest.substr(1, rest.size() - 2) + ",") {
        if (c == ',') {
          if (!trim(item).empty()) e.values.push_back(trim(item));
          item.clear();
        } else {
          item += c;
        }
      }
      if (e.key.empty() || e.values.empty()) throw doc.error(pointer, "in \"" + term + "\": " + expected);
      e.op = op;
      sel.match_expressions.push_back(std::move(e));
      return true;
    };
    if (set_op("notin", "NotIn") || set_op("in", "In")) continue;
    if (ne != std::string::npos) {
      LabelSelector::Expression e{trim(term.substr(0, ne)), "NotIn", {trim(term.substr(ne + 2))}};
      if (e.key.empty()) throw doc.error(pointer, "in \"" + term + "\": " + expected);
      sel.match_expressions.push_back(std::move(e));
    } else if (eq != std::string::npos) {
      std::string key = trim(term.substr(0, eq));
      std::string value = trim(term.substr(term[eq + 1] == '=' ? eq + 2 : eq + 1));  // "==" is "="
      if (key.empty()) throw doc.error(pointer, "in \"" + term + "\": " + expected);
      sel.match_labels[key] = value;
    } else if (term.front() == '!') {
      sel.match_expressions.push_back({trim(term.substr(1)), "DoesNotExist", {}});
    } else {
      if (term.find_first_of(" ()") != std::string::npos) throw doc.error(pointer, "in \"" + term + "\": " + expected);
      sel.match_expressions.push_back({term, "Exists", {}});
    }
  }
  return sel;
}

}  // namespace faultline::sim::importers

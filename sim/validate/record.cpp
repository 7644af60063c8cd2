#include "sim/validate/record.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/core/rfc3339.hpp"
#include "sim/faults/fault_kinds.hpp"
#include "sim/faults/fault_plan.hpp"
#include "sim/importers/import.hpp"
#include "sim/importers/timeline.hpp"
#include "sim/output/number_format.hpp"

namespace faultline::validate {

using sim::InputError;
using sim::Json;

namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", 0, "cannot read the file");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

bool is_gzip(const std::string& bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gunzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) throw InputError(path, "", 0, "cannot open the gzip file");
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      int code = 0;
      const char* msg = gzerror(f, &code);
      const std::string what = msg != nullptr ? msg : "read error";
      gzclose(f);
      throw InputError(path, "", 0, "corrupt gzip data: " + what);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (size_t{1} << 31)) {
      gzclose(f);
      throw InputError(path, "", 0, "more than 2 GiB once decompressed: not a record this reader takes");
    }
  }
  gzclose(f);
  return out;
}

/// The file's text, decompressed when it is gzip.
std::string read_text(const std::string& path) {
  std::string bytes = read_bytes(path);
  return is_gzip(bytes) ? gunzip(path) : bytes;
}

std::string first_line(const std::string& text) {
  const size_t nl = text.find('\n');
  std::string l = text.substr(0, nl);
  if (!l.empty() && l.back() == '\r') l.pop_back();
  return l;
}

bool looks_like_messages_csv(const std::string& text) {
  const std::string l = first_line(text);
  return l.rfind("id,", 0) == 0 && l.find("fate") != std::string::npos;
}

enum class Role { timeline, run, truth, messages, other };

Role role_of(const std::string& text) {
  if (sim::importers::looks_like_timeline(text)) return Role::timeline;
  if (looks_like_messages_csv(text)) return Role::messages;
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && text[start] == '{') {
    try {
      const Json j = Json::parse(text);
      if (j.is_object() && j.contains("messages") && j["messages"].is_object() && j["messages"].contains("published"))
        return Role::truth;
      if (j.is_object() && j.contains("start_time") && (j.contains("experiment") || j.contains("window")) &&
          !j.contains("kind"))
        return Role::run;
    } catch (const std::exception&) {
      return Role::other;
    }
  }
  return Role::other;
}

uint64_t count_at(const sim::Document& doc, const Json& obj, const std::string& pointer, const char* key) {
  const std::string p = sim::pointer_append(pointer, key);
  if (!obj.contains(key)) throw doc.error(pointer, std::string("missing \"") + key + "\" (a message count)");
  const Json& v = obj[key];
  if (!v.is_number_integer() || v.get<int64_t>() < 0)
    throw doc.error(p, std::string("expected a count ≥ 0 for \"") + key + "\"");
  return v.get<uint64_t>();
}

/// Testbed spellings of parameters the kinds declare under another name.
std::optional<std::pair<std::string, Json>> translate_param(const std::string& key, const Json& value) {
  const auto ms = [](const Json& v) -> std::optional<Json> {
    if (!v.is_number()) return std::nullopt;
    return Json(sim::format_prometheus_float(v.get<double>()) + "ms");
  };
  if (key == "latency_ms")
    if (auto v = ms(value)) return std::make_pair(std::string("latency"), *v);
  if (key == "jitter_ms")
    if (auto v = ms(value)) return std::make_pair(std::string("jitter"), *v);
  if (key == "from") return std::make_pair(std::string("peers"),
                                           value);  // a partition's other side
  return std::nullopt;
}

bool pod_lifecycle_kind(const std::string& kind) {
  return kind == "container-kill" || kind == "pod-kill" || kind == "pod-failure" || kind == "node-down";
}

}  // namespace

std::vector<sim::Fault> Records::timeline(bool with_recovery) const {
  std::vector<sim::Fault> out;
  out.reserve(faults.size());
  for (const RecordedFault& r : faults) {
    out.push_back(r.fault);
    if (!with_recovery) out.back().recovered.reset();
    out.back().id = static_cast<uint32_t>(out.size() - 1);
  }
  return out;
}

std::optional<double> Records::first_fault_s() const {
  if (faults.empty()) return std::nullopt;
  return faults.front().fault.start.seconds();
}

void read_timeline(const sim::ResolvedScenario& scenario, const std::string& file, const std::string& text,
                   Records& out, const std::map<std::string, std::string>& map) {
  // --map PATH=PATH[,PATH...]
  const auto mapped = [&](const std::string& path) {
    std::vector<std::string> out_paths;
    auto it = map.find(path);
    if (it == map.end()) return std::vector<std::string>{path};
    size_t s = 0;
    for (;;) {
      const size_t c = it->second.find(',', s);
      const std::string p = it->second.substr(s, c == std::string::npos ? std::string::npos : c - s);
      if (!p.empty()) out_paths.push_back(p);
      if (c == std::string::npos) break;
      s = c + 1;
    }
    return out_paths;
  };
  std::set<std::string> known_paths;
  for (const sim::AddressableComponent& c : sim::addressable_components(scenario)) known_paths.insert(c.path);
  size_t pos = 0;
  int line = 0;
  std::vector<RecordedFault> read;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    const std::string l = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line;
    if (l.find_first_not_of(" \t\r") == std::string::npos) continue;
    sim::Document doc;
    doc.file = file;
    try {
      doc.root = Json::parse(l);
    } catch (const std::exception& e) {
      throw InputError(file, "", line, std::string("expected one fault (a JSON object) per line: ") + e.what());
    }
    doc.lines.emplace("", line);
    const Json& j = doc.root;
    if (!j.is_object()) throw doc.error("", "expected a fault object {start_s, end_s, kind, targets, params}");
    static const std::vector<std::string> keys = {"start_s", "end_s",  "recovered_s", "kind",
                                                  "targets", "params", "source"};
    for (const auto& [k, v] : j.items())
      if (std::find(keys.begin(), keys.end(), k) == keys.end())
        throw doc.error(sim::pointer_append("", k),
                        "unknown key \"" + k + "\" in a timeline line" + sim::did_you_mean(k, keys));
    const auto seconds = [&](const char* key, bool required) -> std::optional<double> {
      if (!j.contains(key) || j[key].is_null()) {
        if (required) throw doc.error("", std::string("missing \"") + key + "\" (seconds from the records' start)");
        return std::nullopt;
      }
      const Json& v = j[key];
      if (!v.is_number() || !(v.get<double>() >= 0) || v.get<double>() > 9e9)
        throw doc.error(sim::pointer_append("", key), std::string("expected seconds ≥ 0 for \"") + key + "\"");
      return v.get<double>();
    };
    const double start = *seconds("start_s", true);
    std::optional<double> end = seconds("end_s", false);
    const std::optional<double> recovered = seconds("recovered_s", false);
    if (!j.contains("kind") || !j["kind"].is_string()) throw doc.error("", "missing \"kind\"");
    const std::string kind = j["kind"].get<std::string>();
    const sim::FaultKindInfo* info = sim::find_fault_kind(kind);
    if (info == nullptr)
      throw doc.error("/kind",
                      "unknown fault kind \"" + kind + "\"" + sim::did_you_mean(kind, sim::fault_kind_names()));
    if (end && *end < start) throw doc.error("/end_s", "the fault ends before it starts");
    if (end && info->one_shot) {
      out.notes.push_back({file, line, "end_s", "end ignored",
                           kind + " is a one-shot action; the record's end_s (" + sim::format_prometheus_float(*end) +
                               " s) is kept only in its source"});
      end.reset();
    }
    std::optional<sim::SimTime> end_at;
    if (end) end_at = sim::SimTime::at(sim::Duration::from_seconds(*end));
    if (!j.contains("targets") || !j["targets"].is_array() || j["targets"].empty())
      throw doc.error("/targets", "expected a non-empty list of component paths");
    std::vector<std::string> targets;
    for (size_t i = 0; i < j["targets"].size(); ++i) {
      const Json& t = j["targets"][i];
      if (!t.is_string()) throw doc.error(sim::pointer_append("/targets", i), "expected a component path");
      for (const std::string& path : mapped(t.get<std::string>())) {
        if (known_paths.count(path) == 0) {
          out.notes.push_back({file, line, "target " + path, "target dropped",
                               "the scenario " + scenario.name + " has no component " + path});
          continue;
        }
        if (std::find(targets.begin(), targets.end(), path) == targets.end()) targets.push_back(path);
      }
    }
    // Parameters: the kind's own are kept; the record's own information is listed as ignored.
    Json kept = Json::object();
    Json by_target;
    std::optional<double> restart_delay;
    if (j.contains("params")) {
      if (!j["params"].is_object()) throw doc.error("/params", "expected an object of parameters");
      std::set<std::string> declared;
      for (const sim::ParamSpec& p : info->params) declared.insert(p.name);
      for (const auto& [k, v] : j["params"].items()) {
        if (declared.count(k) != 0) {
          if (!kept.contains(k)) kept[k] = v;
          continue;
        }
        if (auto tr = translate_param(k, v); tr && declared.count(tr->first) != 0) {
          if (!kept.contains(tr->first)) kept[tr->first] = tr->second;
          continue;
        }
        if (k == "recovered_s_by_target" && v.is_object() && pod_lifecycle_kind(kind)) {
          by_target = v;
          continue;
        }
        if (k == "restart_delay_s" && kind == "container-kill" && v.is_number() && v.get<double>() >= 0) {
          restart_delay = v.get<double>();
          continue;
        }
        out.notes.push_back({file, line, "params." + k, "field ignored",
                             "not a parameter of " + kind + ": the record's own information"});
      }
      if (kept.contains("peers") && kept["peers"].is_array() && !kept["peers"].empty()) {
        Json peers = Json::array();
        for (const Json& p : kept["peers"]) {
          if (!p.is_string()) {
            peers.push_back(p);  // normalize_params says what is wrong with it
            continue;
          }
          for (const std::string& path : mapped(p.get<std::string>())) {
            if (known_paths.count(path) == 0) {
              out.notes.push_back({file, line, "peer " + path, "peer dropped",
                                   "the scenario " + scenario.name + " has no component " + path});
              continue;
            }
            if (std::find(peers.begin(), peers.end(), Json(path)) == peers.end()) peers.push_back(path);
          }
        }
        if (peers.empty()) {
          // Without peers the fault would reach every component: far wider than recorded.
          out.notes.push_back({file, line, kind + " at " + sim::format_prometheus_float(start) + " s", "fault dropped",
                               "none of its peers is a component of the scenario " + scenario.name});
          continue;
        }
        kept["peers"] = peers;
      }
    }
    if (targets.empty()) {
      out.notes.push_back({file, line, kind + " at " + sim::format_prometheus_float(start) + " s", "fault dropped",
                           "none of its targets is a component of the scenario " + scenario.name});
      continue;
    }
    sim::Fault f;
    f.kind = kind;
    f.start = sim::SimTime::at(sim::Duration::from_seconds(start));
    f.end = end_at;
    f.params = sim::normalize_params(info->params, kept, doc, "/params", {});
    if (restart_delay && *restart_delay > 0) {
      // The process stayed dead until the harness restarted it: a pod-failure of that length, after which the
      // container starts in place, as after a container-kill.
      f.kind = "pod-failure";
      f.end = sim::SimTime::at(sim::Duration::from_seconds(start + *restart_delay));
      f.params = Json::object();
      out.notes.push_back({file, line,
                           "container-kill with restart_delay_s " + sim::format_prometheus_float(*restart_delay),
                           "replayed as pod-failure",
                           "the process stays down until the recorded restart, "
                           "then starts in place; params other "
                           "than the delay do not apply"});
    }
    if (j.contains("source") && j["source"].is_object()) f.source = j["source"];
    f.source["file"] = file;
    f.source["line"] = line;
    const bool known = j.contains("recovered_s");
    const Json raw_params = j.contains("params") ? j["params"] : Json::object();
    if (!by_target.is_null() && targets.size() > 1) {
      // One fault per target, each with the time that target served again.
      for (const std::string& t : targets) {
        RecordedFault r{f, known, raw_params};
        r.fault.targets = {t};
        const Json* rt = by_target.contains(t) ? &by_target[t] : nullptr;
        if (rt != nullptr && !rt->is_null() && (!rt->is_number() || !(rt->get<double>() >= 0)))
          throw doc.error("/params/recovered_s_by_target/" + t, "expected seconds ≥ 0 or null");
        if (rt != nullptr) {
          r.recovery_known = true;
          if (!rt->is_null()) r.fault.recovered = sim::SimTime::at(sim::Duration::from_seconds(rt->get<double>()));
        } else if (recovered) {
          r.fault.recovered = sim::SimTime::at(sim::Duration::from_seconds(*recovered));
        }
        read.push_back(std::move(r));
      }
      out.notes.push_back({file, line, kind + " on " + std::to_string(targets.size()) + " targets", "split",
                           "one fault per target, each with its own recovered_s from "
                           "recovered_s_by_target"});
      continue;
    }
    f.targets = targets;
    if (recovered) f.recovered = sim::SimTime::at(sim::Duration::from_seconds(*recovered));
    read.push_back({std::move(f), known, raw_params});
  }
  for (RecordedFault& r : read) out.faults.push_back(std::move(r));
}

GroundTruth read_messages_csv(const std::string& file, const std::string& text,
                              std::map<std::string, QueueConfirms>* confirms) {
  GroundTruth g;
  g.file = file;
  size_t pos = 0;
  int line = 0;
  std::vector<std::string> header;
  int c_fate = -1, c_cause = -1, c_deliveries = -1, c_id = -1, c_queue = -1, c_pub = -1, c_confirm = -1, c_state = -1;
  uint64_t duplicates = 0;
  const auto split = [](const std::string& l) {
    std::vector<std::string> cells;
    size_t s = 0;
    for (;;) {
      const size_t c = l.find(',', s);
      cells.push_back(l.substr(s, c == std::string::npos ? std::string::npos : c - s));
      if (c == std::string::npos) break;
      s = c + 1;
    }
    return cells;
  };
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    std::string l = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.empty()) continue;
    std::vector<std::string> cells = split(l);
    if (header.empty()) {
      header = cells;
      for (size_t i = 0; i < header.size(); ++i) {
        const int k = static_cast<int>(i);
        if (header[i] == "fate") c_fate = k;
        if (header[i] == "lost_cause") c_cause = k;
        if (header[i] == "deliveries") c_deliveries = k;
        if (header[i] == "id") c_id = k;
        if (header[i] == "queue") c_queue = k;
        if (header[i] == "t_pub_s") c_pub = k;
        if (header[i] == "t_confirm_s") c_confirm = k;
        if (header[i] == "publisher_state") c_state = k;
      }
      if (c_fate < 0 || c_id < 0)
        throw InputError(file, "", line,
                         "expected a header with the columns id and fate "
                         "(per-message ground truth)");
      continue;
    }
    if (cells.size() != header.size())
      throw InputError(file, "", line,
                       "expected " + std::to_string(header.size()) + " fields, got " + std::to_string(cells.size()));
    ++g.published;
    const std::string& fate = cells[static_cast<size_t>(c_fate)];
    if (fate == "delivered" || fate == "delivered_late") {
      ++g.delivered;
    } else if (fate == "lost") {
      ++g.lost;
      const std::string cause = c_cause >= 0 && !cells[static_cast<size_t>(c_cause)].empty()
                                    ? cells[static_cast<size_t>(c_cause)]
                                    : std::string("unknown");
      ++g.lost_by_cause[cause];
    } else {
      throw InputError(file, "", line, "expected the fate delivered, delivered_late or lost, got \"" + fate + "\"");
    }
    // A nack's time is in t_confirm_s too: only confirmed messages give a confirm latency.
    const bool confirmed = c_state < 0 || cells[static_cast<size_t>(c_state)] == "confirmed";
    if (confirms != nullptr && confirmed && c_queue >= 0 && c_pub >= 0 && c_confirm >= 0 &&
        !cells[static_cast<size_t>(c_pub)].empty() && !cells[static_cast<size_t>(c_confirm)].empty()) {
      const auto number = [&](int c) {
        const std::string& v = cells[static_cast<size_t>(c)];
        char* endp = nullptr;
        const double x = std::strtod(v.c_str(), &endp);
        if (endp == nullptr || *endp != '\0' || !std::isfinite(x))
          throw InputError(file, "", line,
                           "expected seconds in the column " + header[static_cast<size_t>(c)] + ", got \"" + v + "\"");
        return x;
      };
      QueueConfirms& q = (*confirms)[cells[static_cast<size_t>(c_queue)]];
      const double pub = number(c_pub);
      q.published_s.push_back(pub);
      q.latency_s.push_back(number(c_confirm) - pub);
    }
    if (c_deliveries >= 0) {
      const std::string& d = cells[static_cast<size_t>(c_deliveries)];
      char* endp = nullptr;
      const long long n = std::strtoll(d.c_str(), &endp, 10);
      if (d.empty() || endp == nullptr || *endp != '\0' || n < 0)
        throw InputError(file, "", line, "expected a count ≥ 0 in the column deliveries, got \"" + d + "\"");
      if (n > 1) duplicates += static_cast<uint64_t>(n - 1);
    }
  }
  if (header.empty()) throw InputError(file, "", 0, "empty file: expected per-message ground truth");
  if (c_deliveries >= 0) g.duplicates = duplicates;
  return g;
}

GroundTruth read_truth_json(const std::string& file, const std::string& text) {
  const sim::Document doc = sim::parse_document(text, file, sim::DocumentFormat::json);
  const Json& m = doc.root["messages"];
  GroundTruth g;
  g.file = file;
  g.published = count_at(doc, m, "/messages", "published");
  g.delivered = count_at(doc, m, "/messages", "delivered");
  g.lost = count_at(doc, m, "/messages", "lost");
  if (m.contains("duplicates")) g.duplicates = count_at(doc, m, "/messages", "duplicates");
  if (m.contains("lost_by_cause")) {
    if (!m["lost_by_cause"].is_object()) throw doc.error("/messages/lost_by_cause", "expected an object cause → count");
    for (const auto& [k, v] : m["lost_by_cause"].items())
      g.lost_by_cause[k] = count_at(doc, m["lost_by_cause"], "/messages/lost_by_cause", k.c_str());
  }
  const Json* truth = nullptr;
  if (doc.root.contains("backlog") && doc.root["backlog"].is_object() && doc.root["backlog"].contains("truth"))
    truth = &doc.root["backlog"]["truth"];
  if (truth != nullptr && truth->is_object() && truth->contains("peak") && (*truth)["peak"].is_number())
    g.backlog_peak = (*truth)["peak"].get<double>();
  return g;
}

Records read_records(const sim::ResolvedScenario& scenario, const std::vector<std::string>& paths,
                     const sim::importers::ImportOptions& options) {
  namespace fs = std::filesystem;
  Records out;
  // Expand folders into the record files they hold.
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      bool any = false;
      for (const char* name : {"run.json", "faults.jsonl", "truth.json"}) {
        const std::string f = (fs::path(p) / name).string();
        if (fs::exists(f, ec)) {
          files.push_back(f);
          any = true;
        }
      }
      for (const char* name : {"messages.csv.gz", "messages.csv"}) {
        const std::string f = (fs::path(p) / name).string();
        if (fs::exists(f, ec)) {
          files.push_back(f);
          any = true;
          break;
        }
      }
      if (!any)
        throw InputError(p, "", 0,
                         "a record folder holds faults.jsonl, run.json, "
                         "truth.json or messages.csv.gz; none is here");
      continue;
    }
    files.push_back(p);
  }
  struct Text {
    std::string file, text;
    Role role;
  };
  std::vector<Text> texts;
  for (const std::string& f : files) {
    std::string t = read_text(f);
    const Role role = role_of(t);
    texts.push_back({f, std::move(t), role});
  }
  // A run summary first: its counts win over those of per-message ground truth.
  std::stable_partition(texts.begin(), texts.end(), [](const Text& t) { return t.role == Role::truth; });

  // run.json first: it fixes the records' time zero for everything else.
  for (const auto& [f, text, role] : texts) {
    if (role != Role::run) continue;
    const sim::Document doc = sim::parse_document(text, f, sim::DocumentFormat::json);
    const Json& st = doc.root["start_time"];
    const auto t = st.is_string() ? sim::parse_rfc3339(st.get<std::string>()) : std::nullopt;
    if (!t) throw doc.error("/start_time", "expected an RFC 3339 time such as 2026-11-22T05:02:04.451Z");
    if (out.start_epoch_ns && *out.start_epoch_ns != *t)
      throw doc.error("/start_time",
                      "two run files with different start times: the records "
                      "are of different runs");
    out.start_epoch_ns = *t;
    if (doc.root.contains("experiment") && doc.root["experiment"].is_string())
      out.experiment = doc.root["experiment"].get<std::string>();
    if (doc.root.contains("run") && doc.root["run"].is_number_integer()) out.run = doc.root["run"].get<int64_t>();
    out.files.push_back(f + " (run: start time " + sim::format_rfc3339(*t) + ")");
  }
  if (options.start_epoch_ns) out.start_epoch_ns = options.start_epoch_ns;

  std::vector<std::string> others;
  bool truth_from_summary = false;
  for (const auto& [f, text, role] : texts) {
    switch (role) {
      case Role::run:
        break;
      case Role::timeline:
        read_timeline(scenario, f, text, out, options.pod_map);
        out.files.push_back(f + " (fault timeline)");
        break;
      case Role::truth:
        if (truth_from_summary) throw InputError(f, "", 0, "a second run summary: give one truth.json per run");
        out.truth = read_truth_json(f, text);
        truth_from_summary = true;
        out.files.push_back(f + " (ground truth: run summary)");
        break;
      case Role::messages: {
        if (!out.confirms.empty()) throw InputError(f, "", 0, "a second per-message ground truth: give one per run");
        GroundTruth g = read_messages_csv(f, text, &out.confirms);
        if (!truth_from_summary) out.truth = std::move(g);
        out.files.push_back(f + " (ground truth: per message)");
        break;
      }
      case Role::other:
        others.push_back(f);
        break;
    }
  }
  if (!others.empty()) {
    sim::importers::ImportOptions o = options;
    if (out.start_epoch_ns) o.start_epoch_ns = out.start_epoch_ns;
    const sim::importers::ImportResult r = sim::importers::import_files(scenario, others, o);
    if (!out.start_epoch_ns) out.start_epoch_ns = r.start_epoch_ns;
    for (const sim::Fault& f : r.faults) out.faults.push_back({f, f.recovered.has_value(), f.params});
    for (const auto& u : r.unmapped) out.notes.push_back({u.file, u.line, u.what, u.effect, u.reason});
    for (const std::string& s : r.load_sets()) out.load_sets.push_back(s);
    for (const std::string& f : others) out.files.push_back(f + " (chaos record or definition)");
  }
  std::stable_sort(out.faults.begin(), out.faults.end(),
                   [](const RecordedFault& a, const RecordedFault& b) { return a.fault.start < b.fault.start; });
  return out;
}

}  // namespace faultline::validate

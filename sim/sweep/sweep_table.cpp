#include "sim/sweep/sweep_table.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/sweep/student_t.hpp"

namespace faultline::sim::sweep {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_cell(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return csv_field(value.get<std::string>());
  return csv_field(value.dump());
}

std::string SweepTable::csv() const {
  std::string out;
  for (size_t c = 0; c < columns.size(); ++c) out += (c ? "," : "") + csv_field(columns[c]);
  out += "\n";
  for (const Json& row : rows) {
    for (size_t c = 0; c < columns.size(); ++c) out += (c ? "," : "") + csv_cell(row[columns[c]]);
    out += "\n";
  }
  return out;
}

namespace {

/// The map a metric belongs to ("messages.lost_by_cause"), or "" for a plain metric.
std::string map_of(const std::string& key) {
  for (const char* p : {"messages.lost_by_cause.", "messages.lost_by_component."}) {
    const std::string prefix(p);
    if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) return prefix;
  }
  return "";
}

std::vector<std::string> metric_columns(const std::vector<Json>& rows, const std::set<std::string>& params) {
  // Merge the rows' key orders: a key first seen in a later run goes after its predecessor there.
  std::vector<std::string> merged;
  for (const Json& row : rows) {
    std::string prev;
    for (const auto& [key, v] : row.items()) {
      if (params.count(key)) continue;
      auto it = std::find(merged.begin(), merged.end(), key);
      if (it == merged.end()) {
        auto at = prev.empty() ? merged.begin() : std::find(merged.begin(), merged.end(), prev) + 1;
        it = merged.insert(at, key);
      }
      prev = key;
    }
  }
  // Each map's members together, sorted, where its first member stands.
  std::vector<std::string> out;
  std::set<std::string> emitted_maps;
  for (const std::string& key : merged) {
    const std::string map = map_of(key);
    if (map.empty()) {
      out.push_back(key);
      continue;
    }
    if (!emitted_maps.insert(map).second) continue;
    std::vector<std::string> members;
    for (const std::string& k : merged)
      if (map_of(k) == map) members.push_back(k);
    std::sort(members.begin(), members.end());
    out.insert(out.end(), members.begin(), members.end());
  }
  return out;
}

struct Stats {
  size_t n = 0;
  double mean = 0, sd = 0, low = 0, high = 0, min = 0, max = 0;
};

Stats stats_of(const std::vector<double>& v, double confidence) {
  Stats s;
  s.n = v.size();
  if (v.empty()) return s;
  double sum = 0;
  for (double x : v) sum += x;  // in run order: the same sum for any worker count
  s.mean = sum / static_cast<double>(s.n);
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  if (s.n >= 2) {
    double sq = 0;
    for (double x : v) sq += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(sq / static_cast<double>(s.n - 1));
    const double half = student_t_critical(confidence, s.n - 1) * s.sd / std::sqrt(static_cast<double>(s.n));
    s.low = s.mean - half;
    s.high = s.mean + half;
  }
  return s;
}

}  // namespace

SweepTable make_runs_table(const SweepPlan& plan, const std::vector<Json>& rows) {
  SweepTable t;
  t.columns = plan.parameter_columns();
  t.parameter_count = t.columns.size();
  const std::set<std::string> params(t.columns.begin(), t.columns.end());
  const std::vector<std::string> metrics = metric_columns(rows, params);
  t.columns.insert(t.columns.end(), metrics.begin(), metrics.end());
  t.rows.reserve(rows.size());
  for (const Json& row : rows) {
    Json r = Json::object();
    for (const std::string& c : t.columns) {
      if (row.contains(c))
        r[c] = row[c];
      else
        r[c] = map_of(c).empty() ? Json(nullptr) : Json(0);
    }
    t.rows.push_back(std::move(r));
  }
  return t;
}

SweepTable make_aggregate_table(const SweepPlan& plan, const SweepTable& runs) {
  SweepTable t;
  for (const Axis& a : plan.options().axes) t.columns.push_back(a.path);
  t.parameter_count = t.columns.size();
  t.columns.emplace_back("runs");
  // Numeric metrics: every non-null value is a number; those with a null somewhere get m.n.
  std::vector<std::string> numeric;
  std::set<std::string> nullable;
  for (size_t c = runs.parameter_count; c < runs.columns.size(); ++c) {
    const std::string& name = runs.columns[c];
    bool all_numbers = true, any_number = false;
    for (const Json& row : runs.rows) {
      const Json& v = row[name];
      if (v.is_null())
        nullable.insert(name);
      else if (v.is_number() && !v.is_boolean())
        any_number = true;
      else
        all_numbers = false;
    }
    if (all_numbers && any_number) numeric.push_back(name);
  }
  for (const std::string& m : numeric) {
    for (const char* suffix : {".mean", ".sd", ".ci_low", ".ci_high"}) t.columns.push_back(m + suffix);
    if (nullable.count(m)) t.columns.push_back(m + ".n");
  }
  const size_t k = plan.seeds_per_setting();
  const double confidence = plan.options().confidence;
  for (size_t s = 0; s < plan.settings(); ++s) {
    Json row = plan.setting_params(s);
    row["runs"] = k;
    for (const std::string& m : numeric) {
      std::vector<double> values;
      for (size_t r = s * k; r < (s + 1) * k && r < runs.rows.size(); ++r) {
        const Json& v = runs.rows[r][m];
        if (!v.is_null()) values.push_back(v.get<double>());
      }
      const Stats st = stats_of(values, confidence);
      const bool has_ci = st.n >= 2;
      row[m + ".mean"] = st.n ? Json(st.mean) : Json(nullptr);
      row[m + ".sd"] = has_ci ? Json(st.sd) : Json(nullptr);
      row[m + ".ci_low"] = has_ci ? Json(st.low) : Json(nullptr);
      row[m + ".ci_high"] = has_ci ? Json(st.high) : Json(nullptr);
      if (nullable.count(m)) row[m + ".n"] = st.n;
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

Json make_goal_report(const SweepPlan& plan, const SweepTable& runs, const SweepTable& aggregate) {
  const Goal& goal = *plan.options().goal;
  const auto& axes = plan.options().axes;
  const std::vector<size_t>& cost = plan.cost_axes();
  std::vector<bool> is_cost(axes.size(), false);
  for (size_t a : cost) is_cost[a] = true;

  // Rank of each value on each axis: numbers by value, anything else in the listed order.
  std::vector<std::vector<size_t>> rank(axes.size());
  for (size_t a = 0; a < axes.size(); ++a) {
    const auto& values = axes[a].values;
    std::vector<size_t> order(values.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    const bool numeric = std::all_of(values.begin(), values.end(), [](const Json& v) { return v.is_number(); });
    if (numeric)
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t x, size_t y) { return values[x].get<double>() < values[y].get<double>(); });
    rank[a].assign(values.size(), 0);
    for (size_t i = 0; i < order.size(); ++i) rank[a][order[i]] = i;
  }

  const size_t k = plan.seeds_per_setting();
  Json report;
  report["goal"] = goal.text;
  Json conds = Json::array();
  for (const Condition& c : goal.conditions)
    conds.push_back(Json{{"metric", c.metric}, {"op", compare_op_text(c.op)}, {"value", c.threshold}});
  report["conditions"] = conds;
  report["rule"] =
      "a setting meets the goal when every condition holds in every run (every seed); the cheapest is the one whose "
      "cost-axis values come first, axis by axis in cost order, numbers ranked by value (smallest first) and other "
      "values in the order listed; settings are grouped by their values on the other axes";
  Json cost_paths = Json::array(), group_paths = Json::array();
  for (size_t a : cost) cost_paths.push_back(axes[a].path);
  for (size_t a = 0; a < axes.size(); ++a)
    if (!is_cost[a]) group_paths.push_back(axes[a].path);
  report["cost_axes"] = cost_paths;
  report["group_axes"] = group_paths;

  // Per setting: how many runs meet the goal.
  Json settings = Json::array();
  std::vector<bool> meets(plan.settings(), false);
  for (size_t s = 0; s < plan.settings(); ++s) {
    size_t ok = 0;
    for (size_t r = s * k; r < (s + 1) * k; ++r) ok += goal.holds(runs.rows[r]) ? 1 : 0;
    meets[s] = ok == k;
    settings.push_back(Json{{"parameters", plan.setting_params(s)}, {"runs", k}, {"runs_meeting", ok}, {"meets", meets[s]}});
  }

  // Groups in order of first appearance; in each, the cheapest setting that meets the goal.
  std::vector<std::vector<size_t>> group_keys;
  std::vector<std::optional<size_t>> best;
  for (size_t s = 0; s < plan.settings(); ++s) {
    const std::vector<size_t> idx = plan.value_indices(s);
    std::vector<size_t> key;
    for (size_t a = 0; a < axes.size(); ++a)
      if (!is_cost[a]) key.push_back(idx[a]);
    auto it = std::find(group_keys.begin(), group_keys.end(), key);
    size_t g;
    if (it == group_keys.end()) {
      group_keys.push_back(key);
      best.emplace_back();
      g = group_keys.size() - 1;
    } else {
      g = static_cast<size_t>(it - group_keys.begin());
    }
    if (!meets[s]) continue;
    if (!best[g]) {
      best[g] = s;
      continue;
    }
    const std::vector<size_t> cur = plan.value_indices(*best[g]);
    for (size_t a : cost) {
      if (rank[a][idx[a]] == rank[a][cur[a]]) continue;
      if (rank[a][idx[a]] < rank[a][cur[a]]) best[g] = s;
      break;
    }
  }
  Json groups = Json::array();
  bool all_met = true;
  for (size_t g = 0; g < group_keys.size(); ++g) {
    Json gj;
    Json fixed = Json::object();
    size_t gi = 0;
    for (size_t a = 0; a < axes.size(); ++a)
      if (!is_cost[a]) fixed[axes[a].path] = axes[a].values[group_keys[g][gi++]];
    gj["fixed"] = fixed;
    if (!best[g]) {
      all_met = false;
      gj["cheapest"] = nullptr;
      groups.push_back(gj);
      continue;
    }
    const size_t s = *best[g];
    Json cheapest = Json::object();
    const std::vector<size_t> idx = plan.value_indices(s);
    for (size_t a : cost) cheapest[axes[a].path] = axes[a].values[idx[a]];
    gj["cheapest"] = cheapest;
    gj["parameters"] = plan.setting_params(s);
    gj["runs"] = k;
    Json metrics = Json::object();
    for (const Condition& c : goal.conditions) {
      if (metrics.contains(c.metric)) continue;
      Json m;
      const Json& agg = aggregate.rows[s];
      for (const char* suffix : {".mean", ".ci_low", ".ci_high"})
        m[std::string(suffix + 1)] = agg.contains(c.metric + suffix) ? agg[c.metric + suffix] : Json(nullptr);
      std::vector<double> values;
      for (size_t r = s * k; r < (s + 1) * k; ++r) {
        const Json& v = runs.rows[r].contains(c.metric) ? runs.rows[r][c.metric] : Json(0);
        if (v.is_number()) values.push_back(v.get<double>());
      }
      if (!values.empty()) {
        m["min"] = *std::min_element(values.begin(), values.end());
        m["max"] = *std::max_element(values.begin(), values.end());
      }
      metrics[c.metric] = m;
    }
    gj["metrics"] = metrics;
    groups.push_back(gj);
  }
  report["met"] = all_met;
  report["groups"] = groups;
  report["settings"] = settings;
  return report;
}

}  // namespace faultline::sim::sweep

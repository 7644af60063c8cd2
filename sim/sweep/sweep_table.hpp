// The tables of a sweep: one row per run (its parameters in the path syntax, then the summary
// metrics by their dotted keys), one row per setting with the mean and the Student-t confidence
// interval of each metric across seeds, and the goal's answer (the cheapest setting that meets
// it). Everything is computed from rows in run order, so it is the same for any worker count.
#pragma once

#include <string>
#include <vector>

#include "sim/sweep/sweep_plan.hpp"

namespace faultline::sim::sweep {

struct SweepTable {
  std::vector<std::string> columns;
  size_t parameter_count = 0;  // the first columns are parameters
  std::vector<Json> rows;      // objects holding every column, in column order

  /// RFC 4180: a header, then one line per row; null is an empty field.
  [[nodiscard]] std::string csv() const;
  /// An array of the row objects.
  [[nodiscard]] Json json() const { return Json(rows); }
};

/// `rows[r]` holds run r's parameters and metrics. Metric columns are the union over the runs,
/// in summary order, the members of messages.lost_by_cause / lost_by_component sorted; a member
/// a run lacks is 0 (nothing lost there), any other missing metric is null.
SweepTable make_runs_table(const SweepPlan& plan, const std::vector<Json>& rows);

/// One row per setting: its parameters, "runs", then for every numeric metric m: m.mean, m.sd,
/// m.ci_low and m.ci_high (Student t with n − 1 degrees of freedom at the plan's confidence,
/// over the runs where m is not null; sd and the interval are null below 2 runs), plus m.n for
/// metrics that are null in some run.
SweepTable make_aggregate_table(const SweepPlan& plan, const SweepTable& runs);

/// The goal's answer (goal.json). A setting meets the goal when every condition holds in every
/// one of its runs (all seeds). Settings are grouped by their values on the non-cost axes; in
/// each group the cheapest setting meeting the goal is the one whose cost-axis values come
/// first, compared axis by axis in cost order, an axis ranking numbers by value (smallest
/// first) and other values in the order they were listed.
Json make_goal_report(const SweepPlan& plan, const SweepTable& runs, const SweepTable& aggregate);

/// One CSV field: quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& text);
/// A cell as CSV text: numbers as JSON writes them, strings raw, null empty, others as JSON.
std::string csv_cell(const Json& value);

}  // namespace faultline::sim::sweep

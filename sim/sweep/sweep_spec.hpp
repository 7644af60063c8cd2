// What a sweep varies and what it looks for (DESIGN §9 `faultline sweep`): the axes, each a
// parameter path with its values, and the goal (`--goal "backlog.peak < 1000"`). Bad specs are
// InputErrors (exit code 2) naming the option, the text and the place in it.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/document.hpp"

namespace faultline::sim::sweep {

/// One swept parameter: a path in the syntax of DESIGN §9 and the values it takes, in run order.
struct Axis {
  std::string path;
  std::vector<Json> values;
  std::string given;  // the option as the user wrote it, for messages
};

/// Parses `path=v1,v2,...` (each value read as YAML, commas inside [] {} or quotes do not split)
/// or `path=lo..hi:step` (inclusive; lo, hi and step may carry one common unit: 10ms..50ms:10ms).
Axis parse_axis(const std::string& assignment);
/// The values part alone, for callers that hold the path apart (Python). `given` names the axis
/// in messages.
std::vector<Json> parse_axis_values(const std::string& text, const std::string& given);

/// Most values one axis may take, and most runs a sweep may hold.
inline constexpr size_t kMaxAxisValues = 100'000;
inline constexpr size_t kMaxRuns = 10'000'000;

enum class CompareOp { less, less_equal, greater, greater_equal, equal, not_equal };

struct Condition {
  std::string metric;  // a dotted summary key, e.g. backlog.peak
  CompareOp op = CompareOp::less;
  double threshold = 0;
  std::string text;  // as written
};

/// Conditions joined by `and`. A run meets the goal when every condition holds for it; a null or
/// absent metric (backlog.drain_time_s of a backlog that never drained) does not meet it.
struct Goal {
  std::string text;
  std::vector<Condition> conditions;

  [[nodiscard]] bool holds(const Json& row) const;
};

/// Parses `METRIC OP NUMBER [and METRIC OP NUMBER ...]` with OP one of < <= > >= == !=. The
/// metrics must be summary keys (DESIGN §6) that hold numbers.
Goal parse_goal(const std::string& text);

/// The dotted summary keys a goal may name: the numeric keys DESIGN §6 guarantees, and any
/// member of messages.lost_by_cause / messages.lost_by_component.
bool is_summary_metric(const std::string& key);
/// A member of messages.lost_by_cause or messages.lost_by_component: absent means 0.
bool is_map_metric(const std::string& key);

std::string_view compare_op_text(CompareOp op);

}  // namespace faultline::sim::sweep

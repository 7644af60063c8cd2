// Chaos Mesh Schedule times (schedule_types.go): robfig/cron v3 with an optional seconds field
// and descriptors (@every 5s, @hourly, @daily, …), read in UTC as the controller does by default.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faultline::sim::importers {

struct CronSchedule {
  std::optional<int64_t> every_ns;  // "@every d": a constant delay
  std::bitset<60> seconds, minutes;
  std::bitset<24> hours;
  std::bitset<32> days;    // 1..31
  std::bitset<13> months;  // 1..12
  std::bitset<7> weekdays; // 0 = Sunday
  bool days_star = false, weekdays_star = false;  // robfig: a '*' or '?' field
};

/// Parses a spec; throws std::invalid_argument saying what was expected.
CronSchedule parse_cron(const std::string& spec);

/// Activation times t with from < t < to (Unix epoch ns), at most `limit` (more throws
/// std::length_error). "@every d" fires at from + d, from + 2d, … (robfig: d truncated to
/// whole seconds, at least 1 s, counted from the start's whole second).
std::vector<int64_t> cron_ticks(const CronSchedule& schedule, int64_t from_ns, int64_t to_ns, size_t limit);

}  // namespace faultline::sim::importers

// Lifecycle event log (events.jsonl, DESIGN §6): faults applied and recovered, restarts,
// failovers, elections, scaling decisions, probe results, the verdict. Not one line per
// message unless message tracing is on (--trace-messages, for small runs).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/time.hpp"
#include "sim/trace/fingerprint.hpp"

namespace faultline::sim {

class EventLog {
 public:
  explicit EventLog(Fingerprint& fingerprint) : fingerprint_(fingerprint) {}

  /// Appends {"t_s":…, "component":…, "event":…, fields…}; the line also enters the fingerprint.
  void record(SimTime t, std::string_view component, std::string_view event,
              const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());
  /// Per-message lines, kept only when tracing is on.
  void trace_message(SimTime t, std::string_view component, std::string_view event, uint64_t message_id);

  void set_trace_messages(bool on) { trace_messages_ = on; }
  [[nodiscard]] bool trace_messages() const { return trace_messages_; }
  [[nodiscard]] const std::vector<std::string>& lines() const { return lines_; }

 private:
  Fingerprint& fingerprint_;
  std::vector<std::string> lines_;
  bool trace_messages_ = false;
};

}  // namespace faultline::sim

#include "sim/trace/event_log.hpp"

namespace faultline::sim {

namespace {
std::string make_line(SimTime t, std::string_view component, std::string_view event,
                      const nlohmann::ordered_json& fields) {
  nlohmann::ordered_json line;
  line["t_s"] = t.seconds();
  line["component"] = component;
  line["event"] = event;
  for (const auto& [k, v] : fields.items()) line[k] = v;
  return line.dump();
}
}  // namespace

void EventLog::record(SimTime t, std::string_view component, std::string_view event,
                      const nlohmann::ordered_json& fields) {
  lines_.push_back(make_line(t, component, event, fields));
  fingerprint_.mix(lines_.back());
}

void EventLog::trace_message(SimTime t, std::string_view component, std::string_view event, uint64_t message_id) {
  if (!trace_messages_) return;
  // Tracing is an observation switch: it must not change the fingerprint.
  lines_.push_back(make_line(t, component, event, {{"message", message_id}}));
}

}  // namespace faultline::sim

// QueryResult in the Prometheus HTTP API shape, written as text so that timestamps stay exact
// decimal seconds (as render_query_range writes them) and values are strings.
#include <nlohmann/json.hpp>

#include "sim/output/number_format.hpp"
#include "sim/promql/promql.hpp"

namespace faultline::sim::promql {

namespace {
std::string point(int64_t t_ns, const std::string& value) {
  return "[" + format_unix_seconds(t_ns) + "," + nlohmann::json(value).dump() + "]";
}
std::string metric(const Labels& labels) {
  nlohmann::ordered_json m = nlohmann::ordered_json::object();
  for (const auto& [k, v] : labels) m[k] = v;
  return m.dump();
}
}  // namespace

std::string QueryResult::to_json() const {
  std::string out = "{\"status\":\"success\",\"data\":{\"resultType\":\"" + std::string(value_type_name(type)) +
                    "\",\"result\":";
  switch (type) {
    case ValueType::scalar: out += point(time_ns, format_fixed_float(scalar)); break;
    case ValueType::string: out += point(time_ns, string); break;
    case ValueType::vector:
      out += "[";
      for (size_t i = 0; i < vector.size(); ++i)
        out += (i == 0 ? "" : ",") + std::string("{\"metric\":") + metric(vector[i].labels) +
               ",\"value\":" + point(time_ns, format_fixed_float(vector[i].value)) + "}";
      out += "]";
      break;
    case ValueType::matrix:
      out += "[";
      for (size_t i = 0; i < matrix.size(); ++i) {
        out += (i == 0 ? "" : ",") + std::string("{\"metric\":") + metric(matrix[i].labels) + ",\"values\":[";
        for (size_t k = 0; k < matrix[i].points.size(); ++k)
          out += (k == 0 ? "" : ",") + point(matrix[i].points[k].t_ns, format_fixed_float(matrix[i].points[k].value));
        out += "]}";
      }
      out += "]";
      break;
  }
  return out + "}}";
}

}  // namespace faultline::sim::promql

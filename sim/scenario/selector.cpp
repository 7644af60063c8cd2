#include "sim/scenario/selector.hpp"

#include <algorithm>

namespace faultline::sim {

bool LabelSelector::matches(const Labels& labels) const {
  for (const auto& [k, v] : match_labels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const Expression& e : match_expressions) {
    auto it = labels.find(e.key);
    const bool has = it != labels.end();
    const bool in = has && std::find(e.values.begin(), e.values.end(), it->second) != e.values.end();
    if (e.op == "In" && !in) return false;
    if (e.op == "NotIn" && in) return false;
    if (e.op == "Exists" && !has) return false;
    if (e.op == "DoesNotExist" && has) return false;
  }
  return true;
}

Json LabelSelector::to_json() const {
  Json j = Json::object();
  if (!match_labels.empty()) {
    Json m = Json::object();
    for (const auto& [k, v] : match_labels) m[k] = v;
    j["matchLabels"] = m;
  }
  if (!match_expressions.empty()) {
    Json list = Json::array();
    for (const auto& e : match_expressions) list.push_back(Json{{"key", e.key}, {"operator", e.op}, {"values", e.values}});
    j["matchExpressions"] = list;
  }
  return j;
}

namespace {
std::string label_text(const Json& v, const Document& doc, const std::string& ptr) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  throw doc.error(ptr, "expected a label value (text)");
}
}  // namespace

LabelSelector parse_selector(const Json& j, const Document& doc, const std::string& pointer) {
  if (!j.is_object() || j.empty())
    throw doc.error(pointer, "expected a label selector such as {app: rabbitmq} or {matchLabels: {...}, "
                             "matchExpressions: [...]}");
  LabelSelector s;
  const bool full = j.contains("matchLabels") || j.contains("matchExpressions");
  if (!full) {
    for (const auto& [k, v] : j.items()) s.match_labels[k] = label_text(v, doc, pointer_append(pointer, k));
    return s;
  }
  for (const auto& [k, v] : j.items()) {
    const std::string p = pointer_append(pointer, k);
    if (k == "matchLabels") {
      if (!v.is_object()) throw doc.error(p, "expected {key: value}");
      for (const auto& [lk, lv] : v.items()) s.match_labels[lk] = label_text(lv, doc, pointer_append(p, lk));
    } else if (k == "matchExpressions") {
      if (!v.is_array()) throw doc.error(p, "expected a list of {key, operator, values}");
      for (size_t i = 0; i < v.size(); ++i) {
        const std::string ep = pointer_append(p, i);
        const Json& e = v[i];
        if (!e.is_object() || !e.contains("key") || !e.contains("operator"))
          throw doc.error(ep, "expected {key, operator, values}");
        LabelSelector::Expression ex;
        ex.key = e["key"].get<std::string>();
        ex.op = e["operator"].get<std::string>();
        static const std::vector<std::string> ops = {"In", "NotIn", "Exists", "DoesNotExist"};
        if (std::find(ops.begin(), ops.end(), ex.op) == ops.end())
          throw doc.error(pointer_append(ep, "operator"),
                          "unknown operator \"" + ex.op + "\"" + did_you_mean(ex.op, ops) +
                              "; expected In, NotIn, Exists or DoesNotExist");
        if (e.contains("values")) {
          if (!e["values"].is_array()) throw doc.error(pointer_append(ep, "values"), "expected a list of values");
          for (size_t k2 = 0; k2 < e["values"].size(); ++k2)
            ex.values.push_back(label_text(e["values"][k2], doc, pointer_append(pointer_append(ep, "values"), k2)));
        }
        if ((ex.op == "In" || ex.op == "NotIn") && ex.values.empty())
          throw doc.error(ep, "operator " + ex.op + " needs a non-empty \"values\" list");
        s.match_expressions.push_back(std::move(ex));
      }
    } else {
      throw doc.error(p, "unknown selector field \"" + k + "\"" + did_you_mean(k, {"matchLabels", "matchExpressions"}));
    }
  }
  return s;
}

}  // namespace faultline::sim

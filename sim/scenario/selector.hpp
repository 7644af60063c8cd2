// Kubernetes-style label selectors: matchLabels (AND of pairs) and matchExpressions
// (In, NotIn, Exists, DoesNotExist). Faults and autoscalers pick components with them.
#pragma once

#include <string>
#include <vector>

#include "sim/metrics/recorder.hpp"
#include "sim/scenario/document.hpp"

namespace faultline::sim {

struct LabelSelector {
  struct Expression {
    std::string key;
    std::string op;  // In, NotIn, Exists, DoesNotExist
    std::vector<std::string> values;
  };
  Labels match_labels;
  std::vector<Expression> match_expressions;

  [[nodiscard]] bool matches(const Labels& labels) const;
  [[nodiscard]] bool empty() const { return match_labels.empty() && match_expressions.empty(); }
  [[nodiscard]] Json to_json() const;
};

/// Parses {app: x} (shorthand for matchLabels) or {matchLabels: {...}, matchExpressions: [...]}.
LabelSelector parse_selector(const Json& j, const Document& doc, const std::string& pointer);

}  // namespace faultline::sim

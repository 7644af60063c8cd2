// The tolerance of a probe and the `when` of an abort condition (sim/experiment/README.md):
// a comparison with a number (Litmus comparator criteria, Gloo Shot comparisonOperator), an
// inclusive range (Chaos Toolkit `type: range`, Litmus `between`) or a set of values (Litmus
// `oneOf`).
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/document.hpp"

namespace faultline::sim::experiment {

class Tolerance {
 public:
  enum class Kind { compare, range, one_of };
  enum class Op { eq, ne, gt, ge, lt, le };

  static Tolerance compare(Op op, double value);
  static Tolerance range(double lo, double hi);
  static Tolerance one_of(std::vector<double> values);

  /// "== 0", ">= 0.99", {op: ">", value: 10}, {range: [lo, hi]}, {one_of: [0, 1]}; throws
  /// InputError at `pointer` with what was expected.
  static Tolerance parse(const Json& value, const Document& doc, const std::string& pointer);
  /// The comparison operator of "==", "!=", ">", ">=", "<", "<="; false when `text` is not one.
  static bool parse_op(const std::string& text, Op& op);

  /// NaN meets nothing, as in PromQL comparisons.
  [[nodiscard]] bool met(double v) const;
  /// "== 0", "in [1, 5]", "one of [0, 1]".
  [[nodiscard]] std::string text() const;
  /// The canonical scenario form: "== 0", {range: [1, 5]}, {one_of: [0, 1]}.
  [[nodiscard]] Json to_json() const;
  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] Op op() const { return op_; }
  [[nodiscard]] double value() const { return value_; }

 private:
  Kind kind_ = Kind::compare;
  Op op_ = Op::eq;
  double value_ = 0;
  double lo_ = 0, hi_ = 0;
  std::vector<double> values_;
};

const char* op_text(Tolerance::Op op);
/// Shortest text of a number as a tolerance prints it ("0", "0.99", "1e+06").
std::string number_text(double v);

}  // namespace faultline::sim::experiment

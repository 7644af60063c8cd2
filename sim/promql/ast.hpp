// The syntax tree of a parsed query (internal to sim/promql).
#pragma once

#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "sim/promql/promql.hpp"

namespace faultline::sim::promql {

enum class MatchOp { equal, not_equal, regex, not_regex };

struct Matcher {
  std::string name;
  MatchOp op = MatchOp::equal;
  std::string value;
  std::shared_ptr<const std::regex> re;  // anchored, for regex and not_regex
  [[nodiscard]] bool matches(const std::string& v) const;
};

enum class BinOp { add, sub, mul, div, mod, pow, atan2, eq, ne, gt, lt, ge, le, land, lor, lunless };
[[nodiscard]] bool is_comparison(BinOp op);
[[nodiscard]] bool is_set_operator(BinOp op);
[[nodiscard]] const char* bin_op_text(BinOp op);

enum class AggOp { sum, avg, min, max, count, group };

enum class Cardinality { one_to_one, many_to_one, one_to_many, many_to_many };

struct VectorMatching {
  Cardinality card = Cardinality::one_to_one;
  bool on = false;                   // on(...) given; otherwise ignoring(...) or nothing
  std::vector<std::string> labels;   // the on / ignoring labels
  std::vector<std::string> include;  // extra labels of group_left(...) / group_right(...)
};

enum class FunctionId {
  rate, irate, increase, delta, idelta,
  avg_over_time, min_over_time, max_over_time, sum_over_time, count_over_time, last_over_time,
  histogram_quantile, scalar, vector, time, abs, ceil, floor, round, clamp_min, clamp_max, clamp,
};

struct FunctionDef {
  const char* name;
  FunctionId id;
  std::vector<ValueType> args;
  size_t optional_args;  // how many trailing args may be left out
  ValueType result;
};

/// The supported function of this name, or nullptr.
const FunctionDef* find_function(const std::string& name);
/// True for a function Prometheus has that this subset does not implement.
bool is_known_unsupported_function(const std::string& name);

struct Node {
  enum class Kind { number, string, vector_selector, matrix_selector, call, aggregate, binary, unary, paren };
  Kind kind = Kind::number;
  ValueType type = ValueType::scalar;
  size_t begin = 0, end = 0;  // byte range in the query text

  double number = 0.0;  // number
  std::string text;     // string

  std::vector<Matcher> matchers;  // vector_selector, matrix_selector
  int64_t offset_ns = 0;
  int64_t range_ns = 0;  // matrix_selector

  const FunctionDef* func = nullptr;  // call

  AggOp agg = AggOp::sum;  // aggregate
  bool without = false;
  std::vector<std::string> grouping;

  BinOp op = BinOp::add;  // binary
  bool return_bool = false;
  VectorMatching matching;

  bool negate = false;  // unary

  std::vector<std::unique_ptr<Node>> children;  // call args, aggregate arg, binary lhs/rhs, unary/paren operand
};

}  // namespace faultline::sim::promql

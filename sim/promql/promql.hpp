// A PromQL subset evaluated over a SeriesStore with Prometheus's semantics (lookback, range
// windows, extrapolation, matching). What is supported is listed in sim/promql/README.md;
// anything else is refused with a QueryError naming the unsupported part.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/series/series_store.hpp"

namespace faultline::sim::promql {

enum class ValueType { scalar, vector, matrix, string };
std::string_view value_type_name(ValueType t);  // "scalar", "vector", "matrix", "string"

/// A query that cannot be parsed (kind parse), uses something outside the subset (unsupported),
/// or fails while evaluating (evaluation, e.g. many-to-many matching). `position` is the 0-based
/// byte offset in the query of the offending part; what() reads "line:col: <kind>: message".
class QueryError : public std::runtime_error {
 public:
  enum class Kind { parse, unsupported, evaluation };
  QueryError(Kind kind, std::string_view query, size_t position, std::string message);

  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] size_t position() const { return position_; }
  [[nodiscard]] int line() const { return line_; }      // 1-based
  [[nodiscard]] int column() const { return column_; }  // 1-based, in bytes
  [[nodiscard]] const std::string& message() const { return message_; }

 private:
  Kind kind_;
  size_t position_;
  int line_, column_;
  std::string message_;
};

struct EvalOptions {
  /// How far back an instant selector looks for the latest sample (Prometheus
  /// --query.lookback-delta). Staleness is by lookback only: stores carry no stale markers.
  int64_t lookback_ns = 300'000'000'000;
  /// Upper bound on the steps of a range query (Prometheus refuses more than 11,000 points per
  /// series; simulations are longer, so the default is higher).
  int64_t max_steps = 1'000'000;
};

struct Point {
  int64_t t_ns;
  double value;
};

/// One element of an instant vector; its timestamp is the evaluation time.
struct VectorSample {
  Labels labels;
  double value;
};

struct MatrixSeries {
  Labels labels;
  std::vector<Point> points;
};

struct QueryResult {
  ValueType type = ValueType::vector;
  int64_t time_ns = 0;                 // evaluation time of an instant query
  double scalar = 0.0;                 // type scalar
  std::string string;                  // type string
  std::vector<VectorSample> vector;    // type vector, sorted by labels
  std::vector<MatrixSeries> matrix;    // type matrix (a range query, or a range selector), sorted by labels

  /// The Prometheus HTTP API response body ({"status":"success","data":{...}}), with
  /// timestamps in unix seconds and values as strings ("NaN", "+Inf").
  [[nodiscard]] std::string to_json() const;
};

struct Node;

/// A parsed, type-checked query. Cheap to evaluate many times.
class Query {
 public:
  /// Throws QueryError (parse or unsupported).
  static Query parse(std::string_view text);
  [[nodiscard]] const std::string& text() const { return *text_; }
  [[nodiscard]] ValueType type() const;
  [[nodiscard]] const Node& root() const { return *root_; }

 private:
  std::shared_ptr<const std::string> text_;
  std::shared_ptr<const Node> root_;
};

/// Evaluates at one time (epoch ns). Scalar, vector, string, or matrix for a bare range selector.
QueryResult instant_query(const SeriesStore& store, const Query& query, int64_t t_ns, const EvalOptions& options = {});
QueryResult instant_query(const SeriesStore& store, std::string_view query, int64_t t_ns,
                          const EvalOptions& options = {});

/// Evaluates at start, start + step, ... ≤ end and returns a matrix (a scalar expression gives one
/// series with no labels). Steps where a series has no value are absent from its points.
QueryResult range_query(const SeriesStore& store, const Query& query, int64_t start_ns, int64_t end_ns, int64_t step_ns,
                        const EvalOptions& options = {});
QueryResult range_query(const SeriesStore& store, std::string_view query, int64_t start_ns, int64_t end_ns,
                        int64_t step_ns, const EvalOptions& options = {});

/// A PromQL duration ("5m", "1h30m", "250ms"; units ms s m h d w y, largest first) in ns; empty
/// when the text is not one.
std::optional<int64_t> parse_promql_duration(std::string_view text);
/// The shortest PromQL duration text for ns (a whole number of milliseconds), e.g. "1m30s".
std::string format_promql_duration(int64_t ns);

/// Prometheus's classic-histogram quantile (promql/quantile.go BucketQuantile): `buckets` are
/// (upper bound, cumulative count) in any order.
double bucket_quantile(double q, std::vector<std::pair<double, double>> buckets);

}  // namespace faultline::sim::promql

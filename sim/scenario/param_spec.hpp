// Parameter declarations (DESIGN §4): each component kind declares every parameter once, with
// its name, unit, default, help and source (a rule id or a measurement). Validation, defaults,
// error messages, `faultline check` and the resolved scenario all come from the declaration.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/random/distribution.hpp"
#include "sim/scenario/document.hpp"

namespace faultline::sim {

enum class ParamType {
  integer,       // JSON integer
  number,        // JSON number
  boolean,       // true / false
  string,        // free text
  string_list,   // a list of strings (a single string is a list of one)
  choice,        // one of `choices`
  duration,      // "250ms", "1.5s": a unit is required
  rate,          // "100/s" or a number per second
  ratio,         // 0.25 or "25%", in [0, 1]
  bytes,         // "128MB" or an integer
  distribution,  // a distribution of durations: "5ms" or {dist: exponential, mean: 5ms}, …
  reference,     // the name of another component, wired by the builder
  labels,        // {key: value}
  object_list,   // a list of objects with their own declared fields; keyed lists (queues) have unique names
};
std::string_view param_type_name(ParamType t);

/// How a reference is wired: ports on this component and on the target, and which way
/// messages flow along it (for the topology checks).
struct ReferenceSpec {
  enum class Flow { none, to_target, from_target };
  std::vector<std::string> target_kinds;  // accepted kinds; empty = any
  Flow flow = Flow::none;
  std::vector<std::pair<std::string, std::string>> wires;  // (port here, port on the target)
};

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::string;
  std::string unit;        // "s", "msg/s", "messages", "bytes", "1" for a ratio, "" for text
  Json default_value;      // null: no default
  bool required = false;   // no default and must be given
  std::string help;
  std::string source;      // rule id such as "R-CQ4", or a measurement
  std::optional<double> min;  // in base units (s, /s, bytes)
  std::optional<double> max;
  bool min_exclusive = false;
  std::vector<std::string> choices;
  std::vector<ParamSpec> fields;  // object_list
  bool keyed = true;              // object_list: entries carry a unique "name" (parameter paths use it)
  ReferenceSpec reference;

  // Declaration helpers: ParamSpec::duration("startup_delay").def("5s").help(…).source("R-K3")
  static ParamSpec integer(std::string name, std::string unit);
  static ParamSpec number(std::string name, std::string unit);
  static ParamSpec boolean(std::string name);
  static ParamSpec text(std::string name);
  static ParamSpec texts(std::string name);
  static ParamSpec choice(std::string name, std::vector<std::string> choices);
  static ParamSpec duration(std::string name);
  static ParamSpec rate(std::string name, std::string unit = "msg/s");
  static ParamSpec ratio(std::string name);
  static ParamSpec bytes(std::string name);
  static ParamSpec distribution(std::string name);
  static ParamSpec ref(std::string name, ReferenceSpec spec);
  static ParamSpec labels(std::string name);
  static ParamSpec objects(std::string name, std::vector<ParamSpec> fields);  // keyed by "name"
  static ParamSpec records(std::string name, std::vector<ParamSpec> fields);  // ordered, no names

  ParamSpec def(Json v) &&;
  ParamSpec require() &&;
  ParamSpec optional() &&;  // may be absent with no default (null)
  ParamSpec describe(std::string help) &&;
  ParamSpec from(std::string source) &&;
  ParamSpec at_least(double v) &&;
  ParamSpec above(double v) &&;
  ParamSpec at_most(double v) &&;
};

/// Validates `value` against `spec` and returns its normalised form (durations as canonical
/// text, rates as numbers per second, sizes in bytes, distributions as objects). `pointer`
/// names the value in `doc` for errors.
Json normalize_param(const ParamSpec& spec, const Json& value, const Document& doc, const std::string& pointer);

/// Validates an object of parameters: unknown keys (with "did you mean"), missing required
/// ones, each value; applies defaults. `reserved` keys are skipped (name, kind, count, …).
Json normalize_params(const std::vector<ParamSpec>& specs, const Json& object, const Document& doc,
                      const std::string& pointer, const std::vector<std::string>& reserved);

/// Parses a normalised distribution (or a plain duration) into a Distribution in seconds.
Distribution distribution_from_json(const Json& j);

/// Typed read access to normalised parameters. Asking for a parameter the kind did not declare
/// is a model bug and throws std::logic_error.
class ParamValues {
 public:
  ParamValues() = default;
  ParamValues(const Json* values, const std::vector<ParamSpec>* specs, std::string pointer)
      : values_(values), specs_(specs), pointer_(std::move(pointer)) {}

  [[nodiscard]] bool has(std::string_view name) const;  // present and not null
  [[nodiscard]] int64_t integer(std::string_view name) const;
  [[nodiscard]] double number(std::string_view name) const;
  [[nodiscard]] bool boolean(std::string_view name) const;
  [[nodiscard]] const std::string& text(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> texts(std::string_view name) const;
  [[nodiscard]] Duration duration(std::string_view name) const;
  [[nodiscard]] std::optional<Duration> optional_duration(std::string_view name) const;
  [[nodiscard]] double rate(std::string_view name) const;
  [[nodiscard]] double ratio(std::string_view name) const;
  [[nodiscard]] int64_t bytes(std::string_view name) const;
  [[nodiscard]] Distribution distribution(std::string_view name) const;
  [[nodiscard]] std::vector<ParamValues> objects(std::string_view name) const;
  [[nodiscard]] const Json& raw(std::string_view name) const;
  /// JSON pointer of a parameter in the scenario file.
  [[nodiscard]] std::string pointer(std::string_view name) const;
  [[nodiscard]] const Json& all() const { return *values_; }

 private:
  const ParamSpec& spec(std::string_view name) const;
  const Json& value(std::string_view name) const;
  const Json* values_ = nullptr;
  const std::vector<ParamSpec>* specs_ = nullptr;
  std::string pointer_;
};

}  // namespace faultline::sim

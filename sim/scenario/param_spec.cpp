#include "sim/scenario/param_spec.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "sim/output/number_format.hpp"
#include "sim/scenario/units.hpp"

namespace faultline::sim {

std::string_view param_type_name(ParamType t) {
  switch (t) {
    case ParamType::integer: return "integer";
    case ParamType::number: return "number";
    case ParamType::boolean: return "boolean";
    case ParamType::string: return "string";
    case ParamType::string_list: return "list of strings";
    case ParamType::choice: return "choice";
    case ParamType::duration: return "duration";
    case ParamType::rate: return "rate";
    case ParamType::ratio: return "ratio";
    case ParamType::bytes: return "size";
    case ParamType::distribution: return "distribution";
    case ParamType::reference: return "reference";
    case ParamType::labels: return "labels";
    case ParamType::object_list: return "list";
  }
  return "?";
}

namespace {
ParamSpec make(std::string name, ParamType type, std::string unit) {
  ParamSpec p;
  p.name = std::move(name);
  p.type = type;
  p.unit = std::move(unit);
  return p;
}
}  // namespace

ParamSpec ParamSpec::integer(std::string name, std::string unit) { return make(std::move(name), ParamType::integer, std::move(unit)); }
ParamSpec ParamSpec::number(std::string name, std::string unit) { return make(std::move(name), ParamType::number, std::move(unit)); }
ParamSpec ParamSpec::boolean(std::string name) { return make(std::move(name), ParamType::boolean, ""); }
ParamSpec ParamSpec::text(std::string name) { return make(std::move(name), ParamType::string, ""); }
ParamSpec ParamSpec::texts(std::string name) { return make(std::move(name), ParamType::string_list, ""); }
ParamSpec ParamSpec::choice(std::string name, std::vector<std::string> choices) {
  ParamSpec p = make(std::move(name), ParamType::choice, "");
  p.choices = std::move(choices);
  return p;
}
ParamSpec ParamSpec::duration(std::string name) { return make(std::move(name), ParamType::duration, "s"); }
ParamSpec ParamSpec::rate(std::string name, std::string unit) { return make(std::move(name), ParamType::rate, std::move(unit)); }
ParamSpec ParamSpec::ratio(std::string name) { return make(std::move(name), ParamType::ratio, "1"); }
ParamSpec ParamSpec::bytes(std::string name) { return make(std::move(name), ParamType::bytes, "bytes"); }
ParamSpec ParamSpec::distribution(std::string name) { return make(std::move(name), ParamType::distribution, "s"); }
ParamSpec ParamSpec::ref(std::string name, ReferenceSpec spec) {
  ParamSpec p = make(std::move(name), ParamType::reference, "");
  p.reference = std::move(spec);
  return p;
}
ParamSpec ParamSpec::labels(std::string name) { return make(std::move(name), ParamType::labels, ""); }
ParamSpec ParamSpec::objects(std::string name, std::vector<ParamSpec> fields) {
  ParamSpec p = make(std::move(name), ParamType::object_list, "");
  p.fields = std::move(fields);
  p.default_value = Json::array();
  return p;
}

ParamSpec ParamSpec::records(std::string name, std::vector<ParamSpec> fields) {
  ParamSpec p = objects(std::move(name), std::move(fields));
  p.keyed = false;
  return p;
}

ParamSpec ParamSpec::def(Json v) && {
  default_value = std::move(v);
  required = false;
  return std::move(*this);
}
ParamSpec ParamSpec::require() && {
  required = true;
  default_value = nullptr;
  return std::move(*this);
}
ParamSpec ParamSpec::optional() && {
  required = false;
  default_value = nullptr;
  return std::move(*this);
}
ParamSpec ParamSpec::describe(std::string h) && {
  help = std::move(h);
  return std::move(*this);
}
ParamSpec ParamSpec::from(std::string s) && {
  source = std::move(s);
  return std::move(*this);
}
ParamSpec ParamSpec::at_least(double v) && {
  min = v;
  min_exclusive = false;
  return std::move(*this);
}
ParamSpec ParamSpec::above(double v) && {
  min = v;
  min_exclusive = true;
  return std::move(*this);
}
ParamSpec ParamSpec::at_most(double v) && {
  max = v;
  return std::move(*this);
}

namespace {

std::string show(const Json& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

std::string bound_text(double v, const ParamSpec& spec) {
  if (spec.type == ParamType::duration || spec.type == ParamType::distribution)
    return format_duration(Duration::from_seconds(v));
  std::string s = format_prometheus_float(v);
  return spec.unit.empty() || spec.unit == "1" ? s : s + " " + spec.unit;
}

void check_range(const ParamSpec& spec, double v, const Document& doc, const std::string& ptr, const std::string& shown) {
  const std::string what = std::string(param_type_name(spec.type)) + " \"" + spec.name + "\"";
  if (spec.min && (spec.min_exclusive ? !(v > *spec.min) : !(v >= *spec.min)))
    throw doc.error(ptr, "expected " + what + (spec.min_exclusive ? " > " : " ≥ ") + bound_text(*spec.min, spec) +
                             ", got " + shown);
  if (spec.max && !(v <= *spec.max))
    throw doc.error(ptr, "expected " + what + " ≤ " + bound_text(*spec.max, spec) + ", got " + shown);
}

Duration duration_value(const ParamSpec& spec, const Json& v, const Document& doc, const std::string& ptr) {
  if (v.is_string()) {
    try {
      return parse_duration(v.get<std::string>());
    } catch (const std::exception& e) {
      throw doc.error(ptr, std::string(e.what()));
    }
  }
  if (v.is_number() && v.get<double>() == 0.0) return Duration::zero();
  throw doc.error(ptr, "expected a duration with a unit for \"" + spec.name + "\" (e.g. \"250ms\", \"30s\"), got " + show(v));
}

double number_in(const Json& v, const Document& doc, const std::string& ptr, const std::string& what) {
  if (!v.is_number() || v.is_boolean()) throw doc.error(ptr, "expected a number for " + what + ", got " + show(v));
  const double d = v.get<double>();
  if (!std::isfinite(d)) throw doc.error(ptr, "expected a finite number for " + what);
  return d;
}

Json normalize_distribution(const ParamSpec& spec, const Json& v, const Document& doc, const std::string& ptr) {
  // A plain duration is a constant.
  if (!v.is_object()) {
    const Duration d = duration_value(spec, v, doc, ptr);
    check_range(spec, d.seconds(), doc, ptr, show(v));
    return Json{{"dist", "constant"}, {"value", format_duration(d)}};
  }
  static const std::vector<std::string> kinds = {"constant", "uniform",   "exponential", "normal",
                                                 "lognormal", "pareto", "empirical",   "histogram"};
  if (!v.contains("dist"))
    throw doc.error(ptr, "a distribution needs \"dist\": one of constant, uniform, exponential, normal, lognormal, "
                         "pareto, empirical, histogram");
  const Json& kind_j = v["dist"];
  if (!kind_j.is_string()) throw doc.error(pointer_append(ptr, "dist"), "expected the name of a distribution");
  const std::string kind = kind_j.get<std::string>();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
    throw doc.error(pointer_append(ptr, "dist"), "unknown distribution \"" + kind + "\"" + did_you_mean(kind, kinds) +
                                                      "; expected one of constant, uniform, exponential, normal, "
                                                      "lognormal, pareto, empirical, histogram");
  auto allowed_keys = [&](std::vector<std::string> keys) {
    keys.push_back("dist");
    for (const auto& [k, val] : v.items())
      if (std::find(keys.begin(), keys.end(), k) == keys.end())
        throw doc.error(pointer_append(ptr, k), "unknown field \"" + k + "\" for a " + kind + " distribution" +
                                                     did_you_mean(k, keys));
  };
  auto dur = [&](const char* key) -> Duration {
    const std::string p = pointer_append(ptr, key);
    if (!v.contains(key)) throw doc.error(ptr, "a " + kind + " distribution needs \"" + key + "\"");
    return duration_value(spec, v[key], doc, p);
  };
  auto num = [&](const char* key) -> double {
    if (!v.contains(key)) throw doc.error(ptr, "a " + kind + " distribution needs \"" + key + "\"");
    return number_in(v[key], doc, pointer_append(ptr, key), "\"" + std::string(key) + "\"");
  };
  Json out = {{"dist", kind}};
  try {
    if (kind == "constant") {
      allowed_keys({"value"});
      out["value"] = format_duration(dur("value"));
    } else if (kind == "uniform") {
      allowed_keys({"min", "max"});
      const Duration lo = dur("min"), hi = dur("max");
      if (hi < lo) throw doc.error(ptr, "a uniform distribution needs min ≤ max");
      out["min"] = format_duration(lo);
      out["max"] = format_duration(hi);
    } else if (kind == "exponential") {
      allowed_keys({"mean"});
      const Duration m = dur("mean");
      if (m <= Duration::zero()) throw doc.error(pointer_append(ptr, "mean"), "an exponential mean must be > 0");
      out["mean"] = format_duration(m);
    } else if (kind == "normal") {
      allowed_keys({"mean", "stddev"});
      out["mean"] = format_duration(dur("mean"));
      const Duration sd = dur("stddev");
      if (sd < Duration::zero()) throw doc.error(pointer_append(ptr, "stddev"), "a stddev must be ≥ 0");
      out["stddev"] = format_duration(sd);
    } else if (kind == "lognormal") {
      if (v.contains("mu") || v.contains("sigma")) {
        allowed_keys({"mu", "sigma"});
        out["mu"] = num("mu");
        const double s = num("sigma");
        if (s < 0) throw doc.error(pointer_append(ptr, "sigma"), "sigma must be ≥ 0");
        out["sigma"] = s;
      } else {
        allowed_keys({"mean", "stddev"});
        const Duration m = dur("mean"), sd = dur("stddev");
        if (m <= Duration::zero() || sd < Duration::zero())
          throw doc.error(ptr, "a lognormal needs mean > 0 and stddev ≥ 0 (or mu and sigma, in log-seconds)");
        out["mean"] = format_duration(m);
        out["stddev"] = format_duration(sd);
      }
    } else if (kind == "pareto") {
      allowed_keys({"scale", "shape"});
      const Duration sc = dur("scale");
      const double sh = num("shape");
      if (sc <= Duration::zero() || sh <= 0) throw doc.error(ptr, "a pareto needs scale > 0 and shape > 0");
      out["scale"] = format_duration(sc);
      out["shape"] = sh;
    } else if (kind == "empirical") {
      allowed_keys({"samples"});
      const std::string p = pointer_append(ptr, "samples");
      if (!v.contains("samples") || !v["samples"].is_array() || v["samples"].empty())
        throw doc.error(p, "an empirical distribution needs \"samples\": a non-empty list of durations");
      Json samples = Json::array();
      size_t i = 0;
      for (const Json& s : v["samples"]) samples.push_back(format_duration(duration_value(spec, s, doc, pointer_append(p, i++))));
      out["samples"] = samples;
    } else {  // histogram
      allowed_keys({"bins"});
      const std::string p = pointer_append(ptr, "bins");
      if (!v.contains("bins") || !v["bins"].is_array() || v["bins"].empty())
        throw doc.error(p, "a histogram needs \"bins\": a list of {lower, upper, weight}");
      Json bins = Json::array();
      double total = 0;
      size_t i = 0;
      for (const Json& b : v["bins"]) {
        const std::string bp = pointer_append(p, i++);
        if (!b.is_object() || !b.contains("lower") || !b.contains("upper") || !b.contains("weight"))
          throw doc.error(bp, "expected a bin {lower, upper, weight}");
        const Duration lo = duration_value(spec, b["lower"], doc, pointer_append(bp, "lower"));
        const Duration hi = duration_value(spec, b["upper"], doc, pointer_append(bp, "upper"));
        const double w = number_in(b["weight"], doc, pointer_append(bp, "weight"), "\"weight\"");
        if (hi < lo || w < 0) throw doc.error(bp, "a bin needs lower ≤ upper and weight ≥ 0");
        total += w;
        bins.push_back(Json{{"lower", format_duration(lo)}, {"upper", format_duration(hi)}, {"weight", w}});
      }
      if (total <= 0) throw doc.error(p, "the bin weights must not all be zero");
      out["bins"] = bins;
    }
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw doc.error(ptr, e.what());
  }
  const Distribution d = distribution_from_json(out);
  if (spec.min && d.kind() == Distribution::Kind::constant) check_range(spec, d.mean(), doc, ptr, show(v));
  return out;
}

}  // namespace

Json normalize_param(const ParamSpec& spec, const Json& v, const Document& doc, const std::string& ptr) {
  const std::string what = "\"" + spec.name + "\"";
  switch (spec.type) {
    case ParamType::integer: {
      if (!v.is_number_integer()) throw doc.error(ptr, "expected an integer for " + what + ", got " + show(v));
      check_range(spec, static_cast<double>(v.get<int64_t>()), doc, ptr, show(v));
      return v;
    }
    case ParamType::number: {
      const double d = number_in(v, doc, ptr, what);
      check_range(spec, d, doc, ptr, show(v));
      return v;
    }
    case ParamType::boolean:
      if (!v.is_boolean()) throw doc.error(ptr, "expected true or false for " + what + ", got " + show(v));
      return v;
    case ParamType::string:
      if (!v.is_string()) throw doc.error(ptr, "expected a string for " + what + ", got " + show(v));
      return v;
    case ParamType::string_list: {
      if (v.is_string()) return Json::array({v});
      if (!v.is_array()) throw doc.error(ptr, "expected a list of strings for " + what + ", got " + show(v));
      for (size_t i = 0; i < v.size(); ++i)
        if (!v[i].is_string()) throw doc.error(pointer_append(ptr, i), "expected a string, got " + show(v[i]));
      return v;
    }
    case ParamType::choice: {
      if (!v.is_string()) throw doc.error(ptr, "expected one of the choices for " + what + ", got " + show(v));
      const std::string s = v.get<std::string>();
      if (std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end()) {
        std::string list;
        for (const auto& c : spec.choices) list += (list.empty() ? "" : ", ") + c;
        throw doc.error(ptr, "unknown value \"" + s + "\" for " + what + did_you_mean(s, spec.choices) +
                                 "; expected one of: " + list);
      }
      return v;
    }
    case ParamType::duration: {
      const Duration d = duration_value(spec, v, doc, ptr);
      check_range(spec, d.seconds(), doc, ptr, show(v));
      return format_duration(d);
    }
    case ParamType::rate: {
      double r = 0;
      if (v.is_string()) {
        try {
          r = parse_rate(v.get<std::string>());
        } catch (const std::exception& e) {
          throw doc.error(ptr, e.what());
        }
      } else {
        r = number_in(v, doc, ptr, what + " (a rate per second)");
      }
      if (r < 0) throw doc.error(ptr, "expected a rate ≥ 0 for " + what + ", got " + show(v));
      check_range(spec, r, doc, ptr, show(v));
      return r;
    }
    case ParamType::ratio: {
      double r = 0;
      if (v.is_string()) {
        try {
          r = parse_ratio(v.get<std::string>());
        } catch (const std::exception& e) {
          throw doc.error(ptr, e.what());
        }
      } else {
        r = number_in(v, doc, ptr, what);
      }
      if (r < 0 || r > 1) throw doc.error(ptr, "expected a ratio between 0 and 1 (or 0% to 100%) for " + what + ", got " + show(v));
      check_range(spec, r, doc, ptr, show(v));
      return r;
    }
    case ParamType::bytes: {
      int64_t b = 0;
      if (v.is_string()) {
        try {
          b = parse_bytes(v.get<std::string>());
        } catch (const std::exception& e) {
          throw doc.error(ptr, e.what());
        }
      } else if (v.is_number_integer() && v.get<int64_t>() >= 0) {
        b = v.get<int64_t>();
      } else {
        throw doc.error(ptr, "expected a size for " + what + " (e.g. \"128MB\"), got " + show(v));
      }
      check_range(spec, static_cast<double>(b), doc, ptr, show(v));
      return b;
    }
    case ParamType::distribution:
      return normalize_distribution(spec, v, doc, ptr);
    case ParamType::reference:
      if (!v.is_string() || v.get<std::string>().empty())
        throw doc.error(ptr, "expected the name of a component for " + what + ", got " + show(v));
      return v;
    case ParamType::labels: {
      if (!v.is_object()) throw doc.error(ptr, "expected labels {key: value} for " + what + ", got " + show(v));
      for (const auto& [k, val] : v.items())
        if (!val.is_string() && !val.is_number() && !val.is_boolean())
          throw doc.error(pointer_append(ptr, k), "expected a label value (text), got " + show(val));
      Json out = Json::object();
      for (const auto& [k, val] : v.items()) out[k] = val.is_string() ? val.get<std::string>() : val.dump();
      return out;
    }
    case ParamType::object_list: {
      if (!v.is_array()) throw doc.error(ptr, "expected a list for " + what + ", got " + show(v));
      Json out = Json::array();
      std::set<std::string> names;
      for (size_t i = 0; i < v.size(); ++i) {
        const std::string ep = pointer_append(ptr, i);
        const Json& e = v[i];
        if (!spec.keyed) {
          out.push_back(normalize_params(spec.fields, e, doc, ep, {}));
          continue;
        }
        if (!e.is_object()) throw doc.error(ep, "expected an object with a \"name\"");
        if (!e.contains("name") || !e["name"].is_string() || e["name"].get<std::string>().empty())
          throw doc.error(ep, "each entry of " + what + " needs a \"name\"");
        const std::string n = e["name"].get<std::string>();
        if (!names.insert(n).second) throw doc.error(pointer_append(ep, "name"), "duplicate name \"" + n + "\" in " + what);
        Json norm = normalize_params(spec.fields, e, doc, ep, {"name"});
        Json item = {{"name", n}};
        for (const auto& [k, val] : norm.items()) item[k] = val;
        out.push_back(item);
      }
      return out;
    }
  }
  return v;
}

Json normalize_params(const std::vector<ParamSpec>& specs, const Json& object, const Document& doc,
                      const std::string& pointer, const std::vector<std::string>& reserved) {
  if (!object.is_object()) throw doc.error(pointer, "expected an object, got " + show(object));
  std::vector<std::string> known = reserved;
  for (const auto& s : specs) known.push_back(s.name);
  for (const auto& [k, v] : object.items()) {
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string list;
    for (const auto& s : specs) list += (list.empty() ? "" : ", ") + s.name;
    throw doc.error(pointer_append(pointer, k), "unknown parameter \"" + k + "\"" + did_you_mean(k, known) +
                                                     (list.empty() ? "" : "; the parameters are: " + list));
  }
  Json out = Json::object();
  for (const ParamSpec& s : specs) {
    const std::string p = pointer_append(pointer, s.name);
    if (object.contains(s.name) && !object[s.name].is_null()) {
      out[s.name] = normalize_param(s, object[s.name], doc, p);
    } else if (s.required) {
      throw doc.error(pointer, "missing required parameter \"" + s.name + "\" (" + s.help + ")");
    } else if (!s.default_value.is_null()) {
      out[s.name] = normalize_param(s, s.default_value, doc, p);
    } else {
      out[s.name] = nullptr;
    }
  }
  return out;
}

Distribution distribution_from_json(const Json& j) {
  auto d = [](const Json& v) { return parse_duration(v.get<std::string>()).seconds(); };
  if (j.is_string()) return Distribution::constant(d(j));
  const std::string kind = j.at("dist").get<std::string>();
  if (kind == "constant") return Distribution::constant(d(j.at("value")));
  if (kind == "uniform") return Distribution::uniform(d(j.at("min")), d(j.at("max")));
  if (kind == "exponential") return Distribution::exponential(d(j.at("mean")));
  if (kind == "normal") return Distribution::normal(d(j.at("mean")), d(j.at("stddev")));
  if (kind == "lognormal") {
    if (j.contains("mu")) return Distribution::lognormal(j.at("mu").get<double>(), j.at("sigma").get<double>());
    return Distribution::lognormal_from_moments(d(j.at("mean")), d(j.at("stddev")));
  }
  if (kind == "pareto") return Distribution::pareto(d(j.at("scale")), j.at("shape").get<double>());
  if (kind == "empirical") {
    std::vector<double> s;
    for (const Json& v : j.at("samples")) s.push_back(d(v));
    return Distribution::empirical(std::move(s));
  }
  if (kind == "histogram") {
    std::vector<Distribution::Bin> bins;
    for (const Json& b : j.at("bins")) bins.push_back({d(b.at("lower")), d(b.at("upper")), b.at("weight").get<double>()});
    return Distribution::histogram(std::move(bins));
  }
  throw std::invalid_argument("unknown distribution " + kind);
}

// ---- ParamValues

const ParamSpec& ParamValues::spec(std::string_view name) const {
  for (const ParamSpec& s : *specs_)
    if (s.name == name) return s;
  // Entries of a keyed list carry their "name" besides the declared fields.
  static const ParamSpec entry_name = ParamSpec::text("name").describe("the entry's name").from("keyed list");
  if (name == "name" && values_->contains("name")) return entry_name;
  throw std::logic_error("parameter \"" + std::string(name) + "\" is read but not declared (at " + pointer_ + ")");
}

const Json& ParamValues::value(std::string_view name) const {
  spec(name);
  auto it = values_->find(name);
  if (it == values_->end() || it->is_null())
    throw std::logic_error("parameter \"" + std::string(name) + "\" has no value (at " + pointer_ + ")");
  return *it;
}

bool ParamValues::has(std::string_view name) const {
  spec(name);
  auto it = values_->find(name);
  return it != values_->end() && !it->is_null();
}

int64_t ParamValues::integer(std::string_view name) const { return value(name).get<int64_t>(); }
double ParamValues::number(std::string_view name) const { return value(name).get<double>(); }
bool ParamValues::boolean(std::string_view name) const { return value(name).get<bool>(); }
const std::string& ParamValues::text(std::string_view name) const { return value(name).get_ref<const std::string&>(); }
Duration ParamValues::duration(std::string_view name) const { return parse_duration(value(name).get<std::string>()); }
std::optional<Duration> ParamValues::optional_duration(std::string_view name) const {
  if (!has(name)) return std::nullopt;
  return duration(name);
}
std::vector<std::string> ParamValues::texts(std::string_view name) const {
  return value(name).get<std::vector<std::string>>();
}
double ParamValues::rate(std::string_view name) const { return value(name).get<double>(); }
double ParamValues::ratio(std::string_view name) const { return value(name).get<double>(); }
int64_t ParamValues::bytes(std::string_view name) const { return value(name).get<int64_t>(); }
Distribution ParamValues::distribution(std::string_view name) const { return distribution_from_json(value(name)); }
const Json& ParamValues::raw(std::string_view name) const {
  spec(name);
  return values_->at(std::string(name));
}
std::string ParamValues::pointer(std::string_view name) const { return pointer_append(pointer_, name); }

std::vector<ParamValues> ParamValues::objects(std::string_view name) const {
  const ParamSpec& s = spec(name);
  std::vector<ParamValues> out;
  const Json& list = value(name);
  for (size_t i = 0; i < list.size(); ++i) out.emplace_back(&list[i], &s.fields, pointer_append(pointer(name), i));
  return out;
}

}  // namespace faultline::sim

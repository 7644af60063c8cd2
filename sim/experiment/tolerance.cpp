#include "sim/experiment/tolerance.hpp"

#include <cmath>
#include <regex>

#include "sim/output/number_format.hpp"

namespace faultline::sim::experiment {

namespace {

const char* kExpected =
    "expected a tolerance: a comparison such as \"== 0\" or \">= 0.99\" (==, !=, >, >=, <, <=), {op: \">\", value: "
    "10}, "
    "{range: [lo, hi]} or {one_of: [0, 1]}";

std::string show(const Json& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

double finite_number(const Json& v, const Document& doc, const std::string& pointer) {
  double d = NAN;
  if (v.is_number()) d = v.get<double>();
  if (v.is_string()) {
    // Litmus writes comparator values as strings ("0.99").
    const std::string s = v.get<std::string>();
    char* end = nullptr;
    d = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) d = NAN;
  }
  if (!std::isfinite(d)) throw doc.error(pointer, "expected a finite number, got " + show(v));
  return d;
}

}  // namespace

const char* op_text(Tolerance::Op op) {
  switch (op) {
    case Tolerance::Op::eq:
      return "==";
    case Tolerance::Op::ne:
      return "!=";
    case Tolerance::Op::gt:
      return ">";
    case Tolerance::Op::ge:
      return ">=";
    case Tolerance::Op::lt:
      return "<";
    case Tolerance::Op::le:
      return "<=";
  }
  return "?";
}

std::string number_text(double v) { return format_prometheus_float(v); }

bool Tolerance::parse_op(const std::string& text, Op& op) {
  static const std::pair<const char*, Op> ops[] = {{"==", Op::eq}, {"!=", Op::ne}, {">=", Op::ge},
                                                   {"<=", Op::le}, {">", Op::gt},  {"<", Op::lt}};
  for (const auto& [t, o] : ops)
    if (text == t) {
      op = o;
      return true;
    }
  return false;
}

Tolerance Tolerance::compare(Op op, double value) {
  Tolerance t;
  t.kind_ = Kind::compare;
  t.op_ = op;
  t.value_ = value;
  return t;
}

Tolerance Tolerance::range(double lo, double hi) {
  Tolerance t;
  t.kind_ = Kind::range;
  t.lo_ = lo;
  t.hi_ = hi;
  return t;
}

Tolerance Tolerance::one_of(std::vector<double> values) {
  Tolerance t;
  t.kind_ = Kind::one_of;
  t.values_ = std::move(values);
  return t;
}

Tolerance Tolerance::parse(const Json& v, const Document& doc, const std::string& pointer) {
  if (v.is_string()) {
    static const std::regex re(R"(\s*(==|!=|>=|<=|>|<)\s*(\S+)\s*)");
    std::smatch m;
    const std::string s = v.get<std::string>();
    if (!std::regex_match(s, m, re)) throw doc.error(pointer, std::string(kExpected) + ", got " + show(v));
    Op op = Op::eq;
    parse_op(m[1].str(), op);
    return compare(op, finite_number(Json(m[2].str()), doc, pointer));
  }
  if (!v.is_object() || v.size() != (v.contains("op") ? 2u : 1u))
    throw doc.error(pointer, std::string(kExpected) + ", got " + show(v));
  if (v.contains("op")) {
    if (!v.contains("value")) throw doc.error(pointer, "a comparison {op, value} needs \"value\"");
    const std::string op_ptr = pointer_append(pointer, "op");
    Op op = Op::eq;
    if (!v["op"].is_string() || !parse_op(v["op"].get<std::string>(), op))
      throw doc.error(op_ptr, "expected a comparison operator: ==, !=, >, >=, <, <=; got " + show(v["op"]));
    return compare(op, finite_number(v["value"], doc, pointer_append(pointer, "value")));
  }
  if (v.contains("range")) {
    const std::string rp = pointer_append(pointer, "range");
    const Json& r = v["range"];
    if (!r.is_array() || r.size() != 2) throw doc.error(rp, "expected [lo, hi], got " + show(r));
    const double lo = finite_number(r[0], doc, pointer_append(rp, 0));
    const double hi = finite_number(r[1], doc, pointer_append(rp, 1));
    if (hi < lo) throw doc.error(rp, "expected lo ≤ hi, got " + show(r));
    return range(lo, hi);
  }
  if (v.contains("one_of")) {
    const std::string op_ptr = pointer_append(pointer, "one_of");
    const Json& l = v["one_of"];
    if (!l.is_array() || l.empty()) throw doc.error(op_ptr, "expected a non-empty list of numbers, got " + show(l));
    std::vector<double> values;
    for (size_t i = 0; i < l.size(); ++i) values.push_back(finite_number(l[i], doc, pointer_append(op_ptr, i)));
    return one_of(std::move(values));
  }
  const std::string key = v.begin().key();
  throw doc.error(pointer_append(pointer, key), "unknown key \"" + key + "\" in a tolerance" +
                                                    did_you_mean(key, {"op", "value", "range", "one_of"}) + "; " +
                                                    kExpected);
}

bool Tolerance::met(double v) const {
  if (std::isnan(v)) return false;
  switch (kind_) {
    case Kind::compare:
      switch (op_) {
        case Op::eq:
          return v == value_;
        case Op::ne:
          return v != value_;
        case Op::gt:
          return v > value_;
        case Op::ge:
          return v >= value_;
        case Op::lt:
          return v < value_;
        case Op::le:
          return v <= value_;
      }
      return false;
    case Kind::range:
      return lo_ <= v && v <= hi_;
    case Kind::one_of:
      for (double x : values_)
        if (x == v) return true;
      return false;
  }
  return false;
}

std::string Tolerance::text() const {
  switch (kind_) {
    case Kind::compare:
      return std::string(op_text(op_)) + " " + number_text(value_);
    case Kind::range:
      return "in [" + number_text(lo_) + ", " + number_text(hi_) + "]";
    case Kind::one_of: {
      std::string out = "one of [";
      for (size_t i = 0; i < values_.size(); ++i) out += (i == 0 ? "" : ", ") + number_text(values_[i]);
      return out + "]";
    }
  }
  return "?";
}

Json Tolerance::to_json() const {
  switch (kind_) {
    case Kind::compare:
      return text();
    case Kind::range:
      return Json{{"range", Json::array({lo_, hi_})}};
    case Kind::one_of:
      return Json{{"one_of", values_}};
  }
  return nullptr;
}

}  // namespace faultline::sim::experiment

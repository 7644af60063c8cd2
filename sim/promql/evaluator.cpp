// Evaluation of a parsed query at one time, following Prometheus 3 (promql/engine.go,
// functions.go): left-open windows (t - range, t], the lookback for instant selectors,
// extrapolatedRate for rate/increase/delta, Kahan sums, one-to-one and group_left/right matching.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "sim/promql/ast.hpp"

namespace faultline::sim::promql {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Value {
  ValueType type = ValueType::vector;
  double scalar = 0.0;
  std::string str;
  std::vector<VectorSample> vec;
  std::vector<MatrixSeries> mat;
};

Labels drop_name(Labels l) {
  l.erase("__name__");
  return l;
}

std::string labels_text(const Labels& l) { return format_series_identity(l); }

// Go's math.Max / math.Min: NaN wins, and the signs of zero are ordered.
double go_max(double x, double y) {
  if (std::isinf(x) && x > 0) return x;
  if (std::isinf(y) && y > 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}
double go_min(double x, double y) {
  if (std::isinf(x) && x < 0) return x;
  if (std::isinf(y) && y < 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

// kahanSumInc with Neumaier's improvement (Prometheus functions.go).
void kahan_inc(double inc, double& sum, double& c) {
  const double t = sum + inc;
  if (std::isinf(t))
    c = 0;
  else if (std::fabs(sum) >= std::fabs(inc))
    c += (sum - t) + inc;
  else
    c += (inc - t) + sum;
  sum = t;
}

// The mean as Prometheus computes avg and avg_over_time: a Kahan sum, switching to an
// incremental mean if the sum overflows.
class MeanAccumulator {
 public:
  void add(double x) {
    ++count_;
    if (count_ == 1) {
      sum_ = x;
      return;
    }
    if (!incremental_) {
      double s = sum_, c = c_;
      kahan_inc(x, s, c);
      if (!std::isinf(s)) {
        sum_ = s;
        c_ = c;
        return;
      }
      incremental_ = true;
      mean_ = sum_ / (count_ - 1);
      c_ /= count_ - 1;
    }
    const double q = (count_ - 1) / count_;
    double m = q * mean_, c = q * c_;
    kahan_inc(x / count_, m, c);
    mean_ = m;
    c_ = c;
  }
  [[nodiscard]] double mean() const { return incremental_ ? mean_ + c_ : sum_ / count_ + c_ / count_; }

 private:
  double count_ = 0, sum_ = 0, c_ = 0, mean_ = 0;
  bool incremental_ = false;
};

// Window bounds saturate instead of overflowing at the ends of the int64 range.
int64_t sat_sub(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_sub_overflow(a, b, &r)) return r;
  return b > 0 ? INT64_MIN : INT64_MAX;
}

// Seconds from a to b ≥ a, from the exact integer difference (epoch nanoseconds as doubles would
// lose up to 256 ns).
double seconds_between(int64_t a, int64_t b) {
  return static_cast<double>(static_cast<uint64_t>(b) - static_cast<uint64_t>(a)) / 1e9;
}

const Node& unwrap(const Node& n) {
  const Node* p = &n;
  while (p->kind == Node::Kind::paren) p = p->children[0].get();
  return *p;
}

class Evaluator {
 public:
  Evaluator(const SeriesStore& store, std::string_view query, const EvalOptions& opt)
      : store_(store), query_(query), opt_(opt) {}

  Value eval(const Node& n, int64_t t) {
    switch (n.kind) {
      case Node::Kind::number: return scalar(n.number);
      case Node::Kind::string: {
        Value v;
        v.type = ValueType::string;
        v.str = n.text;
        return v;
      }
      case Node::Kind::paren: return eval(*n.children[0], t);
      case Node::Kind::vector_selector: return vector_selector(n, t);
      case Node::Kind::matrix_selector: return matrix_selector(n, t);
      case Node::Kind::call: return call(n, t);
      case Node::Kind::aggregate: return aggregate(n, t);
      case Node::Kind::binary: return binary(n, t);
      case Node::Kind::unary: {
        Value v = eval(*n.children[0], t);
        if (!n.negate) return v;
        if (v.type == ValueType::scalar) {
          v.scalar = -v.scalar;
          return v;
        }
        for (auto& s : v.vec) {
          s.labels = drop_name(std::move(s.labels));
          s.value = -s.value;
        }
        check_unique(v.vec, n);
        return v;
      }
    }
    return {};
  }

 private:
  static Value scalar(double x) {
    Value v;
    v.type = ValueType::scalar;
    v.scalar = x;
    return v;
  }

  [[noreturn]] void error(const Node& n, const std::string& msg) const {
    throw QueryError(QueryError::Kind::evaluation, query_, n.begin, msg);
  }

  // The series a selector matches never change with time: matched once per query.
  const std::vector<const StoredSeries*>& select(const Node& n) {
    auto it = cache_.find(&n);
    if (it != cache_.end()) return it->second;
    std::vector<const StoredSeries*> out;
    for (const StoredSeries& s : store_.series()) {
      bool ok = true;
      for (const Matcher& m : n.matchers) {
        auto l = s.labels.find(m.name);
        if (!m.matches(l == s.labels.end() ? std::string() : l->second)) {
          ok = false;
          break;
        }
      }
      if (ok) out.push_back(&s);
    }
    return cache_.emplace(&n, std::move(out)).first->second;
  }

  Value vector_selector(const Node& n, int64_t t) {
    Value v;
    const int64_t ref = sat_sub(t, n.offset_ns);
    const int64_t oldest = sat_sub(ref, opt_.lookback_ns);
    for (const StoredSeries* s : select(n)) {
      // The latest sample in (ref - lookback, ref].
      auto it = std::upper_bound(s->samples.begin(), s->samples.end(), ref,
                                 [](int64_t x, const SeriesSample& a) { return x < a.t_ns; });
      if (it == s->samples.begin()) continue;
      --it;
      if (it->t_ns <= oldest) continue;
      v.vec.push_back({s->labels, it->value});
    }
    return v;
  }

  Value matrix_selector(const Node& n, int64_t t) {
    Value v;
    v.type = ValueType::matrix;
    const int64_t ref = sat_sub(t, n.offset_ns);
    const int64_t from = sat_sub(ref, n.range_ns);
    for (const StoredSeries* s : select(n)) {
      auto lo = std::upper_bound(s->samples.begin(), s->samples.end(), from,
                                 [](int64_t x, const SeriesSample& a) { return x < a.t_ns; });
      auto hi = std::upper_bound(lo, s->samples.end(), ref, [](int64_t x, const SeriesSample& a) { return x < a.t_ns; });
      if (lo == hi) continue;
      MatrixSeries m{s->labels, {}};
      for (auto it = lo; it != hi; ++it) m.points.push_back({it->t_ns, it->value});
      v.mat.push_back(std::move(m));
    }
    return v;
  }

  void check_unique(const std::vector<VectorSample>& vec, const Node& n) const {
    std::vector<const Labels*> ls;
    ls.reserve(vec.size());
    for (const auto& s : vec) ls.push_back(&s.labels);
    std::sort(ls.begin(), ls.end(), [](const Labels* a, const Labels* b) { return *a < *b; });
    for (size_t i = 1; i < ls.size(); ++i)
      if (*ls[i] == *ls[i - 1])
        error(n, "vector cannot contain metrics with the same labelset " + labels_text(*ls[i]));
  }

  // extrapolatedRate (functions.go): rate, increase (counters) and delta (gauges).
  static std::optional<double> extrapolated_rate(const std::vector<Point>& p, int64_t range_start, int64_t range_end,
                                                 int64_t range_ns, bool is_counter, bool is_rate) {
    if (p.size() < 2) return std::nullopt;
    double result = p.back().value - p.front().value;
    if (is_counter) {
      double prev = p.front().value;
      for (size_t i = 1; i < p.size(); ++i) {
        if (p[i].value < prev) result += prev;  // a reset: the counter restarted from 0
        prev = p[i].value;
      }
    }
    double to_start = seconds_between(range_start, p.front().t_ns);
    double to_end = seconds_between(p.back().t_ns, range_end);
    const double sampled = seconds_between(p.front().t_ns, p.back().t_ns);
    const double avg_interval = sampled / static_cast<double>(p.size() - 1);
    const double threshold = avg_interval * 1.1;
    double interval = sampled;
    if (to_start >= threshold) to_start = avg_interval / 2;
    if (is_counter && result > 0 && p.front().value >= 0) {
      // Counters are not negative: do not extrapolate below zero.
      const double to_zero = sampled * (p.front().value / result);
      if (to_zero < to_start) to_start = to_zero;
    }
    interval += to_start;
    if (to_end >= threshold) to_end = avg_interval / 2;
    interval += to_end;
    double factor = interval / sampled;
    if (is_rate) factor /= static_cast<double>(range_ns) / 1e9;
    return result * factor;
  }

  // instantValue (functions.go): irate and idelta from the last two samples.
  static std::optional<double> instant_value(const std::vector<Point>& p, bool is_rate) {
    if (p.size() < 2) return std::nullopt;
    const Point& last = p[p.size() - 1];
    const Point& prev = p[p.size() - 2];
    double r = (is_rate && last.value < prev.value) ? last.value : last.value - prev.value;
    const double dt = seconds_between(prev.t_ns, last.t_ns);
    if (dt == 0) return std::nullopt;
    if (is_rate) r /= dt;
    return r;
  }

  Value call(const Node& n, int64_t t) {
    const FunctionId id = n.func->id;
    Value out;
    switch (id) {
      case FunctionId::time: return scalar(static_cast<double>(t) / 1e9);
      case FunctionId::vector: {
        out.vec.push_back({Labels{}, eval(*n.children[0], t).scalar});
        return out;
      }
      case FunctionId::scalar: {
        Value v = eval(*n.children[0], t);
        return scalar(v.vec.size() == 1 ? v.vec[0].value : kNaN);
      }
      case FunctionId::histogram_quantile: return histogram_quantile(n, t);
      default: break;
    }
    const bool over_range = n.func->args[0] == ValueType::matrix;
    if (over_range) {
      const Node& sel = unwrap(*n.children[0]);
      Value m = eval(sel, t);
      const int64_t range_end = sat_sub(t, sel.offset_ns);
      const int64_t range_start = sat_sub(range_end, sel.range_ns);
      for (MatrixSeries& s : m.mat) {
        std::optional<double> r;
        const auto& p = s.points;
        switch (id) {
          case FunctionId::rate: r = extrapolated_rate(p, range_start, range_end, sel.range_ns, true, true); break;
          case FunctionId::increase: r = extrapolated_rate(p, range_start, range_end, sel.range_ns, true, false); break;
          case FunctionId::delta: r = extrapolated_rate(p, range_start, range_end, sel.range_ns, false, false); break;
          case FunctionId::irate: r = instant_value(p, true); break;
          case FunctionId::idelta: r = instant_value(p, false); break;
          case FunctionId::avg_over_time: {
            MeanAccumulator acc;
            for (const Point& x : p) acc.add(x.value);
            r = acc.mean();
            break;
          }
          case FunctionId::sum_over_time: {
            double sum = 0, c = 0;
            for (const Point& x : p) kahan_inc(x.value, sum, c);
            r = std::isinf(sum) ? sum : sum + c;
            break;
          }
          case FunctionId::max_over_time: {
            double v = p[0].value;
            for (const Point& x : p)
              if (x.value > v || std::isnan(v)) v = x.value;
            r = v;
            break;
          }
          case FunctionId::min_over_time: {
            double v = p[0].value;
            for (const Point& x : p)
              if (x.value < v || std::isnan(v)) v = x.value;
            r = v;
            break;
          }
          case FunctionId::count_over_time: r = static_cast<double>(p.size()); break;
          case FunctionId::last_over_time: r = p.back().value; break;
          default: break;
        }
        if (!r) continue;
        // last_over_time is the one range function that keeps the metric name.
        out.vec.push_back({id == FunctionId::last_over_time ? std::move(s.labels) : drop_name(std::move(s.labels)), *r});
      }
      check_unique(out.vec, n);
      return out;
    }
    Value v = eval(*n.children[0], t);
    std::vector<double> args;
    for (size_t i = 1; i < n.children.size(); ++i) args.push_back(eval(*n.children[i], t).scalar);
    if (id == FunctionId::clamp && args[1] < args[0]) return out;  // max < min: empty, as Prometheus
    for (VectorSample& s : v.vec) {
      double x = s.value;
      switch (id) {
        case FunctionId::abs: x = std::fabs(x); break;
        case FunctionId::ceil: x = std::ceil(x); break;
        case FunctionId::floor: x = std::floor(x); break;
        case FunctionId::round: {
          const double inv = 1.0 / (args.empty() ? 1.0 : args[0]);
          x = std::floor(x * inv + 0.5) / inv;
          break;
        }
        case FunctionId::clamp_min: x = go_max(args[0], x); break;
        case FunctionId::clamp_max: x = go_min(args[0], x); break;
        case FunctionId::clamp: x = go_max(args[0], go_min(args[1], x)); break;
        default: break;
      }
      out.vec.push_back({drop_name(std::move(s.labels)), x});
    }
    check_unique(out.vec, n);
    return out;
  }

  Value histogram_quantile(const Node& n, int64_t t) {
    const double q = eval(*n.children[0], t).scalar;
    Value in = eval(*n.children[1], t);
    // Buckets grouped by all labels but "le" (the name included); the result drops both.
    std::map<Labels, std::vector<std::pair<double, double>>> groups;
    for (const VectorSample& s : in.vec) {
      auto le = s.labels.find("le");
      if (le == s.labels.end()) continue;
      const std::optional<double> bound = parse_le(le->second);
      if (!bound) continue;  // Prometheus skips a bad bucket label (with a warning)
      Labels key = s.labels;
      key.erase("le");
      groups[std::move(key)].push_back({*bound, s.value});
    }
    Value out;
    for (auto& [key, buckets] : groups) out.vec.push_back({drop_name(key), bucket_quantile(q, std::move(buckets))});
    check_unique(out.vec, n);
    return out;
  }

  // strconv.ParseFloat as the le label needs it: decimal, exponent, ±Inf, NaN.
  static std::optional<double> parse_le(const std::string& s) {
    std::string l = s;
    for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l == "+inf" || l == "inf" || l == "+infinity" || l == "infinity") return std::numeric_limits<double>::infinity();
    if (l == "-inf" || l == "-infinity") return -std::numeric_limits<double>::infinity();
    if (l == "nan") return kNaN;
    if (l.empty()) return std::nullopt;
    const char* b = l.c_str();
    if (*b == '+') ++b;
    char* endp = nullptr;
    const double v = std::strtod(b, &endp);
    if (endp == b || *endp != '\0' || l.find_first_of("xp") != std::string::npos) return std::nullopt;
    return v;
  }

  Value aggregate(const Node& n, int64_t t) {
    Value in = eval(*n.children[0], t);
    struct Group {
      double value = 0, c = 0, count = 0;
      MeanAccumulator mean;
    };
    std::map<Labels, Group> groups;
    for (const VectorSample& s : in.vec) {
      Labels key;
      if (n.without) {
        key = drop_name(s.labels);
        for (const auto& g : n.grouping) key.erase(g);
      } else {
        for (const auto& g : n.grouping) {
          auto it = s.labels.find(g);
          if (it != s.labels.end()) key.emplace(g, it->second);
        }
      }
      auto [it, fresh] = groups.try_emplace(std::move(key));
      Group& g = it->second;
      g.count += 1;
      switch (n.agg) {
        case AggOp::sum:
          if (fresh)
            g.value = s.value;
          else
            kahan_inc(s.value, g.value, g.c);
          break;
        case AggOp::avg: g.mean.add(s.value); break;
        case AggOp::max:
          if (fresh || g.value < s.value || std::isnan(g.value)) g.value = s.value;
          break;
        case AggOp::min:
          if (fresh || g.value > s.value || std::isnan(g.value)) g.value = s.value;
          break;
        case AggOp::count:
        case AggOp::group: break;
      }
    }
    Value out;
    for (auto& [key, g] : groups) {
      double v = 0;
      switch (n.agg) {
        case AggOp::sum: v = std::isinf(g.value) ? g.value : g.value + g.c; break;
        case AggOp::avg: v = g.mean.mean(); break;
        case AggOp::max:
        case AggOp::min: v = g.value; break;
        case AggOp::count: v = g.count; break;
        case AggOp::group: v = 1; break;
      }
      out.vec.push_back({key, v});
    }
    return out;
  }

  // vectorElemBinop: the value, and whether a comparison keeps the element.
  static std::pair<double, bool> elem_binop(BinOp op, double l, double r) {
    switch (op) {
      case BinOp::add: return {l + r, true};
      case BinOp::sub: return {l - r, true};
      case BinOp::mul: return {l * r, true};
      case BinOp::div: return {l / r, true};
      case BinOp::pow: return {std::pow(l, r), true};
      case BinOp::mod: return {std::fmod(l, r), true};
      case BinOp::atan2: return {std::atan2(l, r), true};
      case BinOp::eq: return {l, l == r};
      case BinOp::ne: return {l, l != r};
      case BinOp::gt: return {l, l > r};
      case BinOp::lt: return {l, l < r};
      case BinOp::ge: return {l, l >= r};
      case BinOp::le: return {l, l <= r};
      default: return {kNaN, false};
    }
  }

  static Labels signature(const Labels& l, const VectorMatching& m) {
    Labels out;
    if (m.on) {
      for (const auto& name : m.labels) {
        auto it = l.find(name);
        if (it != l.end()) out.emplace(name, it->second);
      }
    } else {
      out = drop_name(l);
      for (const auto& name : m.labels) out.erase(name);
    }
    return out;
  }

  Value binary(const Node& n, int64_t t) {
    Value lhs = eval(*n.children[0], t);
    Value rhs = eval(*n.children[1], t);
    const BinOp op = n.op;
    if (lhs.type == ValueType::scalar && rhs.type == ValueType::scalar) {
      auto [v, keep] = elem_binop(op, lhs.scalar, rhs.scalar);
      return scalar(is_comparison(op) ? (keep ? 1.0 : 0.0) : v);
    }
    if (lhs.type == ValueType::vector && rhs.type == ValueType::vector) {
      if (is_set_operator(op)) return set_op(n, std::move(lhs), std::move(rhs));
      return vector_binop(n, std::move(lhs), std::move(rhs));
    }
    // Vector and scalar: the vector element's labels, and for a comparison its value.
    const bool swap = lhs.type == ValueType::scalar;
    Value& vec = swap ? rhs : lhs;
    const double sc = swap ? lhs.scalar : rhs.scalar;
    Value out;
    for (VectorSample& s : vec.vec) {
      const double l = swap ? sc : s.value, r = swap ? s.value : sc;
      auto [v, keep] = elem_binop(op, l, r);
      if (is_comparison(op) && swap) v = r;
      if (n.return_bool) {
        v = keep ? 1.0 : 0.0;
        keep = true;
      }
      if (!keep) continue;
      Labels labels = (!is_comparison(op) || n.return_bool) ? drop_name(std::move(s.labels)) : std::move(s.labels);
      out.vec.push_back({std::move(labels), v});
    }
    check_unique(out.vec, n);
    return out;
  }

  Value vector_binop(const Node& n, Value lhs, Value rhs) {
    const VectorMatching& m = n.matching;
    Value out;
    if (lhs.vec.empty() || rhs.vec.empty()) return out;
    const bool swapped = m.card == Cardinality::one_to_many;
    std::vector<VectorSample>& many = swapped ? rhs.vec : lhs.vec;
    std::vector<VectorSample>& one = swapped ? lhs.vec : rhs.vec;
    std::map<Labels, const VectorSample*> one_sigs;
    for (const VectorSample& s : one) {
      Labels sig = signature(s.labels, m);
      auto [it, fresh] = one_sigs.emplace(sig, &s);
      if (!fresh)
        error(n, "found duplicate series for the match group " + labels_text(sig) + " on the " +
                     (swapped ? "left" : "right") + " hand-side of the operation: [" + labels_text(s.labels) + ", " +
                     labels_text(it->second->labels) +
                     "];many-to-many matching not allowed: matching labels must be unique on one side");
    }
    std::map<Labels, std::set<Labels>> matched;
    for (VectorSample& ls : many) {
      Labels sig = signature(ls.labels, m);
      auto it = one_sigs.find(sig);
      if (it == one_sigs.end()) continue;
      const VectorSample& rs = *it->second;
      const double fl = swapped ? rs.value : ls.value, fr = swapped ? ls.value : rs.value;
      auto [v, keep] = elem_binop(n.op, fl, fr);
      if (n.return_bool) {
        v = keep ? 1.0 : 0.0;
      } else if (!keep) {
        continue;
      }
      Labels metric = ls.labels;  // resultMetric
      if (!is_comparison(n.op) || n.return_bool) metric.erase("__name__");
      if (m.card == Cardinality::one_to_one) {
        if (m.on) {
          Labels kept;
          for (const auto& name : m.labels) {
            auto f = metric.find(name);
            if (f != metric.end()) kept.emplace(name, f->second);
          }
          metric = std::move(kept);
        } else {
          for (const auto& name : m.labels) metric.erase(name);
        }
      }
      for (const auto& name : m.include) {
        auto f = rs.labels.find(name);
        if (f != rs.labels.end())
          metric[name] = f->second;
        else
          metric.erase(name);
      }
      auto [mit, fresh] = matched.try_emplace(sig);
      if (m.card == Cardinality::one_to_one) {
        if (!fresh) error(n, "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
      } else if (!mit->second.insert(metric).second) {
        error(n, "multiple matches for labels: grouping labels must ensure unique matches");
      }
      out.vec.push_back({std::move(metric), v});
    }
    check_unique(out.vec, n);
    return out;
  }

  Value set_op(const Node& n, Value lhs, Value rhs) {
    const VectorMatching& m = n.matching;
    Value out;
    std::set<Labels> rsigs;
    for (const auto& s : rhs.vec) rsigs.insert(signature(s.labels, m));
    switch (n.op) {
      case BinOp::land:
        for (auto& s : lhs.vec)
          if (rsigs.count(signature(s.labels, m)) != 0) out.vec.push_back(std::move(s));
        break;
      case BinOp::lunless:
        for (auto& s : lhs.vec)
          if (rsigs.count(signature(s.labels, m)) == 0) out.vec.push_back(std::move(s));
        break;
      default: {
        std::set<Labels> lsigs;
        for (auto& s : lhs.vec) {
          lsigs.insert(signature(s.labels, m));
          out.vec.push_back(std::move(s));
        }
        for (auto& s : rhs.vec)
          if (lsigs.count(signature(s.labels, m)) == 0) out.vec.push_back(std::move(s));
        break;
      }
    }
    return out;
  }

  const SeriesStore& store_;
  std::string_view query_;
  const EvalOptions& opt_;
  std::map<const Node*, std::vector<const StoredSeries*>> cache_;
};

void sort_vector(std::vector<VectorSample>& v) {
  std::sort(v.begin(), v.end(), [](const VectorSample& a, const VectorSample& b) { return a.labels < b.labels; });
}

}  // namespace

QueryResult instant_query(const SeriesStore& store, const Query& query, int64_t t_ns, const EvalOptions& options) {
  Evaluator ev(store, query.text(), options);
  Value v = ev.eval(query.root(), t_ns);
  QueryResult r;
  r.type = v.type;
  r.time_ns = t_ns;
  r.scalar = v.scalar;
  r.string = std::move(v.str);
  r.vector = std::move(v.vec);
  sort_vector(r.vector);
  r.matrix = std::move(v.mat);
  return r;
}

QueryResult instant_query(const SeriesStore& store, std::string_view query, int64_t t_ns, const EvalOptions& options) {
  return instant_query(store, Query::parse(query), t_ns, options);
}

QueryResult range_query(const SeriesStore& store, const Query& query, int64_t start_ns, int64_t end_ns, int64_t step_ns,
                        const EvalOptions& options) {
  if (query.type() != ValueType::scalar && query.type() != ValueType::vector)
    throw QueryError(QueryError::Kind::evaluation, query.text(), 0,
                     std::string("invalid expression type \"") +
                         (query.type() == ValueType::matrix ? "range vector" : "string") +
                         "\" for range query, must be Scalar or instant Vector");
  if (step_ns <= 0)
    throw QueryError(QueryError::Kind::evaluation, query.text(), 0,
                     "zero or negative query resolution step widths are not accepted");
  if (end_ns < start_ns)
    throw QueryError(QueryError::Kind::evaluation, query.text(), 0, "end timestamp must not be before start time");
  int64_t span;
  if (__builtin_sub_overflow(end_ns, start_ns, &span) || span / step_ns + 1 > options.max_steps)
    throw QueryError(QueryError::Kind::evaluation, query.text(), 0,
                     "exceeded the maximum of " + std::to_string(options.max_steps) +
                         " steps per range query; increase the step");
  Evaluator ev(store, query.text(), options);
  std::map<Labels, std::vector<Point>> series;
  for (int64_t t = start_ns;; t += step_ns) {
    Value v = ev.eval(query.root(), t);
    if (v.type == ValueType::scalar)
      series[Labels{}].push_back({t, v.scalar});
    else
      for (auto& s : v.vec) series[std::move(s.labels)].push_back({t, s.value});
    if (end_ns - t < step_ns) break;
  }
  QueryResult r;
  r.type = ValueType::matrix;
  for (auto& [labels, points] : series) r.matrix.push_back({labels, std::move(points)});
  return r;
}

QueryResult range_query(const SeriesStore& store, std::string_view query, int64_t start_ns, int64_t end_ns,
                        int64_t step_ns, const EvalOptions& options) {
  return range_query(store, Query::parse(query), start_ns, end_ns, step_ns, options);
}

}  // namespace faultline::sim::promql

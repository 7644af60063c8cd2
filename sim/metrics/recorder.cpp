#include "sim/metrics/recorder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/output/number_format.hpp"

namespace faultline::sim {

std::string_view metric_type_name(MetricType t) {
  switch (t) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::histogram: return "histogram";
  }
  return "unknown";
}

std::string SeriesView::identity() const {
  std::string out = name;
  if (!labels.empty()) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out += ',';
      first = false;
      out += k + "=\"" + v + "\"";
    }
    out += '}';
  }
  return out;
}

void check_metric_name(std::string_view name) {
  auto ok_first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; };
  auto ok_rest = [&](char c) { return ok_first(c) || (c >= '0' && c <= '9'); };
  if (name.empty() || !ok_first(name.front()) || !std::all_of(name.begin() + 1, name.end(), ok_rest))
    throw std::invalid_argument("\"" + std::string(name) + "\" is not a valid Prometheus name");
}

struct Recorder::Instrument {
  Counter counter;
  Gauge gauge;
  std::unique_ptr<Histogram> histogram;
  size_t first_sample = 0;
  // Samples: one column for counters and gauges; for histograms one per bucket (cumulative),
  // then _sum, then _count.
  std::vector<std::vector<double>> columns;
};

struct Recorder::Family {
  std::string name;
  MetricType type;
  std::string help;
  std::vector<double> bounds;
  std::map<Labels, std::unique_ptr<Instrument>> instruments;
};

Recorder::Recorder() = default;
Recorder::~Recorder() = default;

Recorder::Family& Recorder::family(std::string_view name, MetricType type, std::string_view help,
                                   const std::vector<double>* bounds) {
  auto it = families_.find(name);
  if (it != families_.end()) {
    if (it->second->type != type)
      throw std::logic_error("metric \"" + std::string(name) + "\" registered as " +
                             std::string(metric_type_name(it->second->type)) + " and as " +
                             std::string(metric_type_name(type)));
    if (bounds != nullptr && *bounds != it->second->bounds)
      throw std::logic_error("histogram \"" + std::string(name) + "\" registered with two sets of buckets");
    return *it->second;
  }
  check_metric_name(name);
  if (type == MetricType::counter && (name.size() < 7 || name.substr(name.size() - 6) != "_total"))
    throw std::logic_error("counter \"" + std::string(name) + "\" must end in _total (OpenMetrics)");
  auto fam = std::make_unique<Family>();
  fam->name = std::string(name);
  fam->type = type;
  fam->help = std::string(help);
  if (bounds != nullptr) {
    if (!std::is_sorted(bounds->begin(), bounds->end()) ||
        std::adjacent_find(bounds->begin(), bounds->end()) != bounds->end())
      throw std::logic_error("histogram \"" + std::string(name) + "\" bounds must increase strictly");
    fam->bounds = *bounds;
  }
  auto& ref = *fam;
  families_.emplace(fam->name, std::move(fam));
  return ref;
}

Recorder::Instrument& Recorder::instrument(Family& f, const Labels& labels) {
  auto it = f.instruments.find(labels);
  if (it != f.instruments.end()) return *it->second;
  for (const auto& [k, v] : labels) {
    check_metric_name(k);
    if (k == "le" || k == "__name__") throw std::logic_error("label \"" + k + "\" is reserved");
  }
  auto inst = std::make_unique<Instrument>();
  inst->first_sample = scrape_times_.size();
  if (f.type == MetricType::histogram) {
    inst->histogram = std::make_unique<Histogram>(&f.bounds);
    inst->columns.resize(f.bounds.size() + 3);
  } else {
    inst->columns.resize(1);
  }
  auto& ref = *inst;
  f.instruments.emplace(labels, std::move(inst));
  ++instrument_count_;
  return ref;
}

Counter& Recorder::counter(std::string_view name, const Labels& labels, std::string_view help) {
  return instrument(family(name, MetricType::counter, help, nullptr), labels).counter;
}

Gauge& Recorder::gauge(std::string_view name, const Labels& labels, std::string_view help) {
  return instrument(family(name, MetricType::gauge, help, nullptr), labels).gauge;
}

Histogram& Recorder::histogram(std::string_view name, const Labels& labels, std::string_view help,
                               const std::vector<double>& bounds) {
  return *instrument(family(name, MetricType::histogram, help, &bounds), labels).histogram;
}

void Recorder::scrape(SimTime t) {
  scrape_times_.push_back(t.ns());
  for (auto& [name, fam] : families_) {
    for (auto& [labels, inst] : fam->instruments) {
      switch (fam->type) {
        case MetricType::counter:
          inst->columns[0].push_back(inst->counter.value());
          break;
        case MetricType::gauge:
          inst->columns[0].push_back(inst->gauge.value());
          break;
        case MetricType::histogram: {
          const Histogram& h = *inst->histogram;
          uint64_t cumulative = 0;
          for (size_t b = 0; b < h.counts().size(); ++b) {
            cumulative += h.counts()[b];
            inst->columns[b].push_back(static_cast<double>(cumulative));
          }
          inst->columns[h.counts().size()].push_back(h.sum());
          inst->columns[h.counts().size() + 1].push_back(static_cast<double>(h.count()));
          break;
        }
      }
    }
  }
}

std::vector<SeriesView> Recorder::series() const {
  std::vector<SeriesView> out;
  for (const auto& [name, fam] : families_) {
    for (const auto& [labels, inst] : fam->instruments) {
      if (fam->type != MetricType::histogram) {
        out.push_back(SeriesView{fam->name, fam->name, fam->type, labels, inst->first_sample, &inst->columns[0]});
        continue;
      }
      for (size_t b = 0; b <= fam->bounds.size(); ++b) {
        Labels with_le = labels;
        with_le["le"] = b < fam->bounds.size() ? format_prometheus_float(fam->bounds[b]) : "+Inf";
        out.push_back(SeriesView{fam->name, fam->name + "_bucket", fam->type, std::move(with_le), inst->first_sample,
                                 &inst->columns[b]});
      }
      out.push_back(SeriesView{fam->name, fam->name + "_sum", fam->type, labels, inst->first_sample,
                               &inst->columns[fam->bounds.size() + 1]});
      out.push_back(SeriesView{fam->name, fam->name + "_count", fam->type, labels, inst->first_sample,
                               &inst->columns[fam->bounds.size() + 2]});
    }
  }
  return out;
}

std::string Recorder::help(std::string_view family) const {
  auto it = families_.find(family);
  return it == families_.end() ? std::string() : it->second->help;
}

std::optional<double> Recorder::current(std::string_view name, const Labels& labels) const {
  auto it = families_.find(name);
  if (it == families_.end()) return std::nullopt;
  auto jt = it->second->instruments.find(labels);
  if (jt == it->second->instruments.end()) return std::nullopt;
  switch (it->second->type) {
    case MetricType::counter: return jt->second->counter.value();
    case MetricType::gauge: return jt->second->gauge.value();
    case MetricType::histogram: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace faultline::sim

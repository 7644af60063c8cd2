#include "sim/experiment/series_mirror.hpp"

#include "sim/promql/ast.hpp"

namespace faultline::sim::experiment {

namespace {

// False when a selector names no metric with `=` (it may match any name).
bool collect_names(const promql::Node& n, std::set<std::string>& out) {
  using K = promql::Node::Kind;
  if (n.kind == K::vector_selector || n.kind == K::matrix_selector) {
    for (const promql::Matcher& m : n.matchers)
      if (m.name == "__name__" && m.op == promql::MatchOp::equal) {
        out.insert(m.value);
        return true;
      }
    return false;
  }
  for (const auto& c : n.children)
    if (!collect_names(*c, out)) return false;
  return true;
}

}  // namespace

std::optional<std::set<std::string>> selected_metric_names(const promql::Query& query) {
  std::set<std::string> names;
  if (!collect_names(query.root(), names)) return std::nullopt;
  return names;
}

SeriesMirror::SeriesMirror(const Recorder& recorder, int64_t start_epoch_ns,
                           const std::vector<const promql::Query*>& queries)
    : recorder_(recorder), start_epoch_ns_(start_epoch_ns), names_(std::set<std::string>()) {
  for (const promql::Query* q : queries) {
    auto names = selected_metric_names(*q);
    if (!names) {
      names_.reset();
      break;
    }
    names_->insert(names->begin(), names->end());
  }
}

// The wanted series, listed again only when the recorder gained instruments; the samples
// already copied are kept by column.
void SeriesMirror::refresh_columns() {
  if (recorder_.instrument_count() == instruments_seen_) return;
  instruments_seen_ = recorder_.instrument_count();
  std::vector<Column> next;
  size_t old = 0;
  for (const SeriesView& s : recorder_.series()) {
    if (!wanted(s.name)) continue;
    Column c;
    c.labels = s.labels;
    c.labels["__name__"] = s.name;
    c.kind = s.type == MetricType::counter ? SeriesKind::counter
             : s.type == MetricType::gauge ? SeriesKind::gauge
                                           : SeriesKind::histogram;
    c.first_sample = s.first_sample;
    c.values = s.values;
    // Series only appear, in a fixed order: an old column is found at or after `old`.
    for (size_t k = old; k < columns_.size(); ++k)
      if (columns_[k].values == s.values) {
        c.copied = columns_[k].copied;
        old = k + 1;
        break;
      }
    if (c.copied == 0) store_.set_kind(c.labels, c.kind);
    next.push_back(std::move(c));
  }
  columns_ = std::move(next);
}

void SeriesMirror::sync() {
  const std::vector<int64_t>& times = recorder_.scrape_times_ns();
  if (times.size() == scrapes_seen_) return;
  scrapes_seen_ = times.size();
  refresh_columns();
  for (Column& c : columns_)
    for (; c.copied < c.values->size(); ++c.copied)
      store_.add_sample(c.labels, start_epoch_ns_ + times[c.first_sample + c.copied], (*c.values)[c.copied]);
}

}  // namespace faultline::sim::experiment

#include "sim/series/series_store.hpp"

#include <algorithm>
#include <cmath>

namespace faultline::sim {

std::string_view series_kind_name(SeriesKind k) {
  switch (k) {
    case SeriesKind::unknown: return "unknown";
    case SeriesKind::counter: return "counter";
    case SeriesKind::gauge: return "gauge";
    case SeriesKind::histogram: return "histogram";
    case SeriesKind::summary: return "summary";
  }
  return "unknown";
}

std::string StoredSeries::name() const {
  auto it = labels.find("__name__");
  return it == labels.end() ? std::string() : it->second;
}

Labels normalize_labels(const Labels& labels) {
  Labels out;
  for (const auto& [k, v] : labels)
    if (!v.empty()) out.emplace_hint(out.end(), k, v);
  return out;
}

StoredSeries& SeriesStore::slot(const Labels& normalized) {
  auto it = std::lower_bound(series_.begin(), series_.end(), normalized,
                             [](const StoredSeries& s, const Labels& l) { return s.labels < l; });
  if (it != series_.end() && it->labels == normalized) return *it;
  it = series_.insert(it, StoredSeries{normalized, SeriesKind::unknown, {}});
  return *it;
}

SeriesStore::AddResult SeriesStore::add_sample(const Labels& labels, int64_t t_ns, double value) {
  StoredSeries& s = slot(normalize_labels(labels));
  auto& v = s.samples;
  if (v.empty() || v.back().t_ns < t_ns) {
    v.push_back({t_ns, value});
    return AddResult::added;
  }
  auto it = std::lower_bound(v.begin(), v.end(), t_ns, [](const SeriesSample& a, int64_t t) { return a.t_ns < t; });
  if (it != v.end() && it->t_ns == t_ns) {
    const bool same = it->value == value || (std::isnan(it->value) && std::isnan(value));
    return same ? AddResult::same_value : AddResult::conflict;
  }
  v.insert(it, {t_ns, value});
  return AddResult::added;
}

void SeriesStore::set_kind(const Labels& labels, SeriesKind kind) { slot(normalize_labels(labels)).kind = kind; }

const StoredSeries* SeriesStore::find(const Labels& labels) const {
  const Labels n = normalize_labels(labels);
  auto it = std::lower_bound(series_.begin(), series_.end(), n,
                             [](const StoredSeries& s, const Labels& l) { return s.labels < l; });
  return it != series_.end() && it->labels == n ? &*it : nullptr;
}

size_t SeriesStore::sample_count() const {
  size_t n = 0;
  for (const auto& s : series_) n += s.samples.size();
  return n;
}

std::optional<int64_t> SeriesStore::first_time() const {
  std::optional<int64_t> t;
  for (const auto& s : series_)
    if (!s.samples.empty() && (!t || s.samples.front().t_ns < *t)) t = s.samples.front().t_ns;
  return t;
}

std::optional<int64_t> SeriesStore::last_time() const {
  std::optional<int64_t> t;
  for (const auto& s : series_)
    if (!s.samples.empty() && (!t || s.samples.back().t_ns > *t)) t = s.samples.back().t_ns;
  return t;
}

std::vector<std::string> SeriesStore::names() const {
  std::vector<std::string> out;
  for (const auto& s : series_) {
    std::string n = s.name();
    if (!n.empty()) out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

SeriesStore series_store_from_recorder(const Recorder& recorder, int64_t start_epoch_ns) {
  SeriesStore store;
  const auto& times = recorder.scrape_times_ns();
  for (const SeriesView& s : recorder.series()) {
    Labels labels = s.labels;
    labels["__name__"] = s.name;
    const SeriesKind kind = s.type == MetricType::counter ? SeriesKind::counter
                            : s.type == MetricType::gauge ? SeriesKind::gauge
                                                          : SeriesKind::histogram;
    store.set_kind(labels, kind);
    for (size_t n = 0; n < s.values->size(); ++n)
      store.add_sample(labels, start_epoch_ns + times[s.first_sample + n], (*s.values)[n]);
  }
  return store;
}

namespace {

bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

std::string escape_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void skip_blanks(std::string_view t, size_t& pos) {
  while (pos < t.size() && (t[pos] == ' ' || t[pos] == '\t')) ++pos;
}

}  // namespace

std::string format_series_identity(const Labels& labels) {
  std::string out;
  auto name = labels.find("__name__");
  if (name != labels.end()) out = name->second;
  std::string inner;
  for (const auto& [k, v] : labels) {
    if (k == "__name__") continue;
    if (!inner.empty()) inner += ',';
    inner += k + "=\"" + escape_value(v) + "\"";
  }
  if (!inner.empty() || out.empty()) out += "{" + inner + "}";
  return out;
}

bool parse_series_prefix(std::string_view t, size_t& pos, Labels& labels, std::string& error) {
  labels.clear();
  if (pos < t.size() && (name_start(t[pos]) || t[pos] == ':')) {
    const size_t start = pos;
    while (pos < t.size() && (name_char(t[pos]) || t[pos] == ':')) ++pos;
    labels["__name__"] = std::string(t.substr(start, pos - start));
  }
  if (pos >= t.size() || t[pos] != '{') {
    if (labels.empty()) {
      error = "expected a metric name or '{'";
      return false;
    }
    return true;
  }
  ++pos;
  for (;;) {
    skip_blanks(t, pos);
    if (pos < t.size() && t[pos] == '}') {
      ++pos;
      return true;
    }
    if (pos >= t.size() || !name_start(t[pos])) {
      error = "expected a label name or '}'";
      return false;
    }
    const size_t start = pos;
    while (pos < t.size() && name_char(t[pos])) ++pos;
    const std::string key(t.substr(start, pos - start));
    skip_blanks(t, pos);
    if (pos >= t.size() || t[pos] != '=') {
      error = "expected '=' after label name \"" + key + "\"";
      return false;
    }
    ++pos;
    skip_blanks(t, pos);
    if (pos >= t.size() || t[pos] != '"') {
      error = "expected a quoted value for label \"" + key + "\"";
      return false;
    }
    ++pos;
    std::string value;
    for (;;) {
      if (pos >= t.size()) {
        error = "unterminated value of label \"" + key + "\"";
        return false;
      }
      const char c = t[pos++];
      if (c == '"') break;
      if (c != '\\') {
        value += c;
        continue;
      }
      if (pos >= t.size()) {
        error = "unterminated escape in the value of label \"" + key + "\"";
        return false;
      }
      const char e = t[pos++];
      if (e == '\\' || e == '"')
        value += e;
      else if (e == 'n')
        value += '\n';
      else {
        pos -= 2;
        error = std::string("invalid escape \\") + e + " in a label value (expected \\\\, \\\" or \\n)";
        return false;
      }
    }
    if (labels.count(key) != 0) {
      pos = start;
      error = "label \"" + key + "\" given twice";
      return false;
    }
    labels[key] = std::move(value);
    skip_blanks(t, pos);
    if (pos < t.size() && t[pos] == ',') {
      ++pos;
      continue;
    }
    if (pos < t.size() && t[pos] == '}') continue;
    error = "expected ',' or '}' after the value of label \"" + key + "\"";
    return false;
  }
}

std::optional<Labels> parse_series_identity(std::string_view text, std::string* error) {
  size_t pos = 0;
  Labels labels;
  std::string err;
  if (parse_series_prefix(text, pos, labels, err) && pos == text.size()) return labels;
  if (err.empty()) err = "unexpected text after the series identity";
  if (error != nullptr) *error = err + " (at character " + std::to_string(pos + 1) + ")";
  return std::nullopt;
}

}  // namespace faultline::sim

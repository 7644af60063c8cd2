// CSV traces (RFC 4180 quoting): a "time" column plus one column per series, the shape of
// faultline's series.csv (time_s,time,<series>...) and of spreadsheet exports.
#include "sim/core/rfc3339.hpp"
#include "sim/scenario/input_error.hpp"
#include "sim/traces/number_text.hpp"
#include "sim/traces/trace_import.hpp"

namespace faultline::sim::traces {

namespace {

struct Row {
  int line;  // where the row starts
  std::vector<std::string> fields;
};

std::vector<Row> read_rows(std::string_view text, const std::string& file) {
  std::vector<Row> rows;
  size_t i = 0;
  int line = 1;
  while (i < text.size()) {
    Row row{line, {}};
    std::string field;
    bool quoted_field = false;
    for (;;) {
      if (i < text.size() && text[i] == '"' && field.empty() && !quoted_field) {
        quoted_field = true;
        const int open_line = line;
        ++i;
        for (;;) {
          if (i >= text.size()) throw InputError(file, "", open_line, "unterminated quoted field");
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
          throw InputError(file, "", line, "unexpected text after a closing quote (expected ',' or the end of the line)");
        continue;
      }
      if (i >= text.size() || text[i] == '\n' || (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
        row.fields.push_back(std::move(field));
        if (i < text.size()) i += text[i] == '\r' ? 2 : 1;
        ++line;
        break;
      }
      if (text[i] == ',') {
        row.fields.push_back(std::move(field));
        field.clear();
        quoted_field = false;
        ++i;
        continue;
      }
      if (quoted_field) throw InputError(file, "", line, "unexpected text after a closing quote");
      field += text[i++];
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool blank_row(const Row& r) { return r.fields.size() == 1 && r.fields[0].find_first_not_of(" \t") == std::string::npos; }

}  // namespace

Trace parse_trace_csv(std::string_view text, const std::string& file) {
  Trace trace;
  trace.file = file;
  trace.format = TraceFormat::csv;
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF && static_cast<unsigned char>(text[1]) == 0xBB &&
      static_cast<unsigned char>(text[2]) == 0xBF)
    text.remove_prefix(3);  // a UTF-8 byte-order mark, as spreadsheets write
  const std::vector<Row> rows = read_rows(text, file);
  if (rows.empty() || blank_row(rows[0])) throw InputError(file, "", 1, "expected a header line: time,<series>,...");
  const Row& header = rows[0];
  int time_col = -1;
  std::vector<std::optional<Labels>> columns(header.fields.size());
  for (size_t c = 0; c < header.fields.size(); ++c) {
    const std::string& h = header.fields[c];
    if (h == "time") {
      if (time_col >= 0) throw InputError(file, "", header.line, "two \"time\" columns");
      time_col = static_cast<int>(c);
      continue;
    }
    if (h == "time_s") continue;  // faultline's seconds since the start; "time" is the absolute one
    std::string err;
    auto labels = parse_series_identity(h, &err);
    if (!labels)
      throw InputError(file, "", header.line,
                       "column " + std::to_string(c + 1) + " \"" + h + "\" is not a series name like name{label=\"v\"}: " + err);
    for (size_t k = 0; k < c; ++k)
      if (columns[k] && normalize_labels(*columns[k]) == normalize_labels(*labels))
        throw InputError(file, "", header.line, "columns " + std::to_string(k + 1) + " and " + std::to_string(c + 1) +
                                                    " name the same series " + h);
    columns[c] = std::move(labels);
  }
  if (time_col < 0)
    throw InputError(file, "", header.line,
                     "expected a \"time\" column (RFC 3339 or unix seconds); faultline's series.csv has time_s,time,...");
  bool any_series = false;
  for (const auto& c : columns) any_series = any_series || c.has_value();
  if (!any_series) throw InputError(file, "", header.line, "no series columns besides the time");
  for (size_t r = 1; r < rows.size(); ++r) {
    const Row& row = rows[r];
    if (blank_row(row)) {
      if (trace.skipped.empty())
        trace.skipped.push_back({"blank line", 1, row.line, ""});
      else
        ++trace.skipped.front().count;
      continue;
    }
    if (row.fields.size() != header.fields.size())
      throw InputError(file, "", row.line, "expected " + std::to_string(header.fields.size()) + " fields like the header, got " +
                                               std::to_string(row.fields.size()));
    const std::string& ts = row.fields[static_cast<size_t>(time_col)];
    std::optional<int64_t> t = parse_rfc3339(ts);
    if (!t) t = parse_decimal_time(ts, 1'000'000'000);
    if (!t) throw InputError(file, "", row.line, "invalid time \"" + ts + "\": expected RFC 3339 or unix seconds");
    for (size_t c = 0; c < row.fields.size(); ++c) {
      if (!columns[c] || row.fields[c].empty()) continue;
      const auto v = parse_sample_value(row.fields[c]);
      if (!v)
        throw InputError(file, "", row.line, "invalid value \"" + row.fields[c] + "\" in column " + std::to_string(c + 1) +
                                                 " (" + header.fields[c] + ")");
      if (trace.store.add_sample(*columns[c], *t, *v) != SeriesStore::AddResult::added)
        throw InputError(file, "", row.line, "a second row for the time " + ts);
    }
  }
  if (trace.store.empty()) throw InputError(file, "", 0, "no samples found: every value cell is empty");
  return trace;
}

}  // namespace faultline::sim::traces

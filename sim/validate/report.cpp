#include "sim/validate/report.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <tuple>

#include "sim/output/atomic_file.hpp"

namespace faultline::validate {

namespace {

std::string opt_number(const std::optional<double>& v, const std::string& unit = "") {
  if (!v) return "—";
  return short_number(*v) + (unit.empty() ? "" : " " + unit);
}

std::string error_text(const Comparison& c, const std::string& unit) {
  if (!c.error) return "—";
  std::string s = (*c.error >= 0 ? "+" : "") + short_number(*c.error) + (unit.empty() ? "" : " " + unit);
  if (c.observed && *c.observed != 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " (%+.1f %%)", *c.error / std::abs(*c.observed) * 100);
    s += buf;
  }
  return s;
}

std::string result_text(const Comparison& c) {
  switch (c.outcome) {
    case Outcome::pass:
      return "pass";
    case Outcome::fail:
      return "**FAIL**";
    case Outcome::unchecked:
      break;
  }
  return "not checked";
}

std::string row(const std::string& what, const Comparison& c, const std::string& unit, const std::string& tol_unit) {
  return "| " + what + " | " + opt_number(c.predicted, unit) + " | " + opt_number(c.observed, unit) + " | " +
         error_text(c, unit) + " | " + (c.tolerance.empty() ? "—" : c.tolerance.describe(tol_unit)) + " | " +
         result_text(c) + " |\n";
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\";
    out += c;
  }
  return out;
}

std::string causes_text(const nlohmann::ordered_json& j) {
  std::string s;
  for (const auto& [k, v] : j.items()) s += (s.empty() ? "" : ", ") + k + " " + v.dump();
  return s.empty() ? "—" : s;
}

}  // namespace

std::string short_number(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf");
  char buf[64];
  if (std::abs(v - std::round(v)) < 1e-9 || std::abs(v) >= 1000)
    std::snprintf(buf, sizeof buf, "%.0f", std::round(v) == 0 ? 0.0 : std::round(v));
  else if (std::abs(v) < 0.001)
    std::snprintf(buf, sizeof buf, "%.2e", v);
  else
    std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

Plot metric_plot(const ValidationResult& r, const MetricResult& m) {
  Plot p;
  p.title = m.title + " — " + r.record_label;
  p.y_label = m.unit;
  p.lines.push_back({"observed (live run)", m.observed, "#222222", false});
  p.lines.push_back({"predicted (faultline replay)", m.predicted, "#1f77b4", true});
  p.spans = r.fault_marks;
  return p;
}

std::string render_markdown(const ValidationResult& r) {
  std::string s;
  const auto [pass, fail] = r.counts();
  s += "# Validation of " + r.scenario + " against " + md_escape(r.record_label) + "\n\n";
  s += std::string("**Verdict: ") + (fail == 0 ? "PASS" : "FAIL") + "** — " + std::to_string(pass) + " of " +
       std::to_string(pass + fail) + " checks within tolerance" +
       (fail == 0 ? "" : " (" + std::to_string(fail) + " outside)") + ".\n\n";
  if (pass + fail == 0)
    s += "Nothing was checked: the records give no ground truth, the traces no backlog, no fault a recovery, and "
         "no other figure has a tolerance.\n\n";
  s += "The record was replayed in `" + r.scenario_file + "` with its own fault times and recovery times, from " +
       r.start_time +
       " (the records' time zero, which is also the replay's start time, so "
       "both series share one "
       "time axis) for " +
       short_number(r.until_s) + " s, seed " + std::to_string(r.seed) + ", fingerprint " + r.fingerprint +
       ". Predicted recovery times come from a second replay without the "
       "recorded recoveries "
       "(the model's own restart, rejoin and election times; fingerprint " +
       r.fingerprint_own + ").\n\n";

  s += "## Checks\n\n| check | predicted | observed | error | tolerance | "
       "result |\n|---|---|---|---|---|---|\n";
  s += row("messages lost", r.loss, "", "messages");
  for (const MetricResult& m : r.metrics)
    for (const auto& [name, c, unit, tunit] :
         {std::tuple{"peak", &m.peak, m.unit, m.unit},
          std::tuple{"time to peak (from the first fault)", &m.time_to_peak, std::string("s"), std::string("s")},
          std::tuple{"time to drain", &m.time_to_drain, std::string("s"), std::string("s")},
          std::tuple{"RMSE", &m.rmse, m.unit, std::string("(of the observed peak)")}})
      if (c->outcome != Outcome::unchecked) s += row(md_escape(m.id) + ": " + name, *c, unit, tunit);
  for (const RecoveryResult& rr : r.recoveries) {
    std::string t;
    for (const std::string& x : rr.targets) t += (t.empty() ? "" : ", ") + x;
    s +=
        row("recovery of " + t + " after " + rr.kind + " at " + short_number(rr.start_s) + " s", rr.recovery, "s", "s");
  }
  s += "\nA recovery time is from the fault's start until the target served "
       "again; — means it did not within the "
       "run. Figures without a tolerance are listed under each metric and not "
       "checked.\n\n";

  s += "## Messages\n\n| | predicted | observed |\n|---|---|---|\n";
  const auto& pm = r.predicted_messages;
  s += "| published | " + pm.value("published", nlohmann::ordered_json(0)).dump() + " | " +
       (r.truth ? std::to_string(r.truth->published) : "—") + " |\n";
  s += "| delivered | " + pm.value("delivered", nlohmann::ordered_json(0)).dump() + " | " +
       (r.truth ? std::to_string(r.truth->delivered) : "—") + " |\n";
  s += "| lost | " + pm.value("lost", nlohmann::ordered_json(0)).dump() + " | " +
       (r.truth ? std::to_string(r.truth->lost) : "—") + " |\n";
  std::string observed_causes = "—";
  if (r.truth) {
    observed_causes.clear();
    for (const auto& [k, v] : r.truth->lost_by_cause)
      observed_causes += (observed_causes.empty() ? "" : ", ") + k + " " + std::to_string(v);
    if (observed_causes.empty()) observed_causes = "—";
  }
  s += "| lost by cause | " + causes_text(pm.value("lost_by_cause", nlohmann::ordered_json::object())) + " | " +
       observed_causes + " |\n";
  s += "| in flight at the end | " + pm.value("in_flight", nlohmann::ordered_json(0)).dump() + " | — |\n";
  s += "| duplicates | " + pm.value("duplicates", nlohmann::ordered_json(0)).dump() + " | " +
       (r.truth && r.truth->duplicates ? std::to_string(*r.truth->duplicates) : "—") + " |\n";
  if (r.truth) s += "\nGround truth: `" + r.truth->file + "`.\n";
  s += "\n";

  for (const MetricResult& m : r.metrics) {
    s += "## " + md_escape(m.id) + "\n\n" + md_escape(m.title) +
         ". Observed: solid; predicted: dashed; faults in red.\n\n";
    s += "![" + md_escape(m.id) + "](" + m.plot_file + ")\n\n";
    s += "| figure | predicted | observed | error | tolerance | result "
         "|\n|---|---|---|---|---|---|\n";
    s += row("peak", m.peak, m.unit, m.unit);
    s += row("time to peak (from the first fault)", m.time_to_peak, "s", "s");
    s += row("time to drain (peak back to the pre-fault level)", m.time_to_drain, "s", "s");
    s += row("RMSE (" + std::to_string(m.paired_points) + " paired points)", m.rmse, m.unit, "(of the observed peak)");
    s += "| pre-fault level | " + opt_number(m.predicted_shape.baseline, m.unit) + " | " +
         opt_number(m.observed_shape.baseline, m.unit) + " | | | |\n\n";
  }

  s += "## Faults\n\n| fault | targets | start s | end s | recorded recovery s "
       "| model's own recovery s | note |\n"
       "|---|---|---|---|---|---|---|\n";
  for (size_t k = 0; k < r.fault_marks.size(); ++k) {
    const PlotSpan& f = r.fault_marks[k];
    const RecoveryResult* rr =
        r.fault_recovery[k] >= 0 ? &r.recoveries[static_cast<size_t>(r.fault_recovery[k])] : nullptr;
    std::string targets;
    for (const std::string& t : r.fault_targets[k]) targets += (targets.empty() ? "" : ", ") + t;
    const auto at = [&](const std::optional<double>& since_start) {
      return opt_number(since_start ? std::optional<double>(*since_start + f.start_s) : std::nullopt);
    };
    s += "| " + md_escape(f.label) + " | " + targets + " | " + short_number(f.start_s) + " | " + opt_number(f.end_s) +
         " | " + (rr ? at(rr->recovery.observed) : std::string("not recorded")) + " | " +
         (rr ? at(rr->recovery.predicted) : std::string("—")) + " | " + (rr ? md_escape(rr->note) : std::string()) +
         " |\n";
  }
  if (r.fault_marks.empty()) s += "| (no fault) | | | | | | |\n";
  s += "\n";

  s += "## What the records and traces did not give as they are\n\n";
  if (r.notes.empty() && r.unmapped_faults.empty()) s += "Nothing: every record field was used.\n";
  for (const RecordNote& n : r.notes)
    s += "- `" + n.file + (n.line > 0 ? ":" + std::to_string(n.line) : "") + "` " + md_escape(n.what) + ": " +
         n.effect + " (" + md_escape(n.reason) + ")\n";
  for (const std::string& u : r.unmapped_faults) s += "- fault not applied by the model: " + md_escape(u) + "\n";
  s += "\n### Trace mapping\n\n";
  for (const std::string& t : r.trace_notes) s += "- " + md_escape(t) + "\n";
  s += "\n## Files read\n\n";
  for (const std::string& f : r.files) s += "- `" + f + "`\n";
  return s;
}

void write_report(const ValidationResult& r, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create the report folder " + dir + ": " + ec.message());
  for (const MetricResult& m : r.metrics)
    sim::write_file_atomically(dir + "/" + m.plot_file, render_svg(metric_plot(r, m)));
  sim::write_file_atomically(dir + "/report.json", r.to_json().dump(2) + "\n");
  sim::write_file_atomically(dir + "/report.md", render_markdown(r));
}

}  // namespace faultline::validate

// The validation report a person reads instead of numbers: report.md with the verdict, every check, one SVG
// plot of predicted over observed per metric, the faults with their recorded and predicted recoveries, and
// everything the records and traces did not give as they are; report.json with the same content for scripts.
#pragma once

#include <string>

#include "sim/validate/svg_plot.hpp"
#include "sim/validate/validate.hpp"

namespace faultline::validate {

/// Writes report.md, report.json and the plots into `dir` (created when missing), each file atomically.
void write_report(const ValidationResult& result, const std::string& dir);

std::string render_markdown(const ValidationResult& result);
Plot metric_plot(const ValidationResult& result, const MetricResult& metric);

/// Short human text of a number: integers without decimals, others with 4 significant digits.
std::string short_number(double v);

}  // namespace faultline::validate

// A line plot as SVG text, written by the project (no plotting library): the predicted series over the
// observed one on the fault timeline, faults shaded, so that a person sees at a glance where the model
// follows the live run and where it does not. The output is deterministic.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/validate/figures.hpp"

namespace faultline::validate {

struct PlotLine {
  std::string label;
  Series points;
  std::string color;  // an SVG colour, e.g. "#1f77b4"
  bool dashed = false;
};

/// A fault on the time axis: a shaded span from start to end, or a vertical line when it has no end (a
/// one-shot action such as a kill).
struct PlotSpan {
  double start_s = 0;
  std::optional<double> end_s;
  std::string label;
};

struct Plot {
  std::string title;
  std::string x_label = "seconds from the record's start";
  std::string y_label;
  std::vector<PlotLine> lines;  // drawn in order: the last one on top
  std::vector<PlotSpan> spans;
  int width = 760;
  int height = 300;
};

/// Renders the plot. A line breaks where two consecutive points are more than 1.5 typical steps apart (a gap
/// in the data).
std::string render_svg(const Plot& plot);

/// Round tick positions covering [lo, hi] with about `target` intervals (steps of 1, 2 or 5 × 10^k).
std::vector<double> nice_ticks(double lo, double hi, int target);

/// Text escaped for XML content and attributes.
std::string xml_escape(const std::string& text);

}  // namespace faultline::validate

#include "sim/validate/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sim/output/number_format.hpp"

namespace faultline::validate {

namespace {

std::string fixed2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", std::abs(v) < 0.005 ? 0.0 : v);
  return buf;
}

std::string tick_text(double v, double step) {
  // As many decimals as the step needs, no more.
  int decimals = 0;
  while (decimals < 6 && std::abs(step * std::pow(10, decimals) - std::round(step * std::pow(10, decimals))) > 1e-9)
    ++decimals;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::abs(v) < step * 1e-9 ? 0.0 : v);
  return buf;
}

double typical_step(const Series& s) {
  if (s.size() < 2) return 0;
  std::vector<double> dts;
  dts.reserve(s.size() - 1);
  for (size_t i = 1; i < s.size(); ++i) dts.push_back(s[i].t_s - s[i - 1].t_s);
  std::nth_element(dts.begin(), dts.begin() + static_cast<std::ptrdiff_t>(dts.size() / 2), dts.end());
  return dts[dts.size() / 2];
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) hi = lo + 1;
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  std::vector<double> ticks;
  const double first = std::ceil(lo / step - 1e-9) * step;
  for (int k = 0; k < 1000; ++k) {
    const double t = first + k * step;
    if (t > hi + step * 1e-9) break;
    ticks.push_back(t);
  }
  return ticks;
}

std::string render_svg(const Plot& plot) {
  const double left = 64, right = 16, top = 34, bottom = 64;
  const double w = plot.width - left - right, h = plot.height - top - bottom;

  double x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
  bool any = false;
  for (const PlotLine& l : plot.lines)
    for (const Point& p : l.points) {
      if (!std::isfinite(p.value)) continue;
      if (!any) {
        x_lo = x_hi = p.t_s;
        y_hi = p.value;
        y_lo = std::min(0.0, p.value);
        any = true;
      }
      x_lo = std::min(x_lo, p.t_s);
      x_hi = std::max(x_hi, p.t_s);
      y_lo = std::min(y_lo, p.value);
      y_hi = std::max(y_hi, p.value);
    }
  for (const PlotSpan& s : plot.spans) {
    x_lo = std::min(x_lo, s.start_s);
    x_hi = std::max(x_hi, s.end_s.value_or(s.start_s));
  }
  if (!(x_hi > x_lo)) x_hi = x_lo + 1;
  if (!(y_hi > y_lo)) y_hi = y_lo + 1;
  const std::vector<double> yt = nice_ticks(y_lo, y_hi, 5);
  const double y_step = yt.size() > 1 ? yt[1] - yt[0] : 1;
  y_hi = std::max(y_hi, yt.empty() ? y_hi : yt.back());
  if (!yt.empty() && yt.back() < y_hi - 1e-9) y_hi = yt.back() + y_step;
  const std::vector<double> xt = nice_ticks(x_lo, x_hi, 8);
  const double x_step = xt.size() > 1 ? xt[1] - xt[0] : 1;

  const auto X = [&](double t) { return left + (t - x_lo) / (x_hi - x_lo) * w; };
  const auto Y = [&](double v) { return top + h - (v - y_lo) / (y_hi - y_lo) * h; };

  std::string s;
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(plot.width) + "\" height=\"" +
       std::to_string(plot.height) + "\" viewBox=\"0 0 " + std::to_string(plot.width) + " " +
       std::to_string(plot.height) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + fixed2(left) + "\" y=\"18\" font-size=\"13\" font-weight=\"bold\">" + xml_escape(plot.title) +
       "</text>\n";
  // Faults under everything else.
  for (const PlotSpan& f : plot.spans) {
    const double x0 = X(f.start_s);
    if (f.end_s && *f.end_s > f.start_s) {
      s += "<rect x=\"" + fixed2(x0) + "\" y=\"" + fixed2(top) + "\" width=\"" + fixed2(X(*f.end_s) - x0) +
           "\" height=\"" + fixed2(h) + "\" fill=\"#d62728\" fill-opacity=\"0.10\"><title>" + xml_escape(f.label) +
           "</title></rect>\n";
    }
    s += "<line x1=\"" + fixed2(x0) + "\" y1=\"" + fixed2(top) + "\" x2=\"" + fixed2(x0) + "\" y2=\"" +
         fixed2(top + h) + "\" stroke=\"#d62728\" stroke-width=\"1\"><title>" + xml_escape(f.label) +
         "</title></line>\n";
    s += "<text x=\"" + fixed2(x0 + 3) + "\" y=\"" + fixed2(top + 11) + "\" fill=\"#d62728\">" + xml_escape(f.label) +
         "</text>\n";
  }
  // Grid and axes.
  for (double v : yt) {
    s += "<line x1=\"" + fixed2(left) + "\" y1=\"" + fixed2(Y(v)) + "\" x2=\"" + fixed2(left + w) + "\" y2=\"" +
         fixed2(Y(v)) + "\" stroke=\"#e0e0e0\"/>\n";
    s += "<text x=\"" + fixed2(left - 6) + "\" y=\"" + fixed2(Y(v) + 4) + "\" text-anchor=\"end\">" +
         tick_text(v, y_step) + "</text>\n";
  }
  for (double t : xt) {
    s += "<line x1=\"" + fixed2(X(t)) + "\" y1=\"" + fixed2(top + h) + "\" x2=\"" + fixed2(X(t)) + "\" y2=\"" +
         fixed2(top + h + 4) + "\" stroke=\"#333\"/>\n";
    s += "<text x=\"" + fixed2(X(t)) + "\" y=\"" + fixed2(top + h + 16) + "\" text-anchor=\"middle\">" +
         tick_text(t, x_step) + "</text>\n";
  }
  s += "<rect x=\"" + fixed2(left) + "\" y=\"" + fixed2(top) + "\" width=\"" + fixed2(w) + "\" height=\"" + fixed2(h) +
       "\" fill=\"none\" stroke=\"#333\"/>\n";
  s += "<text x=\"" + fixed2(left + w / 2) + "\" y=\"" + fixed2(top + h + 32) + "\" text-anchor=\"middle\">" +
       xml_escape(plot.x_label) + "</text>\n";
  s += "<text transform=\"translate(14," + fixed2(top + h / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
       xml_escape(plot.y_label) + "</text>\n";
  // The lines, each broken at its gaps.
  for (const PlotLine& l : plot.lines) {
    const double step = typical_step(l.points);
    std::string pts;
    const auto flush = [&] {
      if (pts.empty()) return;
      s += "<polyline fill=\"none\" stroke=\"" + l.color + "\" stroke-width=\"1.6\"" +
           (l.dashed ? " stroke-dasharray=\"5,3\"" : "") + " points=\"" + pts + "\"/>\n";
      pts.clear();
    };
    for (size_t i = 0; i < l.points.size(); ++i) {
      const Point& p = l.points[i];
      if (!std::isfinite(p.value)) {
        flush();
        continue;
      }
      if (i > 0 && step > 0 && p.t_s - l.points[i - 1].t_s > 1.5 * step) flush();
      if (!pts.empty()) pts += ' ';
      pts += fixed2(X(p.t_s)) + "," + fixed2(Y(p.value));
    }
    flush();
  }
  // Legend, below the axis title.
  double lx = left;
  const double ly = plot.height - 12;
  for (const PlotLine& l : plot.lines) {
    s += "<line x1=\"" + fixed2(lx) + "\" y1=\"" + fixed2(ly - 4) + "\" x2=\"" + fixed2(lx + 22) + "\" y2=\"" +
         fixed2(ly - 4) + "\" stroke=\"" + l.color + "\" stroke-width=\"2\"" +
         (l.dashed ? " stroke-dasharray=\"5,3\"" : "") + "/>\n";
    s += "<text x=\"" + fixed2(lx + 28) + "\" y=\"" + fixed2(ly) + "\">" + xml_escape(l.label) + "</text>\n";
    lx += 40 + 6.5 * static_cast<double>(l.label.size());
  }
  if (!plot.spans.empty()) {
    s += "<rect x=\"" + fixed2(lx) + "\" y=\"" + fixed2(ly - 9) +
         "\" width=\"22\" height=\"10\" fill=\"#d62728\" "
         "fill-opacity=\"0.15\" stroke=\"#d62728\"/>\n";
    s += "<text x=\"" + fixed2(lx + 28) + "\" y=\"" + fixed2(ly) + "\">fault</text>\n";
  }
  s += "</svg>\n";
  return s;
}

}  // namespace faultline::validate

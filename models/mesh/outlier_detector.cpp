#include "models/mesh/outlier_detector.hpp"

#include <algorithm>

namespace faultline::models {

OutlierDetector::OutlierDetector(const OutlierConfig& config, size_t hosts) : config_(config), hosts_(hosts) {}

bool OutlierDetector::record(size_t host, int status, sim::SimTime now) {
  if (!config_.enabled) return false;
  Host& h = hosts_[host];
  const bool error = status >= 500;
  const bool gateway = status == 502 || status == 503 || status == 504;
  h.consecutive_5xx = error ? h.consecutive_5xx + 1 : 0;
  h.consecutive_gateway = gateway ? h.consecutive_gateway + 1 : 0;
  const bool by_5xx = config_.consecutive_5xx > 0 && h.consecutive_5xx >= config_.consecutive_5xx;
  const bool by_gateway = config_.consecutive_gateway > 0 && h.consecutive_gateway >= config_.consecutive_gateway;
  if (!by_5xx && !by_gateway) return false;
  // Envoy resets the counter that fired, ejected or not, so that the next bout is detected
  // without a success in between.
  if (by_5xx) h.consecutive_5xx = 0;
  if (by_gateway) h.consecutive_gateway = 0;
  return try_eject(host, now);
}

bool OutlierDetector::try_eject(size_t host, sim::SimTime now) {
  Host& h = hosts_[host];
  if (h.ejected) return false;
  // The first ejection always happens; later ones only while the ejected share stays below
  // maxEjectionPercent (R-E13).
  const double ejected_percent = 100.0 * static_cast<double>(ejected_count_) / static_cast<double>(hosts_.size());
  if (ejected_count_ > 0 && ejected_percent >= config_.max_ejection_percent) return false;
  // The multiplier stops growing once the ejection time reaches its maximum (R-E13).
  if (config_.base_ejection_time * h.multiplier < config_.max_ejection_time) ++h.multiplier;
  h.ejected = true;
  h.ejected_at = now;
  ++ejected_count_;
  ++ejections_total_;
  return true;
}

sim::Duration OutlierDetector::ejection_time(size_t host) const {
  const sim::Duration longest = std::max(config_.base_ejection_time, config_.max_ejection_time);
  return std::min(config_.base_ejection_time * hosts_[host].multiplier, longest);
}

std::vector<size_t> OutlierDetector::sweep(sim::SimTime now) {
  std::vector<size_t> back;
  for (size_t i = 0; i < hosts_.size(); ++i) {
    Host& h = hosts_[i];
    if (!h.ejected) {
      if (h.multiplier > 0) --h.multiplier;  // in service at this sweep: the multiplier decays
      continue;
    }
    if (now - h.ejected_at >= ejection_time(i)) {
      h.ejected = false;
      --ejected_count_;
      back.push_back(i);
    }
  }
  return back;
}

bool OutlierDetector::needs_sweep() const {
  return std::any_of(hosts_.begin(), hosts_.end(), [](const Host& h) { return h.ejected || h.multiplier > 0; });
}

}  // namespace faultline::models

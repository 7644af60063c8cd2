// Envoy's outlier detection (passive circuit breaking) in one caller's sidecar for one upstream
// cluster, as an Istio DestinationRule `outlierDetection` sets it (R-E12, R-E13):
// - consecutive 5xx (and, when enabled, consecutive gateway errors 502/503/504) are counted per
//   host and eject it inline, on the failing response; locally originated failures (connect
//   failure, reset, timeout) count as 503/504 (splitExternalLocalOriginErrors false);
// - a host is ejected at once when none is; otherwise only while the ejected share is below
//   maxEjectionPercent (Envoy's ejection algorithm);
// - an ejection lasts baseEjectionTime × the host's ejection multiplier (capped at
//   max_ejection_time); the multiplier grows by one per ejection and decays by one at each
//   interval sweep that finds the host in service;
// - hosts come back at the interval sweeps (every `interval` from the start), not at the exact
//   end of their ejection.
// Pure logic: the HTTP service calls sweep() at the interval ticks.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/time.hpp"

namespace faultline::models {

struct OutlierConfig {
  bool enabled = false;                                   // no outlierDetection in the DestinationRule
  uint32_t consecutive_5xx = 5;                           // R-E12; 0 disables
  uint32_t consecutive_gateway = 0;                       // R-E12: disabled
  sim::Duration interval = sim::Duration::s(10);          // R-E12
  sim::Duration base_ejection_time = sim::Duration::s(30);  // R-E12
  sim::Duration max_ejection_time = sim::Duration::s(300);  // R-E13 [UNVERIFIED]
  double max_ejection_percent = 10.0;                     // R-E12, percent of the hosts
};

class OutlierDetector {
 public:
  OutlierDetector(const OutlierConfig& config, size_t hosts);

  /// The status of an attempt that reached `host` (a locally originated failure mapped to 503 or
  /// 504). True when it ejected the host.
  bool record(size_t host, int status, sim::SimTime now);
  /// The sweep at `now` (a multiple of the interval): returns the hosts that come back.
  std::vector<size_t> sweep(sim::SimTime now);

  [[nodiscard]] bool ejected(size_t host) const { return hosts_[host].ejected; }
  [[nodiscard]] size_t ejected_count() const { return ejected_count_; }
  [[nodiscard]] size_t host_count() const { return hosts_.size(); }
  /// Consecutive ejections not yet decayed: the factor of the next (or current) ejection time.
  [[nodiscard]] uint32_t multiplier(size_t host) const { return hosts_[host].multiplier; }
  /// How long the host's current (or last) ejection lasts.
  [[nodiscard]] sim::Duration ejection_time(size_t host) const;
  /// Something for the sweeps to do: an ejected host, or a multiplier to decay.
  [[nodiscard]] bool needs_sweep() const;
  [[nodiscard]] uint64_t ejections_total() const { return ejections_total_; }

 private:
  struct Host {
    uint32_t consecutive_5xx = 0;
    uint32_t consecutive_gateway = 0;
    uint32_t multiplier = 0;
    bool ejected = false;
    sim::SimTime ejected_at{};
  };
  bool try_eject(size_t host, sim::SimTime now);

  OutlierConfig config_;
  std::vector<Host> hosts_;
  size_t ejected_count_ = 0;
  uint64_t ejections_total_ = 0;
};

}  // namespace faultline::models

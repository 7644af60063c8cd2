// An open-loop HTTP load generator (k6, a browser, an ingress gateway's traffic) sending user
// requests to the entry service of a mesh (productpage): at a constant rate, as a Poisson
// process, or through k6-style ramping stages (rate_profile). Requests are sent whether or not
// earlier ones were answered. The client gives up on a request after `timeout` (k6's default
// 60 s), which counts it as failed with status 0, as k6 does.
// Requests are not broker messages: they are counted in faultline_http_client_requests_total
// {client, response_code} and, by the entry service's sidecar, in Istio's metrics.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "models/mesh/http_protocol.hpp"
#include "models/workload/rate_profile.hpp"
#include "sim/core/component.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

struct HttpLoadConfig {
  enum class Arrivals { constant, poisson };
  Arrivals arrivals = Arrivals::poisson;
  RateProfile rate = RateProfile(1.0);
  std::optional<uint64_t> request_limit;
  sim::Duration start = sim::Duration::zero();
  sim::Duration timeout = sim::Duration::s(60);
  std::string space = "default";
};

class HttpLoadGenerator final : public sim::Component {
 public:
  HttpLoadGenerator(sim::Simulation& sim, sim::ComponentIdentity id, HttpLoadConfig config);
  [[nodiscard]] std::string_view kind() const override { return "http-load"; }
  void initialize() override;
  void handle(uint16_t event_kind, uint32_t arg) override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  static sim::KindInfo kind_info();

 private:
  enum Event : uint16_t { kArrival = 1, kTimeout = 2 };
  void on_answer(const HttpResponse& response);
  void schedule_next();
  void count(int status);

  HttpLoadConfig config_;
  WorkloadIdentity identity_;
  HttpClientPort& target_;
  sim::RandomStream& arrivals_rng_;
  double profile_clock_ = 0;                      // seconds of the profile elapsed at the last arrival
  uint64_t sent_ = 0;
  uint64_t timed_out_ = 0;
  std::map<uint64_t, sim::EventId> outstanding_;  // request id → its client timeout
  std::map<int, uint64_t> by_status_;
  std::map<int, sim::Counter*> counters_;
};

}  // namespace faultline::models

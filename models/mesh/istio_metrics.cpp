#include "models/mesh/istio_metrics.hpp"

namespace faultline::models {

std::string response_flags_text(uint16_t flags) {
  // Envoy's order of the short codes.
  static const std::pair<uint16_t, const char*> kCodes[] = {
      {kNoHealthyUpstream, "UH"}, {kUpstreamTimeout, "UT"},  {kUpstreamConnectFailure, "UF"},
      {kUpstreamReset, "UC"},     {kUpstreamOverflow, "UO"}, {kDelayInjected, "DI"},
      {kFaultInjected, "FI"},     {kDownstreamReset, "DC"},  {kRetryLimitExceeded, "URX"},
  };
  std::string out;
  for (const auto& [bit, code] : kCodes) {
    if ((flags & bit) == 0) continue;
    if (!out.empty()) out += ',';
    out += code;
  }
  return out.empty() ? "-" : out;
}

const std::vector<double>& istio_duration_buckets_ms() {
  static const std::vector<double> buckets = {0.5,  1,    5,     10,    25,     50,     100,     250,     500,    1000,
                                              2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000};
  return buckets;
}

WorkloadIdentity workload_identity(const std::string& workload, const sim::Labels& labels, const std::string& space) {
  WorkloadIdentity id;
  id.workload = workload;
  const auto app = labels.find("app");
  id.app = app == labels.end() ? workload : app->second;
  const auto version = labels.find("version");
  id.version = version == labels.end() ? "unknown" : version->second;
  id.space = space;
  return id;
}

IstioTelemetry::IstioTelemetry(sim::Recorder& recorder, const WorkloadIdentity& destination)
    : recorder_(recorder),
      destination_(destination),
      host_(destination.workload + "." + destination.space + ".svc.cluster.local") {}

void IstioTelemetry::record(Reporter reporter, const WorkloadIdentity& source, int status, uint16_t flags,
                            sim::Duration duration) {
  const auto key = std::make_tuple(static_cast<int>(reporter), source.workload, source.space, status, flags);
  auto it = series_.find(key);
  if (it == series_.end()) {
    const sim::Labels labels = {
        {"reporter", reporter == Reporter::source ? "source" : "destination"},
        {"source_workload", source.workload},
        {"source_workload_namespace", source.space},
        {"source_app", source.app},
        {"source_version", source.version},
        {"destination_workload", destination_.workload},
        {"destination_workload_namespace", destination_.space},
        {"destination_app", destination_.app},
        {"destination_version", destination_.version},
        {"destination_service", host_},
        {"destination_service_name", destination_.workload},
        {"destination_service_namespace", destination_.space},
        {"request_protocol", "http"},
        {"response_code", std::to_string(status)},
        {"response_flags", response_flags_text(flags)},
    };
    Series s{&recorder_.counter("istio_requests_total", labels, "Requests handled by the Istio proxies"),
             &recorder_.histogram("istio_request_duration_milliseconds", labels,
                                  "Request durations measured by the Istio proxies", istio_duration_buckets_ms())};
    it = series_.emplace(key, s).first;
  }
  it->second.requests->inc();
  it->second.duration->observe(static_cast<double>(duration.count_ns()) / 1e6);
}

}  // namespace faultline::models

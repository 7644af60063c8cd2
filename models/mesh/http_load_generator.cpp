#include "models/mesh/http_load_generator.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/mesh/istio_metrics.hpp"
#include "sim/core/simulation.hpp"

namespace faultline::models {

HttpLoadGenerator::HttpLoadGenerator(sim::Simulation& sim, sim::ComponentIdentity id, HttpLoadConfig config)
    : Component(sim, std::move(id)),
      config_(std::move(config)),
      identity_(workload_identity(path(), labels(), config_.space)),
      target_(client_port<HttpRequest, HttpResponse, &HttpLoadGenerator::on_answer>("target")),
      arrivals_rng_(rng("arrivals")) {}

void HttpLoadGenerator::initialize() {
  if (!target_.connected()) throw std::logic_error("http-load " + path() + " sends to nothing");
  schedule_next();
}

void HttpLoadGenerator::schedule_next() {
  if (config_.request_limit && sent_ >= *config_.request_limit) return;
  const double from = std::max(profile_clock_, (now() - sim::SimTime::at(config_.start)).seconds());
  const double amount = config_.arrivals == HttpLoadConfig::Arrivals::poisson ? arrivals_rng_.exponential(1.0) : 1.0;
  const std::optional<double> next = config_.rate.advance(from, amount);
  if (!next) return;  // the load has ended
  profile_clock_ = *next;
  const sim::SimTime at = sim::SimTime::at(config_.start) + sim::Duration::from_seconds(*next);
  schedule_at(std::max(at, now()), kArrival);
}

void HttpLoadGenerator::handle(uint16_t event_kind, uint32_t arg) {
  switch (event_kind) {
    case kArrival: {
      const uint64_t id = ++sent_;
      // Request ids fit the event argument: a run sends fewer than 2^32 requests.
      outstanding_.emplace(id, schedule_in(config_.timeout, kTimeout, static_cast<uint32_t>(id)));
      HttpRequest r;
      r.id = id;
      r.source = index();
      r.from = &identity_;
      r.pod = &path();
      target_.send(r);
      schedule_next();
      break;
    }
    case kTimeout: {
      auto it = outstanding_.find(arg);
      if (it == outstanding_.end()) break;
      outstanding_.erase(it);
      ++timed_out_;
      HttpRequest r;
      r.op = HttpRequest::Op::cancel;  // k6 closes the connection
      r.id = arg;
      r.source = index();
      r.from = &identity_;
      r.pod = &path();
      target_.send(r);
      count(0);
      break;
    }
    default:
      break;
  }
}

void HttpLoadGenerator::on_answer(const HttpResponse& response) {
  auto it = outstanding_.find(response.id);
  if (it == outstanding_.end()) return;
  cancel(it->second);
  outstanding_.erase(it);
  count(response.status);
}

void HttpLoadGenerator::count(int status) {
  ++by_status_[status];
  auto it = counters_.find(status);
  if (it == counters_.end())
    it = counters_
             .emplace(status, &sim().recorder().counter("faultline_http_client_requests_total",
                                                        {{"client", path()}, {"response_code", std::to_string(status)}},
                                                        "Answers the load generator got, by status (0: its timeout)"))
             .first;
  it->second->inc();
}

nlohmann::ordered_json HttpLoadGenerator::summary() const {
  nlohmann::ordered_json statuses = nlohmann::ordered_json::object();
  uint64_t failed = 0;
  for (const auto& [status, n] : by_status_) {
    statuses[std::to_string(status)] = n;
    if (status == 0 || status >= 500) failed += n;
  }
  return {{"sent", sent_},         {"answered", statuses}, {"failed", failed},
          {"timed_out", timed_out_}, {"in_flight", outstanding_.size()}};
}

sim::KindInfo HttpLoadGenerator::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "http-load";
  k.help = "open-loop HTTP load (k6, browsers) sending user requests to the entry service of a mesh";
  k.replication = sim::Replication::single;
  k.role = sim::TopologyRole::source;
  sim::ReferenceSpec target;
  target.target_kinds = {"http-service"};
  target.flow = sim::ReferenceSpec::Flow::to_target;
  target.wires = {{"target", "http"}};
  k.params = {
      ParamSpec::ref("target", target).require().describe("the entry service (productpage)"),
      ParamSpec::choice("arrivals", {"poisson", "constant"})
          .def("poisson")
          .describe("inter-arrival process: exponential gaps (Poisson) or even gaps (k6 constant-arrival-rate)")
          .from("open-loop load model"),
      ParamSpec::rate("rate", "req/s")
          .def(1.0)
          .at_least(0)
          .describe("requests per second (with stages: the start rate)")
          .from("seed 004: a user refreshing the bookinfo page"),
      ParamSpec::records("stages",
                         {ParamSpec::duration("duration").require().at_least(0).describe("length of the ramp").from(
                              "k6 stages[].duration"),
                          ParamSpec::rate("target", "req/s").require().at_least(0).describe("rate reached at the end").from(
                              "k6 stages[].target")})
          .describe("k6 ramping-arrival-rate stages: ramp linearly from the previous rate to each target; the "
                    "load ends after the last stage")
          .from("k6 ramping-arrival-rate executor"),
      ParamSpec::integer("requests", "requests")
          .optional()
          .at_least(0)
          .describe("stop after this many requests; unbounded when absent")
          .from("workload definition"),
      ParamSpec::duration("start").def("0s").at_least(0).describe("when the load starts").from("workload definition"),
      ParamSpec::duration("timeout")
          .def("60s")
          .above(0)
          .describe("the client gives up on a request after this (status 0)")
          .from("k6 default request timeout 60 s"),
      ParamSpec::text("namespace")
          .def("default")
          .describe("Kubernetes namespace of the client (source_workload_namespace)")
          .from("Istio standard metrics labels"),
  };
  k.bounded = [](const sim::ParamValues& p) {
    return p.has("requests") || p.rate("rate") == 0 || !p.objects("stages").empty();
  };
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    HttpLoadConfig c;
    c.arrivals = inst.params.text("arrivals") == "constant" ? HttpLoadConfig::Arrivals::constant
                                                            : HttpLoadConfig::Arrivals::poisson;
    std::vector<RateProfile::Stage> stages;
    for (const sim::ParamValues& st : inst.params.objects("stages"))
      stages.push_back({st.duration("duration").seconds(), st.rate("target")});
    c.rate = RateProfile(inst.params.rate("rate"), std::move(stages));
    if (inst.params.has("requests")) c.request_limit = static_cast<uint64_t>(inst.params.integer("requests"));
    c.start = inst.params.duration("start");
    c.timeout = inst.params.duration("timeout");
    c.space = inst.params.text("namespace");
    return sim.add<HttpLoadGenerator>({inst.path, inst.labels}, c);
  };
  return k;
}

}  // namespace faultline::models

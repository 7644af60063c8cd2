#include "models/mesh/http_service.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/mesh/service_pod.hpp"
#include "sim/core/simulation.hpp"

namespace faultline::models {

using Kind = AttemptOutcome::Kind;

namespace {
// What the outlier detector counts for a try that ended without an upstream answer: local
// origin errors are mapped to 5xx codes (splitExternalLocalOriginErrors false, R-E12).
int outlier_status(const AttemptOutcome& o) {
  switch (o.kind) {
    case Kind::response: return o.status;
    case Kind::timeout: return 504;
    default: return 503;
  }
}
}  // namespace

HttpService::HttpService(sim::Simulation& sim, sim::ComponentIdentity id, HttpServiceConfig config)
    : Component(sim, std::move(id)),
      config_(std::move(config)),
      identity_(workload_identity(path(), labels(), config_.space)),
      telemetry_(sim.recorder(), identity_),
      http_(server_port<HttpRequest, HttpResponse, &HttpService::on_http>("http")),
      upstream_(client_port<HttpRequest, HttpResponse, &HttpService::on_upstream_answer>("upstream")),
      network_(request_port<PathQuery, PathAnswer>("network")),
      fault_rng_(rng("fault-injection")),
      backoff_rng_(rng("retry-backoff")),
      balancer_rng_(rng("load-balancer")) {}

HttpService::~HttpService() = default;

void HttpService::initialize() {
  if (config_.calls && !upstream_.connected()) throw std::logic_error("http-service " + path() + " calls nothing");
  endpoint_changed();
}

void HttpService::endpoint_changed() {
  endpoints_.resize(pods_.size());
  for (size_t i = 0; i < pods_.size(); ++i) endpoints_[i] = pods_[i]->in_service();
}

// ---------------------------------------------------------------- requests from callers

HttpService::Sidecar& HttpService::sidecar(uint32_t connection, const HttpRequest& r) {
  auto& slot = sidecars_[{connection, r.source}];
  if (!slot) {
    if (r.from == nullptr) throw std::logic_error("a request to " + path() + " names no source workload");
    slot = std::make_unique<Sidecar>(r.source, r.from, r.pod, config_, pods_.size());
  }
  return *slot;
}

void HttpService::on_http(uint32_t connection, const HttpRequest& r) {
  if (r.op == HttpRequest::Op::cancel) {
    cancel_downstream(connection, r.id);
    return;
  }
  Sidecar& sc = sidecar(connection, r);
  const uint32_t id = next_downstream_++;
  Downstream d;
  d.connection = connection;
  d.caller_id = r.id;
  d.sidecar = &sc;
  d.started = now();
  downstream_.emplace(id, std::move(d));
  by_caller_[{connection, r.id}] = id;
  ++requests_;
  // The caller's send returns before the sidecar acts, even when it answers at once.
  schedule_in(sim::Duration::zero(), kStart, id);
}

void HttpService::start(uint32_t id) {
  auto it = downstream_.find(id);
  if (it == downstream_.end()) return;  // cancelled meanwhile
  Downstream& d = it->second;
  // R-E9: a route with client-side faults gets neither retries nor a timeout.
  d.route_has_faults = route_has_faults();
  // R-E11: the delay and the abort are drawn independently; an aborted request is answered
  // after its delay, if it has one.
  sim::Duration delay = sim::Duration::zero();
  for (const ActiveFault& f : faults_) {
    if (f.abort || !fault_rng_.bernoulli(f.percent)) continue;
    delay = std::max(delay, f.delay);
    d.flags |= kDelayInjected;
  }
  for (const ActiveFault& f : faults_) {
    if (!f.abort || !fault_rng_.bernoulli(f.percent) || d.abort_status != 0) continue;
    d.abort_status = f.status;
    d.flags |= kFaultInjected;
  }
  if ((d.flags & kDelayInjected) != 0) ++delays_injected_;
  if (d.abort_status != 0) ++aborts_injected_;
  if (!d.route_has_faults && config_.timeout) d.route_timer = schedule_in(*config_.timeout, kRouteTimeout, id);
  if (delay > sim::Duration::zero()) {
    schedule_in(delay, kFaultDelayDone, id);
    return;
  }
  proceed(id);
}

void HttpService::proceed(uint32_t id) {
  const Downstream& d = downstream_.at(id);
  if (d.abort_status != 0) {
    finish(id, d.abort_status, d.flags);
    return;
  }
  start_try(id);
}

std::optional<size_t> HttpService::pick_host(Sidecar& sc, const Downstream& d) {
  std::vector<size_t> ready;
  for (size_t i = 0; i < endpoints_.size(); ++i)
    if (endpoints_[i]) ready.push_back(i);
  if (ready.empty()) return std::nullopt;
  std::vector<size_t> healthy;
  for (size_t i : ready)
    if (!sc.outlier.ejected(i)) healthy.push_back(i);
  // R-E14: below the panic threshold Envoy balances over every host, ejected or not.
  const bool panic = static_cast<double>(healthy.size()) < config_.panic_threshold * static_cast<double>(ready.size());
  std::vector<size_t> pool = panic ? ready : healthy;
  if (pool.empty()) return std::nullopt;
  if (config_.retries.ignore_previous_hosts && !d.tried.empty()) {
    // R-E6: a retry goes to a host not tried yet, when there is one.
    std::vector<size_t> fresh;
    for (size_t i : pool)
      if (std::find(d.tried.begin(), d.tried.end(), i) == d.tried.end()) fresh.push_back(i);
    if (!fresh.empty()) pool = std::move(fresh);
  }
  size_t chosen = pool.front();
  if (config_.balancer == HttpServiceConfig::Balancer::least_request && pool.size() > 1) {
    // Envoy's least request: the less loaded of two random choices.
    const size_t a = pool[balancer_rng_.uniform_below(pool.size())];
    const size_t b = pool[balancer_rng_.uniform_below(pool.size())];
    chosen = sc.active_per_host[b] < sc.active_per_host[a] ? b : a;
  } else {
    for (size_t i : pool)
      if (i >= sc.next_host) {
        chosen = i;
        break;
      }
    sc.next_host = chosen + 1;
  }
  return chosen;
}

void HttpService::start_try(uint32_t id) {
  Downstream& d = downstream_.at(id);
  Sidecar& sc = *d.sidecar;
  ++d.tries;
  const std::optional<size_t> host = pick_host(sc, d);
  if (!host) {
    ++no_healthy_upstream_;
    finish(id, 503, d.flags | kNoHealthyUpstream);
    return;
  }
  const uint32_t a = next_attempt_++;
  const ConnectionPool::Admission admission = sc.pool.admit(a);
  if (admission == ConnectionPool::Admission::overflow) {
    finish(id, 503, d.flags | kUpstreamOverflow);  // R-E15: at once, never retried
    return;
  }
  Attempt at;
  at.downstream = id;
  at.host = *host;
  at.holds_connection = admission == ConnectionPool::Admission::send;
  if (config_.retries.per_try_timeout && !d.route_has_faults)
    at.per_try = schedule_in(*config_.retries.per_try_timeout, kPerTryTimeout, a);
  attempts_.emplace(a, at);
  d.tried.push_back(*host);
  d.attempt = a;
  ++sc.active_per_host[*host];
  if (at.holds_connection) send(a);
}

void HttpService::send(uint32_t a) {
  Attempt& at = attempts_.at(a);
  const Downstream& d = downstream_.at(at.downstream);
  const PathAnswer path = ask_path(network_, d.sidecar->source, pods_[at.host]->index());
  if (!path.reachable) {
    at.state = Attempt::State::connecting;  // the SYN goes nowhere: connect timeout (R-E4)
    at.transit = schedule_in(config_.connect_timeout, kConnectFailed, a);
    return;
  }
  at.state = Attempt::State::to_host;
  at.transit = schedule_in(path.delay, kArrive, a);
}

void HttpService::arrive(uint32_t a) {
  auto it = attempts_.find(a);
  if (it == attempts_.end()) return;
  Attempt& at = it->second;
  at.transit = {};
  ServicePod& pod = *pods_[at.host];
  if (!pod.accepting()) {
    try_done(a, {Kind::connect_failure, 503}, kUpstreamConnectFailure, false);  // nothing listens
    return;
  }
  at.state = Attempt::State::at_host;
  at.arrived = now();
  pod.serve(a);  // may answer at once (a full queue): do not touch `at` after this
}

// ---------------------------------------------------------------- answers from the pods

void HttpService::pod_answered(uint32_t a, int status) {
  auto it = attempts_.find(a);
  if (it == attempts_.end()) return;
  Attempt& at = it->second;
  if (at.state == Attempt::State::orphaned) {
    attempts_.erase(it);  // its caller gave up; reported then
    return;
  }
  const Sidecar& sc = *downstream_.at(at.downstream).sidecar;
  telemetry_.record(IstioTelemetry::Reporter::destination, *sc.who, status, kNoFlags, now() - at.arrived);
  at.status = status;
  const PathAnswer path = ask_path(network_, pods_[at.host]->index(), sc.source);
  if (!path.reachable) {
    at.state = Attempt::State::lost;  // the caller's timeouts decide
    return;
  }
  at.state = Attempt::State::returning;
  at.transit = schedule_in(path.delay, kAnswerArrives, a);
}

void HttpService::pod_reset(uint32_t a) {
  auto it = attempts_.find(a);
  if (it == attempts_.end()) return;
  if (it->second.state == Attempt::State::orphaned) {
    attempts_.erase(it);
    return;
  }
  try_done(a, {Kind::reset, 503}, kUpstreamReset, false);
}

// ---------------------------------------------------------------- ends of tries and requests

std::optional<uint32_t> HttpService::withdraw(uint32_t a, Attempt& at, bool caller_gave_up) {
  if (at.per_try.valid()) cancel(at.per_try);
  if (at.transit.valid()) cancel(at.transit);
  Sidecar& sc = *downstream_.at(at.downstream).sidecar;
  std::optional<uint32_t> next;
  if (at.holds_connection)
    next = sc.pool.release();
  else
    sc.pool.abandon(a);
  --sc.active_per_host[at.host];
  if (caller_gave_up && at.state == Attempt::State::at_host) {
    // The pod keeps working on it (a blocking application does not notice the reset); the
    // server's sidecar reports the downstream disconnect now and drops the pod's answer later.
    telemetry_.record(IstioTelemetry::Reporter::destination, *sc.who, 0, kDownstreamReset, now() - at.arrived);
    Attempt& kept = attempts_.at(a);
    kept.state = Attempt::State::orphaned;
    kept.per_try = {};
    kept.transit = {};
  } else {
    attempts_.erase(a);
  }
  return next;
}

void HttpService::hand_connection(std::optional<uint32_t> next) {
  if (!next) return;
  attempts_.at(*next).holds_connection = true;
  send(*next);
}

void HttpService::note_host(Sidecar& sc, size_t host, int status) {
  if (!sc.outlier.record(host, status, now())) return;
  ++ejections_;
  log_event("outlier-ejected", {{"caller", sc.pod != nullptr ? *sc.pod : sc.who->workload},
                                {"host", pods_[host]->path()},
                                {"ejection_s", sc.outlier.ejection_time(host).seconds()},
                                {"multiplier", sc.outlier.multiplier(host)}});
  if (!sweep_scheduled_) {
    // Envoy's interval timer ticks at every multiple of the interval from the start.
    const int64_t interval = config_.outlier.interval.count_ns();
    const int64_t next = (now().ns() / interval + 1) * interval;
    schedule_at(sim::SimTime::from_ns(next), kSweep, 0, true);
    sweep_scheduled_ = true;
  }
}

void HttpService::try_done(uint32_t a, const AttemptOutcome& outcome, uint16_t flags, bool caller_gave_up) {
  Attempt at = attempts_.at(a);
  const uint32_t id = at.downstream;
  const bool reached = at.state != Attempt::State::waiting;  // a connection was tried on the host
  Downstream& d = downstream_.at(id);
  Sidecar& sc = *d.sidecar;
  const std::optional<uint32_t> next = withdraw(a, at, caller_gave_up);
  d.attempt = 0;
  if (d.holds_retry) {
    sc.pool.end_retry();
    d.holds_retry = false;
  }
  if (reached) note_host(sc, at.host, outlier_status(outcome));
  bool retry = false;
  if (!d.route_has_faults && config_.retries.retriable(outcome)) {
    if (d.tries < config_.retries.max_tries()) {
      retry = sc.pool.begin_retry();  // R-E10: the retry budget
    } else if (config_.retries.attempts > 0) {
      flags |= kRetryLimitExceeded;
    }
  }
  if (retry) {
    d.holds_retry = true;
    ++retries_;
    d.retry_timer = schedule_in(config_.retries.backoff(d.tries, backoff_rng_), kRetry, id);  // R-E7
  } else {
    finish(id, outcome.status, d.flags | flags);
  }
  hand_connection(next);
}

void HttpService::finish(uint32_t id, int status, uint16_t flags) {
  auto it = downstream_.find(id);
  Downstream d = it->second;
  downstream_.erase(it);
  by_caller_.erase({d.connection, d.caller_id});
  if (d.route_timer.valid()) cancel(d.route_timer);
  if (d.retry_timer.valid()) cancel(d.retry_timer);
  if (d.holds_retry) d.sidecar->pool.end_retry();
  telemetry_.record(IstioTelemetry::Reporter::source, *d.sidecar->who, status, flags, now() - d.started);
  ++answered_[status];
  http_.send_to(d.connection, HttpResponse{d.caller_id, status, flags});
}

void HttpService::route_timeout(uint32_t id) {
  auto it = downstream_.find(id);
  if (it == downstream_.end()) return;
  Downstream& d = it->second;
  d.route_timer = {};
  ++route_timeouts_;
  if (d.retry_timer.valid()) {
    cancel(d.retry_timer);
    d.retry_timer = {};
  }
  std::optional<uint32_t> next;
  if (d.attempt != 0) {
    // R-E2: the route timeout covers every try and back-off; the try in progress is reset.
    Attempt at = attempts_.at(d.attempt);
    next = withdraw(d.attempt, at, true);
    if (at.state != Attempt::State::waiting) note_host(*d.sidecar, at.host, 504);
    d.attempt = 0;
  }
  finish(id, 504, d.flags | kUpstreamTimeout);
  hand_connection(next);
}

void HttpService::cancel_downstream(uint32_t connection, uint64_t caller_id) {
  auto k = by_caller_.find({connection, caller_id});
  if (k == by_caller_.end()) return;  // answered already
  const uint32_t id = k->second;
  by_caller_.erase(k);
  Downstream d = downstream_.at(id);
  std::optional<uint32_t> next;
  if (d.attempt != 0) {
    Attempt at = attempts_.at(d.attempt);
    next = withdraw(d.attempt, at, true);
  }
  downstream_.erase(id);
  if (d.route_timer.valid()) cancel(d.route_timer);
  if (d.retry_timer.valid()) cancel(d.retry_timer);
  if (d.holds_retry) d.sidecar->pool.end_retry();
  telemetry_.record(IstioTelemetry::Reporter::source, *d.sidecar->who, 0, d.flags | kDownstreamReset, now() - d.started);
  hand_connection(next);
}

void HttpService::sweep() {
  sweep_scheduled_ = false;
  bool more = false;
  for (auto& [key, sc] : sidecars_) {
    for (size_t host : sc->outlier.sweep(now()))
      log_event("outlier-returned", {{"caller", sc->pod != nullptr ? *sc->pod : sc->who->workload},
                                     {"host", pods_[host]->path()}});
    more = more || sc->outlier.needs_sweep();
  }
  if (more) {
    schedule_in(config_.outlier.interval, kSweep, 0, true);
    sweep_scheduled_ = true;
  }
}

void HttpService::handle(uint16_t event_kind, uint32_t arg) {
  switch (event_kind) {
    case kStart:
      start(arg);
      break;
    case kFaultDelayDone:
      if (downstream_.count(arg) != 0) proceed(arg);
      break;
    case kArrive:
      arrive(arg);
      break;
    case kAnswerArrives: {
      auto it = attempts_.find(arg);
      if (it == attempts_.end()) break;
      it->second.transit = {};
      try_done(arg, {Kind::response, it->second.status}, kNoFlags, false);
      break;
    }
    case kConnectFailed: {
      auto it = attempts_.find(arg);
      if (it == attempts_.end()) break;
      it->second.transit = {};
      try_done(arg, {Kind::connect_failure, 503}, kUpstreamConnectFailure, false);
      break;
    }
    case kPerTryTimeout: {
      auto it = attempts_.find(arg);
      if (it == attempts_.end() || it->second.state == Attempt::State::orphaned) break;
      it->second.per_try = {};
      ++per_try_timeouts_;
      try_done(arg, {Kind::timeout, 504}, kUpstreamTimeout, true);  // R-E3
      break;
    }
    case kRouteTimeout:
      route_timeout(arg);
      break;
    case kRetry: {
      auto it = downstream_.find(arg);
      if (it == downstream_.end()) break;
      it->second.retry_timer = {};
      start_try(arg);
      break;
    }
    case kSweep:
      sweep();
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------- this service's own calls

uint64_t HttpService::call_upstream(ServicePod& pod, uint32_t slot) {
  const uint64_t id = next_call_++;
  calls_.emplace(id, Call{&pod, slot});
  HttpRequest r;
  r.id = id;
  r.source = pod.index();
  r.from = &identity_;
  r.pod = &pod.path();
  upstream_.send(r);
  return id;
}

void HttpService::abandon_call(uint64_t call) {
  auto it = calls_.find(call);
  if (it == calls_.end()) return;
  HttpRequest r;
  r.op = HttpRequest::Op::cancel;
  r.id = call;
  r.source = it->second.pod->index();
  r.from = &identity_;
  r.pod = &it->second.pod->path();
  calls_.erase(it);
  upstream_.send(r);
}

void HttpService::on_upstream_answer(const HttpResponse& response) {
  auto it = calls_.find(response.id);
  if (it == calls_.end()) return;
  const Call c = it->second;
  calls_.erase(it);
  c.pod->upstream_answered(c.slot, response.status);
}

// ---------------------------------------------------------------- faults

sim::FaultOutcome HttpService::on_fault_start(const sim::Fault& f) {
  if (f.kind == "mesh-abort" || f.kind == "mesh-delay") {
    ActiveFault a;
    a.id = f.id;
    a.abort = f.kind == "mesh-abort";
    a.percent = f.number_param("percent", 1.0);
    a.status = static_cast<int>(f.number_param("http_status", 503));
    a.delay = f.duration_param("delay").value_or(sim::Duration::zero());
    faults_.push_back(a);
    return sim::FaultOutcome::ok();
  }
  if (f.kind == "pod-kill" || f.kind == "pod-failure" || f.kind == "container-kill" || f.kind == "process-freeze" ||
      f.kind == "node-down" || f.kind == "stress-cpu" || f.kind == "io-fault" || f.kind == "io-latency")
    return sim::FaultOutcome::unmapped("http-service " + path() + " stands for the Kubernetes Service and its Istio "
                                       "routes: aim " + f.kind + " at its pods (" + path() + "/" + path() + "-0, …)");
  return sim::FaultOutcome::unmapped("an http-service does not react to " + f.kind);
}

void HttpService::on_fault_end(const sim::Fault& f) {
  faults_.erase(std::remove_if(faults_.begin(), faults_.end(), [&](const ActiveFault& a) { return a.id == f.id; }),
                faults_.end());
}

nlohmann::ordered_json HttpService::summary() const {
  nlohmann::ordered_json answered = nlohmann::ordered_json::object();
  for (const auto& [status, n] : answered_) answered[std::to_string(status)] = n;
  uint64_t overflows = 0;
  for (const auto& [key, sc] : sidecars_) overflows += sc->pool.overflows();
  return {{"requests", requests_},
          {"answered", answered},
          {"retries", retries_},
          {"per_try_timeouts", per_try_timeouts_},
          {"route_timeouts", route_timeouts_},
          {"aborts_injected", aborts_injected_},
          {"delays_injected", delays_injected_},
          {"overflows", overflows},
          {"no_healthy_upstream", no_healthy_upstream_},
          {"ejections", ejections_}};
}

// ---------------------------------------------------------------- the kind

sim::KindInfo HttpService::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "http-service";
  k.help = "an HTTP service of pods in an Istio mesh: service time, concurrency, a call to another service with an "
           "optional fallback; its VirtualService route (timeout, retries) and DestinationRule (connection pool, "
           "outlier detection) apply to every call made to it";
  k.replication = sim::Replication::self;
  k.count_help = "pods of the service's Deployment (<name>/<name>-<i>)";
  sim::ReferenceSpec upstream;
  upstream.target_kinds = {"http-service"};
  upstream.flow = sim::ReferenceSpec::Flow::to_target;  // a call loop would never end
  upstream.wires = {{"upstream", "http"}};
  const std::string unlimited_source = "R-E15: Istio default 2^32 − 1 (no limit)";
  k.params = {
      // ---- the application
      ParamSpec::ref("calls", upstream)
          .optional()
          .describe("the service each request calls once (and waits for) after its own work"),
      ParamSpec::distribution("service_time")
          .def("5ms")
          .describe("the application's own work per request")
          .from("no measured source for bookinfo; calibrate from istio_request_duration_milliseconds"),
      ParamSpec::integer("concurrency", "requests")
          .def(0)
          .at_least(0)
          .describe("requests a pod works on at once (worker threads); 0 = no limit")
          .from("the application server's thread pool; no limit when unset"),
      ParamSpec::integer("queue_limit", "requests")
          .def(0)
          .at_least(0)
          .describe("requests waiting for a worker; one more is answered 503; 0 = no limit")
          .from("the application server's accept queue; no limit when unset"),
      ParamSpec::duration("call_timeout")
          .optional()
          .above(0)
          .describe("the application's own timeout on its call; none when absent")
          .from("application client setting (R-E16)"),
      ParamSpec::boolean("fallback")
          .def(false)
          .describe("when the call fails, answer a degraded 200 (reviews without ratings) instead of an error")
          .from("R-E16: fallbacks are application-level"),
      ParamSpec::duration("fallback_time")
          .def("0s")
          .at_least(0)
          .describe("cost of building the degraded answer")
          .from("R-E16 t_fallback"),
      ParamSpec::integer("error_status", "")
          .def(500)
          .at_least(500)
          .at_most(599)
          .describe("status answered when the call fails and there is no fallback")
          .from("an unhandled upstream error in the application: HTTP 500"),
      ParamSpec::number("cpus", "cores")
          .def(1.0)
          .above(0)
          .describe("CPU cores a pod can use; CPU stressors share them")
          .from("pod CPU limit; 1 core when unset"),
      ParamSpec::text("namespace")
          .def("default")
          .describe("Kubernetes namespace: the *_namespace labels and the destination_service host")
          .from("Istio standard metrics labels"),
      // ---- VirtualService route to this service
      ParamSpec::duration("timeout")
          .optional()
          .above(0)
          .describe("route timeout over all tries and back-offs, answered 504; none when absent")
          .from("R-E1 (disabled by default), R-E2"),
      ParamSpec::integer("retry_attempts", "retries")
          .def(2)
          .at_least(0)
          .describe("retries after the first try")
          .from("R-E5: Istio default retry policy attempts 2"),
      ParamSpec::text("retry_on")
          .def("connect-failure,refused-stream,unavailable,cancelled")
          .describe("Istio retryOn: 5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, "
                    "retriable-status-codes, gRPC statuses, HTTP status codes")
          .from("R-E5 default, R-E8 semantics"),
      ParamSpec::duration("per_try_timeout")
          .optional()
          .above(0)
          .describe("timeout of each try; a timed-out try is retried under 5xx, gateway-error or reset")
          .from("R-E3: default none (the route timeout)"),
      ParamSpec::duration("retry_backoff")
          .def("25ms")
          .at_least(0)
          .describe("base of the jittered exponential back-off: retry n waits U[0, (2^n − 1) × base), at most 10 × base")
          .from("R-E7"),
      ParamSpec::boolean("retry_ignore_previous_hosts")
          .def(true)
          .describe("a retry avoids the hosts already tried when another is available")
          .from("R-E6"),
      // ---- DestinationRule traffic policy
      ParamSpec::integer("max_connections", "connections")
          .def(static_cast<int64_t>(ConnectionPoolLimits::kUnlimited))
          .at_least(1)
          .describe("connectionPool.tcp.maxConnections, per calling sidecar: requests served at once (HTTP/1.1)")
          .from(unlimited_source),
      ParamSpec::integer("max_pending_requests", "requests")
          .def(static_cast<int64_t>(ConnectionPoolLimits::kUnlimited))
          .at_least(1)
          .describe("connectionPool.http.http1MaxPendingRequests: requests waiting for a connection; more get 503 UO")
          .from(unlimited_source),
      ParamSpec::integer("max_requests", "requests")
          .def(static_cast<int64_t>(ConnectionPoolLimits::kUnlimited))
          .at_least(1)
          .describe("connectionPool.http.http2MaxRequests: requests outstanding; more get 503 UO")
          .from(unlimited_source),
      ParamSpec::integer("max_retries", "retries")
          .def(static_cast<int64_t>(ConnectionPoolLimits::kUnlimited))
          .at_least(1)
          .describe("connectionPool.http.maxRetries: retries outstanding at once; more are not made")
          .from("R-E10, R-E15"),
      ParamSpec::duration("connect_timeout")
          .def("10s")
          .above(0)
          .describe("connectionPool.tcp.connectTimeout: a host the network cannot reach fails after it (503 UF)")
          .from("R-E4"),
      ParamSpec::choice("load_balancer", {"round-robin", "least-request"})
          .def("round-robin")
          .describe("trafficPolicy.loadBalancer.simple")
          .from("Envoy ROUND_ROBIN (Istio's default before 1.14, LEAST_REQUEST since [UNVERIFIED here])"),
      ParamSpec::boolean("outlier_detection")
          .def(false)
          .describe("the DestinationRule has outlierDetection (with the defaults below unless set)")
          .from("R-E12: none unless configured"),
      ParamSpec::integer("consecutive_5xx_errors", "responses")
          .def(5)
          .at_least(0)
          .describe("outlierDetection.consecutive5xxErrors; 0 disables")
          .from("R-E12"),
      ParamSpec::integer("consecutive_gateway_errors", "responses")
          .def(0)
          .at_least(0)
          .describe("outlierDetection.consecutiveGatewayErrors (502, 503, 504); 0 disables")
          .from("R-E12"),
      ParamSpec::duration("outlier_interval")
          .def("10s")
          .above(0)
          .describe("outlierDetection.interval: the sweeps that bring ejected hosts back")
          .from("R-E12"),
      ParamSpec::duration("base_ejection_time")
          .def("30s")
          .above(0)
          .describe("outlierDetection.baseEjectionTime, multiplied by the host's consecutive ejections")
          .from("R-E12, R-E13"),
      ParamSpec::duration("max_ejection_time")
          .def("300s")
          .above(0)
          .describe("the longest ejection")
          .from("R-E13 (Envoy max_ejection_time) [UNVERIFIED]"),
      ParamSpec::ratio("max_ejection_percent")
          .def(0.1)
          .describe("outlierDetection.maxEjectionPercent: a host is ejected only while fewer are (the first always)")
          .from("R-E12, R-E13"),
      ParamSpec::ratio("panic_threshold")
          .def(0.5)
          .describe("below this share of healthy hosts, traffic goes to every host, ejected or not (0 disables; "
                    "Istio's minHealthPercent sets it)")
          .from("R-E14: Envoy healthy_panic_threshold 50 %"),
  };
  for (auto& p : Pod::pod_params("2s", "an application start; no measured source, calibrate",
                                 PodConfig::Controller::deployment))
    k.params.push_back(std::move(p));
  k.validate = [](const sim::ParamValues& p, int64_t, const sim::Document& doc) {
    try {
      (void)RetryOn::parse(p.text("retry_on"));
    } catch (const std::invalid_argument& e) {
      throw doc.error(p.pointer("retry_on"), e.what());
    }
  };
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    const sim::ParamValues& p = inst.params;
    HttpServiceConfig c;
    c.space = p.text("namespace");
    c.timeout = p.optional_duration("timeout");
    c.retries.attempts = static_cast<uint32_t>(p.integer("retry_attempts"));
    c.retries.on = RetryOn::parse(p.text("retry_on"));
    c.retries.per_try_timeout = p.optional_duration("per_try_timeout");
    c.retries.backoff_base = p.duration("retry_backoff");
    c.retries.ignore_previous_hosts = p.boolean("retry_ignore_previous_hosts");
    c.pool.max_connections = static_cast<uint64_t>(p.integer("max_connections"));
    c.pool.max_pending_requests = static_cast<uint64_t>(p.integer("max_pending_requests"));
    c.pool.max_requests = static_cast<uint64_t>(p.integer("max_requests"));
    c.pool.max_retries = static_cast<uint64_t>(p.integer("max_retries"));
    c.connect_timeout = p.duration("connect_timeout");
    c.balancer = p.text("load_balancer") == "least-request" ? HttpServiceConfig::Balancer::least_request
                                                             : HttpServiceConfig::Balancer::round_robin;
    c.outlier.enabled = p.boolean("outlier_detection");
    c.outlier.consecutive_5xx = static_cast<uint32_t>(p.integer("consecutive_5xx_errors"));
    c.outlier.consecutive_gateway = static_cast<uint32_t>(p.integer("consecutive_gateway_errors"));
    c.outlier.interval = p.duration("outlier_interval");
    c.outlier.base_ejection_time = p.duration("base_ejection_time");
    c.outlier.max_ejection_time = p.duration("max_ejection_time");
    c.outlier.max_ejection_percent = p.ratio("max_ejection_percent") * 100.0;
    c.panic_threshold = p.ratio("panic_threshold");
    c.calls = p.has("calls");
    ServicePodConfig pc;
    pc.service_time = p.distribution("service_time");
    pc.concurrency = static_cast<uint32_t>(p.integer("concurrency"));
    pc.queue_limit = static_cast<uint32_t>(p.integer("queue_limit"));
    pc.call_timeout = p.optional_duration("call_timeout");
    pc.fallback = p.boolean("fallback");
    pc.fallback_time = p.duration("fallback_time");
    pc.error_status = static_cast<int>(p.integer("error_status"));
    pc.cpus = p.number("cpus");
    auto& service = sim.add<HttpService>({inst.path, inst.labels}, c);
    const PodConfig pod = Pod::pod_config(inst);
    for (uint32_t n = 0; n < inst.count; ++n) {
      auto& member = sim.add<ServicePod>({inst.path + "/" + inst.path + "-" + std::to_string(n), inst.labels}, pod,
                                         pc, service);
      service.adopt_pod(member);
    }
    return service;
  };
  return k;
}

}  // namespace faultline::models

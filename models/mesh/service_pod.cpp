#include "models/mesh/service_pod.hpp"

#include "models/mesh/http_service.hpp"
#include "sim/core/simulation.hpp"

namespace faultline::models {

ServicePod::ServicePod(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, ServicePodConfig config,
                       HttpService& service)
    : Pod(sim, std::move(id), std::move(pod)),
      config_(std::move(config)),
      service_(service),
      up_(pod_config().present),
      in_service_(pod_config().present),
      service_rng_(rng("service-time")),
      io_rng_(rng("io-faults")) {}

void ServicePod::serve(uint32_t attempt) {
  const uint32_t slot = next_slot_++;
  jobs_.emplace(slot, Job{attempt});
  if (config_.concurrency == 0 || busy_ < config_.concurrency) {
    start(slot);
    return;
  }
  if (config_.queue_limit != 0 && waiting_.size() >= config_.queue_limit) {
    ++overloaded_;
    answer(slot, config_.overload_status);
    return;
  }
  waiting_.push_back(slot);
}

void ServicePod::start(uint32_t slot) {
  Job& job = jobs_.at(slot);
  job.stage = Job::Stage::working;
  ++busy_;
  sim::Duration work = config_.service_time.sample_duration(service_rng_);
  if (stress_load_ > 0) {
    // A CPU-bound worker sharing `cpus` cores with stressors of total load L gets
    // cpus / (cpus + L) of them [DERIVED].
    work = sim::Duration::from_seconds(work.seconds() * (config_.cpus + stress_load_) / config_.cpus);
  }
  if (io_latency_share_ > 0 && io_rng_.bernoulli(io_latency_share_)) work += io_latency_;
  job.timer = schedule_app(work, kWorkDone, slot);
}

void ServicePod::handle_app(uint16_t event_kind, uint32_t slot) {
  auto it = jobs_.find(slot);
  if (it == jobs_.end()) return;
  switch (event_kind) {
    case kWorkDone:
      work_done(slot);
      break;
    case kCallTimeout:
      if (it->second.stage != Job::Stage::calling) break;
      service_.abandon_call(it->second.call);
      call_failed(slot);
      break;
    case kFallbackDone:
      ++fallbacks_;
      answer(slot, 200);
      break;
    default:
      break;
  }
}

void ServicePod::work_done(uint32_t slot) {
  Job& job = jobs_.at(slot);
  if (io_error_share_ > 0 && io_rng_.bernoulli(io_error_share_)) {
    answer(slot, 500);  // the request's volume access failed: the application's error page
    return;
  }
  if (!service_.config().calls) {
    answer(slot, 200);
    return;
  }
  job.stage = Job::Stage::calling;
  job.call = service_.call_upstream(*this, slot);
  if (config_.call_timeout) jobs_.at(slot).timer = schedule_app(*config_.call_timeout, kCallTimeout, slot);
}

void ServicePod::upstream_answered(uint32_t slot, int status) {
  auto it = jobs_.find(slot);
  if (it == jobs_.end() || it->second.stage != Job::Stage::calling) return;
  if (it->second.timer.valid()) cancel(it->second.timer);
  if (status >= 200 && status < 500) {
    answer(slot, 200);
    return;
  }
  call_failed(slot);
}

void ServicePod::call_failed(uint32_t slot) {
  Job& job = jobs_.at(slot);
  if (!config_.fallback) {
    answer(slot, config_.error_status);
    return;
  }
  // R-E16: the degraded answer (reviews without stars) costs fallback_time.
  job.stage = Job::Stage::falling_back;
  job.timer = schedule_app(config_.fallback_time, kFallbackDone, slot);
}

void ServicePod::answer(uint32_t slot, int status) {
  auto it = jobs_.find(slot);
  const uint32_t attempt = it->second.attempt;
  const bool had_worker = it->second.stage != Job::Stage::queued;
  jobs_.erase(it);
  if (status < 500)
    ++served_;
  else
    ++errors_;
  if (had_worker) {
    --busy_;
    if (!waiting_.empty()) {
      const uint32_t next = waiting_.front();
      waiting_.pop_front();
      start(next);
    }
  }
  service_.pod_answered(attempt, status);
}

void ServicePod::on_process_stop(StopCause) {
  // The process is gone: its connections are reset and its own calls abandoned.
  std::map<uint32_t, Job> jobs;
  jobs.swap(jobs_);
  waiting_.clear();
  busy_ = 0;
  up_ = false;
  for (const auto& [slot, job] : jobs) {
    if (job.stage == Job::Stage::calling) service_.abandon_call(job.call);
    service_.pod_reset(job.attempt);
  }
}

void ServicePod::on_ready() {
  up_ = true;
  in_service_ = true;
  service_.endpoint_changed();
}

void ServicePod::on_unready() {
  in_service_ = false;
  service_.endpoint_changed();
}

sim::FaultOutcome ServicePod::on_app_fault_start(const sim::Fault& f) {
  if (f.kind == "stress-cpu") {
    stress_load_ += static_cast<double>(f.params.value("workers", int64_t{1})) * f.params.value("load", 1.0);
    return sim::FaultOutcome::ok();
  }
  if (f.kind == "io-fault") {
    io_error_share_ = f.params.value("percent", 1.0);
    return sim::FaultOutcome::ok();
  }
  if (f.kind == "io-latency") {
    io_latency_share_ = f.params.value("percent", 1.0);
    io_latency_ = f.duration_param("delay").value_or(sim::Duration::zero());
    return sim::FaultOutcome::ok();
  }
  if (f.kind == "mesh-abort" || f.kind == "mesh-delay")
    return sim::FaultOutcome::unmapped("Istio injects HTTP faults on the route to a service (its VirtualService "
                                       "host), not in a pod: aim " + f.kind + " at the service " +
                                       service_.path());
  return sim::FaultOutcome::unmapped("an http-service pod does not react to " + f.kind);
}

void ServicePod::on_app_fault_end(const sim::Fault& f) {
  if (f.kind == "stress-cpu") {
    stress_load_ -= static_cast<double>(f.params.value("workers", int64_t{1})) * f.params.value("load", 1.0);
    if (stress_load_ < 1e-12) stress_load_ = 0;
  } else if (f.kind == "io-fault") {
    io_error_share_ = 0;
  } else if (f.kind == "io-latency") {
    io_latency_share_ = 0;
  }
}

nlohmann::ordered_json ServicePod::summary() const {
  return {{"served", served_}, {"errors", errors_}, {"fallbacks", fallbacks_}, {"overloaded", overloaded_}};
}

}  // namespace faultline::models

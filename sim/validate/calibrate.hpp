// `faultline calibrate SCENARIO --observed TRACE... [--record RECORD...] [--out overlay.yaml]` (DESIGN §8,
// §9): fits model parameters from a steady-state stretch of an observed trace with least squares (Eigen), and
// writes them as a scenario overlay (sim/validate/overlay.hpp).
//
// The steady stretch is from 5 s after the records' time zero to the first fault (or the whole trace when
// there is none; --steady FROM..TO overrides, seconds from the time zero). With as many records as traces
// (more than one), record k and trace k are one run and every fit pools the runs' stretches (one intercept
// per run); otherwise the traces are one run whose time zero is the first record's. Fits:
// - arrival rate and consumer throughput: the slopes of the received and delivered counters (summed over the
//   nodes, counter resets undone), y = a + r·t;
// - service time: Little's law on the broker, backlog(t) = r·W with the backlog ready + unacked summed over
//   the queues: W is the time from enqueue to ack;
// - confirm latency: per queue from per-message ground truth (messages.csv: t_confirm_s − t_pub_s of the
//   confirmed messages published in the steady stretch); without it, Little's law on the unconfirmed
//   publishes, received(t) − confirmed(t) = r·Wc, valid only when both counters started together (a fresh
//   broker, a simulated trace);
// - restart and rejoin times: the records' fault-to-recovery gaps (recovered_s − start_s, or from the end of
//   a pod-failure), per component; a target that came back through a manual-restore is left out.
// The overlay sets what a fit determines: each producer's rate (the arrival rate split evenly over the producer pods);
//   the broker's confirm path (commit_latency = Wc for a quorum queue, an fsync_interval of 2·Wc for a
//   classic one, R-CQ4); each consumer's processing time and each restarted component's app_start. The last
//   two are then matched with the model in the loop: the scenario with the overlay so far is run (without
//   faults, scraped every 100 ms, for the service time; with one recorded fault for a restart), and the
//   parameter is moved by secant steps until the model's own sojourn W, or its own fault-to-recovery gap,
//   equals the fitted one: the model's database, network, queueing, readiness probes and state transfers are
//   accounted for whatever they are. Every fit, set or not, is in the overlay's `fits` with its samples and
//   residual.
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/document.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::validate {

struct CalibrateOptions {
  std::string scenario;
  std::vector<std::string> observed;
  std::vector<std::string> records;
  std::optional<std::string> experiment;
  std::vector<std::string> sets;
  std::optional<std::string> start_time;
  std::optional<std::string> steady;  // "FROM..TO", seconds or durations from the time zero
};

struct Fit {
  std::string name;  // arrival_rate, consumer_throughput, service_time,
                     // confirm_latency, restart:<component>
  double value = 0;
  std::string unit;
  size_t samples = 0;
  double residual_rms = 0;
  std::string method;
  std::vector<std::string> sets;  // the overlay entries this fit produced
  std::string note;
};

struct Calibration {
  std::string scenario;
  std::string description;
  double steady_from_s = 0, steady_to_s = 0;
  std::vector<Fit> fits;
  std::vector<std::pair<std::string, sim::Json>> sets;  // parameter path → value, in order
  std::vector<std::string> notes;

  /// The overlay file (YAML), deterministic.
  [[nodiscard]] std::string render_overlay() const;
};

struct LeastSquares {
  Eigen::VectorXd beta;
  double residual_rms = 0;
};

/// Solves min ‖Xβ − y‖ (column-pivoting QR); X has as many rows as y.
LeastSquares least_squares(const Eigen::MatrixXd& x, const Eigen::VectorXd& y);

/// Runs the calibration. Throws sim::InputError for bad input or a trace that allows no fit.
Calibration run_calibration(const CalibrateOptions& options, const sim::ModelRegistry& registry);

}  // namespace faultline::validate

// Closed forms and exact Markov-chain solutions that the simulator is checked against
// (DESIGN §8): M/M/c waiting time (Erlang C) and the loss rate of a bounded queue, M/M/c/K,
// from the stationary distribution of its continuous-time Markov chain, solved with Eigen.
#pragma once

#include <vector>

namespace faultline::analytic {

struct ErlangC {
  double wait_probability;  // C(c, a): an arrival waits
  double mean_wait;         // Wq, seconds
  double mean_sojourn;      // W = Wq + 1/μ, seconds
  double mean_queue;        // Lq
};

/// M/M/c with arrival rate λ and service rate μ per server; requires λ < cμ.
ErlangC erlang_c(double lambda, double mu, int servers);

/// Stationary distribution of the M/M/c/K birth–death CTMC (K = most customers in the system,
/// waiting or in service), from πQ = 0 and Σπ = 1 solved with Eigen. Index n = customers.
std::vector<double> mmck_stationary(double lambda, double mu, int servers, int capacity);

/// Blocking probability π_K: by PASTA, the fraction of arrivals lost.
double mmck_blocking(double lambda, double mu, int servers, int capacity);

}  // namespace faultline::analytic

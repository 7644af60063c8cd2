#include "validation/analytic/queueing.hpp"

#include <Eigen/Dense>

#include <cmath>
#include <stdexcept>

namespace faultline::analytic {

ErlangC erlang_c(double lambda, double mu, int c) {
  if (!(lambda > 0) || !(mu > 0) || c < 1 || lambda >= c * mu)
    throw std::invalid_argument("Erlang C needs λ > 0, μ > 0, c ≥ 1 and λ < cμ");
  const double a = lambda / mu;
  double term = 1, sum = 0;  // Σ_{k<c} a^k / k!
  for (int k = 0; k < c; ++k) {
    if (k > 0) term *= a / k;
    sum += term;
  }
  const double top = term * a / c * c / (c - a);  // a^c / c! · c / (c − a)
  const double pw = top / (sum + top);
  const double wq = pw / (c * mu - lambda);
  return {pw, wq, wq + 1 / mu, pw * (a / c) / (1 - a / c)};
}

std::vector<double> mmck_stationary(double lambda, double mu, int c, int K) {
  if (!(lambda > 0) || !(mu > 0) || c < 1 || K < c) throw std::invalid_argument("M/M/c/K needs λ, μ > 0 and K ≥ c ≥ 1");
  const int n = K + 1;
  // Generator Q: births λ (n < K), deaths min(n, c)·μ.
  Eigen::MatrixXd Q = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i < n; ++i) {
    if (i < K) Q(i, i + 1) = lambda;
    if (i > 0) Q(i, i - 1) = std::min(i, c) * mu;
    Q(i, i) = -Q.row(i).sum();
  }
  // πQ = 0 ⇔ Qᵀπᵀ = 0; replace the last balance equation by Σπ = 1.
  Eigen::MatrixXd A = Q.transpose();
  A.row(n - 1).setOnes();
  Eigen::VectorXd b = Eigen::VectorXd::Zero(n);
  b(n - 1) = 1;
  const Eigen::VectorXd pi = A.fullPivLu().solve(b);
  return std::vector<double>(pi.data(), pi.data() + n);
}

double mmck_blocking(double lambda, double mu, int c, int K) { return mmck_stationary(lambda, mu, c, K).back(); }

}  // namespace faultline::analytic

#include "models/mesh/retry_policy.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace faultline::models {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

RetryOn RetryOn::parse(std::string_view text) {
  RetryOn on;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = text.find(',', pos);
    const size_t length = comma == std::string_view::npos ? std::string_view::npos : comma - pos;
    const std::string_view token = trim(text.substr(pos, length));
    pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    if (token.empty()) continue;
    if (token == "5xx") {
      on.policies |= k5xx;
    } else if (token == "gateway-error") {
      on.policies |= kGatewayError;
    } else if (token == "reset") {
      on.policies |= kReset;
    } else if (token == "connect-failure") {
      on.policies |= kConnectFailure;
    } else if (token == "retriable-4xx") {
      on.policies |= kRetriable4xx;
    } else if (token == "refused-stream") {
      on.policies |= kRefusedStream;
    } else if (token == "retriable-status-codes") {
      on.policies |= kRetriableStatusCodes;
    } else if (token == "cancelled" || token == "deadline-exceeded" || token == "internal" ||
               token == "resource-exhausted" || token == "unavailable") {
      on.policies |= kGrpc;
    } else {
      int code = 0;
      const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), code);
      if (ec != std::errc() || end != token.data() + token.size() || code < 100 || code > 599)
        throw std::invalid_argument("unknown retryOn policy \"" + std::string(token) +
                                    "\"; expected 5xx, gateway-error, reset, connect-failure, retriable-4xx, "
                                    "refused-stream, retriable-status-codes, a gRPC status or an HTTP status code");
      on.status_codes.push_back(code);
    }
  }
  return on;
}

bool RetryPolicy::retriable(const AttemptOutcome& o) const {
  using Kind = AttemptOutcome::Kind;
  const uint32_t p = on.policies;
  switch (o.kind) {
    case Kind::overflow:
    case Kind::no_healthy_upstream:
      return false;  // local replies: Envoy never retries an overflow
    case Kind::connect_failure:
      return (p & (RetryOn::k5xx | RetryOn::kGatewayError | RetryOn::kReset | RetryOn::kConnectFailure)) != 0;
    case Kind::reset:
    case Kind::timeout:
      // "5xx: … or does not respond at all (disconnect/reset/read timeout)" (R-E8).
      return (p & (RetryOn::k5xx | RetryOn::kGatewayError | RetryOn::kReset)) != 0;
    case Kind::response:
      break;
  }
  const int s = o.status;
  if ((p & RetryOn::k5xx) != 0 && s >= 500) return true;
  if ((p & RetryOn::kGatewayError) != 0 && (s == 502 || s == 503 || s == 504)) return true;
  if ((p & RetryOn::kRetriable4xx) != 0 && s == 409) return true;
  return std::find(on.status_codes.begin(), on.status_codes.end(), s) != on.status_codes.end();
}

sim::Duration RetryPolicy::backoff_range(uint32_t n) const {
  if (n == 0) return sim::Duration::zero();
  // (2^n − 1) × base grows past the cap within a few retries; stop doubling there.
  const int64_t base = backoff_base.count_ns();
  const int64_t cap = backoff_cap().count_ns();
  int64_t range = base;
  for (uint32_t k = 1; k < n && range <= cap; ++k) range = range * 2 + base;
  return sim::Duration::ns(range);
}

sim::Duration RetryPolicy::backoff(uint32_t n, sim::RandomStream& rng) const {
  const int64_t range = backoff_range(n).count_ns();
  if (range <= 0) return sim::Duration::zero();
  const auto draw = static_cast<int64_t>(rng.uniform_below(static_cast<uint64_t>(range)));
  return sim::Duration::ns(std::min(draw, backoff_cap().count_ns()));  // R-E7: capped at 10 × base
}

}  // namespace faultline::models

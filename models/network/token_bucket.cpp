#include "models/network/token_bucket.hpp"

#include <algorithm>

namespace faultline::models {

TokenBucket::TokenBucket(double rate, double buffer, double limit, sim::SimTime now)
    : rate_(rate), buffer_(buffer), limit_(limit), tokens_(buffer), ref_(now), backlog_until_(now) {}

TokenBucket::Departure TokenBucket::send(sim::SimTime now, double bytes) {
  // Bytes still waiting for tokens ahead of this message.
  const double ahead = backlog_until_ > now ? (backlog_until_ - now).seconds() * rate_ : 0.0;
  const bool over_limit = ahead > 0 && ahead + bytes > limit_;
  const sim::SimTime start = std::max(now, backlog_until_);
  double tokens = std::min(buffer_, tokens_ + rate_ * (start - ref_).seconds());
  sim::SimTime depart = start;
  if (tokens >= bytes) {
    tokens -= bytes;
  } else {
    depart = start + sim::Duration::from_seconds((bytes - tokens) / rate_);
    tokens = 0;
  }
  tokens_ = tokens;
  ref_ = depart;
  backlog_until_ = depart;
  return {depart, over_limit};
}

}  // namespace faultline::models

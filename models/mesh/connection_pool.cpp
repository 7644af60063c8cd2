#include "models/mesh/connection_pool.hpp"

#include <algorithm>

namespace faultline::models {

ConnectionPool::Admission ConnectionPool::admit(uint32_t attempt) {
  if (active() >= limits_.max_requests) {
    ++overflows_;
    return Admission::overflow;
  }
  if (busy_ < limits_.max_connections) {
    ++busy_;
    return Admission::send;
  }
  if (pending_.size() >= limits_.max_pending_requests) {
    ++overflows_;
    return Admission::overflow;
  }
  pending_.push_back(attempt);
  return Admission::wait;
}

std::optional<uint32_t> ConnectionPool::release() {
  if (!pending_.empty()) {
    const uint32_t next = pending_.front();  // the connection passes on: busy_ is unchanged
    pending_.pop_front();
    return next;
  }
  if (busy_ > 0) --busy_;
  return std::nullopt;
}

void ConnectionPool::abandon(uint32_t attempt) {
  const auto it = std::find(pending_.begin(), pending_.end(), attempt);
  if (it != pending_.end()) pending_.erase(it);
}

bool ConnectionPool::begin_retry() {
  if (retries_ >= limits_.max_retries) return false;
  ++retries_;
  return true;
}

void ConnectionPool::end_retry() {
  if (retries_ > 0) --retries_;
}

}  // namespace faultline::models

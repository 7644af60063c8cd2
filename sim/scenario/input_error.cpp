#include "sim/scenario/input_error.hpp"

#include <algorithm>

namespace faultline::sim {

namespace {
std::string format(const std::string& file, const std::string& pointer, int line, const std::string& message) {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!pointer.empty()) out += "at " + pointer + ": ";
  return out + message;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

InputError::InputError(std::string file, std::string pointer, int line, std::string message)
    : std::runtime_error(format(file, pointer, line, message)),
      file_(std::move(file)),
      pointer_(std::move(pointer)),
      line_(line),
      message_(std::move(message)) {}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const std::string& c : candidates) {  // candidates come in a fixed order: ties keep the first
    const size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  const size_t allowed = std::max<size_t>(2, word.size() / 3);
  return best_d <= allowed ? best : std::string();
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string m = closest_match(word, candidates);
  return m.empty() ? std::string() : " (did you mean \"" + m + "\"?)";
}

}  // namespace faultline::sim

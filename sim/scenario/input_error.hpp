// Bad input (exit code 2, DESIGN §9): names the file, the place (JSON pointer and line) and
// what was expected. Thrown by every loader and importer.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace faultline::sim {

class InputError : public std::runtime_error {
 public:
  /// `line` is 1-based, 0 when unknown; `pointer` may be empty.
  InputError(std::string file, std::string pointer, int line, std::string message);

  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] const std::string& pointer() const { return pointer_; }
  [[nodiscard]] int line() const { return line_; }
  [[nodiscard]] const std::string& message() const { return message_; }

 private:
  std::string file_, pointer_;
  int line_;
  std::string message_;
};

/// The closest candidate within a small edit distance, or "" ("did you mean …?").
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
/// " (did you mean \"x\"?)" or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace faultline::sim

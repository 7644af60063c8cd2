// Outputs are written atomically (a temporary file in the same folder, then a rename), so a
// reader never sees half a file and an interrupted run leaves no truncated output.
#pragma once

#include <string>
#include <string_view>

namespace faultline::sim {

/// Writes `content` to `path` atomically; throws std::runtime_error naming the path on failure.
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace faultline::sim

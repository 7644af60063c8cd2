#include "sim/sweep/sweep_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/output/atomic_file.hpp"

namespace faultline::sim::sweep {

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// The first key whose values differ, ignoring the scenario's file name (the same file may be
/// named by another relative path on resume).
std::string first_difference(const Json& a, const Json& b) {
  for (const auto& [k, v] : a.items()) {
    if (k == "scenario") continue;
    if (!b.contains(k) || b[k] != v) return k;
  }
  for (const auto& [k, v] : b.items())
    if (k != "scenario" && !a.contains(k)) return k;
  return "";
}

}  // namespace

SweepJournal::SweepJournal(std::string dir, const Json& identity, size_t runs) : dir_(std::move(dir)) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_)) throw InputError(dir_, "", 0, "cannot create the output folder: " + ec.message());
  const std::string plan_path = path("sweep.json");
  const std::string journal_path = path("runs.jsonl");
  if (fs::exists(plan_path)) {
    Json stored;
    try {
      stored = Json::parse(read_all(plan_path));
    } catch (const std::exception& e) {
      throw InputError(plan_path, "", 0, std::string("unreadable sweep plan: ") + e.what());
    }
    const std::string diff = first_difference(identity, stored);
    if (!diff.empty())
      throw InputError(plan_path, "/" + diff, 0,
                       "this folder holds another sweep (its \"" + diff +
                           "\" differs): a sweep resumes only with the same scenario, --set axes, --seeds, "
                           "--experiment, --until and --start-time; choose another --out for a new sweep");
  } else if (fs::exists(journal_path)) {
    throw InputError(journal_path, "", 0, "a run journal without its sweep.json: choose another --out");
  } else {
    write_file_atomically(plan_path, identity.dump(2) + "\n");
  }

  // Read back what finished. Only the last line may be torn: cut it off.
  const std::string text = fs::exists(journal_path) ? read_all(journal_path) : std::string();
  size_t pos = 0, good_end = 0;
  int line_no = 0;
  while (pos < text.size()) {
    ++line_no;
    const size_t nl = text.find('\n', pos);
    const bool last = nl == std::string::npos || nl + 1 == text.size();
    const std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    Json j;
    bool ok = nl != std::string::npos;
    if (ok) {
      try {
        j = Json::parse(line);
        ok = j.is_object() && j.contains("run") && j["run"].is_number_unsigned() && j.contains("row") &&
             j["row"].is_object() && j.contains("timing");
      } catch (const std::exception&) {
        ok = false;
      }
    }
    if (!ok) {
      if (last) break;  // torn by a crash: that run is redone
      throw InputError(journal_path, "", line_no, "damaged journal line (not the last one): choose another --out");
    }
    const auto run = j["run"].get<size_t>();
    if (run >= runs) throw InputError(journal_path, "", line_no, "run " + std::to_string(run) + " is not in the plan");
    done_[run] = std::move(j);  // a run journalled twice (resumed mid-write) keeps its last line
    pos = nl + 1;
    good_end = pos;
  }
  fd_ = ::open(journal_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw InputError(journal_path, "", 0, std::string("cannot open for writing: ") + std::strerror(errno));
  if (good_end < text.size() && ::ftruncate(fd_, static_cast<off_t>(good_end)) != 0)
    throw InputError(journal_path, "", 0, std::string("cannot cut the torn last line: ") + std::strerror(errno));
  last_sync_ = std::chrono::steady_clock::now();
}

SweepJournal::~SweepJournal() {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
}

void SweepJournal::append(const Json& line) {
  const std::string text = line.dump() + "\n";
  const std::lock_guard<std::mutex> lock(mutex_);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(path("runs.jsonl") + ": cannot append: " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  dirty_ = true;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_sync_ >= std::chrono::seconds(1)) {
    ::fdatasync(fd_);
    last_sync_ = now;
    dirty_ = false;
  }
}

void SweepJournal::sync() {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (dirty_) ::fdatasync(fd_);
  dirty_ = false;
  last_sync_ = std::chrono::steady_clock::now();
}

}  // namespace faultline::sim::sweep

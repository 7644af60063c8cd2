// The reference benchmark (../shared/bench/README.md, issue 2 §8): the broker M/M/c workload
// timed three ways in one run, side by side:
//   - the floor: ../shared/bench/floor.cpp, compiled here with g++ -std=c++17 -O2 (when present);
//   - the engine path: the workload written directly on the engine API (Simulation, Producer,
//     FifoQueue, 4 Consumers, ports wired with sim::connect), no recorder scraping;
//   - the scenario path: scenarios/mmc-reference.json through the CLI, recorder on (1 s scrape).
// Then the peak memory at N = 1e6 and 1e7, and for a backlog of 10 million queued messages.
// Every measurement runs in its own child process, so that each peak RSS is its own. Figures are
// printed, never asserted: the machine is shared and noisy, so compare ratios from one run.
//
// Usage: faultline_bench [--quick] [--reps K]
//   --quick   N = 1e5 and 1e6, backlog 1e6 (a smoke run of a few seconds)
//   --reps K  runs per figure, the median is printed (default 3)
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/broker/fifo_queue.hpp"
#include "models/workload/consumer.hpp"
#include "models/workload/producer.hpp"
#include "sim/core/simulation.hpp"
#include "tests/support/test_support.hpp"

namespace fs = std::filesystem;
using namespace faultline;

namespace {

// ---------------------------------------------------------------- children (one measurement each)

sim::PortBase& port(sim::Component& c, const char* name) {
  sim::PortBase* p = c.find_port(name);
  if (p == nullptr) throw std::logic_error(c.path() + " has no port " + name);
  return *p;
}

uint64_t current_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

/// The workload on the engine API: Poisson arrivals at 1000/s, one FIFO queue, 4 consumers with
/// exponential service of mean 3.5 ms, N messages, run until all are consumed.
int child_engine(uint64_t n, uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  sim::Simulation sim(seed);
  models::PodConfig producer_pod;
  producer_pod.workload = "producer";
  models::ProducerConfig pc;
  pc.arrivals = models::ProducerConfig::Arrivals::poisson;
  pc.rate = models::RateProfile(1000.0);
  pc.message_limit = n;
  auto& producer = sim.add<models::Producer>(sim::ComponentIdentity{"producer/producer-0", {{"app", "producer"}}},
                                             producer_pod, pc);
  auto& queue = sim.add<models::FifoQueue>(sim::ComponentIdentity{"orders", {}});
  sim::connect(port(producer, "publish"), port(queue, "publish"));
  for (int i = 0; i < 4; ++i) {
    models::PodConfig pod;
    pod.workload = "consumer";
    models::ConsumerConfig cc;
    cc.processing_time = sim::Distribution::exponential(3.5e-3);
    cc.prefetch = 1;
    auto& c = sim.add<models::Consumer>(
        sim::ComponentIdentity{"consumer/consumer-" + std::to_string(i), {{"app", "consumer"}}}, pod, cc);
    sim::connect(port(c, "consume"), port(queue, "consume"));
  }
  sim.run();
  sim.finish();
  sim.check_conservation();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("wall_s=%.6f events=%llu delivered=%llu mean_wait_ms=%.6f\n", wall,
              static_cast<unsigned long long>(sim.events_processed()),
              static_cast<unsigned long long>(sim.ledger().delivered_count()), queue.mean_wait_s() * 1e3);
  return sim.ledger().delivered_count() == n ? 0 : 1;
}

/// A producer publishing n messages quickly into a queue nobody consumes: the backlog.
int child_backlog(uint64_t n) {
  const uint64_t rss_before = current_rss_bytes();
  const auto t0 = std::chrono::steady_clock::now();
  sim::Simulation sim(1);
  models::PodConfig pod;
  pod.workload = "producer";
  models::ProducerConfig pc;
  pc.arrivals = models::ProducerConfig::Arrivals::constant;
  pc.rate = models::RateProfile(1e6);  // 1 µs apart: 10 s simulated for 1e7
  pc.message_limit = n;
  auto& producer = sim.add<models::Producer>(sim::ComponentIdentity{"producer/producer-0", {}}, pod, pc);
  auto& queue = sim.add<models::FifoQueue>(sim::ComponentIdentity{"orders", {}});
  sim::connect(port(producer, "publish"), port(queue, "publish"));
  sim.run();
  sim.finish();
  sim.check_conservation();  // every message is in flight, held by the queue
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("wall_s=%.6f queued=%llu in_flight=%llu rss_before=%llu\n", wall,
              static_cast<unsigned long long>(queue.ready()),
              static_cast<unsigned long long>(sim.ledger().in_flight()), static_cast<unsigned long long>(rss_before));
  return queue.ready() == n ? 0 : 1;
}

// ---------------------------------------------------------------- the parent

std::map<std::string, double> parse_fields(const std::string& line) {
  std::map<std::string, double> out;
  std::istringstream in(line);
  for (std::string tok; in >> tok;) {
    const auto eq = tok.find('=');
    if (eq == std::string::npos) continue;
    try {
      out[tok.substr(0, eq)] = std::stod(tok.substr(eq + 1));
    } catch (const std::exception&) {
    }
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

struct Figure {
  double wall = 0;       // s, median
  double msgs_per_s = 0;
  double events_per_s = 0;
  double rss_mib = 0;    // peak RSS of the child, median, MiB
  bool ok = false;
  std::string note;
};

std::string self_exe() { return fs::read_symlink("/proc/self/exe").string(); }

Figure measure(const std::string& program, const std::vector<std::string>& args, uint64_t n, int reps,
               bool wall_from_child) {
  std::vector<double> walls, events, rss;
  Figure f;
  for (int r = 0; r < reps; ++r) {
    const test::CliResult res = test::run_program(program, args, 600);
    if (!res.exited || res.exit_code != 0) {
      f.note = "failed: " + res.describe().substr(0, 400);
      return f;
    }
    auto fields = parse_fields(res.out);
    if (!res.out.empty() && res.out.front() == '{') {  // the CLI's --json summary
      const auto j = nlohmann::json::parse(res.out);
      fields["events"] = j["events"].get<double>();
      if (j["messages"]["delivered"].get<uint64_t>() != n) {
        f.note = "delivered " + j["messages"]["delivered"].dump() + " of " + std::to_string(n);
        return f;
      }
    }
    const double wall = wall_from_child && fields.count("wall_s") ? fields.at("wall_s") : res.wall_seconds;
    walls.push_back(wall);
    if (fields.count("events")) events.push_back(fields.at("events") / wall);
    rss.push_back(static_cast<double>(res.child_max_rss_kib) / 1024.0);
    if (fields.count("mean_wait_ms")) f.note = "mean wait " + std::to_string(fields.at("mean_wait_ms")) + " ms";
  }
  f.ok = true;
  f.wall = median(walls);
  f.msgs_per_s = static_cast<double>(n) / f.wall;
  f.events_per_s = median(events);
  f.rss_mib = median(rss);
  return f;
}

std::string build_floor() {
  const std::string src = std::string(FAULTLINE_SHARED_DIR) + "/bench/floor.cpp";
  if (!fs::exists(src)) return "";
  const std::string bin = std::string(FAULTLINE_BENCH_DIR) + "/floor_O2";
  const bool stale = !fs::exists(bin) || fs::last_write_time(bin) < fs::last_write_time(src) ||
                     fs::last_write_time(bin) < fs::last_write_time(std::string(FAULTLINE_SHARED_DIR) + "/bench/rng.hpp");
  if (stale) {
    std::printf("compiling the floor: g++ -std=c++17 -O2 %s -o %s\n", src.c_str(), bin.c_str());
    const test::CliResult r = test::run_program("/usr/bin/g++", {"-std=c++17", "-O2", src, "-o", bin}, 300);
    if (r.exit_code != 0) {
      std::printf("the floor did not compile:\n%s\n", r.describe().c_str());
      return "";
    }
  }
  return bin;
}

std::string fmt_rate(double v) {
  char buf[32];
  if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2f M", v / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.0f k", v / 1e3);
  return buf;
}

void print_row(const char* path, uint64_t n, const Figure& f, const Figure* floor) {
  if (!f.ok) {
    std::printf("  %-10s N=%-9llu %s\n", path, static_cast<unsigned long long>(n), f.note.c_str());
    return;
  }
  std::printf("  %-10s N=%-9llu wall %7.3f s  %9s msg/s  %9s ev/s  peak RSS %7.1f MiB", path,
              static_cast<unsigned long long>(n), f.wall, fmt_rate(f.msgs_per_s).c_str(),
              f.events_per_s > 0 ? fmt_rate(f.events_per_s).c_str() : "-", f.rss_mib);
  if (floor != nullptr && floor->ok) std::printf("  = %.2f x floor", f.msgs_per_s / floor->msgs_per_s);
  if (!f.note.empty()) std::printf("  (%s)", f.note.c_str());
  std::printf("\n");
}

int parent(bool quick, int reps) {
  const std::vector<uint64_t> sizes = quick ? std::vector<uint64_t>{100'000, 1'000'000}
                                            : std::vector<uint64_t>{1'000'000, 10'000'000};
  const uint64_t backlog_n = quick ? 1'000'000 : 10'000'000;
  std::printf("faultline benchmark: broker M/M/c (lambda 1000/s, 4 consumers, mean service 3.5 ms), median of %d\n",
              reps);
  std::printf("machine: %ld cores online; compare ratios measured in this run, not absolute times\n\n",
              ::sysconf(_SC_NPROCESSORS_ONLN));

  const std::string floor_bin = build_floor();
  if (floor_bin.empty())
    std::printf("floor: ../shared/bench/floor.cpp is not beside the checkout (%s): no floor, no ratios\n\n",
                FAULTLINE_SHARED_DIR);

  const std::string scenario = test::source_path("scenarios/mmc-reference.json");
  std::map<uint64_t, Figure> floor, engine, scen;
  for (uint64_t n : sizes) {
    const std::string ns = std::to_string(n);
    if (!floor_bin.empty()) floor[n] = measure(floor_bin, {ns, "42"}, n, reps, false);
    engine[n] = measure(self_exe(), {"--child-engine", ns, "42"}, n, reps, true);
    scen[n] = measure(FAULTLINE_CLI, {"run", scenario, "--set", "components.producer.messages=" + ns, "--json"}, n,
                      reps, false);
    std::printf("N = %s\n", ns.c_str());
    if (!floor_bin.empty()) print_row("floor", n, floor[n], nullptr);
    print_row("engine", n, engine[n], floor_bin.empty() ? nullptr : &floor[n]);
    print_row("scenario", n, scen[n], floor_bin.empty() ? nullptr : &floor[n]);
    std::printf("\n");
  }

  const uint64_t big = sizes.back();
  if (!floor_bin.empty() && floor[big].ok) {
    std::printf("ratios at N = %llu (targets: engine >= 0.6, scenario >= 0.33 of the floor's msg/s)\n",
                static_cast<unsigned long long>(big));
    std::printf("  engine / floor   = %.3f\n", engine[big].msgs_per_s / floor[big].msgs_per_s);
    std::printf("  scenario / floor = %.3f\n\n", scen[big].msgs_per_s / floor[big].msgs_per_s);
  }

  std::printf("peak memory against N (target: does not grow with N)\n");
  for (const char* which : {"engine", "scenario"}) {
    auto& m = std::string(which) == "engine" ? engine : scen;
    std::printf("  %-9s", which);
    for (uint64_t n : sizes) std::printf("  N=%llu: %.1f MiB", static_cast<unsigned long long>(n), m[n].rss_mib);
    std::printf("  (ratio %.2f)\n", m[sizes.front()].rss_mib > 0 ? m[big].rss_mib / m[sizes.front()].rss_mib : 0.0);
  }

  // Backlog: engine API (the model's own bookkeeping), then the same through the CLI.
  std::printf("\nbacklog of %llu queued messages (target: fits in 1 GiB, about 100 bytes per message)\n",
              static_cast<unsigned long long>(backlog_n));
  {
    const test::CliResult r = test::run_program(self_exe(), {"--child-backlog", std::to_string(backlog_n)}, 600);
    const auto fields = parse_fields(r.out);
    if (r.exit_code != 0 || !fields.count("rss_before")) {
      std::printf("  engine: failed: %s\n", r.describe().c_str());
    } else {
      const double peak = static_cast<double>(r.child_max_rss_kib) * 1024.0;
      std::printf("  engine:   peak RSS %.1f MiB, %.1f bytes per queued message (above the %.1f MiB before the "
                  "run), %.2f s\n",
                  peak / 1048576.0, (peak - fields.at("rss_before")) / static_cast<double>(backlog_n),
                  fields.at("rss_before") / 1048576.0, fields.at("wall_s"));
    }
  }
  {
    test::TempDir dir;
    auto write_backlog = [&](const std::string& name, uint64_t n) {
      nlohmann::json sc = {
          {"name", "backlog"},
          {"components",
           {{{"name", "producer"}, {"kind", "producer"}, {"target", "orders"}, {"arrivals", "constant"},
             {"rate", "1000000/s"}, {"messages", n}},
            {{"name", "orders"}, {"kind", "queue"}}}}};
      test::write_file(dir / name, sc.dump(2));
      return dir / name;
    };
    const test::CliResult small = test::run_program(FAULTLINE_CLI, {"run", write_backlog("small.json", 1000)}, 600);
    const test::CliResult r = test::run_program(FAULTLINE_CLI, {"run", write_backlog("big.json", backlog_n)}, 600);
    if (r.exit_code != 0 || small.exit_code != 0) {
      std::printf("  scenario: failed: %s\n", r.describe().c_str());
    } else {
      const double peak = static_cast<double>(r.child_max_rss_kib) * 1024.0;
      const double base = static_cast<double>(small.child_max_rss_kib) * 1024.0;
      std::printf("  scenario: peak RSS %.1f MiB, %.1f bytes per queued message (above a 1000-message run's "
                  "%.1f MiB), %.2f s\n",
                  peak / 1048576.0, (peak - base) / static_cast<double>(backlog_n), base / 1048576.0, r.wall_seconds);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 3 && args[0] == "--child-engine") return child_engine(std::stoull(args[1]), std::stoull(args[2]));
    if (args.size() == 2 && args[0] == "--child-backlog") return child_backlog(std::stoull(args[1]));
    bool quick = false;
    int reps = 3;
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--quick") {
        quick = true;
      } else if (args[i] == "--reps" && i + 1 < args.size()) {
        reps = std::max(1, std::stoi(args[++i]));
      } else {
        std::fprintf(stderr, "usage: %s [--quick] [--reps K]\n", argv[0]);
        return 2;
      }
    }
    return parent(quick, reps);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchmark error: %s\n", e.what());
    return 1;
  }
}

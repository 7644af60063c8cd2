// libFuzzer target for Chaos Mesh schedule specs (cron and @every).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "sim/importers/cron.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string spec(reinterpret_cast<const char*>(data), size);
  try {
    const auto s = faultline::sim::importers::parse_cron(spec);
    constexpr int64_t kDay = 86400LL * 1'000'000'000LL;
    (void)faultline::sim::importers::cron_ticks(s, 1767225600LL * 1'000'000'000LL, 1767225600LL * 1'000'000'000LL + 7 * kDay,
                                                 20000);
  } catch (const std::invalid_argument&) {
  } catch (const std::length_error&) {
  }
  return 0;
}

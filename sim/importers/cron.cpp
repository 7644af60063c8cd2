#include "sim/importers/cron.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "sim/core/time.hpp"

namespace faultline::sim::importers {

namespace {

constexpr int64_t kSec = 1'000'000'000LL;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
const char* const kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

int number(const std::string& text, int lo, int hi, const char* const* names, int name_base, const std::string& field) {
  const std::string t = lower(text);
  if (names != nullptr)
    for (int i = 0; i <= hi - name_base && i < 12; ++i)
      if (t == names[i]) return i + name_base;
  if (t.empty() || t.size() > 4 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw std::invalid_argument("in the " + field + " field: \"" + text + "\" is not a number");
  const int v = std::stoi(t);
  if (v < lo || v > hi)
    throw std::invalid_argument("in the " + field + " field: " + text + " is outside " + std::to_string(lo) + "-" +
                                std::to_string(hi));
  return v;
}

// One field: lists of *, ?, a, a-b, with an optional /step. Returns the set bits.
template <size_t N>
std::bitset<N> field(const std::string& text, int lo, int hi, const char* const* names, int name_base,
                     const std::string& name, bool& star) {
  std::bitset<N> bits;
  star = false;
  std::string rest = text + ",";
  size_t pos = 0;
  while (pos < rest.size()) {
    const size_t comma = rest.find(',', pos);
    const std::string part = rest.substr(pos, comma - pos);
    pos = comma + 1;
    if (part.empty()) throw std::invalid_argument("empty list item in the " + name + " field \"" + text + "\"");
    std::string range = part;
    int step = 1;
    if (const size_t slash = part.find('/'); slash != std::string::npos) {
      range = part.substr(0, slash);
      step = number(part.substr(slash + 1), 1, hi, nullptr, 0, name);
    }
    int a = lo, b = hi;
    if (range == "*" || range == "?") {
      if (part.find('/') == std::string::npos) star = true;
    } else if (const size_t dash = range.find('-'); dash != std::string::npos) {
      a = number(range.substr(0, dash), lo, hi, names, name_base, name);
      b = number(range.substr(dash + 1), lo, hi, names, name_base, name);
      if (b < a) throw std::invalid_argument("in the " + name + " field: range " + range + " runs backwards");
    } else {
      a = number(range, lo, hi, names, name_base, name);
      b = part.find('/') == std::string::npos ? a : hi;  // "a/n" means a-max/n
    }
    for (int v = a; v <= b; v += step) bits.set(static_cast<size_t>(v));
  }
  return bits;
}

// Civil date from days since 1970-01-01 (H. Hinnant's civil_from_days).
void civil(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

}  // namespace

CronSchedule parse_cron(const std::string& spec_in) {
  std::string spec = spec_in;
  while (!spec.empty() && spec.front() == ' ') spec.erase(0, 1);
  while (!spec.empty() && spec.back() == ' ') spec.pop_back();
  for (const char* tz : {"CRON_TZ=", "TZ="}) {
    if (spec.rfind(tz, 0) == 0) {
      const size_t sp = spec.find(' ');
      const std::string zone = spec.substr(std::string(tz).size(), sp == std::string::npos ? std::string::npos : sp - std::string(tz).size());
      if (zone != "UTC" && zone != "Etc/UTC")
        throw std::invalid_argument("time zone " + zone + " is not supported: schedules are read in UTC");
      spec = sp == std::string::npos ? "" : spec.substr(sp + 1);
    }
  }
  const std::string expected =
      " (expected \"@every 30s\", a descriptor such as @hourly, or 5 or 6 cron fields: [second] minute hour "
      "day-of-month month day-of-week)";
  CronSchedule s;
  if (!spec.empty() && spec.front() == '@') {
    const std::string word = lower(spec.substr(0, spec.find(' ')));
    if (word == "@every") {
      const std::string d = spec.size() > 7 ? spec.substr(7) : "";
      Duration every;
      try {
        every = parse_duration(d);
      } catch (const std::exception& e) {
        throw std::invalid_argument("\"@every " + d + "\": " + e.what());
      }
      if (every <= Duration::zero()) throw std::invalid_argument("\"@every " + d + "\" needs a positive duration");
      int64_t ns = every.count_ns() - every.count_ns() % kSec;  // robfig truncates to whole seconds
      s.every_ns = std::max(ns, kSec);
      return s;
    }
    static const std::pair<const char*, const char*> descriptors[] = {
        {"@yearly", "0 0 0 1 1 *"}, {"@annually", "0 0 0 1 1 *"}, {"@monthly", "0 0 0 1 * *"},
        {"@weekly", "0 0 0 * * 0"}, {"@daily", "0 0 0 * * *"},    {"@midnight", "0 0 0 * * *"},
        {"@hourly", "0 0 * * * *"}};
    for (const auto& [name, fields] : descriptors)
      if (word == name && spec.size() == word.size()) return parse_cron(fields);
    throw std::invalid_argument("unknown descriptor \"" + spec + "\"" + expected);
  }
  std::vector<std::string> f;
  std::string cur;
  for (char c : spec + " ") {
    if (c == ' ' || c == '\t') {
      if (!cur.empty()) f.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (f.size() == 5) f.insert(f.begin(), "0");  // SecondOptional: a missing second is 0
  if (f.size() != 6) throw std::invalid_argument("\"" + spec_in + "\" has " + std::to_string(f.size()) + " fields" + expected);
  bool star = false;
  s.seconds = field<60>(f[0], 0, 59, nullptr, 0, "second", star);
  s.minutes = field<60>(f[1], 0, 59, nullptr, 0, "minute", star);
  s.hours = field<24>(f[2], 0, 23, nullptr, 0, "hour", star);
  s.days = field<32>(f[3], 1, 31, nullptr, 0, "day-of-month", s.days_star);
  s.months = field<13>(f[4], 1, 12, kMonths, 1, "month", star);
  s.weekdays = field<7>(f[5], 0, 6, kDays, 0, "day-of-week", s.weekdays_star);
  return s;
}

std::vector<int64_t> cron_ticks(const CronSchedule& s, int64_t from_ns, int64_t to_ns, size_t limit) {
  std::vector<int64_t> out;
  if (to_ns <= from_ns) return out;
  if (s.every_ns) {
    const int64_t base = floor_div(from_ns, kSec) * kSec;
    // Stepping past to_ns may leave int64 (an "@every" of centuries): stop before it does.
    for (int64_t t = base; !__builtin_add_overflow(t, *s.every_ns, &t) && t < to_ns;) {
      if (t <= from_ns) continue;
      if (out.size() == limit) throw std::length_error("the schedule fires more than " + std::to_string(limit) + " times");
      out.push_back(t);
    }
    return out;
  }
  // Walk whole seconds after `from`, skipping days, hours and minutes that cannot match.
  int64_t t = floor_div(from_ns, kSec) + 1;
  const int64_t end = floor_div(to_ns - 1, kSec);
  while (t <= end) {
    const int64_t days = floor_div(t, 86400);
    const int64_t sod = t - days * 86400;
    int64_t y;
    unsigned mo, d;
    civil(days, y, mo, d);
    const auto dow = static_cast<size_t>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
    const bool dom_ok = s.days.test(d), dow_ok = s.weekdays.test(dow);
    const bool day_ok = s.months.test(mo) && ((s.days_star || s.weekdays_star) ? (dom_ok && dow_ok) : (dom_ok || dow_ok));
    if (!day_ok) {
      t = (days + 1) * 86400;
      continue;
    }
    const auto h = static_cast<size_t>(sod / 3600), mi = static_cast<size_t>((sod / 60) % 60),
               se = static_cast<size_t>(sod % 60);
    if (!s.hours.test(h)) {
      t = days * 86400 + static_cast<int64_t>(h + 1) * 3600;
      continue;
    }
    if (!s.minutes.test(mi)) {
      t = days * 86400 + static_cast<int64_t>(h) * 3600 + static_cast<int64_t>(mi + 1) * 60;
      continue;
    }
    if (s.seconds.test(se)) {
      if (out.size() == limit) throw std::length_error("the schedule fires more than " + std::to_string(limit) + " times");
      out.push_back(t * kSec);
    }
    ++t;
  }
  return out;
}

}  // namespace faultline::sim::importers

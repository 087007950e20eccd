#include "odte/core/options/calendar.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <chrono>

namespace odte::options {
namespace {

using date::days;
using date::sys_days;
using date::year_month_day;

constexpr year_month_day to_ymd(std::int32_t v) noexcept {
  return year_month_day{date::year{v / 10000}, date::month{static_cast<unsigned>(v / 100 % 100)},
                        date::day{static_cast<unsigned>(v % 100)}};
}
constexpr std::int32_t from_ymd(const year_month_day& d) noexcept {
  return static_cast<std::int32_t>(int{d.year()}) * 10000 +
         static_cast<std::int32_t>(unsigned{d.month()}) * 100 +
         static_cast<std::int32_t>(unsigned{d.day()});
}
constexpr std::int32_t ymd(int y, int m, int d) noexcept { return y * 10000 + m * 100 + d; }

// The n-th (1-based) `wd` of a month, or the last one when n == 0.
std::int32_t nth_weekday(int y, int m, int wd_signed, unsigned n) noexcept {
  const auto wd = static_cast<unsigned>(wd_signed);
  const date::year_month yrmo{date::year{y}, date::month{static_cast<unsigned>(m)}};
  if (n == 0) {
    return from_ymd(year_month_day{
        sys_days{date::year_month_weekday_last{yrmo.year(), yrmo.month(), date::weekday_last{date::weekday{wd}}}}});
  }
  return from_ymd(year_month_day{sys_days{
      date::year_month_weekday{yrmo.year(), yrmo.month(), date::weekday_indexed{date::weekday{wd}, n}}}});
}

// One-off closures on top of the rules (national days of mourning). Documented in docs/options.md.
struct Special {
  std::int32_t date;
  std::string_view name;
};
constexpr std::array kSpecialClosures{
    Special{20181205, "National Day of Mourning (George H. W. Bush)"},
    Special{20250109, "National Day of Mourning (Jimmy Carter)"},
};

constexpr int kSun = 0, kMon = 1, kThu = 4, kFri = 5, kSat = 6;

// Fixed-date holiday observed per NYSE: Saturday -> Friday before, Sunday -> Monday after.
bool observed_fixed(std::int32_t d, int y, int m, int day) noexcept {
  const std::int32_t actual = ymd(y, m, day);
  const int wd = weekday(actual);
  if (wd == kSat) return d == add_days(actual, -1);
  if (wd == kSun) return d == add_days(actual, 1);
  return d == actual;
}

std::string_view holiday(std::int32_t d) noexcept {
  const int y = d / 10000;
  const int m = d / 100 % 100;
  for (const Special& s : kSpecialClosures) {
    if (s.date == d) return s.name;
  }
  // New Year's Day: a Saturday New Year is not moved back into December (NYSE Rule 7.2).
  if (m == 1) {
    const std::int32_t jan1 = ymd(y, 1, 1);
    if (d == jan1 || (weekday(jan1) == kSun && d == ymd(y, 1, 2))) return "New Year's Day";
    if (d == nth_weekday(y, 1, kMon, 3)) return "Martin Luther King Jr. Day";
  }
  if (m == 2 && d == nth_weekday(y, 2, kMon, 3)) return "Washington's Birthday";
  if ((m == 3 || m == 4) && d == add_days(easter_sunday(y), -2)) return "Good Friday";
  if (m == 5 && d == nth_weekday(y, 5, kMon, 0)) return "Memorial Day";
  if (m == 6 && y >= 2022 && observed_fixed(d, y, 6, 19)) return "Juneteenth National Independence Day";
  if (m == 7 && observed_fixed(d, y, 7, 4)) return "Independence Day";
  if (m == 9 && d == nth_weekday(y, 9, kMon, 1)) return "Labor Day";
  if (m == 11 && d == nth_weekday(y, 11, kThu, 4)) return "Thanksgiving Day";
  if (m == 12 && observed_fixed(d, y, 12, 25)) return "Christmas Day";
  return {};
}

// Called only for open weekdays that are not holidays.
std::string_view early_close(std::int32_t d) noexcept {
  const int y = d / 10000;
  const int wd = weekday(d);
  if (d == ymd(y, 7, 3) && wd >= kMon && wd <= kThu) return "Independence Day eve";
  if (d == add_days(nth_weekday(y, 11, kThu, 4), 1)) return "Day after Thanksgiving";
  if (d == ymd(y, 12, 24) && wd >= kMon && wd <= kThu) return "Christmas Eve";
  return {};
}

const date::time_zone* new_york() {
  static const date::time_zone* const zone = date::locate_zone("America/New_York");
  return zone;
}

std::int64_t to_unix_ns(date::sys_time<std::chrono::seconds> t) noexcept {
  return static_cast<std::int64_t>(t.time_since_epoch().count()) * 1'000'000'000;
}

// Listing history of the daily PM-settled series, by weekday (Sunday..Saturday): the first
// expiry date on that weekday, 0 = never. See docs/options.md for sources and caveats.
struct Listing {
  std::string_view root;
  std::array<std::int32_t, 7> first;
  bool month_end;
};
constexpr std::array kListings{
    Listing{"SPXW", {0, 20160822, 20220419, 20160302, 20220512, 19000101, 0}, true},
    Listing{"SPY", {0, 20160822, 20221115, 20160822, 20221117, 19000101, 0}, false},
};

bool listed_on_weekday(const Listing& l, std::int32_t d) noexcept {
  const std::int32_t first = l.first[static_cast<std::size_t>(weekday(d))];
  return first != 0 && d >= first;
}

}  // namespace

bool is_valid_date(std::int32_t v) noexcept {
  if (v < 10101 || v > 99991231) return false;
  return to_ymd(v).ok();
}

int weekday(std::int32_t v) noexcept {
  return static_cast<int>(date::weekday{sys_days{to_ymd(v)}}.c_encoding());
}

std::int32_t add_days(std::int32_t v, int n) noexcept {
  return from_ymd(year_month_day{sys_days{to_ymd(v)} + days{n}});
}

std::int32_t easter_sunday(int year) noexcept {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return ymd(year, month, day);
}

std::string_view to_string(DayStatus s) noexcept {
  switch (s) {
    case DayStatus::kOutOfRange: return "out_of_range";
    case DayStatus::kInvalidDate: return "invalid_date";
    case DayStatus::kWeekend: return "weekend";
    case DayStatus::kHoliday: return "holiday";
    case DayStatus::kEarlyClose: return "early_close";
    case DayStatus::kRegular: return "regular";
  }
  return "unknown";
}

DayRule classify(std::int32_t d) noexcept {
  if (!is_valid_date(d)) return {DayStatus::kInvalidDate, {}};
  const int y = d / 10000;
  if (y < kFirstYear || y > kLastYear) return {DayStatus::kOutOfRange, {}};
  const int wd = weekday(d);
  if (wd == kSat || wd == kSun) return {DayStatus::kWeekend, {}};
  if (const auto name = holiday(d); !name.empty()) return {DayStatus::kHoliday, name};
  if (const auto name = early_close(d); !name.empty()) return {DayStatus::kEarlyClose, name};
  return {DayStatus::kRegular, {}};
}

std::int32_t next_trading_day(std::int32_t d) noexcept {
  if (!is_valid_date(d)) return 0;
  for (int i = 1; i <= 10; ++i) {
    const std::int32_t n = add_days(d, i);
    const DayRule r = classify(n);
    if (r.status == DayStatus::kOutOfRange) return 0;
    if (r.open()) return n;
  }
  return 0;
}

std::int32_t previous_trading_day(std::int32_t d) noexcept {
  if (!is_valid_date(d)) return 0;
  for (int i = 1; i <= 10; ++i) {
    const std::int32_t p = add_days(d, -i);
    const DayRule r = classify(p);
    if (r.status == DayStatus::kOutOfRange) return 0;
    if (r.open()) return p;
  }
  return 0;
}

std::int64_t local_to_utc_ns(std::int32_t d, int minute_of_day) {
  const date::local_seconds local{date::local_days{to_ymd(d)}.time_since_epoch() +
                                  std::chrono::minutes{minute_of_day}};
  // Session times never fall in the 02:00-03:00 DST gap or fold; `earliest` keeps the call total.
  return to_unix_ns(new_york()->to_sys(local, date::choose::earliest));
}

std::int32_t new_york_date(std::int64_t unix_ns) {
  const date::sys_seconds t{std::chrono::seconds{unix_ns >= 0 ? unix_ns / 1'000'000'000
                                                              : -((-unix_ns + 999'999'999) / 1'000'000'000)}};
  const auto local = new_york()->to_local(t);
  return from_ymd(year_month_day{date::floor<days>(local)});
}

SessionDay session(std::int32_t d) {
  SessionDay s;
  s.date = d;
  s.rule = classify(d);
  if (s.rule.status == DayStatus::kInvalidDate) return s;
  const int probe = s.rule.open() ? kOpenMinute : 12 * 60;
  const std::int64_t probe_ns = local_to_utc_ns(d, probe);
  // Offset = local wall clock minus UTC at the probe instant.
  const std::int64_t local_ns = (static_cast<std::int64_t>(sys_days{to_ymd(d)}.time_since_epoch().count()) * 1440 + probe) *
                                60'000'000'000;
  s.utc_offset_minutes = static_cast<int>((local_ns - probe_ns) / 60'000'000'000);
  if (!s.rule.open()) return s;
  s.open_ns = probe_ns;
  s.close_ns = local_to_utc_ns(d, s.rule.status == DayStatus::kEarlyClose ? kEarlyCloseMinute : kCloseMinute);
  return s;
}

std::int32_t monthly_expiry(int year, int month) noexcept {
  if (year < kFirstYear || year > kLastYear || month < 1 || month > 12) return 0;
  const std::int32_t third_friday = nth_weekday(year, month, kFri, 3);
  return is_trading_day(third_friday) ? third_friday : previous_trading_day(third_friday);
}

bool has_expiry(std::string_view root, std::int32_t d) noexcept {
  if (!is_trading_day(d)) return false;
  if (root == "SPX") return monthly_expiry(d / 10000, d / 100 % 100) == d;
  for (const Listing& l : kListings) {
    if (l.root != root) continue;
    if (listed_on_weekday(l, d)) return true;
    // A listed day that is a holiday rolls to the trading day before it (this one, if so).
    const std::int32_t next = next_trading_day(d);
    for (std::int32_t c = add_days(d, 1); next != 0 && c < next; c = add_days(c, 1)) {
      if (classify(c).status == DayStatus::kHoliday && listed_on_weekday(l, c)) return true;
    }
    if (l.month_end && (next == 0 || next / 100 != d / 100)) return true;
    return false;
  }
  return false;
}

std::size_t expiries_on(std::int32_t d, std::span<Expiry> out) {
  std::size_t n = 0;
  if (!is_trading_day(d)) return 0;
  const SessionDay s = session(d);
  if (n < out.size() && has_expiry("SPX", d)) {
    // AM-settled: the settlement value comes from the opening prints of the expiry day; the
    // contracts stop trading at the close of the trading day before.
    const std::int32_t last = previous_trading_day(d);
    const SessionDay prev = session(last);
    out[n++] = Expiry{"SPX", Settlement::kAmOpen, true, last, prev.close_ns, s.open_ns};
  }
  for (std::string_view root : {std::string_view{"SPXW"}, std::string_view{"SPY"}}) {
    if (n < out.size() && has_expiry(root, d)) {
      out[n++] = Expiry{root, Settlement::kPmClose, root == "SPXW" ? false : monthly_expiry(d / 10000, d / 100 % 100) == d,
                        d, s.close_ns, s.close_ns};
    }
  }
  return n;
}

}  // namespace odte::options

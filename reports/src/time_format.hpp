#pragma once

// Fixed, locale-free formatting shared by the report outputs: the same value always gives the
// same text, on every machine (determinism of the report bytes).

#include <cstdint>
#include <cstdio>
#include <string>

#include "odte/core/market/events.hpp"
#include "odte/reports/html_kit.hpp"

namespace odte::reports::detail {

// Days since 1970-01-01 -> civil date (H. Hinnant's algorithm).
struct Civil {
  int y;
  unsigned m;
  unsigned d;
};
[[nodiscard]] constexpr Civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{static_cast<int>(y + (m <= 2 ? 1 : 0)), m, d};
}
[[nodiscard]] constexpr std::int64_t days_from_civil(int y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// America/New_York offset from UTC in seconds at `utc_s` (US rules since 2007: daylight time
// from the second Sunday of March 07:00 UTC to the first Sunday of November 06:00 UTC).
[[nodiscard]] constexpr std::int64_t new_york_offset_s(std::int64_t utc_s) noexcept {
  const std::int64_t day = (utc_s >= 0 ? utc_s : utc_s - 86399) / 86400;
  const int y = civil_from_days(day).y;
  auto first_sunday = [](int year, unsigned month) {
    const std::int64_t d1 = days_from_civil(year, month, 1);
    const std::int64_t wd = ((d1 % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday (4)
    return d1 + (7 - wd) % 7;
  };
  const std::int64_t start = (first_sunday(y, 3) + 7) * 86400 + 7 * 3600;
  const std::int64_t end = first_sunday(y, 11) * 86400 + 6 * 3600;
  return utc_s >= start && utc_s < end ? -4 * 3600 : -5 * 3600;
}

// "2026-08-21 09:45:30" in New York time.
[[nodiscard]] inline std::string et_time(TimestampNs ns) {
  const std::int64_t s0 = ns / 1'000'000'000;
  const std::int64_t s = s0 + new_york_offset_s(s0);
  const std::int64_t day = (s >= 0 ? s : s - 86399) / 86400;
  const std::int64_t sod = s - day * 86400;
  const Civil c = civil_from_days(day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", c.y, c.m, c.d, static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  return buf;
}

// "09:45" in New York time.
[[nodiscard]] inline std::string et_clock(TimestampNs ns) { return et_time(ns).substr(11, 5); }

[[nodiscard]] inline std::string day_label(std::int32_t yyyymmdd) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
  return buf;
}
[[nodiscard]] inline std::string month_label(std::int32_t yyyymmdd) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", yyyymmdd / 10000, yyyymmdd / 100 % 100);
  return buf;
}

// Fixed decimals; never "-0.00" (one rule for every page and file: html_kit).
using html::fixed;

}  // namespace odte::reports::detail

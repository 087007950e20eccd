#pragma once

// NYSE/Cboe exchange calendar and 0DTE expiries, from rules rather than a list of dates.
//
// Dates are plain yyyymmdd integers (as in OptionFields::expiry_yyyymmdd); times are Unix
// nanoseconds (UTC), the unit of every timestamp in the core. Regular session 09:30-16:00
// America/New_York, early close 13:00; the UTC offsets come from the system tz database
// (/usr/share/zoneinfo via Howard Hinnant's date library built with USE_OS_TZDB), so DST changes
// are never hard-coded.
//
// Holidays (NYSE Rule 7.2 as applied): New Year's Day (Sunday -> Monday; Saturday -> not
// observed), Martin Luther King Jr. Day, Washington's Birthday, Good Friday (Easter computus),
// Memorial Day, Juneteenth (from 2022), Independence Day, Labor Day, Thanksgiving, Christmas
// (Saturday -> Friday, Sunday -> Monday), plus the documented one-off closures in
// kSpecialClosures. Early closes at 13:00: July 3 when July 4 falls Tuesday-Friday, the day after
// Thanksgiving, and December 24 when it falls Monday-Thursday.
//
// The rules are checked against NYSE's published calendars for 2015-2030 (tests); dates outside
// kFirstYear..kLastYear report DayStatus::kOutOfRange rather than guessing.
//
// Thread contract: every function is safe to call from any thread. Functions that touch the tz
// database (session(), local_to_utc_ns(), new_york_date()) are cold-path calls (once per day or at
// start); the first call loads the zone and throws std::runtime_error if tzdata is missing.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "odte/core/options/symbology.hpp"

namespace odte::options {

inline constexpr int kFirstYear = 2015;
inline constexpr int kLastYear = 2030;

inline constexpr int kOpenMinute = 9 * 60 + 30;
inline constexpr int kCloseMinute = 16 * 60;
inline constexpr int kEarlyCloseMinute = 13 * 60;

// A valid Gregorian date written as yyyymmdd (any year 1-9999).
[[nodiscard]] bool is_valid_date(std::int32_t yyyymmdd) noexcept;
// 0 = Sunday ... 6 = Saturday. Precondition: is_valid_date.
[[nodiscard]] int weekday(std::int32_t yyyymmdd) noexcept;
// The date `days` calendar days later (negative: earlier). Precondition: is_valid_date.
[[nodiscard]] std::int32_t add_days(std::int32_t yyyymmdd, int days) noexcept;
// Easter Sunday of `year` (Gregorian computus).
[[nodiscard]] std::int32_t easter_sunday(int year) noexcept;

enum class DayStatus : std::uint8_t { kOutOfRange, kInvalidDate, kWeekend, kHoliday, kEarlyClose, kRegular };
[[nodiscard]] std::string_view to_string(DayStatus s) noexcept;

// Status and name ("Good Friday", "Day after Thanksgiving") without time zone work; noexcept.
struct DayRule {
  DayStatus status = DayStatus::kInvalidDate;
  std::string_view name;
  [[nodiscard]] bool open() const noexcept {
    return status == DayStatus::kRegular || status == DayStatus::kEarlyClose;
  }
};
[[nodiscard]] DayRule classify(std::int32_t yyyymmdd) noexcept;
[[nodiscard]] inline bool is_trading_day(std::int32_t yyyymmdd) noexcept {
  return classify(yyyymmdd).open();
}
// Next/previous trading day strictly after/before `yyyymmdd`; 0 when it would leave the range.
[[nodiscard]] std::int32_t next_trading_day(std::int32_t yyyymmdd) noexcept;
[[nodiscard]] std::int32_t previous_trading_day(std::int32_t yyyymmdd) noexcept;

struct SessionDay {
  std::int32_t date = 0;
  DayRule rule;
  std::int64_t open_ns = 0;   // 09:30 New York in Unix ns; 0 when closed
  std::int64_t close_ns = 0;  // 16:00 (13:00 on early closes) New York in Unix ns; 0 when closed
  int utc_offset_minutes = 0; // at the open (or noon when closed): -300 EST, -240 EDT
};
[[nodiscard]] SessionDay session(std::int32_t yyyymmdd);

// New York wall-clock minute of a date -> Unix ns. Precondition: is_valid_date.
[[nodiscard]] std::int64_t local_to_utc_ns(std::int32_t yyyymmdd, int minute_of_day);
// The New York calendar date of a Unix ns timestamp.
[[nodiscard]] std::int32_t new_york_date(std::int64_t unix_ns);

// ---- expiries -------------------------------------------------------------------------------

struct Expiry {
  std::string_view root;          // "SPXW", "SPX", "SPY"
  Settlement settlement = Settlement::kUnknown;
  bool monthly = false;           // the standard third-Friday (or holiday-rolled) monthly
  std::int32_t last_trade_date = 0;
  std::int64_t last_trade_ns = 0; // trading in the contract stops
  std::int64_t settle_ns = 0;     // when the settlement value is fixed (AM: open, PM: close)
};

// The standard monthly expiry of SPX: third Friday, or the trading day before when that Friday is
// a holiday. 0 outside the calendar range.
[[nodiscard]] std::int32_t monthly_expiry(int year, int month) noexcept;

// Whether `root` ("SPXW", "SPX", "SPY") has a contract expiring on `yyyymmdd`, following the
// listing history in docs/options.md (SPXW: Fridays, Wednesdays from 2016-03-02, Mondays from
// 2016-08-22, Tuesdays from 2022-04-19, Thursdays from 2022-05-12, and the last trading day of
// each month; SPY: Fridays, Mondays and Wednesdays from 2016-08-22, Tuesdays and Thursdays from
// 2022-11-15; a listed day that is a holiday rolls to the trading day before; SPX: monthly only).
[[nodiscard]] bool has_expiry(std::string_view root, std::int32_t yyyymmdd) noexcept;

// Expiries whose settlement falls on `yyyymmdd` (0DTE that day), written into `out` in the order
// SPX, SPXW, SPY; returns how many (at most 3). Needs the tz database (settle times).
std::size_t expiries_on(std::int32_t yyyymmdd, std::span<Expiry> out);

// Year fraction from `now_ns` to `settle_ns` counted in minutes of a 365-day year (525,600
// minutes), the convention of the Cboe VIX method; fractional minutes are kept. Negative when
// settlement is past.
[[nodiscard]] constexpr double year_fraction(std::int64_t now_ns, std::int64_t settle_ns) noexcept {
  constexpr double kNsPerYear = 525'600.0 * 60e9;
  return static_cast<double>(settle_ns - now_ns) / kNsPerYear;
}

}  // namespace odte::options

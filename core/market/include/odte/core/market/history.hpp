#pragma once

// What the strategies know from before today's session: per series (a stock or an index, "SPY",
// "I:VIX", "I:VIX1D") its daily closes of the previous sessions and the 1-minute bars of the
// previous session. Gathered once, on the cold path before the session (live: Massive REST
// aggregates; replay: recordings made by `odte import`), journaled as text (history record), and
// handed to strategies through StrategyContext::history(). A replay and a restart read the same
// values: the text form is canonical (to_text(parse(t)) == t), so the journal holds it byte for
// byte.
//
// Nothing here is invented: a series the sources did not have is absent, and each strategy says
// so and takes its documented fallback.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "odte/core/base/clock.hpp"
#include "odte/core/base/price.hpp"

namespace odte {

struct DailyClose {
  std::int32_t day;  // yyyymmdd (New York)
  Price close;
};

struct HistoryBar {
  TimestampNs start_ns;  // the minute's start, as the feeds stamp AM bars
  Price close;
};

struct SeriesHistory {
  std::string symbol;
  std::vector<DailyClose> daily;     // sessions before today, oldest first, one per day
  std::vector<HistoryBar> minutes;   // the previous session's 1-minute bars, oldest first
  std::string source;                // where it came from, one token ("rest", "recording", ...)
};

// What the strategies of a run need from before the session (Strategy::history_needs): the
// daemon fetches or loads exactly this.
struct HistoryRequest {
  std::vector<std::string> daily;    // daily closes of the last sessions (kMaxDaily at most)
  std::vector<std::string> minutes;  // the previous session's 1-minute bars
  std::vector<std::string> prior;    // only the previous close (REST /prev live)
  bool all = false;                  // every stock and index series, daily and minutes (replay-server)
  void add_daily(std::string_view symbol);
  void add_minutes(std::string_view symbol);
  void add_prior(std::string_view symbol);
  [[nodiscard]] bool empty() const noexcept { return daily.empty() && minutes.empty() && prior.empty(); }
  [[nodiscard]] bool wants(std::string_view symbol) const noexcept;
};

class SessionHistory {
 public:
  // Daily closes kept per series (the iron condor's 30-day window and its 3-day average fit).
  static constexpr std::size_t kMaxDaily = 40;
  static constexpr std::size_t kMaxMinutes = 1'000;

  std::int32_t trading_day = 0;  // the session this history precedes; every value is from before it

  [[nodiscard]] const SeriesHistory* find(std::string_view symbol) const noexcept;
  // The series `symbol`, added if absent.
  SeriesHistory& series(std::string_view symbol);
  [[nodiscard]] const std::vector<SeriesHistory>& all() const noexcept { return series_; }
  [[nodiscard]] bool empty() const noexcept { return series_.empty(); }
  // The last daily close of `symbol` before today, or nullptr.
  [[nodiscard]] const DailyClose* prior_close(std::string_view symbol) const noexcept;

  // Sorts each series (days and minutes ascending, one value per day / minute: the later wins),
  // drops values from today or later, keeps the last kMaxDaily days and kMaxMinutes minutes, and
  // orders the series by symbol. Call after filling; to_text expects it.
  void normalize();

  // Canonical text: "history <day>", then per series "series <symbol> <source>", its "daily <day>
  // <close>" and "minute <start_ns> <close>" lines. Plain ASCII, one record per line.
  [[nodiscard]] std::string to_text() const;
  // Parses to_text's form; the error names the line ("history line 3: ..."), empty on success.
  [[nodiscard]] static std::string parse(std::string_view text, SessionHistory& out);

 private:
  std::vector<SeriesHistory> series_;
};

// Sample standard deviation (n - 1) of the daily % changes (100 * (c[i] / c[i-1] - 1)) of `daily`
// over the days from `from_day` (inclusive) on: the seed's pandas pct_change().std(). Needs at
// least three closes in range; returns a negative value otherwise.
[[nodiscard]] double daily_change_stdev(const std::vector<DailyClose>& daily, std::int32_t from_day) noexcept;

}  // namespace odte

#include <cstdio>

#include "odte/core/options/calendar.hpp"
#include "odte/feeds/history_source.hpp"
#include "odte/feeds/rest_client.hpp"

namespace odte::feeds {

namespace {
constexpr std::int64_t kMsNs = 1'000'000;
std::string iso(std::int32_t d) {
  char b[16];
  std::snprintf(b, sizeof b, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
  return b;
}
}  // namespace

SessionHistory fetch_history(RestClient& rest, const HistoryRequest& request, std::int32_t trading_day,
                             std::vector<std::string>& problems) {
  SessionHistory out;
  out.trading_day = trading_day;
  const std::int32_t prev = options::previous_trading_day(trading_day);
  if (prev == 0) {
    problems.push_back("history: no trading day before " + std::to_string(trading_day) + " in the calendar");
    return out;
  }
  for (const std::string& sym : request.daily) {
    auto r = rest.aggregates(sym, "day", iso(options::add_days(prev, -60)), iso(prev));
    if (!r.ok()) {
      problems.push_back("history: daily closes of " + sym + ": " + r.error);
      continue;
    }
    SeriesHistory& h = out.series(sym);
    h.source = "rest";
    for (const AggregateBar& b : r.value) {
      // Day bars start at the day's midnight in New York.
      const std::int32_t d = options::new_york_date(b.t_ms * kMsNs);
      if (d < trading_day) h.daily.push_back(DailyClose{d, Price::from_double(b.close)});
    }
  }
  for (const std::string& sym : request.minutes) {
    auto r = rest.aggregates(sym, "minute", iso(prev), iso(prev));
    if (!r.ok()) {
      problems.push_back("history: previous-session 1-minute bars of " + sym + ": " + r.error);
      continue;
    }
    SeriesHistory& h = out.series(sym);
    h.source = "rest";
    for (const AggregateBar& b : r.value) {
      const std::int64_t t = b.t_ms * kMsNs;
      if (in_regular_session(prev, t)) h.minutes.push_back(HistoryBar{t, Price::from_double(b.close)});
    }
  }
  for (const std::string& sym : request.prior) {
    auto r = rest.previous_close(sym);
    if (!r.ok()) {
      problems.push_back("history: prior close of " + sym + ": " + r.error);
      continue;
    }
    const std::int32_t d = options::new_york_date(r.value.t_ms * kMsNs);
    if (d >= trading_day) {
      problems.push_back("history: the previous close of " + sym + " is from " + std::to_string(d) +
                         ", not before " + std::to_string(trading_day) + "; left out");
      continue;
    }
    SeriesHistory& h = out.series(sym);
    if (h.source.empty()) h.source = "rest";
    h.daily.push_back(DailyClose{d, Price::from_double(r.value.close)});
  }
  out.normalize();
  for (std::string& g : history_gaps(request, out)) problems.push_back(std::move(g));
  return out;
}

}  // namespace odte::feeds

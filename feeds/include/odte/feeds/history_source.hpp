#pragma once

// Where a run's SessionHistory (core/market/history.hpp) comes from, on the cold path before the
// session:
// - replay: recordings made by `odte import` (e.g. `odte import cboe-daily` for Cboe's daily VIX,
//   `odte import eqker` for 1-minute SPY/VIX) and the replayed recording itself, read for the days
//   before the trading day;
// - live and paper-live: Massive REST aggregates (RestClient::aggregates, previous_close), see
//   fetch_history in rest_client.hpp.
// Both keep only what the strategies asked for (HistoryRequest) and the same values: a daily close
// is the last value of the day (an index's V, a bar's close, a trade), the previous session's
// 1-minute bars are its regular-hours bars (09:30 to the close; extended hours would move an EMA).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "odte/core/market/history.hpp"

namespace odte::feeds {

// Reads every recording in `paths` (in order; for one day the value stamped last wins) and fills
// `out` with the requested series from before `trading_day`. A series none of them has is left
// out (the caller notes it). Returns an error text (a recording that cannot be read), empty on
// success. Paths from index `lenient_from` on are the replayed recording itself: a corruption in
// it ends its reading here (what came before counts) and is left to the replay, which stops on it
// with its own error.
[[nodiscard]] std::string load_history(const std::vector<std::string>& paths, const HistoryRequest& request,
                                       std::int32_t trading_day, SessionHistory& out,
                                       std::size_t lenient_from = static_cast<std::size_t>(-1));

// One line per requested series that `history` lacks ("history: no daily closes of I:VIX before
// 20190213"), for the log and the notes.
[[nodiscard]] std::vector<std::string> history_gaps(const HistoryRequest& request, const SessionHistory& history);

// True when `start_ns` (a 1-minute bar's start) lies in `day`'s regular session.
[[nodiscard]] bool in_regular_session(std::int32_t day, std::int64_t start_ns);

}  // namespace odte::feeds

#pragma once

// The REST answers `odte replay-server` gives beside its websocket feed, made from the recording
// it serves, so odted's start-up REST calls (today's option contracts above all) run against a
// replay exactly as against Massive (docs/feeds-network.md, "Replay REST"):
//
//   GET /v1/marketstatus/now                     {"market":"open","serverTime":<first event>,...}
//   GET /v1/marketstatus/upcoming                []
//   GET /v3/reference/options/contracts?underlying_ticker=U&expiration_date=D[&limit=N][&cursor=C]
//       every option contract the recording holds whose underlying is U ("SPX" takes the SPX and
//       SPXW roots; "I:" prefixes are ignored) expiring on D, ascending ticker, pages of at most
//       min(limit, 250) with an absolute next_url on the same host, as Massive pages.
//   GET /v2/aggs/ticker/T/range/1/day/FROM/TO    the daily closes before the recording's first day
//       that the recording (and the history recordings given) hold for T, FROM..TO inclusive
//   GET /v2/aggs/ticker/T/range/1/minute/FROM/TO the regular-session 1-minute bars of the last day
//       before the first day that has them, when in FROM..TO
//   GET /v2/aggs/ticker/T/prev                   the last of those daily closes; 404 when none
//   (the same values odted's replay mode loads with load_history from the same files, so paper-live
//   against the replay-server and replay see one history)
//   anything else                                404 with a JSON error
//
// Cold path: the recording is read once at start; answers are built per request.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "odte/core/market/history.hpp"
#include "odte/feeds/replay_server.hpp"

namespace odte::feeds {

struct ReplayRestData {
  struct Contract {
    std::string ticker;       // "O:SPY260720C00711000"
    std::string underlying;   // "SPY", "SPX" (no "I:")
    std::string expiration;   // "2026-07-20"
    bool call = false;
    double strike = 0;
    bool european = false;
  };
  std::vector<Contract> contracts;  // ascending ticker, each once
  std::string first_event_time;     // ISO 8601 UTC of the first event, for marketstatus
  SessionHistory history;           // every stock and index series before the first event's day
};

// Reads every frame of the recording at `path`, and for the history also of `history_paths`.
// Returns an error text, empty on success.
[[nodiscard]] std::string scan_replay_rest(const std::string& path, ReplayRestData& out,
                                           const std::vector<std::string>& history_paths = {});

// The value of `key` in a URL's query string ("a=1&b=2"), percent-decoded ("%3A" -> ':'); empty
// when absent.
[[nodiscard]] std::string query_value(std::string_view query, std::string_view key);

// The handler for ReplayServerConfig::rest.
[[nodiscard]] std::function<RestAnswer(std::string_view target, std::string_view host)>
replay_rest_handler(std::shared_ptr<const ReplayRestData> data);

}  // namespace odte::feeds

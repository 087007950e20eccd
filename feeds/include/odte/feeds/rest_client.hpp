#pragma once

// Start-up REST calls to Massive (Polygon.io): market status, upcoming holidays, today's option
// contracts for a root (following next_url pagination), previous close. HTTPS with the same
// verification as the websocket (system CA store plus ca_file, chain, dates, host name or IP, SNI
// for names; a refused certificate is kTlsVerify with the reason in `error`); plain http:// only to
// loopback (tests). The key travels in an `Authorization: Bearer` header, never in a URL, and is only ever
// sent to the configured host: a next_url pointing elsewhere is refused (kForeignNextUrl).
//
// Blocking calls, each bounded by RestConfig::timeout for the whole request; for start-up and
// cold paths only (never on a feed or core thread in session). Not thread-safe; one per thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "odte/core/market/history.hpp"
#include "odte/feeds/net.hpp"

namespace odte::feeds {

struct RestConfig {
  std::string base_url = "https://api.massive.com";
  std::string api_key;
  std::string ca_file;                          // extra CA certificates (PEM) beside the system store
  std::chrono::milliseconds timeout{15'000};    // per request: connect + TLS + send + receive
  std::size_t max_pages = 200;                  // next_url pages followed at most
  std::size_t max_body_bytes = 64u << 20;
};

template <typename T>
struct RestResult {
  std::error_code ec;
  std::string error;  // one line for the operator, key redacted
  T value{};
  [[nodiscard]] bool ok() const noexcept { return !ec; }
};

struct HttpResponse {
  unsigned status = 0;
  std::string body;
};

struct MarketStatus {
  std::string market;       // "open", "closed", "extended-hours"
  std::string server_time;  // as sent, e.g. "2025-11-25T09:31:02-05:00"
  bool early_hours = false;
  bool after_hours = false;
};

struct MarketHoliday {
  std::string date;      // YYYY-MM-DD
  std::string exchange;  // "NYSE", "NASDAQ", ...
  std::string name;
  std::string status;    // "closed" or "early-close"
  std::string open;      // for early closes, ISO times; empty otherwise
  std::string close;
};

struct OptionContract {
  std::string ticker;           // "O:SPXW251125C06700000"
  std::string underlying;       // "SPX"
  std::string expiration_date;  // YYYY-MM-DD
  bool call = false;
  double strike = 0;
  std::string exercise_style;   // "european", "american"
};

struct PreviousClose {
  std::string ticker;
  double open = 0, high = 0, low = 0, close = 0, volume = 0;
  std::int64_t t_ms = 0;  // bar start, Unix ms
};

// One aggregate bar (GET /v2/aggs/ticker/T/range/1/{day,minute}/from/to).
struct AggregateBar {
  std::int64_t t_ms = 0;  // bar start, Unix ms (day bars: the day's start in New York)
  double close = 0;
};

class RestClient {
 public:
  explicit RestClient(RestConfig config);
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // GET base_url's host + `target` (path and query). A non-2xx status is kHttpStatus.
  RestResult<HttpResponse> get(std::string_view target);

  // GET /v1/marketstatus/now
  RestResult<MarketStatus> market_status();
  // GET /v1/marketstatus/upcoming
  RestResult<std::vector<MarketHoliday>> upcoming_holidays();
  // GET /v3/reference/options/contracts?underlying_ticker=U&expiration_date=D&limit=1000, every
  // page. `root` keeps only tickers "O:<root><digits>..." (SPXW vs SPX); empty keeps all.
  RestResult<std::vector<OptionContract>> option_contracts(std::string_view underlying,
                                                           std::string_view expiration_date,
                                                           std::string_view root = {});
  // GET /v2/aggs/ticker/T/prev (e.g. "SPY", "I:SPX", "I:VIX")
  RestResult<PreviousClose> previous_close(std::string_view ticker);
  // GET /v2/aggs/ticker/T/range/1/<timespan>/<from>/<to>?adjusted=true&sort=asc&limit=50000
  // (timespan "day" or "minute"; dates YYYY-MM-DD, inclusive), following next_url. Bars in time
  // order; an empty result is not an error (a holiday, a series without data).
  RestResult<std::vector<AggregateBar>> aggregates(std::string_view ticker, std::string_view timespan,
                                                   std::string_view from, std::string_view to);

  [[nodiscard]] std::uint64_t requests() const noexcept { return requests_; }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::uint64_t requests_ = 0;
};

// The session history for `trading_day` from Massive REST (history_source.hpp): for each daily
// series the day aggregates of the 60 calendar days before, for each minutes series the previous
// trading day's minute aggregates (regular session only), for each prior series the previous close
// (/prev, kept only when it is from before the trading day). What a request could not get is said
// in `problems` (one line each, the series and the error) and left out; the caller journals what
// it got and the strategies take their fallback. Cold path, blocking (bounded by the client's
// timeout per request).
SessionHistory fetch_history(RestClient& rest, const HistoryRequest& request, std::int32_t trading_day,
                             std::vector<std::string>& problems);

}  // namespace odte::feeds

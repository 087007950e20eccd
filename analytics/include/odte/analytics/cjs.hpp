#pragma once

// Seed 003: leverage-adjusted option portfolio returns (Constantinides, Jackwerth and Savov,
// "The Puzzle of Index Option Returns") from end-of-day option panels.
//
// Per trading day t and its next panel day t+1, for calls and for puts, one portfolio per
// moneyness target (K/S) and maturity target (calendar days):
//   1. filters (the seed's): quotes present, bid > 0, ask >= bid, days to expiry in [7, 180],
//      implied vol in [5%, 100%], a next-day price for the same contract;
//   2. candidates: the seed's bucketing (kBucket): an option belongs to the moneyness bin
//      (previous target, target] -- (target - bin_width, target] for the first, as pandas' right-
//      closed bins -- and to the nearest maturity target; or every option of the
//      right (kAll, the seed's construct_portfolio);
//   3. kernel weights exp(-((m - m*)/0.0125)^2/2 - ((d - d*)/10)^2/2), normalised, weights under
//      1% dropped, renormalised;
//   4. each option's one-day return R = P(t+1)/P(t) - 1 from mid prices, leverage adjusted with
//      the BSM elasticity w (implied vol, day's rate, underlying): R/w + (1 - 1/w) rf, where
//      rf = exp(r * calendar days / 365) - 1 (the paper's risk-free part; off: R/w, the seed's code);
//   5. the portfolio's return is the weighted sum; monthly returns compound the daily ones of the
//      formation dates in each calendar month.
// A portfolio with no candidate on a day has no return that day (NaN here, null/empty in the
// outputs), never 0. docs/cjs.md says what the numbers mean.
//
// Offline analytics: allocates freely, deterministic (same panel -> bit-identical results).

#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "odte/core/options/option_right.hpp"

namespace odte::analytics::cjs {

// A clear, named input or usage error (file and line, the column or option at fault).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Days since 1970-01-01 from YYYYMMDD and back; parse accepts "YYYY-MM-DD" and "YYYYMMDD".
[[nodiscard]] std::int32_t days_from_yyyymmdd(std::int32_t yyyymmdd);
[[nodiscard]] std::int32_t yyyymmdd_from_days(std::int32_t days);
// Throws Error naming `what` when text is not a valid date.
[[nodiscard]] std::int32_t parse_date(const std::string& text, const std::string& what);
// "YYYY-MM-DD"
[[nodiscard]] std::string format_date(std::int32_t days);

// One option on one day, as read.
struct Quote {
  std::int32_t date = 0;    // days since 1970-01-01
  std::int32_t expiry = 0;  // days since 1970-01-01
  double strike = 0;
  OptionRight right = OptionRight::kCall;
  double bid = 0;        // NaN when the source has no quotes (then `price` is its close)
  double ask = 0;        // NaN when the source has no quotes
  double price = 0;      // mid (bid + ask) / 2, or the source's close when it has no quotes
  double iv = 0;         // NaN when the source has none (computed from price by the reader)
  double spot = 0;       // underlying close
  double rate = 0;       // risk-free, continuously compounded per year
};

enum class Candidates : std::uint8_t {
  kBucket,  // the seed's calc_kernel_weights: the option's own moneyness bin and nearest maturity
  kAll,     // the seed's construct_portfolio: every option of the right
};

struct Params {
  std::vector<double> moneyness{0.925, 0.950, 0.975, 1.000, 1.025, 1.050, 1.075, 1.100};
  std::vector<int> maturities{30, 60, 90};
  double bin_width = 0.025;        // lower edge of the first moneyness bin: (first - width, first]
  double bw_moneyness = 0.0125;    // kernel bandwidth in K/S
  double bw_days = 10.0;           // kernel bandwidth in calendar days
  double min_weight = 0.01;        // weights below this are dropped before renormalising
  int min_days = 7;                // days to expiry, inclusive
  int max_days = 180;
  double min_iv = 0.05;
  double max_iv = 1.00;
  bool require_bid = true;         // drop zero bids (sources without quotes have no bid to test)
  double div_yield = 0.0;          // q in the BSM elasticity (the seed: 0)
  bool rf_part = true;             // add (1 - 1/w) rf (the paper); false: R/w (the seed's code)
  Candidates candidates = Candidates::kBucket;
};

// Throws Error naming the parameter when one is out of range.
void validate(const Params& p);

// Why rows were left out, over the whole panel.
struct FilterCounts {
  std::size_t rows = 0;
  std::size_t last_day = 0;          // on the panel's last day: no next day to return to
  std::size_t no_quote = 0;          // bid/ask missing, ask < bid, or price not positive
  std::size_t zero_bid = 0;
  std::size_t maturity = 0;          // days to expiry outside [min_days, max_days]
  std::size_t iv = 0;                // implied vol missing or outside [min_iv, max_iv]
  std::size_t no_next_price = 0;     // the contract has no positive price on the next panel day
  std::size_t no_elasticity = 0;     // BSM elasticity not finite or zero
  std::size_t outside_buckets = 0;   // kBucket: moneyness outside every bin
  std::size_t used = 0;              // candidates of some portfolio
};

struct PortfolioId {
  OptionRight right = OptionRight::kCall;
  std::size_t moneyness_index = 0;
  std::size_t maturity_index = 0;
};

struct Result {
  Params params;
  std::vector<std::int32_t> dates;       // formation dates t (every panel day with a next day)
  std::vector<std::int32_t> next_dates;  // t+1 for each
  std::vector<std::int32_t> months;      // YYYYMM of the months with a formation date
  // Portfolio p (see portfolio()) on date d: daily[p * dates.size() + d], NaN when it has no
  // candidate; daily_n: the options in it after the 1% cut.
  std::vector<double> daily;
  std::vector<std::uint32_t> daily_n;
  // monthly[p * months.size() + m]: product of (1 + daily) over its formed days in that month,
  // minus 1; NaN when none; monthly_days the count of those days.
  std::vector<double> monthly;
  std::vector<std::uint32_t> monthly_days;
  FilterCounts counts;

  [[nodiscard]] std::size_t portfolios() const noexcept {
    return 2 * params.moneyness.size() * params.maturities.size();
  }
  [[nodiscard]] PortfolioId portfolio(std::size_t p) const noexcept;
  [[nodiscard]] std::size_t index(const PortfolioId& id) const noexcept;
  // "C_0.925_30"
  [[nodiscard]] std::string name(std::size_t p) const;
};

// The whole computation. Rows may come in any order; a contract (date, expiry, strike, right)
// appearing twice on one day is an Error naming it.
[[nodiscard]] Result compute(std::vector<Quote> panel, const Params& params);

// Building blocks, exposed for tests and the benchmark.
// Unnormalised Gaussian kernel of an option at (m, days) for a target (m*, d*).
[[nodiscard]] double kernel(double m, double days, double m_target, double d_target, const Params& p) noexcept;
// Weights from unnormalised kernel values: normalised, those under min_weight set to 0, the rest
// renormalised. All zero when the sum is 0 or nothing survives.
void normalize_weights(std::vector<double>& w, double min_weight);
// BSM elasticity of a quote at its own implied vol (t = days/365).
[[nodiscard]] double elasticity(const Quote& q, double div_yield) noexcept;

// ---- readers (cjs_read.cpp) ----

// date -> underlying close, from a CSV "date,close" (header optional).
[[nodiscard]] std::map<std::int32_t, double> read_underlying_csv(const std::string& path);

// OptionMetrics-style CSV with a header naming at least: date, expiry (or exdate), strike,
// right (or cp_flag: C/P), bid (best_bid), ask (best_offer), iv (impl_volatility; may be empty:
// computed from the mid), underlying (close, spot), rate (decimal per year, continuous).
// Optional column price: the option's price when bid and ask are both empty (a source without
// quotes, e.g. LEAN closes; then the quote is read as LEAN's reader reads it). Lines starting
// with '#' (before the header or after) are comments (panel_csv names its source in them).
[[nodiscard]] std::vector<Quote> read_optionmetrics_csv(const std::string& path);

// Where the LEAN and Massive files leave something out.
struct ExtraInputs {
  double rate = 0.0;                          // their files carry no rate
  bool have_rate = false;
  std::map<std::int32_t, double> underlying;  // date -> close, when the file has none
  std::string root;                           // Massive: the option root to keep ("SPY")
};

// LEAN option universe files (Data/option/usa/universes/<ticker>/YYYYMMDD.csv and the index
// option ones): the date from the file name, the underlying from the row with an empty expiry
// (else `extra.underlying`), close as the price (no quotes: zero-bid filter not applicable),
// the file's implied vol.
[[nodiscard]] std::vector<Quote> read_lean_universe(const std::vector<std::string>& paths, const ExtraInputs& extra);

// Massive (Polygon) options day aggregates flat files (ticker,volume,open,close,high,low,
// window_start,transactions): rows of `extra.root`, close as the price, implied vol solved from
// it with core/options, the underlying from `extra.underlying`.
[[nodiscard]] std::vector<Quote> read_massive_day_aggs(const std::vector<std::string>& paths, const ExtraInputs& extra);

// ---- outputs (cjs_write.cpp): deterministic bytes ----
// A panel in the OptionMetrics-style CSV read_optionmetrics_csv reads back to the same quotes
// (bit for bit): each of `comments` as a '#' line, the header
// date,expiry,strike,right,bid,ask,price,iv,underlying,rate, then one row per quote in the
// panel's order; numbers in their shortest round-trip form, NaN as an empty field; price is
// written only for quotes without bid and ask. `odte cjs --write-panel` converts LEAN and
// Massive files with it.
[[nodiscard]] std::string panel_csv(const std::vector<Quote>& panel, const std::vector<std::string>& comments);
[[nodiscard]] std::string daily_csv(const Result& r);
[[nodiscard]] std::string monthly_csv(const Result& r);
[[nodiscard]] std::string to_json(const Result& r, const std::string& source);
[[nodiscard]] std::string to_html(const Result& r, const std::string& source);

// Mean of the monthly returns of portfolio p over the months it was formed; NaN when none.
[[nodiscard]] double mean_monthly(const Result& r, std::size_t p) noexcept;

}  // namespace odte::analytics::cjs

#pragma once

// What one 0DTE option chain implies right now, for strategies: implied vol and greeks of the
// contracts they look at (from the NBBO mid, through options::implied_vol), the ATM implied vol,
// the strike nearest a target delta, a one-day variance index, and the chain's minute volume.
//
// Cold path only. Strategies call update() from on_timer/on_bar (once per second or per minute,
// never per market event); update() refreshes the strike index when the registry grew (that may
// allocate: new contracts are rare) and recomputes the spot, year fraction and ATM vol only when
// `now` moved. Per-contract IVs and the variance index are computed on demand, so an unused
// figure costs nothing.
//
// Time: t is in minutes to the settlement (16:00 New York on a regular day, 13:00 on an early
// close; options::session()), over the 525,600 minutes of a year -- the Cboe convention.
//
// The variance index is the Cboe variance method (options::variance_swap_rate) applied to the
// 0DTE chain alone: 100 x sqrt(single-expiry variance). It is a stand-in, not Cboe's VIX1D
// (which blends the 0DTE and the next expiry to a constant one-day horizon and uses SPX): name it
// "odte 1-day variance index from the 0DTE chain" wherever it replaces VIX1D.

#include <cstdint>
#include <string_view>
#include <vector>

#include "odte/core/market/chain.hpp"
#include "odte/core/market/market_state.hpp"
#include "odte/core/options/black_scholes.hpp"
#include "odte/core/options/forward.hpp"

namespace odte {

inline constexpr std::string_view kDayVarianceIndexName = "odte 1-day variance index from the 0DTE chain";

struct ContractAnalytics {
  bool ok = false;              // two-sided quote with a bid, and the IV solve succeeded
  double mid = 0;               // (bid + ask) / 2 in dollars
  options::IvStatus status = options::IvStatus::kBadInput;
  double iv = 0;
  options::Greeks greeks;       // at iv; zero unless ok
};

struct DayVarianceIndex {
  bool ok = false;
  double value = 0;             // 100 x annualised volatility, as VIX-style indices are quoted
  options::VarianceSwapResult detail;
};

class ChainAnalytics {
 public:
  // `settle_ns`: Unix ns of the settlement (options::session(day).close_ns for PM-settled 0DTE).
  ChainAnalytics(std::string_view root, std::int32_t expiry_yyyymmdd, InstrumentId underlying, std::int64_t settle_ns,
                 double rate = 0.0, double dividend = 0.0);

  // Re-reads the registry if it grew; recomputes spot, t and the ATM vol when `now` changed.
  void update(const MarketState& market, const InstrumentRegistry& registry, TimestampNs now);

  [[nodiscard]] const OptionChain& chain() const noexcept { return chain_; }
  [[nodiscard]] double spot() const noexcept { return spot_; }           // 0 when unknown
  [[nodiscard]] double years_to_settle() const noexcept { return t_; }  // <= 0 once settled
  [[nodiscard]] bool ready() const noexcept { return spot_ > 0.0 && t_ > 0.0 && !chain_.empty(); }
  // The listed strike nearest the spot (ties: the lower strike); null when not ready.
  [[nodiscard]] const OptionChain::Strike* atm() const noexcept { return atm_; }
  // Mean of the ATM call's and put's IV (one of them when the other fails); 0 when neither solves.
  // Solved on the first call after update() moved the clock, then cached.
  [[nodiscard]] double atm_iv() const noexcept;

  [[nodiscard]] ContractAnalytics contract(InstrumentId id, OptionRight right, Price strike) const noexcept;
  [[nodiscard]] ContractAnalytics contract(const OptionChain::Strike& s, OptionRight right) const noexcept {
    return contract(right == OptionRight::kCall ? s.call : s.put, right, s.strike);
  }
  // The out-of-the-money strike (calls above the spot, puts below) whose |delta| is closest to
  // `abs_delta` among contracts whose IV solves; ties go to the further OTM strike. Null if none.
  [[nodiscard]] const OptionChain::Strike* by_delta(OptionRight right, double abs_delta) const noexcept;
  // The Cboe variance method over the current chain mids at t (computed on each call); `side`
  // prices each strike's contribution at the bids or offers instead (seed 004's bid/ask rates).
  [[nodiscard]] DayVarianceIndex day_variance_index(options::QuoteSide side = options::QuoteSide::kMid) const;

  // Minute volume of the chain (sum of contracts' day volume, from trades) and the underlying,
  // sampled at a minute boundary: call once per minute (or more; repeats within a minute are
  // ignored) with the exchange-local minute of day. The peak is the highest completed minute.
  struct VolumePeak {
    int minute = -1;            // local minute of day of the busiest completed minute; -1 = none
    std::uint64_t volume = 0;
  };
  void sample_volume(const MarketState& market, int local_minute) noexcept;
  [[nodiscard]] VolumePeak chain_volume_peak() const noexcept { return chain_peak_; }
  [[nodiscard]] VolumePeak underlying_volume_peak() const noexcept { return underlying_peak_; }
  [[nodiscard]] std::uint64_t chain_day_volume() const noexcept { return chain_cum_; }
  // Contracts traded today at `strike`, calls and puts together.
  [[nodiscard]] std::uint64_t strike_volume(const MarketState& market, Price strike) const noexcept;

 private:
  OptionChain chain_;
  InstrumentId underlying_;
  std::int64_t settle_ns_;
  double rate_;
  double dividend_;
  const MarketState* market_ = nullptr;
  TimestampNs computed_at_ = -1;
  double spot_ = 0;
  double t_ = 0;
  const OptionChain::Strike* atm_ = nullptr;
  mutable double atm_iv_ = 0;
  mutable bool atm_iv_stale_ = false;
  mutable std::vector<options::ChainQuote> quotes_;  // reserved when the chain grows

  int volume_minute_ = -1;
  std::uint64_t chain_cum_ = 0;
  std::uint64_t chain_at_minute_ = 0;
  std::uint64_t underlying_cum_ = 0;
  std::uint64_t underlying_at_minute_ = 0;
  VolumePeak chain_peak_;
  VolumePeak underlying_peak_;
};

}  // namespace odte

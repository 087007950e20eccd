#pragma once

// Seed 004 (short strangles at 10/30/50 delta, delta-hedged, sized by premium per day), on a
// 0DTE chain: at `entry_time` sell the out-of-the-money put and call whose |delta| (Black-Scholes
// at each contract's own implied vol from the NBBO mid; ChainAnalytics) is nearest `target_delta`,
// and hold them to `exit_time` (or settlement when exit_time is not set).
//
// Variants (`legs`): the seed backtests the strangle and each of its legs alone: "both" (default),
// "put" (the put only) or "call" (the call only).
//
// Sizing, the seed's rule: each trade sells "a little under $0.05 of premium per day" to expiry
// per share of its unit, and its $100,000 account runs 100,000 / 75 shares of that unit
// (`equity_per_share` = 75 dollars of equity per share). For 0DTE the days to expiry are the
// fraction of the regular session left at entry: day_fraction = minutes from entry to the
// settlement / 390 (09:45 -> 375/390 = 0.96). So
//   contracts = round(equity / equity_per_share / 100 x premium_per_day x day_fraction / premium)
// with premium the mid per share of the legs sold, equity as the risk engine sees it
// (StrategyContext::account()), capped by max_quantity. The seed sizes in fractions of a
// contract; under one whole contract is a note (with the equity one would need) and no trade.
//
// Day record (seed: the chain history's implied forward and bid/ask/mid variance swap rates per
// day): at its first entry decision (entry_time, once the chain is ready), whether or not it then
// trades, the strategy takes the 0DTE chain's implied forward and its single-expiry variance swap
// rate priced at the mids, bids and offers (Cboe method, options::variance_swap_rate), journals
// them (record type variance_swap, once a day) and notes them -- in the log and the run report.
//
// Risk: a short strangle's loss is unbounded. The risk engine refuses it (kUndefinedRisk) unless
// the operator sets [risk] allow_undefined_risk = true; it then caps the loss at the stress point
// (undefined_risk_stress beyond the strikes) against max_risk_fraction. When allowed, the strategy
// sells no more contracts than that cap holds (a note says when it cut the premium sizing), so
// the order it sends is one risk accepts; nothing here bypasses risk.
//
// Delta hedge (seed: daily, with the underlying): every `hedge_interval_minutes` the position's
// net delta in shares is computed (the options' Black-Scholes deltas at their own implied vols,
// plus the stock already held); when |net delta| exceeds `hedge_band_shares`:
//   hedge = "send":   buys or sells that many shares of the underlying as a real order
//                     (IntentAction::kHedge: one stock leg, limit = the touch +- price_slack),
//                     through risk (kill switch, pause, stale data, order rate, price band; no
//                     defined-risk cap: it offsets delta) to the broker (paper, or FIX as a
//                     NewOrderSingle 35=D in shares), booked in the position
//                     book at multiplier 1 and marked to the stock's NBBO mid. One hedge order
//                     works at a time. At the exit time (and when the engine's exit rules close the
//                     strangle) the stock is flattened with a closing order; operator flatten and
//                     kill --flatten flatten it too (Engine::flatten_all).
//   hedge = "report": only notes the order it would send.
// hedge = "off" skips the computation.

#include <cstdint>
#include <optional>
#include <string>

#include "odte/core/market/chain_analytics.hpp"
#include "odte/core/engine/strategy.hpp"

namespace odte::strategies {

enum class HedgeMode : std::uint8_t { kOff = 1, kReport, kSend };
enum class StrangleLegs : std::uint8_t { kBoth = 1, kPut, kCall };

struct ShortStrangleParams {
  std::string underlying = "SPY";
  std::string option_root = "SPY";
  double target_delta = 0.10;             // the seed's variations: 0.10, 0.30, 0.50
  StrangleLegs legs = StrangleLegs::kBoth;
  double premium_per_day = 0.048;         // dollars per share per day to expiry ("a little under 0.05")
  double equity_per_share = 75.0;         // the seed's 100,000 / 75 shares for a $100,000 account
  std::uint32_t max_quantity = 20;
  std::int16_t entry_minute = 9 * 60 + 45;
  std::int16_t entry_deadline_minute = 10 * 60 + 30;
  HedgeMode hedge = HedgeMode::kSend;     // the seed hedges daily with the underlying
  double hedge_band_shares = 50.0;
  int hedge_interval_minutes = 5;
  Price price_slack = Price::from_cents(5);
  double rate = 0.0;
};

class ShortStrangleStrategy final : public Strategy {
 public:
  ShortStrangleStrategy(std::uint16_t index, const ShortStrangleParams& params);
  [[nodiscard]] std::string_view name() const noexcept override { return "short_strangle"; }
  [[nodiscard]] std::int16_t entry_deadline_minute() const noexcept override { return p_.entry_deadline_minute; }

  void on_start(StrategyContext& ctx) override;
  void on_timer(StrategyContext& ctx) override;
  void on_order(const Order& order, StrategyContext& ctx) override;
  void on_restore(const Order& order, const RestoredOrder& info, StrategyContext& ctx) override;
  void on_rejected(const Intent& intent, RiskReason reason, StrategyContext& ctx) override;
  void on_exit(const Order& order, ExitReason reason, StrategyContext& ctx) override;

  [[nodiscard]] std::uint32_t quantity() const noexcept { return quantity_; }
  [[nodiscard]] double day_fraction() const noexcept { return day_fraction_; }
  [[nodiscard]] double net_delta_shares() const noexcept { return net_delta_; }
  [[nodiscard]] std::uint32_t hedges_wanted() const noexcept { return hedges_wanted_; }
  [[nodiscard]] std::uint32_t hedges_sent() const noexcept { return hedges_sent_; }
  // The day record taken at entry (0 until then, or when the chain gave none).
  [[nodiscard]] double implied_forward() const noexcept { return forward_; }
  [[nodiscard]] double variance_swap_rate() const noexcept { return swap_rate_; }

 private:
  void record_day(StrategyContext& ctx);
  bool enter(StrategyContext& ctx);
  bool fit_risk(StrategyContext& ctx, Intent& in);
  void check_hedge(StrategyContext& ctx, int minute);
  void flatten_hedge(StrategyContext& ctx, std::string_view reason);

  std::uint16_t index_;
  ShortStrangleParams p_;
  InstrumentId underlying_ = kNoInstrument;
  std::optional<ChainAnalytics> chain_;
  std::int64_t settle_ns_ = 0;
  Price put_strike_;
  Price call_strike_;
  std::uint32_t quantity_ = 0;
  double day_fraction_ = 0.0;
  double net_delta_ = 0.0;
  double forward_ = 0.0;
  double swap_rate_ = 0.0;
  int last_hedge_check_ = -1000;
  std::uint32_t hedges_wanted_ = 0;
  std::uint32_t hedges_sent_ = 0;
  ClientOrderId hedge_order_;   // the hedge order working, if any
  bool exit_sent_ = false;
  bool close_failed_noted_ = false;
  bool day_recorded_ = false;
  ClientOrderId entry_;
};

}  // namespace odte::strategies

#pragma once

// The risk engine: every intent passes it before it can become an order. A refusal is a value
// (RiskReason), counted per reason, never an exception; the caller publishes it as an event to
// logs, the admin status and the report.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/engine/intent.hpp"
#include "odte/core/market/nbbo.hpp"

namespace odte {

enum class RiskReason : std::uint8_t {
  kNone = 0,
  kKillSwitch,        // sticky operator kill switch: no opening orders
  kPaused,            // operator pause: no opening orders
  kBadIntent,         // no legs, zero quantity, invalid price, unknown instrument
  kUndefinedRisk,     // unbounded loss (net short calls, or stock legs) and not allowed
  kCapitalAtRisk,     // max loss of the spread above the per-trade cap (0.5% of equity)
  kDailyLoss,         // day P&L at or below -daily_loss_limit
  kMaxOpenPositions,
  kOrderRate,         // more than max_orders_per_second in the last second
  kNoQuote,           // a leg has no two-sided quote to check the price against
  kPriceBand,         // limit too far through the combo's natural price (fat finger)
  kStaleData,         // market data stale: no opening orders
  kNoTradeWindow,     // inside a configured no-trade window
  kNotReconciled,     // restarted and not (yet) reconciled with the broker, or halted: no opening orders
  kOffGrid,           // limit not on the venue's price grid for its root and order kind (tick_table.hpp),
                      // or legs with no grid (unknown root, mixed roots)
  kCount
};
[[nodiscard]] std::string_view to_string(RiskReason) noexcept;

struct MinuteWindow {
  std::int16_t start_minute;  // minutes after local midnight (exchange time), inclusive
  std::int16_t end_minute;    // exclusive
};

struct RiskLimits {
  double max_risk_fraction = 0.005;            // of account equity, per trade
  Price daily_loss_limit = Price::from_dollars(2'000);  // 0 = off
  std::uint32_t max_open_positions = 4;        // 0 = off
  std::uint32_t max_orders_per_second = 5;
  Price price_band_abs = Price::from_cents(50);  // allowed distance through the natural price...
  double price_band_fraction = 0.25;           // ...or this fraction of the combo's mid, if larger
  bool allow_undefined_risk = false;
  double undefined_risk_stress = 0.10;         // when allowed: loss at +-10% beyond the strikes
  std::array<MinuteWindow, 4> no_trade_windows{};  // unused entries have start == end
  std::uint8_t no_trade_window_count = 0;
};

// Worst loss of a spread held to expiry, per spread unit, in price terms (multiply by the
// contract multiplier for dollars). Computed from the piecewise-linear payoff: evaluated at 0 and
// at every strike, with its slope past the highest strike deciding whether it is bounded. An
// unbounded payoff with stress > 0 is evaluated at the strikes and at min_strike*(1-stress) and
// max_strike*(1+stress) instead.
struct SpreadRisk {
  bool defined;            // false when the loss is unbounded as the underlying rises
  Price max_loss;          // per unit, >= 0 (for undefined risk: at the stress point)
  Price max_payoff_at_expiry;
};
struct LegForRisk {
  OptionRight right;
  Price strike;
  Side side;
  std::uint32_t ratio;
};
[[nodiscard]] SpreadRisk spread_risk(std::span<const LegForRisk> legs, Price net_limit,
                                     double stress = 0.0) noexcept;

struct AccountState {
  Price equity;             // account value the per-trade cap is a fraction of
  Price day_pnl;            // realized + unrealized today
  std::uint32_t open_positions;
  std::int16_t local_minute;  // exchange-local minute of day now
  bool data_stale;
};

struct RiskDecision {
  RiskReason reason;        // kNone = accepted
  Price max_loss_dollars;   // of the whole intent (all units, multiplier applied); 0 for closes
  Price band_reference;     // the combo natural price the band was checked against
};

class RiskEngine {
 public:
  explicit RiskEngine(const RiskLimits& limits, const InstrumentRegistry& registry) noexcept
      : limits_{limits}, registry_{registry} {}

  template <MarketView M>
  [[nodiscard]] RiskDecision check(const Intent& intent, const AccountState& account, const M& market,
                                   TimestampNs now) noexcept {
    std::array<const Nbbo*, kMaxLegs> quotes{};
    for (int i = 0; i < intent.leg_count && i < kMaxLegs; ++i) quotes[static_cast<std::size_t>(i)] = market.nbbo(intent.legs[i].instrument);
    return count(evaluate(intent, account, quotes, now));
  }

  // Records an order actually sent (for the orders-per-second limit).
  void on_order_sent(TimestampNs now) noexcept;

  // Counts a refusal decided outside check() (the engine's halted state; restart recovery
  // re-counting the journal's refusals).
  void count_rejection(RiskReason r) noexcept { (void)count(RiskDecision{r, Price::zero(), Price::invalid()}); }

  void set_kill_switch(bool on) noexcept { killed_ = on; }
  [[nodiscard]] bool kill_switch() const noexcept { return killed_; }
  void set_paused(bool on) noexcept { paused_ = on; }
  [[nodiscard]] bool paused() const noexcept { return paused_; }
  void set_limits(const RiskLimits& limits) noexcept { limits_ = limits; }
  [[nodiscard]] const RiskLimits& limits() const noexcept { return limits_; }
  [[nodiscard]] std::uint64_t rejections(RiskReason r) const noexcept {
    return rejections_[static_cast<std::size_t>(r)];
  }

 private:
  [[nodiscard]] RiskDecision evaluate(const Intent& intent, const AccountState& account,
                                      const std::array<const Nbbo*, kMaxLegs>& quotes,
                                      TimestampNs now) const noexcept;
  RiskDecision count(RiskDecision d) noexcept {
    if (d.reason != RiskReason::kNone) ++rejections_[static_cast<std::size_t>(d.reason)];
    return d;
  }
  [[nodiscard]] std::uint32_t orders_in_last_second(TimestampNs now) const noexcept;

  RiskLimits limits_;
  const InstrumentRegistry& registry_;
  bool killed_ = false;
  bool paused_ = false;
  static constexpr std::size_t kRateWindow = 64;  // bounds max_orders_per_second
  std::array<TimestampNs, kRateWindow> sent_{};
  std::uint64_t sent_count_ = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(RiskReason::kCount)> rejections_{};
};

// Exit rules for an open spread: a profit target on a debit, a stop on a credit (or a debit), and
// a time exit. Each strategy carries its own (its config: Strategy::exit_rules, docs/strategies.md)
// and the engine enforces them; the engine-wide rules ([risk] in the config, EngineConfig::exits)
// are an optional safety net on top of them. Every rule defaults to off.
struct ExitRules {
  double profit_target_fraction = 0.0;  // profit >= this x debit paid (5.0 = 500%); 0 = off
  double stop_credit_multiple = 0.0;    // cost to close >= this x credit received; 0 = off
  double debit_stop_fraction = 0.0;     // loss >= this x debit; 0 = off
  std::int16_t exit_minute = -1;        // local minute of day; -1 = no time exit
};

// A time exit as configured: a fixed New York time ("15:00") or a distance before the day's close
// ("close-60m"). On an early-close day (13:00) every time exit moves with the close: a fixed time
// keeps its distance from the regular 16:00 close (15:00 -> 12:00), a relative one its distance
// from the day's close (close-60m -> 12:00).
inline constexpr int kRegularCloseMinute = 16 * 60;
struct ExitTime {
  std::int16_t minute = -1;   // fixed: minute of the day; before_close: minutes before the close; -1 = none
  bool before_close = false;
  [[nodiscard]] bool set() const noexcept { return minute >= 0; }
  // The local minute of the exit on a day whose session closes at `close_minute`; -1 when unset.
  [[nodiscard]] constexpr std::int16_t resolve(int close_minute) const noexcept {
    if (minute < 0) return -1;
    const int m = before_close ? close_minute - minute : minute - (kRegularCloseMinute - close_minute);
    return static_cast<std::int16_t>(m < 0 ? 0 : m);
  }
};
// Parses "HH:MM" (fixed, 24h New York time), "close-Nm" (N = 1..390 minutes before the close) or
// "none". False for anything else. A time at or after the regular close is not refused here (the
// caller names the key and says why).
[[nodiscard]] bool parse_exit_time(std::string_view text, ExitTime& out) noexcept;
// "15:00", "close-60m" or "none".
[[nodiscard]] std::string to_string(const ExitTime& t);

enum class ExitReason : std::uint8_t { kNone = 0, kProfitTarget, kStop, kTime };
[[nodiscard]] std::string_view to_string(ExitReason) noexcept;
// entry: net paid per unit (+debit/-credit); mark: what the position is worth per unit now
// (mid of the combo as held, negative when it is a liability).
[[nodiscard]] ExitReason evaluate_exit(const ExitRules& rules, Price entry, Price mark,
                                       std::int16_t local_minute) noexcept;

}  // namespace odte

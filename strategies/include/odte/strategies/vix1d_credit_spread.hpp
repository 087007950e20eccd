#pragma once

// Quant Galore's VIX1D 0DTE credit spread, as seed 001 describes it: the prior close of VIX1D
// gives the day's expected move, EM = S x VIX1D/100 / sqrt(252); decide the day's direction, sell
// a 0DTE credit spread whose short strike lies beyond the expected move on the side the market is
// not expected to reach, and hold it to the end of the day (it settles at expiry).
//
// Direction (our reading; the seed says only "won't go up much (bearish) / won't go down much
// (bullish)"): direction = "trend" compares the underlying at entry with its first price of the
// session -- at or above: bullish, sell a put spread below S - EM; below: bearish, sell a call
// spread above S + EM. "put" and "call" fix the side.
//
// Strikes: the short strike is the nearest listed strike at or beyond the expected move (puts:
// highest strike <= S - EM; calls: lowest >= S + EM); the long strike the nearest listed strike
// at least `width` dollars further out (SPY's $1 grid: exactly width; SPXW's 5-point grid: the next
// strike beyond a $2 width).
//
// VIX1D (vix1d_source):
//  - "prior_close": VIX1D's prior close from the session history (live: the REST previous close of
//    `vix1d` fetched at start-up; replay: the history the run was given), journaled with it.
//    Absent: a note, StrategyState::kMissingInput, no trade. `vix1d_prior_close` > 0 overrides.
//  - "chain": the odte 1-day variance index from the 0DTE chain (ChainAnalytics), taken from the
//    first complete chain of the day -- a recording of one day has no prior day's chain. Noted.
//    Put on VIX1D's scale first: the index annualises the rest of the session's variance over the
//    calendar minutes left (t ~ 390 / 525,600 at the open), so its value is that of a vol spread
//    over 6.5 hours; VIX1D (Cboe's VIX method, 365-day year of calendar minutes) annualises the
//    variance of one day over a one-day horizon (1,440 minutes). The stand-in is therefore
//    100 x sqrt(365 x variance to the settlement) = index x sqrt(365 t). Taken raw, EM =
//    S x index / sqrt(252) was ~2.4 standard deviations of the rest of the day, where a $2 SPY
//    spread quotes 0.00..0.02 (issue 16); on VIX1D's scale it is ~1.2, as VIX1D's prior close
//    would give (VIX1D / sqrt(252) = sqrt(365/252) x the day's move).
//  - "auto" (default): the prior close when the history has it, else the chain stand-in, with a
//    note that says which.
//  - "feed": VIX1D's live value before entry (departs from the seed, which uses the prior close).

#include <cstdint>
#include <optional>
#include <string>

#include "odte/core/market/chain_analytics.hpp"
#include "odte/core/engine/strategy.hpp"

namespace odte::strategies {

enum class Vix1dSource : std::uint8_t { kAuto = 1, kFeed, kChain, kPriorClose };
enum class SpreadDirection : std::uint8_t { kTrend = 1, kPut, kCall };

struct Vix1dCreditSpreadParams {
  std::string underlying = "SPY";
  std::string option_root = "SPY";
  std::string vix1d = "I:VIX1D";
  Vix1dSource vix1d_source = Vix1dSource::kAuto;
  double vix1d_prior_close = 0.0;         // > 0: use this value (operator-supplied prior close)
  SpreadDirection direction = SpreadDirection::kTrend;
  double em_multiple = 1.0;               // short strike beyond em_multiple x EM
  Price width = Price::from_dollars(2);
  Price min_credit = Price::from_cents(5);
  std::int16_t entry_minute = 9 * 60 + 45;
  std::int16_t entry_deadline_minute = 10 * 60 + 30;
  std::uint32_t quantity = 1;
  Price price_slack = Price::from_cents(5);
  double rate = 0.0;
};

class Vix1dCreditSpreadStrategy final : public Strategy {
 public:
  Vix1dCreditSpreadStrategy(std::uint16_t index, const Vix1dCreditSpreadParams& params);
  [[nodiscard]] std::string_view name() const noexcept override { return "vix1d_credit_spread"; }
  [[nodiscard]] std::int16_t entry_deadline_minute() const noexcept override { return p_.entry_deadline_minute; }

  void history_needs(HistoryRequest& r) const override { r.add_prior(p_.vix1d); }
  void on_start(StrategyContext& ctx) override;
  void on_timer(StrategyContext& ctx) override;
  void on_order(const Order& order, StrategyContext& ctx) override;
  void on_restore(const Order& order, const RestoredOrder& info, StrategyContext& ctx) override;
  void on_rejected(const Intent& intent, RiskReason reason, StrategyContext& ctx) override;
  void on_exit(const Order& order, ExitReason reason, StrategyContext& ctx) override;

  [[nodiscard]] double vix1d_used() const noexcept { return vix1d_; }
  [[nodiscard]] bool used_stand_in() const noexcept { return stand_in_; }
  // The chain's index as ChainAnalytics gives it (annualised over the session's remaining calendar
  // minutes), before it is put on VIX1D's scale; 0 until the first complete chain.
  [[nodiscard]] double stand_in_raw() const noexcept { return stand_in_value_; }
  [[nodiscard]] double expected_move() const noexcept { return em_; }
  [[nodiscard]] double session_first_price() const noexcept { return first_price_; }

 private:
  bool resolve_vix1d(StrategyContext& ctx);
  bool enter(StrategyContext& ctx);

  std::uint16_t index_;
  Vix1dCreditSpreadParams p_;
  InstrumentId underlying_ = kNoInstrument;
  InstrumentId vix1d_id_ = kNoInstrument;
  std::optional<ChainAnalytics> chain_;
  double first_price_ = 0.0;
  double stand_in_value_ = 0.0;
  double stand_in_years_ = 0.0;  // years to the settlement when the stand-in was taken
  int stand_in_minute_ = -1;
  double vix1d_ = 0.0;
  double em_ = 0.0;
  bool stand_in_ = false;
  bool exit_sent_ = false;
  ClientOrderId entry_;
};

}  // namespace odte::strategies

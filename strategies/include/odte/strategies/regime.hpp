#pragma once

// Seed 001 (Lay Quant's variation on Quant Galore's VIX1D spreads): at 10:00 ET classify the
// regimes of 1-minute SPY, VIX and VVIX from their EMA-30, trade one SPY 0DTE structure at the
// strike nearest SPY, and close at 15:00 ET:
//
//   SPY  VIX  VVIX  trade
//    +    -    -    long call (ATM)
//    +    +    +    debit call spread: buy ATM call, sell the call `wing` above
//    -    -    -    credit put spread: sell ATM put, buy the put `wing` below
//   +/-   +    -    iron butterfly: sell ATM call and put, buy the wings `wing` away
//   anything else: no trade
//
// (The seed's text says "short call ... long call $3 below" for the credit put spread; a credit
// put spread sells and buys puts, which is what is traded.)
// A series without bars by the entry time (the shared recordings have no 1-minute VVIX) stops the
// strategy for the day with a note: it never trades on invented data.

#include <cstdint>
#include <optional>
#include <string>

#include "odte/core/market/chain.hpp"
#include "odte/core/market/indicators.hpp"
#include "odte/core/engine/strategy.hpp"

namespace odte::strategies {

struct RegimeParams {
  std::string underlying = "SPY";   // stock symbol whose bars give the SPY regime
  std::string option_root = "SPY";
  std::string vix = "I:VIX";
  std::string vvix = "I:VVIX";
  int ema_period = 30;
  RegimeRule rule = RegimeRule::kPriceVsEma;
  int min_bars = 10;                // bars each series needs before its regime counts
  std::int16_t entry_minute = 10 * 60;
  std::int16_t entry_deadline_minute = 10 * 60 + 15;  // give up if no quotes by then
  Price wing = Price::from_dollars(3);
  std::uint32_t quantity = 2;
  Price price_slack = Price::from_cents(5);  // pay up to mid + slack, never beyond natural
};

enum class RegimeTrade : std::uint8_t { kNone = 0, kLongCall, kDebitCallSpread, kCreditPutSpread, kIronButterfly };
[[nodiscard]] std::string_view to_string(RegimeTrade) noexcept;
// The seed's table. Signs are +1/-1 (0 = undecided matches nothing).
[[nodiscard]] RegimeTrade classify(int spy, int vix, int vvix) noexcept;

class RegimeStrategy final : public Strategy {
 public:
  RegimeStrategy(std::uint16_t index, const RegimeParams& params);
  [[nodiscard]] std::string_view name() const noexcept override { return "regime"; }
  [[nodiscard]] std::int16_t entry_deadline_minute() const noexcept override { return p_.entry_deadline_minute; }

  void history_needs(HistoryRequest& r) const override {
    r.add_minutes(p_.underlying);
    r.add_minutes(p_.vix);
    r.add_minutes(p_.vvix);
  }
  void on_start(StrategyContext& ctx) override;
  void on_bar(const MinuteBar& bar, StrategyContext& ctx) override;
  void on_timer(StrategyContext& ctx) override;
  void on_order(const Order& order, StrategyContext& ctx) override;
  void on_restore(const Order& order, const RestoredOrder& info, StrategyContext& ctx) override;
  void on_rejected(const Intent& intent, RiskReason reason, StrategyContext& ctx) override;
  void on_exit(const Order& order, ExitReason reason, StrategyContext& ctx) override;

  [[nodiscard]] RegimeTrade decision() const noexcept { return decision_; }
  [[nodiscard]] int spy_sign() const noexcept { return spy_.sign(); }
  [[nodiscard]] int vix_sign() const noexcept { return vix_.sign(); }
  [[nodiscard]] int vvix_sign() const noexcept { return vvix_.sign(); }
  [[nodiscard]] ClientOrderId entry_order() const noexcept { return entry_; }
  // History bars the EMAs were warmed on at start (all three series).
  [[nodiscard]] std::uint32_t warm_bars() const noexcept { return warm_bars_; }
  [[nodiscard]] double spy_ema() const noexcept { return spy_.ema().value(); }
  [[nodiscard]] double vix_ema() const noexcept { return vix_.ema().value(); }

 private:
  bool enter(StrategyContext& ctx);

  std::uint16_t index_;
  RegimeParams p_;
  InstrumentId spy_id_ = kNoInstrument;
  InstrumentId vix_id_ = kNoInstrument;
  InstrumentId vvix_id_ = kNoInstrument;
  Regime spy_;
  Regime vix_;
  Regime vvix_;
  std::uint32_t spy_bars_ = 0, vix_bars_ = 0, vvix_bars_ = 0;
  std::uint32_t warm_bars_ = 0;
  std::optional<OptionChain> chain_;
  RegimeTrade decision_ = RegimeTrade::kNone;
  bool decided_ = false;
  ClientOrderId entry_;
  bool exit_sent_ = false;
};

}  // namespace odte::strategies

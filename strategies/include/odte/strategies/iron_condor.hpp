#pragma once

// Seed 002 (Refinitiv's short iron condor backtest), on a 0DTE chain: at the entry time sell the
// call and the put `short_otm` away from the underlying and buy the wings `long_otm` away (strikes
// nearest those levels), then offset everything when the 3-period moving average of VIX changes
// by more than 2 standard deviations of the previous 30 periods' changes (periods = 1-minute VIX
// bars here; the seed used days on monthly NDX options). Otherwise hold to the exit time.
// Without a VIX series the offset rule cannot work, so the strategy says so and does not trade.

#include <cstdint>
#include <optional>
#include <string>

#include "odte/core/market/chain.hpp"
#include "odte/core/market/indicators.hpp"
#include "odte/core/engine/strategy.hpp"

namespace odte::strategies {

struct IronCondorParams {
  std::string underlying = "SPY";    // price the OTM distances are measured from
  std::string option_root = "SPY";
  std::string trigger = "I:VIX";
  double short_otm = 0.005;          // fraction of the underlying: 0.5% OTM short strikes
  double long_otm = 0.010;           // 1.0% OTM long wings
  double trigger_sigmas = 2.0;
  std::int16_t entry_minute = 9 * 60 + 45;
  std::int16_t entry_deadline_minute = 10 * 60;
  std::uint32_t quantity = 1;
  Price price_slack = Price::from_cents(5);
};

class IronCondorStrategy final : public Strategy {
 public:
  IronCondorStrategy(std::uint16_t index, const IronCondorParams& params);
  [[nodiscard]] std::string_view name() const noexcept override { return "iron_condor"; }
  [[nodiscard]] std::int16_t entry_deadline_minute() const noexcept override { return p_.entry_deadline_minute; }

  void on_start(StrategyContext& ctx) override;
  void on_bar(const MinuteBar& bar, StrategyContext& ctx) override;
  void on_timer(StrategyContext& ctx) override;
  void on_order(const Order& order, StrategyContext& ctx) override;
  void on_restore(const Order& order, const RestoredOrder& info, StrategyContext& ctx) override;
  void on_rejected(const Intent& intent, RiskReason reason, StrategyContext& ctx) override;
  void on_exit(const Order& order, ExitReason reason, StrategyContext& ctx) override;

  [[nodiscard]] ClientOrderId entry_order() const noexcept { return entry_; }
  [[nodiscard]] bool offset_fired() const noexcept { return offset_fired_; }

 private:
  bool enter(StrategyContext& ctx);

  std::uint16_t index_;
  IronCondorParams p_;
  InstrumentId underlying_ = kNoInstrument;
  InstrumentId trigger_ = kNoInstrument;
  MaChangeTrigger<3, 30> ma_;
  std::uint32_t trigger_bars_ = 0;
  std::optional<OptionChain> chain_;
  ClientOrderId entry_;
  bool offset_fired_ = false;
  bool exit_sent_ = false;
};

}  // namespace odte::strategies

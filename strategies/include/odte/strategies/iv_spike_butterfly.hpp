#pragma once

// Seed 000 (IV-spike reverse iron butterfly), on a 0DTE chain: buy the at-the-money straddle
// (call and put at the strike nearest the underlying) and sell the wings `wing` dollars either
// side (strikes nearest ATM +- wing): a long-volatility debit spread whose loss is the debit.
//
// Entry (seed: "bought at open or at 11", "the earliest is best"): at `entry_time` -- 09:45 by
// default, the first minute after the risk engine's opening no-trade window, or 11:00 -- and no
// later than `entry_deadline`. The seed's IV spike is what the position captures, not an entry
// filter, so entry_mode = "time" (the default) enters unconditionally; entry_mode = "iv_spike"
// waits inside the window for the ATM-IV spike detector (change of ATM IV sampled every
// `iv_sample_minutes` against the previous 30 changes: z >= iv_spike_z or % >= iv_spike_pct).
//
// Exits: the engine's exit rules take the 500% profit target ([exits] profit_target_fraction =
// 5.0) and the optional debit stop ([exits] debit_stop_fraction); the strategy itself closes
//  - when the retail volume peak has passed: the busiest sampling interval of the chain's volume
//    since entry began at least `volume_peak_confirm_minutes` ago, once `volume_exit_after` is
//    reached (exit_on_volume_peak), or
//  - at `exit_time` (14:00, after the algorithmic dump), whichever comes first.

#include <cstdint>
#include <optional>
#include <string>

#include "odte/core/market/chain_analytics.hpp"
#include "odte/core/market/indicators.hpp"
#include "odte/core/engine/strategy.hpp"

namespace odte::strategies {

enum class ButterflyEntry : std::uint8_t { kTime = 1, kIvSpike };

struct IvSpikeButterflyParams {
  std::string underlying = "SPY";
  std::string option_root = "SPY";
  Price wing = Price::from_dollars(5);
  ButterflyEntry entry_mode = ButterflyEntry::kTime;
  std::int16_t entry_minute = 9 * 60 + 45;
  std::int16_t entry_deadline_minute = 10 * 60 + 30;
  double iv_spike_z = 2.0;                 // 0 = off
  double iv_spike_pct = 0.10;              // 10% rise of ATM IV in one sample; 0 = off
  int iv_sample_minutes = 1;
  bool exit_on_volume_peak = true;
  int volume_peak_confirm_minutes = 30;
  std::int16_t volume_exit_after_minute = 10 * 60 + 30;
  std::uint32_t quantity = 1;
  Price price_slack = Price::from_cents(5);
  double rate = 0.0;                       // for the IV solve
};

class IvSpikeButterflyStrategy final : public Strategy {
 public:
  static constexpr std::size_t kIvBaseline = 30;

  IvSpikeButterflyStrategy(std::uint16_t index, const IvSpikeButterflyParams& params);
  [[nodiscard]] std::string_view name() const noexcept override { return "iv_spike_butterfly"; }
  [[nodiscard]] std::int16_t entry_deadline_minute() const noexcept override { return p_.entry_deadline_minute; }
  [[nodiscard]] bool reads_option_volume() const noexcept override { return p_.exit_on_volume_peak; }

  void on_start(StrategyContext& ctx) override;
  void on_timer(StrategyContext& ctx) override;
  void on_order(const Order& order, StrategyContext& ctx) override;
  void on_restore(const Order& order, const RestoredOrder& info, StrategyContext& ctx) override;
  void on_rejected(const Intent& intent, RiskReason reason, StrategyContext& ctx) override;
  void on_exit(const Order& order, ExitReason reason, StrategyContext& ctx) override;

  [[nodiscard]] ClientOrderId entry_order() const noexcept { return entry_; }
  [[nodiscard]] const char* exit_reason() const noexcept { return exit_reason_; }
  [[nodiscard]] bool spike_seen() const noexcept { return spike_seen_; }

 private:
  bool enter(StrategyContext& ctx);
  void close(StrategyContext& ctx, const char* reason);

  std::uint16_t index_;
  IvSpikeButterflyParams p_;
  InstrumentId underlying_ = kNoInstrument;
  std::optional<ChainAnalytics> chain_;
  SpikeDetector<kIvBaseline> spike_;
  int last_iv_sample_ = -1000;
  int last_volume_minute_ = -1;
  std::uint64_t volume_at_last_sample_ = 0;
  std::uint64_t peak_volume_ = 0;
  int peak_minute_ = -1;
  bool spike_seen_ = false;
  bool exit_sent_ = false;
  bool wings_missing_ = false;  // the last entry attempt found the ATM strike but not both wings listed
  const char* exit_reason_ = "";
  ClientOrderId entry_;
};

}  // namespace odte::strategies

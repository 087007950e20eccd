#pragma once

// Seed 000 (IV-spike reverse iron butterfly), on a 0DTE chain: buy the at-the-money straddle
// (call and put at the strike nearest the underlying) and sell the wings at the seed's
// 0.95 x / 1.05 x spot (`wing_fraction` = 0.05; the nearest listed strikes): a long-volatility
// debit spread whose loss is the debit. A wing whose strike has no bid cannot be sold (0DTE
// strikes 5% out are quoted 0.00 / 0.01 all day): the wing then moves toward the money to the
// first strike with a bid, and the strategy notes it. `wing` (dollars) > 0 replaces the fraction.
//
// Sizing (seed: "a tiny fraction of capital, <0.5%"): units = floor(risk_fraction x equity /
// debit per unit in dollars), equity as the risk engine sees it (StrategyContext::account());
// `quantity` > 0 fixes the size instead. Under one unit: a note, no trade.
//
// Entry (seed: "bought at open or at 11", "the earliest is best"): at `entry_time` -- 09:45 by
// default, the first minute after the risk engine's opening no-trade window, or 11:00 -- and no
// later than `entry_deadline`. entry_mode = "iv_spike" waits inside the window for the ATM-IV
// spike detector instead (change of ATM IV sampled every `iv_sample_minutes` against the
// previous 30 changes: z >= iv_spike_z or % >= iv_spike_pct, and a rise of at least
// `iv_spike_min_rise` vol points -- on a flat series the z-score alone reads noise as a spike).
//
// Exits: the engine's exit rules take the 500% profit target ([exits] profit_target_fraction =
// 5.0) and the optional debit stop ([exits] debit_stop_fraction); the strategy itself closes
//  - on an ATM-IV spike while held (exit_on_iv_spike, default): the seed captures "IV% spikes"
//    and their "mean-reversion": the spike is the moment to sell, before IV reverts;
//  - when the retail volume peak has passed (exit_on_volume_peak): the busiest sampling interval
//    of the traded chain's option volume (`option_root`: SPXW as the seed's "SPX volume"; SPY
//    option volume is a named stand-in) since entry began at least `volume_peak_confirm_minutes`
//    ago, once `volume_exit_after` is reached; or
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
  double wing_fraction = 0.05;             // the seed's 0.95 x / 1.05 x spot
  Price wing = Price::zero();              // dollars from ATM; > 0 replaces wing_fraction
  ButterflyEntry entry_mode = ButterflyEntry::kTime;
  std::int16_t entry_minute = 9 * 60 + 45;
  std::int16_t entry_deadline_minute = 10 * 60 + 30;
  double iv_spike_z = 2.0;                 // 0 = off
  double iv_spike_pct = 0.10;              // 10% rise of ATM IV in one sample; 0 = off
  double iv_spike_min_rise = 1.0;          // vol points ATM IV must rise in the sample (either test); 0 = off
  int iv_sample_minutes = 1;
  bool exit_on_iv_spike = true;
  bool exit_on_volume_peak = true;
  int volume_peak_confirm_minutes = 30;
  std::int16_t volume_exit_after_minute = 10 * 60 + 30;
  std::uint32_t quantity = 0;              // 0: the seed's sizing from risk_fraction
  double risk_fraction = 0.005;            // of equity, per trade (the seed's "<0.5%")
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
  [[nodiscard]] std::uint32_t quantity() const noexcept { return quantity_; }

 private:
  bool enter(StrategyContext& ctx);
  // The listed strike nearest `target` on the far side of the ATM strike whose `right` has a bid,
  // walking toward the money from there; null if none.
  const OptionChain::Strike* wing(const MarketState& market, double target, OptionRight right) const noexcept;
  // Sends the closing order; notes `why` once it is sent, or once that it could not be.
  void close(StrategyContext& ctx, const char* reason, const std::string& why = {});

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
  std::uint32_t quantity_ = 0;
  bool exit_sent_ = false;
  bool wings_missing_ = false;  // the last entry attempt found the ATM strike but not both wings listed
  bool close_failed_noted_ = false;
  const char* exit_reason_ = "";
  ClientOrderId entry_;
};

}  // namespace odte::strategies

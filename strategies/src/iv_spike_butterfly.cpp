#include "odte/strategies/iv_spike_butterfly.hpp"

#include <string>

#include "legs.hpp"
#include "odte/core/options/calendar.hpp"

namespace odte::strategies {

IvSpikeButterflyStrategy::IvSpikeButterflyStrategy(std::uint16_t index, const IvSpikeButterflyParams& params)
    : index_{index}, p_{params}, spike_{params.iv_spike_z, params.iv_spike_pct} {
  // Exits (config: profit_target, debit_stop, stop_credit_multiple, exit_time): the seed's 500%
  // profit goal and its latest sale, after the 2 pm algorithmic dump.
  ExitRules rules;
  rules.profit_target_fraction = 5.0;
  set_exits(rules, ExitTime{14 * 60, false});
}

void IvSpikeButterflyStrategy::on_start(StrategyContext& ctx) {
  underlying_ = ctx.instrument(p_.underlying);
  const options::SessionDay day = options::session(ctx.trading_day());
  if (day.close_ns == 0) {
    ctx.note("iv_spike_butterfly: " + std::to_string(ctx.trading_day()) + " is not a trading day; not trading");
    set_state(StrategyState::kDone);
  }
  chain_.emplace(p_.option_root, ctx.trading_day(), underlying_, day.close_ns, p_.rate);
}

void IvSpikeButterflyStrategy::on_timer(StrategyContext& ctx) {
  if (state() == StrategyState::kDone || state() == StrategyState::kMissingInput ||
      state() == StrategyState::kDisabled) {
    return;
  }
  const int minute = ctx.local_minute();
  chain_->update(ctx.market(), ctx.registry(), ctx.now());
  bool spike_now = false;
  if (minute - last_iv_sample_ >= p_.iv_sample_minutes && chain_->atm_iv() > 0.0) {
    last_iv_sample_ = minute;
    spike_now = spike_.update(chain_->atm_iv()).spike;
    spike_seen_ = spike_seen_ || spike_now;
  }

  if (state() == StrategyState::kWaiting) {
    if (minute < p_.entry_minute) return;
    if (minute >= p_.entry_deadline_minute) {
      if (!chain_->ready()) {
        ctx.note("iv_spike_butterfly: no " + p_.underlying + " price or no " + p_.option_root +
                 " 0DTE chain by the entry deadline; not trading today");
        set_state(StrategyState::kMissingInput);
      } else if (wings_missing_) {
        ctx.note("iv_spike_butterfly: no listed wing strikes either side of the ATM strike by the entry deadline; "
                 "not trading today");
        set_state(StrategyState::kDone);
      } else {
        ctx.note(p_.entry_mode == ButterflyEntry::kIvSpike
                     ? "iv_spike_butterfly: no ATM IV spike in the entry window; not trading today"
                     : "iv_spike_butterfly: no two-sided quotes for the legs before the entry deadline; not trading today");
        set_state(StrategyState::kDone);
      }
      return;
    }
    if (!chain_->ready()) return;
    if (p_.entry_mode == ButterflyEntry::kIvSpike && !spike_now) return;
    if (enter(ctx)) {
      set_state(StrategyState::kEntering);
      chain_->sample_volume(ctx.market(), minute);
      last_volume_minute_ = minute;
      volume_at_last_sample_ = chain_->chain_day_volume();
    }
    return;
  }

  if ((state() != StrategyState::kInPosition && state() != StrategyState::kEntering) || exit_sent_ || !entry_.valid()) {
    return;
  }
  if (minute != last_volume_minute_) {
    chain_->sample_volume(ctx.market(), minute);
    const std::uint64_t now_volume = chain_->chain_day_volume();
    const std::uint64_t interval = now_volume - volume_at_last_sample_;
    // The interval that began at the previous sample; a later equal volume does not move the peak.
    if (interval > peak_volume_) {
      peak_volume_ = interval;
      peak_minute_ = last_volume_minute_;
    }
    last_volume_minute_ = minute;
    volume_at_last_sample_ = now_volume;
  }
  // The time exit and the profit target are the engine's (Strategy::exit_rules).
  if (p_.exit_on_volume_peak && minute >= p_.volume_exit_after_minute && peak_minute_ >= 0 &&
             minute - peak_minute_ >= p_.volume_peak_confirm_minutes) {
    close(ctx, "iv_spike_butterfly:volume_peak");
  }
}

bool IvSpikeButterflyStrategy::enter(StrategyContext& ctx) {
  const OptionChain& chain = chain_->chain();
  const OptionChain::Strike* atm = chain_->atm();
  if (atm == nullptr) return false;
  const OptionChain::Strike* call_wing = chain.nearest(atm->strike + p_.wing);
  const OptionChain::Strike* put_wing = chain.nearest(atm->strike - p_.wing);
  // The chain holds the contracts seen so far: it fills as each first quotes (options subscribed a
  // moment ago around a price that just arrived, a restart mid-morning). A missing wing is waited
  // for until the entry deadline, never decided on a chain still filling.
  wings_missing_ = call_wing == nullptr || put_wing == nullptr || !(call_wing->strike > atm->strike) ||
                   !(put_wing->strike < atm->strike);
  if (wings_missing_) return false;
  Intent in{};
  in.strategy = index_;
  in.action = IntentAction::kOpen;
  in.quantity = p_.quantity;
  if (!price_legs(ctx.market(), ctx.registry(),
                  {OrderLeg{atm->call, Side::kBuy, 0, 1}, OrderLeg{atm->put, Side::kBuy, 0, 1},
                   OrderLeg{call_wing->call, Side::kSell, 0, 1}, OrderLeg{put_wing->put, Side::kSell, 0, 1}},
                  p_.price_slack, in)) {
    return false;
  }
  in.set_reason(p_.entry_mode == ButterflyEntry::kIvSpike ? "iv_spike_butterfly:spike" : "iv_spike_butterfly:open");
  entry_ = ctx.submit(in);
  return entry_.valid();
}

void IvSpikeButterflyStrategy::close(StrategyContext& ctx, const char* reason) {
  exit_sent_ = ctx.close_position(entry_, reason);
  if (exit_sent_) {
    exit_reason_ = reason;
    set_state(StrategyState::kExiting);
  }
}

void IvSpikeButterflyStrategy::on_order(const Order& order, StrategyContext& ctx) {
  follow_entry_order(*this, "iv_spike_butterfly", entry_, exit_sent_, order, ctx);
}

void IvSpikeButterflyStrategy::on_rejected(const Intent&, RiskReason reason, StrategyContext& ctx) {
  ctx.note("iv_spike_butterfly: refused by risk: " + std::string(odte::to_string(reason)));
  if (state() == StrategyState::kWaiting) set_state(StrategyState::kDone);
}

void IvSpikeButterflyStrategy::on_exit(const Order& order, ExitReason reason, StrategyContext&) {
  if (order.id != entry_) return;
  exit_sent_ = true;
  exit_reason_ = reason == ExitReason::kProfitTarget ? "engine:profit_target"
                 : reason == ExitReason::kStop        ? "engine:stop"
                                                      : "engine:time";
  set_state(StrategyState::kExiting);
}

void IvSpikeButterflyStrategy::on_restore(const Order& order, const RestoredOrder& info, StrategyContext&) {
  restore_entry_order(*this, entry_, exit_sent_, order, info);
}

}  // namespace odte::strategies

#include "odte/strategies/iron_condor.hpp"

#include <cmath>
#include <string>

#include "legs.hpp"

namespace odte::strategies {

IronCondorStrategy::IronCondorStrategy(std::uint16_t index, const IronCondorParams& params)
    : index_{index}, p_{params}, ma_{params.trigger_sigmas} {
  // Exits (config: exit_time, profit_target, stop_credit_multiple, debit_stop): the seed offsets on
  // its VIX rule or holds to expiry; closed 15 minutes before the close instead (docs/strategies.md).
  set_exits(ExitRules{}, ExitTime{15, true});
}

void IronCondorStrategy::on_start(StrategyContext& ctx) {
  underlying_ = ctx.instrument(p_.underlying);
  trigger_ = ctx.instrument(p_.trigger);
  if (!ctx.track_bars(trigger_)) ctx.note("iron_condor: cannot track bars for the trigger (limit reached)");
  chain_.emplace(p_.option_root, ctx.trading_day());
}

void IronCondorStrategy::on_bar(const MinuteBar& bar, StrategyContext& ctx) {
  if (bar.instrument != trigger_) return;
  ++trigger_bars_;
  const auto r = ma_.update(bar.close.to_double());
  const bool holding = state() == StrategyState::kInPosition || state() == StrategyState::kEntering;
  if (r.fired && holding && !exit_sent_ && entry_.valid()) {
    offset_fired_ = true;
    ctx.note("iron_condor: " + p_.trigger + " 3-period MA changed " + std::to_string(r.change) + " beyond " +
             std::to_string(r.threshold) + "; offsetting");
    exit_sent_ = ctx.close_position(entry_, "iron_condor:vix_offset");
    if (exit_sent_) set_state(StrategyState::kExiting);
  }
}

void IronCondorStrategy::on_timer(StrategyContext& ctx) {
  const int minute = ctx.local_minute();
  if (state() == StrategyState::kWaiting && minute >= p_.entry_minute) {
    if (trigger_bars_ == 0) {
      ctx.note("iron_condor: no one-minute bars of " + p_.trigger +
               " by the entry time; the offset rule needs them, so no trade today");
      set_state(StrategyState::kMissingInput);
      return;
    }
    if (minute >= p_.entry_deadline_minute) {
      ctx.note("iron_condor: no two-sided quotes for the legs before the entry deadline; not trading today");
      set_state(StrategyState::kDone);
      return;
    }
    if (enter(ctx)) set_state(StrategyState::kEntering);
    return;
  }
  // The time exit is the engine's (exit_time, Strategy::exit_rules).
}

bool IronCondorStrategy::enter(StrategyContext& ctx) {
  chain_->refresh(ctx.registry());
  const Price spot = ctx.market().reference_price(underlying_);
  if (!spot.valid() || chain_->empty()) return false;
  const double s = spot.to_double();
  const OptionChain::Strike* short_call = chain_->nearest(Price::from_double(s * (1.0 + p_.short_otm)));
  const OptionChain::Strike* long_call = chain_->nearest(Price::from_double(s * (1.0 + p_.long_otm)));
  const OptionChain::Strike* short_put = chain_->nearest(Price::from_double(s * (1.0 - p_.short_otm)));
  const OptionChain::Strike* long_put = chain_->nearest(Price::from_double(s * (1.0 - p_.long_otm)));
  if (short_call == nullptr || long_call == nullptr || short_put == nullptr || long_put == nullptr) return false;
  // A condor needs wings strictly beyond its short strikes and the short call above the short put.
  if (!(long_call->strike > short_call->strike && short_call->strike > short_put->strike &&
        short_put->strike > long_put->strike)) {
    ctx.note("iron_condor: the listed strikes cannot form a condor at these distances; not trading today");
    set_state(StrategyState::kDone);
    return false;
  }
  Intent in{};
  in.strategy = index_;
  in.action = IntentAction::kOpen;
  in.quantity = p_.quantity;
  if (!price_legs(ctx.market(), ctx.registry(),
                  {OrderLeg{short_call->call, Side::kSell, 0, 1}, OrderLeg{short_put->put, Side::kSell, 0, 1},
                   OrderLeg{long_call->call, Side::kBuy, 0, 1}, OrderLeg{long_put->put, Side::kBuy, 0, 1}},
                  p_.price_slack, in)) {
    return false;
  }
  in.set_reason("iron_condor:open");
  entry_ = ctx.submit(in);
  return entry_.valid();
}

void IronCondorStrategy::on_order(const Order& order, StrategyContext& ctx) {
  follow_entry_order(*this, "iron_condor", entry_, exit_sent_, order, ctx);
}

void IronCondorStrategy::on_rejected(const Intent&, RiskReason reason, StrategyContext& ctx) {
  ctx.note("iron_condor: refused by risk: " + std::string(odte::to_string(reason)));
  if (state() == StrategyState::kWaiting) set_state(StrategyState::kDone);
}

void IronCondorStrategy::on_restore(const Order& order, const RestoredOrder& info, StrategyContext&) {
  restore_entry_order(*this, entry_, exit_sent_, order, info);
}

void IronCondorStrategy::on_exit(const Order& order, ExitReason, StrategyContext&) {
  follow_exit(*this, entry_, exit_sent_, order);
}

}  // namespace odte::strategies

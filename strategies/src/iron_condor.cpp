#include "odte/strategies/iron_condor.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <span>
#include <string>

#include "odte/core/engine/risk.hpp"
#include "odte/core/options/calendar.hpp"

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
  arm_daily_trigger(ctx);
}

namespace {
std::string fixed(double v, int digits) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}
}  // namespace

void IronCondorStrategy::arm_daily_trigger(StrategyContext& ctx) {
  const SeriesHistory* h = ctx.history().find(p_.trigger);
  const std::size_t need = static_cast<std::size_t>(p_.trigger_ma_days);
  const std::int32_t from = options::add_days(ctx.trading_day(), -p_.trigger_lookback_days);
  const double sd = h == nullptr ? -1.0 : daily_change_stdev(h->daily, from);
  if (h != nullptr && !h->daily.empty()) prior_close_ = h->daily.back().close.to_double();
  if (h == nullptr || h->daily.size() < need || sd < 0.0) {
    ctx.note("iron_condor: no daily history of " + p_.trigger + " (needs " + std::to_string(need) +
             " prior closes and the last " + std::to_string(p_.trigger_lookback_days) + " days' changes); " +
             (p_.trigger_fallback_minute
                  ? "the offset falls back to the 1-minute stand-in (3-bar MA change vs 30 bars' sigma)"
                  : "trigger_fallback = \"none\": no trade today"));
    if (!p_.trigger_fallback_minute) set_state(StrategyState::kMissingInput);
    return;
  }
  daily_ = true;
  daily_threshold_ = p_.trigger_sigmas * sd;
  double sum_prev = 0.0;
  for (std::size_t i = h->daily.size() - need; i < h->daily.size(); ++i) sum_prev += h->daily[i].close.to_double();
  ma_prev_ = sum_prev / static_cast<double>(need);
  ma_sum_known_ = sum_prev - h->daily[h->daily.size() - need].close.to_double();
  ctx.note("iron_condor: offset when the " + std::to_string(need) + "-day MA of " + p_.trigger + " rises over " +
           fixed(daily_threshold_, 3) + "% (" + fixed(p_.trigger_sigmas, 1) + " x " + fixed(sd, 3) +
           "%, the daily changes since " + std::to_string(from) + "); prior close " + fixed(prior_close_, 2) +
           ", yesterday's MA " + fixed(ma_prev_, 4));
}

void IronCondorStrategy::on_bar(const MinuteBar& bar, StrategyContext& ctx) {
  if (bar.instrument != trigger_) return;
  ++trigger_bars_;
  const bool holding = state() == StrategyState::kInPosition || state() == StrategyState::kEntering;
  if (daily_) {
    // Today's MA with VIX now as today's close, against yesterday's MA: rising only.
    const double ma_today = (ma_sum_known_ + bar.close.to_double()) / static_cast<double>(p_.trigger_ma_days);
    last_daily_change_ = 100.0 * (ma_today / ma_prev_ - 1.0);
    if (last_daily_change_ <= daily_threshold_) return;
    ++daily_crossings_;
    if (holding && !exit_sent_ && entry_.valid()) {
      offset_fired_ = true;
      ctx.note("iron_condor: the " + std::to_string(p_.trigger_ma_days) + "-day MA of " + p_.trigger + " rose " +
               fixed(last_daily_change_, 3) + "% (VIX " + bar.close.to_string() + ") over " + fixed(daily_threshold_, 3) +
               "%; offsetting");
      exit_sent_ = ctx.close_position(entry_, "iron_condor:vix_offset");
      if (exit_sent_) set_state(StrategyState::kExiting);
    }
    return;
  }
  const auto r = ma_.update(bar.close.to_double());
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
  double short_d = s * p_.short_otm;
  double long_d = s * p_.long_otm;
  if (p_.short_otm <= 0.0 || p_.long_otm <= 0.0) {
    // The day's expected move from VIX at entry (else its prior close).
    const Price live = ctx.market().reference_price(trigger_);
    const double vol = live.valid() && live > Price::zero() ? live.to_double() : prior_close_;
    if (vol <= 0.0) {
      ctx.note("iron_condor: no " + p_.trigger + " value for the expected move; not trading today");
      set_state(StrategyState::kMissingInput);
      return false;
    }
    const double em = s * vol / 100.0 / std::sqrt(252.0);
    short_d = p_.short_sigma * em;
    long_d = p_.long_sigma * em;
    if (!em_noted_) {
      em_noted_ = true;
      ctx.note("iron_condor: expected move " + fixed(em, 2) + " (" + p_.underlying + " " + fixed(s, 2) + ", " +
               p_.trigger + " " + fixed(vol, 2) + "): shorts " + fixed(p_.short_sigma, 2) + " sigma, wings " +
               fixed(p_.long_sigma, 2) + " sigma away");
    }
  }
  const OptionChain::Strike* short_call = chain_->nearest(Price::from_double(s + short_d));
  const OptionChain::Strike* long_call = chain_->nearest(Price::from_double(s + long_d));
  const OptionChain::Strike* short_put = chain_->nearest(Price::from_double(s - short_d));
  const OptionChain::Strike* long_put = chain_->nearest(Price::from_double(s - long_d));
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
  const auto price = [&](const OptionChain::Strike* lc, const OptionChain::Strike* lp) {
    return price_legs(ctx.market(), ctx.registry(),
                      {OrderLeg{short_call->call, Side::kSell, 0, 1}, OrderLeg{short_put->put, Side::kSell, 0, 1},
                       OrderLeg{lc->call, Side::kBuy, 0, 1}, OrderLeg{lp->put, Side::kBuy, 0, 1}},
                      p_.price_slack, in);
  };
  if (!price(long_call, long_put)) return false;
  const double cap = ctx.risk_limits().max_risk_fraction * ctx.account().equity.to_double();
  const double seed_risk = max_loss_dollars(in, ctx.registry());
  if (p_.fit_wings_to_risk && cap > 0.0 && seed_risk > cap) {
    // The widest listed wing, the same width both sides (the put wing at most the call wing's
    // width), whose condor fits the cap; the shorts stay where the seed put them.
    const std::string seed_wings = long_call->strike.to_string() + " call / " + long_put->strike.to_string() + " put";
    const auto& strikes = chain_->strikes();
    const OptionChain::Strike* fit_call = nullptr;
    const OptionChain::Strike* fit_put = nullptr;
    double fit_risk = 0.0;
    for (auto it = strikes.rbegin(); it != strikes.rend() && fit_call == nullptr; ++it) {
      if (!(it->strike < long_call->strike && it->strike > short_call->strike) || it->call == kNoInstrument) continue;
      const Price width = it->strike - short_call->strike;
      const OptionChain::Strike* lp = nullptr;  // the lowest listed put at or above short put - width
      for (const auto& k : strikes) {
        if (k.put != kNoInstrument && k.strike >= short_put->strike - width && k.strike < short_put->strike) {
          lp = &k;
          break;
        }
      }
      if (lp == nullptr || !price(&*it, lp) || in.limit >= Price::zero()) continue;
      const double r = max_loss_dollars(in, ctx.registry());
      if (r <= cap) {
        fit_call = &*it;
        fit_put = lp;
        fit_risk = r;
      }
    }
    if (fit_call == nullptr) {
      ctx.note("iron_condor: one condor at the seed's wings (" + seed_wings + ") risks " + fixed(seed_risk, 2) +
               " dollars, over the per-trade cap of " + fixed(cap, 2) + ", and no narrower listed wing with a credit fits; "
               "not trading today");
      set_state(StrategyState::kDone);
      return false;
    }
    ctx.note("iron_condor: one condor at the seed's wings (" + seed_wings + ") risks " + fixed(seed_risk, 2) +
             " dollars, over the per-trade cap of " + fixed(cap, 2) + "; wings brought in to " + fit_call->strike.to_string() +
             " call / " + fit_put->strike.to_string() + " put, risking " + fixed(fit_risk, 2) +
             " (fit_wings_to_risk; the seed's wings are fixed)");
    long_call = fit_call;
    long_put = fit_put;
    if (!price(long_call, long_put)) return false;
  }
  if (in.limit >= Price::zero()) {
    ctx.note("iron_condor: the condor " + short_put->strike.to_string() + "/" + short_call->strike.to_string() +
             " with wings " + long_put->strike.to_string() + "/" + long_call->strike.to_string() + " takes no credit (a debit of " +
             in.limit.to_string() + " a unit at the legs' quotes); not trading today");
    set_state(StrategyState::kDone);
    return false;
  }
  in.set_reason("iron_condor:open");
  entry_ = ctx.submit(in);
  return entry_.valid();
}

double IronCondorStrategy::max_loss_dollars(const Intent& in, const InstrumentRegistry& registry) const noexcept {
  std::array<LegForRisk, kMaxLegs> legs{};
  std::uint32_t multiplier = 100;
  for (int i = 0; i < in.leg_count; ++i) {
    const Instrument& inst = registry.get(in.legs[i].instrument);
    legs[static_cast<std::size_t>(i)] =
        LegForRisk{inst.info.option.right, inst.info.option.strike, in.legs[i].side, in.legs[i].ratio};
    if (inst.info.option.multiplier != 0) multiplier = inst.info.option.multiplier;
  }
  const SpreadRisk r = spread_risk(std::span<const LegForRisk>(legs.data(), static_cast<std::size_t>(in.leg_count)), in.limit);
  return r.max_loss.to_double() * multiplier * in.quantity;
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

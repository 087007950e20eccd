#include "odte/strategies/iv_spike_butterfly.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "legs.hpp"
#include "odte/core/options/calendar.hpp"

namespace odte::strategies {

namespace {
std::string fixed(double v, int digits) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}
// Whose option volume the volume exit watches: the seed's is SPX's ("highest minute SPX volume"),
// which SPXW options carry; any other root is a stand-in, and the note says so.
std::string volume_source(const std::string& root) {
  return root == "SPXW" || root == "SPX" ? root + " option volume"
                                         : root + " option volume (stand-in for the seed's SPX/SPXW option volume)";
}
}  // namespace

IvSpikeButterflyStrategy::IvSpikeButterflyStrategy(std::uint16_t index, const IvSpikeButterflyParams& params)
    : index_{index}, p_{params}, spike_{params.iv_spike_z, params.iv_spike_pct, params.iv_spike_min_rise / 100.0} {
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
  if (p_.exit_on_iv_spike && spike_now && state() == StrategyState::kInPosition) {
    close(ctx, "iv_spike_butterfly:iv_spike",
          "iv_spike_butterfly: ATM IV spiked to " + fixed(chain_->atm_iv() * 100.0, 2) +
              "% while held; selling into the spike before it mean-reverts");
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
    close(ctx, "iv_spike_butterfly:volume_peak",
          "iv_spike_butterfly: " + volume_source(p_.option_root) + " peaked in the interval from " +
              std::to_string(peak_minute_ / 60) + ":" + (peak_minute_ % 60 < 10 ? "0" : "") +
              std::to_string(peak_minute_ % 60) + " (" + std::to_string(peak_volume_) + " contracts); closing");
  }
}

const OptionChain::Strike* IvSpikeButterflyStrategy::wing(const MarketState& market, double target,
                                                         OptionRight right) const noexcept {
  const OptionChain& chain = chain_->chain();
  const OptionChain::Strike* atm = chain_->atm();
  const OptionChain::Strike* start = chain.nearest(Price::from_double(target));
  if (atm == nullptr || start == nullptr) return nullptr;
  const auto& strikes = chain.strikes();
  auto i = static_cast<std::ptrdiff_t>(start - strikes.data());
  const auto a = static_cast<std::ptrdiff_t>(atm - strikes.data());
  const std::ptrdiff_t step = right == OptionRight::kCall ? -1 : 1;  // toward the money
  if (right == OptionRight::kCall ? i <= a : i >= a) return nullptr;
  for (; i != a; i += step) {
    const OptionChain::Strike& s = strikes[static_cast<std::size_t>(i)];
    const Nbbo* q = market.nbbo(right == OptionRight::kCall ? s.call : s.put);
    if (q != nullptr && q->two_sided() && q->bid > Price::zero()) return &s;
  }
  return nullptr;
}

bool IvSpikeButterflyStrategy::enter(StrategyContext& ctx) {
  const OptionChain::Strike* atm = chain_->atm();
  if (atm == nullptr) return false;
  const double spot = chain_->spot();
  const bool dollars = p_.wing > Price::zero();
  const double up = dollars ? atm->strike.to_double() + p_.wing.to_double() : spot * (1.0 + p_.wing_fraction);
  const double down = dollars ? atm->strike.to_double() - p_.wing.to_double() : spot * (1.0 - p_.wing_fraction);
  const OptionChain::Strike* call_wing = wing(ctx.market(), up, OptionRight::kCall);
  const OptionChain::Strike* put_wing = wing(ctx.market(), down, OptionRight::kPut);
  // The chain holds the contracts seen so far: it fills as each first quotes (options subscribed a
  // moment ago around a price that just arrived, a restart mid-morning). No strike listed yet on a
  // side of the ATM strike, or none there with a bid: waited for until the entry deadline, never
  // decided on a chain still filling. The deadline's note says which of the two it was.
  const auto& listed = chain_->chain().strikes();
  wings_missing_ = listed.empty() || atm == &listed.front() || atm == &listed.back();
  if (call_wing == nullptr || put_wing == nullptr) return false;
  Intent in{};
  in.strategy = index_;
  in.action = IntentAction::kOpen;
  if (!price_legs(ctx.market(), ctx.registry(),
                  {OrderLeg{atm->call, Side::kBuy, 0, 1}, OrderLeg{atm->put, Side::kBuy, 0, 1},
                   OrderLeg{call_wing->call, Side::kSell, 0, 1}, OrderLeg{put_wing->put, Side::kSell, 0, 1}},
                  p_.price_slack, in)) {
    return false;
  }
  const std::uint32_t multiplier = ctx.registry().get(atm->call).info.option.multiplier;
  const double debit_dollars = in.limit.to_double() * (multiplier != 0 ? multiplier : 100);
  if (p_.quantity > 0) {
    quantity_ = p_.quantity;
  } else {
    const double budget = p_.risk_fraction * ctx.account().equity.to_double();
    const double units = debit_dollars > 0.0 ? std::floor(budget / debit_dollars) : 0.0;
    if (units < 1.0) {
      ctx.note("iv_spike_butterfly: one butterfly costs " + fixed(debit_dollars, 2) + " dollars, over " +
               fixed(p_.risk_fraction * 100.0, 2) + "% of equity (" + fixed(budget, 2) + "); not trading today");
      set_state(StrategyState::kDone);
      return false;
    }
    quantity_ = static_cast<std::uint32_t>(std::min(units, 1000.0));
  }
  in.quantity = quantity_;
  const std::string wings = "short " + call_wing->strike.to_string() + " call / " + put_wing->strike.to_string() + " put";
  const bool moved = !dollars && (call_wing != chain_->chain().nearest(Price::from_double(up)) ||
                                  put_wing != chain_->chain().nearest(Price::from_double(down)));
  ctx.note("iv_spike_butterfly: buying " + std::to_string(quantity_) + " x the " + atm->strike.to_string() +
           " straddle, " + wings + (moved ? " (the strikes nearest 0.95/1.05 x spot " + fixed(spot, 2) +
                                                " have no bid; moved in to the first with one)"
                                          : "") +
           ", debit " + fixed(debit_dollars, 2) + " dollars a unit");
  in.set_reason(p_.entry_mode == ButterflyEntry::kIvSpike ? "iv_spike_butterfly:spike" : "iv_spike_butterfly:open");
  entry_ = ctx.submit(in);
  return entry_.valid();
}

void IvSpikeButterflyStrategy::close(StrategyContext& ctx, const char* reason, const std::string& why) {
  exit_sent_ = ctx.close_position(entry_, reason);
  if (exit_sent_) {
    if (!why.empty()) ctx.note(why);
    exit_reason_ = reason;
    set_state(StrategyState::kExiting);
  } else if (!close_failed_noted_) {
    close_failed_noted_ = true;
    ctx.note(std::string("iv_spike_butterfly: could not send the closing order (") + reason +
             "): closing orders need an offer on every leg bought back and a bid on every leg sold, and a leg has none; retrying, else "
             "the butterfly is held to the exit time or settlement");
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

#include "odte/strategies/vix1d_credit_spread.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "legs.hpp"
#include "odte/core/options/calendar.hpp"

namespace odte::strategies {

namespace {
std::string hhmm(int minute) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d:%02d", (minute / 60) % 100, minute % 60);
  return b;
}
std::string fixed(double v, int digits) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}
}  // namespace

Vix1dCreditSpreadStrategy::Vix1dCreditSpreadStrategy(std::uint16_t index, const Vix1dCreditSpreadParams& params)
    : index_{index}, p_{params} {
  // Exits (config: exit_time, stop_credit_multiple, ...): the seed holds the spread to the end of
  // the day, so no time exit, no stop.
  set_exits(ExitRules{}, ExitTime{});
}

void Vix1dCreditSpreadStrategy::on_start(StrategyContext& ctx) {
  underlying_ = ctx.instrument(p_.underlying);
  vix1d_id_ = ctx.instrument(p_.vix1d);
  const options::SessionDay day = options::session(ctx.trading_day());
  if (day.close_ns == 0) {
    ctx.note("vix1d_credit_spread: " + std::to_string(ctx.trading_day()) + " is not a trading day; not trading");
    set_state(StrategyState::kDone);
  }
  chain_.emplace(p_.option_root, ctx.trading_day(), underlying_, day.close_ns, p_.rate);
}

void Vix1dCreditSpreadStrategy::on_timer(StrategyContext& ctx) {
  if (state() == StrategyState::kDone || state() == StrategyState::kMissingInput ||
      state() == StrategyState::kDisabled) {
    return;
  }
  const int minute = ctx.local_minute();
  chain_->update(ctx.market(), ctx.registry(), ctx.now());
  if (first_price_ <= 0.0 && chain_->spot() > 0.0) first_price_ = chain_->spot();
  // The stand-in is fixed from the first complete chain of the day, whatever the source: it costs
  // one variance sum, and "auto" only knows whether the feed has VIX1D at entry.
  if (stand_in_minute_ < 0 && p_.vix1d_source != Vix1dSource::kFeed && chain_->ready()) {
    const DayVarianceIndex v = chain_->day_variance_index();
    if (v.ok) {
      stand_in_value_ = v.value;
      stand_in_years_ = chain_->years_to_settle();
      stand_in_minute_ = minute;
    }
  }

  if (state() == StrategyState::kWaiting) {
    if (minute < p_.entry_minute) return;
    if (minute >= p_.entry_deadline_minute) {
      if (!chain_->ready()) {
        ctx.note("vix1d_credit_spread: no " + p_.underlying + " price or no " + p_.option_root +
                 " 0DTE chain by the entry deadline; not trading today");
        set_state(StrategyState::kMissingInput);
      } else {
        ctx.note("vix1d_credit_spread: no two-sided quotes for the legs before the entry deadline; not trading today");
        set_state(StrategyState::kDone);
      }
      return;
    }
    if (!chain_->ready()) return;
    if (vix1d_ <= 0.0 && !resolve_vix1d(ctx)) return;
    if (enter(ctx)) set_state(StrategyState::kEntering);
    return;
  }
  // The time exit, when set, is the engine's (exit_time, Strategy::exit_rules).
}

bool Vix1dCreditSpreadStrategy::resolve_vix1d(StrategyContext& ctx) {
  if (p_.vix1d_prior_close > 0.0) {
    vix1d_ = p_.vix1d_prior_close;
    ctx.note("vix1d_credit_spread: VIX1D prior close " + fixed(vix1d_, 2) + " from the strategy's vix1d_prior_close");
    return true;
  }
  // The seed's rule: VIX1D's prior close, fetched before the session (REST previous close, or
  // the replay's history) and journaled with it.
  if (p_.vix1d_source == Vix1dSource::kAuto || p_.vix1d_source == Vix1dSource::kPriorClose) {
    if (const DailyClose* c = ctx.history().prior_close(p_.vix1d); c != nullptr) {
      vix1d_ = c->close.to_double();
      ctx.note("vix1d_credit_spread: VIX1D prior close " + fixed(vix1d_, 2) + " (" + std::to_string(c->day) +
               ", " + ctx.history().find(p_.vix1d)->source + ")");
      return true;
    }
    if (p_.vix1d_source == Vix1dSource::kPriorClose) {
      ctx.note("vix1d_credit_spread: no prior close of " + p_.vix1d +
               " in the history and vix1d_source = \"prior_close\"; not trading today");
      set_state(StrategyState::kMissingInput);
      return false;
    }
  }
  if (p_.vix1d_source == Vix1dSource::kFeed) {
    const InstrumentState* s = ctx.market().state(vix1d_id_);
    if (s != nullptr && s->last_ns != 0 && s->last.valid() && s->last.to_double() > 0.0) {
      vix1d_ = s->last.to_double();
      ctx.note("vix1d_credit_spread: VIX1D " + fixed(vix1d_, 2) + " from the feed's " + p_.vix1d +
               " (its last value before entry; the seed uses the prior close)");
      return true;
    }
    ctx.note("vix1d_credit_spread: no " + p_.vix1d + " series in this feed and vix1d_source = \"feed\"; not trading today");
    set_state(StrategyState::kMissingInput);
    return false;
  }
  if (stand_in_minute_ < 0) {
    // The chain is ready but its variance sum failed (e.g. too few two-sided strikes): wait.
    return false;
  }
  // On VIX1D's scale (header): the variance to the settlement over a one-day horizon of a 365-day
  // year, not over the few calendar hours left in the session.
  vix1d_ = stand_in_value_ * std::sqrt(365.0 * stand_in_years_);
  stand_in_ = true;
  ctx.note("vix1d_credit_spread: " +
           std::string(p_.vix1d_source == Vix1dSource::kAuto ? "no " + p_.vix1d + " prior close in the history; " : "") +
           "using the " + std::string(kDayVarianceIndexName) + " (" + fixed(stand_in_value_, 2) +
           ", first complete chain of the day at " + hhmm(stand_in_minute_) + "; on VIX1D's one-day scale " +
           fixed(vix1d_, 2) + " = " + fixed(stand_in_value_, 2) + " x sqrt(365 x " + fixed(stand_in_years_ * 525'600.0, 0) +
           " min / 525,600)) in place of VIX1D's prior close: a stand-in, not Cboe's VIX1D");
  return true;
}

bool Vix1dCreditSpreadStrategy::enter(StrategyContext& ctx) {
  const double s = chain_->spot();
  em_ = s * vix1d_ / 100.0 / std::sqrt(252.0);
  const bool sell_puts = p_.direction == SpreadDirection::kPut ||
                         (p_.direction == SpreadDirection::kTrend && s >= first_price_);
  const double boundary = sell_puts ? s - p_.em_multiple * em_ : s + p_.em_multiple * em_;
  const auto& strikes = chain_->chain().strikes();
  const OptionChain::Strike* short_leg = nullptr;
  const OptionChain::Strike* long_leg = nullptr;
  if (sell_puts) {
    for (const auto& k : strikes) {
      if (k.strike.to_double() <= boundary) short_leg = &k;
    }
    // The nearest listed put at least `width` below (SPXW's 5-point grid has no $2 step).
    if (short_leg != nullptr) long_leg = chain_->chain().put_at_or_below(short_leg->strike - p_.width);
  } else {
    for (auto it = strikes.rbegin(); it != strikes.rend(); ++it) {
      if (it->strike.to_double() >= boundary) short_leg = &*it;
    }
    if (short_leg != nullptr) long_leg = chain_->chain().call_at_or_above(short_leg->strike + p_.width);
  }
  if (short_leg == nullptr || long_leg == nullptr) {
    ctx.note("vix1d_credit_spread: no listed strikes beyond the expected move of " + fixed(em_, 2) + " (" +
             (sell_puts ? "below " : "above ") + fixed(boundary, 2) + "); not trading today");
    set_state(StrategyState::kDone);
    return false;
  }
  const OptionRight right = sell_puts ? OptionRight::kPut : OptionRight::kCall;
  const InstrumentId short_id = right == OptionRight::kPut ? short_leg->put : short_leg->call;
  const InstrumentId long_id = right == OptionRight::kPut ? long_leg->put : long_leg->call;
  Intent in{};
  in.strategy = index_;
  in.action = IntentAction::kOpen;
  in.quantity = p_.quantity;
  if (!price_legs(ctx.market(), ctx.registry(), {OrderLeg{short_id, Side::kSell, 0, 1}, OrderLeg{long_id, Side::kBuy, 0, 1}},
                  p_.price_slack, in)) {
    return false;
  }
  if (-in.limit.ticks() < p_.min_credit.ticks()) {
    // The strikes and the quotes the credit came from, so the reader can check it.
    const auto quote = [&](InstrumentId id) {
      const Nbbo* q = ctx.market().nbbo(id);
      return q == nullptr ? std::string("none") : q->bid.to_string() + " x " + q->ask.to_string();
    };
    ctx.note("vix1d_credit_spread: the " + short_leg->strike.to_string() + "/" + long_leg->strike.to_string() +
             (sell_puts ? " put" : " call") + " spread beyond the expected move of " + fixed(em_, 2) + " (VIX1D " +
             fixed(vix1d_, 2) + ", " + (sell_puts ? "below " : "above ") + fixed(boundary, 2) + ") pays " +
             (-in.limit).to_string() + " (short " + quote(short_id) + ", long " + quote(long_id) + "), under min_credit " +
             p_.min_credit.to_string() + "; not trading today");
    set_state(StrategyState::kDone);
    return false;
  }
  ctx.note("vix1d_credit_spread: " + std::string(sell_puts ? "bullish" : "bearish") + " (entry " + fixed(s, 2) +
           " vs first " + fixed(first_price_, 2) + "), VIX1D " + fixed(vix1d_, 2) + ", expected move " + fixed(em_, 2) +
           "; selling the " + short_leg->strike.to_string() + "/" + long_leg->strike.to_string() +
           (sell_puts ? " put" : " call") + " spread");
  in.set_reason(sell_puts ? "vix1d_credit_spread:put" : "vix1d_credit_spread:call");
  entry_ = ctx.submit(in);
  return entry_.valid();
}

void Vix1dCreditSpreadStrategy::on_order(const Order& order, StrategyContext& ctx) {
  follow_entry_order(*this, "vix1d_credit_spread", entry_, exit_sent_, order, ctx);
}

void Vix1dCreditSpreadStrategy::on_rejected(const Intent&, RiskReason reason, StrategyContext& ctx) {
  ctx.note("vix1d_credit_spread: refused by risk: " + std::string(odte::to_string(reason)));
  if (state() == StrategyState::kWaiting) set_state(StrategyState::kDone);
}

void Vix1dCreditSpreadStrategy::on_restore(const Order& order, const RestoredOrder& info, StrategyContext&) {
  restore_entry_order(*this, entry_, exit_sent_, order, info);
}

void Vix1dCreditSpreadStrategy::on_exit(const Order& order, ExitReason, StrategyContext&) {
  follow_exit(*this, entry_, exit_sent_, order);
}

}  // namespace odte::strategies

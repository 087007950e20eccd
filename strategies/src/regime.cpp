#include "odte/strategies/regime.hpp"

#include <cstdio>
#include <string>

#include "legs.hpp"
#include "odte/core/options/calendar.hpp"

namespace odte::strategies {

std::string_view to_string(RegimeTrade t) noexcept {
  switch (t) {
    case RegimeTrade::kNone: return "none";
    case RegimeTrade::kLongCall: return "long_call";
    case RegimeTrade::kDebitCallSpread: return "debit_call_spread";
    case RegimeTrade::kCreditPutSpread: return "credit_put_spread";
    case RegimeTrade::kIronButterfly: return "iron_butterfly";
  }
  return "unknown";
}

RegimeTrade classify(int spy, int vix, int vvix) noexcept {
  if (spy == 1 && vix == -1 && vvix == -1) return RegimeTrade::kLongCall;
  if (spy == 1 && vix == 1 && vvix == 1) return RegimeTrade::kDebitCallSpread;
  if (spy == -1 && vix == -1 && vvix == -1) return RegimeTrade::kCreditPutSpread;
  if (spy != 0 && vix == 1 && vvix == -1) return RegimeTrade::kIronButterfly;
  return RegimeTrade::kNone;
}

namespace {
std::string hhmm(int minute) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}
char sign_char(int s) { return s > 0 ? '+' : s < 0 ? '-' : '0'; }
}  // namespace

RegimeStrategy::RegimeStrategy(std::uint16_t index, const RegimeParams& params)
    : index_{index},
      p_{params},
      spy_{params.ema_period, params.rule, params.min_bars},
      vix_{params.ema_period, params.rule, params.min_bars},
      vvix_{params.ema_period, params.rule, params.min_bars} {
  // Exits (config: exit_time, profit_target, stop_credit_multiple, debit_stop): the seed closes at
  // 3 pm, with no target or stop.
  set_exits(ExitRules{}, ExitTime{15 * 60, false});
}

void RegimeStrategy::on_start(StrategyContext& ctx) {
  spy_id_ = ctx.instrument(p_.underlying);
  vix_id_ = ctx.instrument(p_.vix);
  vvix_id_ = ctx.instrument(p_.vvix);
  for (const InstrumentId id : {spy_id_, vix_id_, vvix_id_}) {
    if (!ctx.track_bars(id)) ctx.note("regime: cannot track bars for another series (limit reached)");
  }
  chain_.emplace(p_.option_root, ctx.trading_day());
  // Seed 001 warms its EMA-30s on history: the previous session's 1-minute bars, so that the 10:00
  // decision uses a full EMA-30 rather than one started at 09:30.
  struct Warm {
    const std::string& symbol;
    Regime& regime;
    std::uint32_t& bars;
  };
  for (const Warm w : {Warm{p_.underlying, spy_, spy_bars_}, Warm{p_.vix, vix_, vix_bars_}, Warm{p_.vvix, vvix_, vvix_bars_}}) {
    const SeriesHistory* h = ctx.history().find(w.symbol);
    if (h == nullptr || h->minutes.empty()) {
      ctx.note("regime: no previous-session one-minute bars of " + w.symbol +
               " in the history; its EMA starts with today's first bar (needs " + std::to_string(p_.min_bars) +
               " by the entry time)");
      continue;
    }
    for (const HistoryBar& b : h->minutes) w.regime.update(b.close.to_double());
    w.bars += static_cast<std::uint32_t>(h->minutes.size());
    warm_bars_ += static_cast<std::uint32_t>(h->minutes.size());
    ctx.note("regime: EMA-" + std::to_string(p_.ema_period) + " of " + w.symbol + " warmed on " +
             std::to_string(h->minutes.size()) + " one-minute bars of " +
             std::to_string(options::new_york_date(h->minutes.front().start_ns)) + " (" + h->source + ")");
  }
}

void RegimeStrategy::on_bar(const MinuteBar& bar, StrategyContext& ctx) {
  // The decision is taken once, from the bars completed by the entry time; once taken (or given up
  // for a missing series) the regimes stay as they were then, for the operator and the tests.
  if (decided_ || state() != StrategyState::kWaiting) return;
  const double close = bar.close.to_double();
  if (bar.instrument == spy_id_) {
    spy_.update(close);
    ++spy_bars_;
  } else if (bar.instrument == vix_id_) {
    vix_.update(close);
    ++vix_bars_;
  } else if (bar.instrument == vvix_id_) {
    vvix_.update(close);
    ++vvix_bars_;
  }
  (void)ctx;
}

void RegimeStrategy::on_timer(StrategyContext& ctx) {
  const int minute = ctx.local_minute();
  if (state() == StrategyState::kWaiting && minute >= p_.entry_minute) {
    if (!decided_) {
      struct Series {
        const std::string& symbol;
        std::uint32_t bars;
      };
      for (const Series s : {Series{p_.underlying, spy_bars_}, Series{p_.vix, vix_bars_}, Series{p_.vvix, vvix_bars_}}) {
        if (s.bars < static_cast<std::uint32_t>(p_.min_bars)) {
          ctx.note("regime: " + std::to_string(s.bars) + " one-minute bars of " + s.symbol + " by " + hhmm(minute) +
                   " (needs " + std::to_string(p_.min_bars) + "); the series is missing, so no trade today");
          set_state(StrategyState::kMissingInput);
          return;
        }
      }
      decided_ = true;
      decision_ = classify(spy_.sign(), vix_.sign(), vvix_.sign());
      std::string line = "regime: SPY ";
      line += sign_char(spy_.sign());
      line += " VIX ";
      line += sign_char(vix_.sign());
      line += " VVIX ";
      line += sign_char(vvix_.sign());
      line += " -> ";
      line += to_string(decision_);
      ctx.note(line);
      if (decision_ == RegimeTrade::kNone) {
        set_state(StrategyState::kDone);
        return;
      }
    }
    if (minute >= p_.entry_deadline_minute) {
      ctx.note("regime: no two-sided quotes for the legs by " + hhmm(minute) + "; not trading today");
      set_state(StrategyState::kDone);
      return;
    }
    if (enter(ctx)) set_state(StrategyState::kEntering);
    return;
  }
  // The time exit is the engine's (exit_time, Strategy::exit_rules).
}

bool RegimeStrategy::enter(StrategyContext& ctx) {
  chain_->refresh(ctx.registry());
  const Price spot = ctx.market().reference_price(spy_id_);
  if (!spot.valid()) return false;
  const OptionChain::Strike* atm = chain_->nearest(spot);
  if (atm == nullptr) return false;
  // The nearest listed wings at least `wing` away: on SPY's $1 grid exactly ATM +- $3, on SPXW's
  // 5-point grid the next listed strike beyond it.
  const OptionChain::Strike* up = chain_->call_at_or_above(atm->strike + p_.wing);
  const OptionChain::Strike* down = chain_->put_at_or_below(atm->strike - p_.wing);

  Intent in{};
  in.strategy = index_;
  in.action = IntentAction::kOpen;
  in.quantity = p_.quantity;
  auto leg = [&in](InstrumentId id, Side side) {
    if (id == kNoInstrument) return false;
    in.legs[in.leg_count++] = OrderLeg{id, side, 0, 1};
    return true;
  };
  bool ok = true;
  switch (decision_) {
    case RegimeTrade::kLongCall:
      ok = leg(atm->call, Side::kBuy);
      break;
    case RegimeTrade::kDebitCallSpread:
      ok = up != nullptr && leg(atm->call, Side::kBuy) && leg(up->call, Side::kSell);
      break;
    case RegimeTrade::kCreditPutSpread:
      ok = down != nullptr && leg(atm->put, Side::kSell) && leg(down->put, Side::kBuy);
      break;
    case RegimeTrade::kIronButterfly:
      ok = up != nullptr && down != nullptr && leg(atm->call, Side::kSell) && leg(atm->put, Side::kSell) &&
           leg(up->call, Side::kBuy) && leg(down->put, Side::kBuy);
      break;
    case RegimeTrade::kNone:
      return false;
  }
  if (!ok) return false;
  Price::Rep natural = 0;
  Price::Rep mid = 0;
  for (int i = 0; i < in.leg_count; ++i) {
    const Nbbo* q = ctx.market().nbbo(in.legs[i].instrument);
    if (q == nullptr || !q->two_sided()) return false;
    const bool buy = in.legs[i].side == Side::kBuy;
    natural += buy ? q->ask.ticks() : -q->bid.ticks();
    mid += buy ? q->mid().ticks() : -q->mid().ticks();
  }
  const Price::Rep limit = std::min(natural, mid + p_.price_slack.ticks());
  // Onto the venue's grid toward the passive side (tick_table.hpp), which also keeps it at or
  // under the natural price.
  in.limit = round_limit_passive(ctx.registry(), std::span<const OrderLeg>(in.legs, in.leg_count),
                                 Price::from_ticks(limit));
  in.set_reason(std::string("regime:") + std::string(to_string(decision_)));
  entry_ = ctx.submit(in);
  return entry_.valid();  // a risk refusal arrives through on_rejected
}

void RegimeStrategy::on_rejected(const Intent&, RiskReason reason, StrategyContext& ctx) {
  ctx.note("regime: entry refused by risk: " + std::string(odte::to_string(reason)));
  set_state(StrategyState::kDone);
}

void RegimeStrategy::on_order(const Order& order, StrategyContext& ctx) {
  follow_entry_order(*this, "regime", entry_, false, order, ctx);
}

void RegimeStrategy::on_restore(const Order& order, const RestoredOrder& info, StrategyContext&) {
  restore_entry_order(*this, entry_, exit_sent_, order, info);
}

void RegimeStrategy::on_exit(const Order& order, ExitReason, StrategyContext&) {
  follow_exit(*this, entry_, exit_sent_, order);
}

}  // namespace odte::strategies

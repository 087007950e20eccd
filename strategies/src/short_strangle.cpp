#include "odte/strategies/short_strangle.hpp"

#include <array>
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
constexpr double kSessionMinutes = 390.0;
}  // namespace

ShortStrangleStrategy::ShortStrangleStrategy(std::uint16_t index, const ShortStrangleParams& params)
    : index_{index}, p_{params} {
  // Exits (config: exit_time, stop_credit_multiple, ...): closed 15 minutes before the close
  // (docs/strategies.md); exit_time = "none" holds to settlement.
  set_exits(ExitRules{}, ExitTime{15, true});
}

void ShortStrangleStrategy::on_start(StrategyContext& ctx) {
  underlying_ = ctx.instrument(p_.underlying);
  const options::SessionDay day = options::session(ctx.trading_day());
  if (day.close_ns == 0) {
    ctx.note("short_strangle: " + std::to_string(ctx.trading_day()) + " is not a trading day; not trading");
    set_state(StrategyState::kDone);
  }
  settle_ns_ = day.close_ns;
  chain_.emplace(p_.option_root, ctx.trading_day(), underlying_, day.close_ns, p_.rate);
}

void ShortStrangleStrategy::on_timer(StrategyContext& ctx) {
  // Stock bought or sold as a hedge goes when the strangle goes, whatever state the strangle's
  // own closing order has reached (a retry when the stock had no quote at the exit time).
  if (exit_sent_ && p_.hedge == HedgeMode::kSend) flatten_hedge(ctx, "short_strangle:exit_hedge");
  if (state() == StrategyState::kDone || state() == StrategyState::kMissingInput ||
      state() == StrategyState::kDisabled) {
    return;
  }
  const int minute = ctx.local_minute();
  chain_->update(ctx.market(), ctx.registry(), ctx.now());
  if (state() == StrategyState::kWaiting) {
    if (minute < p_.entry_minute) return;
    if (minute >= p_.entry_deadline_minute) {
      if (!chain_->ready()) {
        ctx.note("short_strangle: no " + p_.underlying + " price or no " + p_.option_root +
                 " 0DTE chain by the entry deadline; not trading today");
        set_state(StrategyState::kMissingInput);
      } else {
        ctx.note("short_strangle: no two-sided quotes for the legs before the entry deadline; not trading today");
        set_state(StrategyState::kDone);
      }
      return;
    }
    if (!chain_->ready()) return;
    if (!day_recorded_) record_day(ctx);
    if (enter(ctx)) set_state(StrategyState::kEntering);
    return;
  }
  if ((state() != StrategyState::kInPosition && state() != StrategyState::kEntering) || exit_sent_ || !entry_.valid()) {
    return;
  }
  if (exit_minute() >= 0 && minute >= exit_minute()) {
    // The engine sends the close at the exit time (Strategy::exit_rules) and tells on_exit; still
    // here, it could not.
    if (!close_failed_noted_) {
      close_failed_noted_ = true;
      ctx.note("short_strangle: could not send the closing order at the exit time (closing orders are priced "
               "from the offer of every leg bought back, and a leg has none); retrying each second, else the strangle "
               "is held to settlement");
    }
    return;
  }
  if (state() == StrategyState::kInPosition) check_hedge(ctx, minute);
}

void ShortStrangleStrategy::record_day(StrategyContext& ctx) {
  // The seed's per-day record of the chain (its chain history: implied forward, bid/ask/mid swap
  // rates), taken once, at the entry decision, whether or not the day trades: journaled (type
  // variance_swap) for the run report, and noted.
  day_recorded_ = true;
  const DayVarianceIndex v = chain_->day_variance_index();
  const DayVarianceIndex bid = chain_->day_variance_index(options::QuoteSide::kBid);
  const DayVarianceIndex ask = chain_->day_variance_index(options::QuoteSide::kAsk);
  JournalVarianceSwap rec{};
  rec.variance = v.ok ? v.detail.variance : 0.0;
  rec.bid_variance = bid.ok ? bid.detail.variance : 0.0;
  rec.ask_variance = ask.ok ? ask.detail.variance : 0.0;
  rec.forward = v.detail.forward;
  rec.years = chain_->years_to_settle();
  rec.k0 = v.detail.k0;
  rec.expiry_yyyymmdd = ctx.trading_day();
  rec.strategy = index_;
  rec.status = static_cast<std::uint8_t>(v.detail.status);
  rec.bid_status = static_cast<std::uint8_t>(bid.detail.status);
  rec.ask_status = static_cast<std::uint8_t>(ask.detail.status);
  rec.puts = static_cast<std::uint32_t>(v.detail.puts);
  rec.calls = static_cast<std::uint32_t>(v.detail.calls);
  rec.strikes = static_cast<std::uint32_t>(chain_->chain().strikes().size());
  p_.underlying.copy(rec.underlying, sizeof rec.underlying - 1);
  p_.option_root.copy(rec.root, sizeof rec.root - 1);
  (void)ctx.record_variance_swap(rec);
  if (v.ok) {
    forward_ = v.detail.forward;
    swap_rate_ = v.detail.variance;
    ctx.note("short_strangle: day record " + std::to_string(ctx.trading_day()) + ": implied forward " +
             fixed(forward_, 4) + ", variance swap rate " + fixed(swap_rate_, 6) + " (volatility " +
             fixed(v.detail.volatility * 100.0, 2) + "%; bid " + fixed(rec.bid_variance, 6) + ", ask " +
             fixed(rec.ask_variance, 6) + ") from the " + p_.option_root + " 0DTE mids, " +
             std::to_string(v.detail.puts) + " puts and " + std::to_string(v.detail.calls) + " calls");
  } else {
    ctx.note("short_strangle: day record " + std::to_string(ctx.trading_day()) +
             ": no variance swap rate or implied forward from the 0DTE chain at entry (" +
             std::string(options::to_string(v.detail.status)) + ")");
  }
}

bool ShortStrangleStrategy::enter(StrategyContext& ctx) {
  const bool want_put = p_.legs != StrangleLegs::kCall;
  const bool want_call = p_.legs != StrangleLegs::kPut;
  const OptionChain::Strike* put = want_put ? chain_->by_delta(OptionRight::kPut, p_.target_delta) : nullptr;
  const OptionChain::Strike* call = want_call ? chain_->by_delta(OptionRight::kCall, p_.target_delta) : nullptr;
  if ((want_put && put == nullptr) || (want_call && call == nullptr)) return false;  // retry until the deadline
  const ContractAnalytics pa = want_put ? chain_->contract(*put, OptionRight::kPut) : ContractAnalytics{};
  const ContractAnalytics ca = want_call ? chain_->contract(*call, OptionRight::kCall) : ContractAnalytics{};
  const double premium = pa.mid + ca.mid;
  const double minutes_left = static_cast<double>(settle_ns_ - ctx.now()) / 60e9;
  day_fraction_ = std::min(1.0, std::max(0.0, minutes_left / kSessionMinutes));
  const double equity = ctx.account().equity.to_double();
  const double per_equity = p_.premium_per_day * day_fraction_ / 100.0 / p_.equity_per_share / premium;
  const double want = equity * per_equity;
  const double q = std::min(static_cast<double>(p_.max_quantity), std::round(want));
  const char* what = p_.legs == StrangleLegs::kBoth ? "strangles" : p_.legs == StrangleLegs::kPut ? "puts" : "calls";
  if (q < 1.0) {
    ctx.note("short_strangle: premium-per-day sizing gives " + fixed(want, 2) + " " + what + " (premium " +
             fixed(premium, 2) + " per share, equity " + fixed(equity, 0) + "); under one, not trading today (one " +
             "needs equity of " + fixed(0.5 / per_equity, 0) + ")");
    set_state(StrategyState::kDone);
    return false;
  }
  quantity_ = static_cast<std::uint32_t>(q);
  Intent in{};
  in.strategy = index_;
  in.action = IntentAction::kOpen;
  in.quantity = quantity_;
  bool priced = false;
  if (p_.legs == StrangleLegs::kBoth) {
    priced = price_legs(ctx.market(), ctx.registry(),
                        {OrderLeg{call->call, Side::kSell, 0, 1}, OrderLeg{put->put, Side::kSell, 0, 1}}, p_.price_slack, in);
  } else if (p_.legs == StrangleLegs::kPut) {
    priced = price_legs(ctx.market(), ctx.registry(), {OrderLeg{put->put, Side::kSell, 0, 1}}, p_.price_slack, in);
  } else {
    priced = price_legs(ctx.market(), ctx.registry(), {OrderLeg{call->call, Side::kSell, 0, 1}}, p_.price_slack, in);
  }
  if (!priced) return false;
  if (!fit_risk(ctx, in)) return false;
  put_strike_ = want_put ? put->strike : Price{};
  call_strike_ = want_call ? call->strike : Price{};
  std::string legs_text;
  if (want_put) legs_text += "the " + put->strike.to_string() + " put (delta " + fixed(pa.greeks.delta, 3) + ")";
  if (want_put && want_call) legs_text += " / ";
  if (want_call) legs_text += (want_put ? "" : "the ") + call->strike.to_string() + " call (delta " + fixed(ca.greeks.delta, 3) + ")";
  ctx.note("short_strangle: selling " + std::to_string(quantity_) + " x " + legs_text + ", premium " + fixed(premium, 2) +
           ", day fraction " + fixed(day_fraction_, 3));
  in.set_reason("short_strangle:open");
  entry_ = ctx.submit(in);
  return entry_.valid();
}

bool ShortStrangleStrategy::fit_risk(StrategyContext& ctx, Intent& in) {
  // The risk engine measures an undefined-risk spread at `undefined_risk_stress` beyond its strikes
  // against max_risk_fraction of equity; the seed's premium sizing can ask for more contracts than
  // that cap holds. Sell what it holds (a note says so) instead of an order risk would refuse.
  // Without allow_undefined_risk, risk refuses it whole (on_rejected says why).
  const RiskLimits& limits = ctx.risk_limits();
  if (!limits.allow_undefined_risk) return true;
  std::array<LegForRisk, kMaxLegs> legs{};
  std::uint32_t multiplier = 100;
  for (int i = 0; i < in.leg_count; ++i) {
    const Instrument& inst = ctx.registry().get(in.legs[i].instrument);
    legs[static_cast<std::size_t>(i)] =
        LegForRisk{inst.info.option.right, inst.info.option.strike, in.legs[i].side, in.legs[i].ratio};
    if (inst.info.option.multiplier != 0) multiplier = inst.info.option.multiplier;
  }
  const SpreadRisk risk =
      spread_risk(std::span<const LegForRisk>(legs.data(), in.leg_count), in.limit, limits.undefined_risk_stress);
  const double per_unit = risk.max_loss.to_double() * multiplier;
  const double cap = limits.max_risk_fraction * ctx.account().equity.to_double();
  const double fit = per_unit > 0.0 ? std::floor(cap / per_unit) : static_cast<double>(quantity_);
  if (fit >= static_cast<double>(quantity_)) return true;
  if (fit < 1.0) {
    ctx.note("short_strangle: one contract loses " + fixed(per_unit, 2) + " at the " +
             fixed(limits.undefined_risk_stress * 100.0, 1) + "% stress ([risk] undefined_risk_stress), over the " +
             fixed(cap, 2) + " per-trade cap ([risk] max_risk_fraction " + fixed(limits.max_risk_fraction, 4) +
             "); not trading today");
    set_state(StrategyState::kDone);
    return false;
  }
  ctx.note("short_strangle: the premium sizing's " + std::to_string(quantity_) + " contracts lose " +
           fixed(per_unit * quantity_, 2) + " at the " + fixed(limits.undefined_risk_stress * 100.0, 1) +
           "% stress, over the " + fixed(cap, 2) + " per-trade cap; selling " + fixed(fit, 0));
  quantity_ = static_cast<std::uint32_t>(fit);
  in.quantity = quantity_;
  return true;
}

void ShortStrangleStrategy::check_hedge(StrategyContext& ctx, int minute) {
  if (p_.hedge == HedgeMode::kOff || minute - last_hedge_check_ < p_.hedge_interval_minutes) return;
  if (hedge_order_.valid()) return;  // one hedge order at a time: wait for it to end
  last_hedge_check_ = minute;
  const bool has_put = p_.legs != StrangleLegs::kCall;
  const bool has_call = p_.legs != StrangleLegs::kPut;
  const OptionChain::Strike* put = has_put ? chain_->chain().at(put_strike_) : nullptr;
  const OptionChain::Strike* call = has_call ? chain_->chain().at(call_strike_) : nullptr;
  if ((has_put && put == nullptr) || (has_call && call == nullptr)) return;
  ContractAnalytics pa{};
  ContractAnalytics ca{};
  if (has_put) pa = chain_->contract(*put, OptionRight::kPut);
  if (has_call) ca = chain_->contract(*call, OptionRight::kCall);
  if ((has_put && !pa.ok) || (has_call && !ca.ok)) return;  // no solvable quote now: the next interval tries again
  // Short both legs: the options' delta in shares is -(call delta + put delta) x 100 x quantity;
  // the stock held (earlier hedges) adds one per share.
  const Position* held = ctx.positions().find(index_, underlying_);
  const double stock = held != nullptr ? static_cast<double>(held->quantity) : 0.0;
  net_delta_ = -(ca.greeks.delta + pa.greeks.delta) * 100.0 * static_cast<double>(quantity_) + stock;
  if (std::fabs(net_delta_) <= p_.hedge_band_shares) return;
  ++hedges_wanted_;
  const long shares = std::lround(-net_delta_);
  const std::string what = std::string(shares > 0 ? "buy " : "sell ") + std::to_string(shares > 0 ? shares : -shares) +
                           " " + p_.underlying + " (net delta " + fixed(net_delta_, 1) + " shares, band " +
                           fixed(p_.hedge_band_shares, 0) + ")";
  if (p_.hedge == HedgeMode::kReport) {
    ctx.note("short_strangle: delta hedge wanted: " + what + "; not sent (hedge = \"report\")");
    return;
  }
  const Nbbo* q = ctx.market().nbbo(underlying_);
  if (q == nullptr || !q->two_sided()) {
    ctx.note("short_strangle: delta hedge wanted: " + what + "; no two-sided " + p_.underlying +
             " quote to price it, next interval");
    return;
  }
  Intent in{};
  in.strategy = index_;
  in.action = IntentAction::kHedge;
  in.quantity = static_cast<std::uint32_t>(shares > 0 ? shares : -shares);
  in.leg_count = 1;
  in.legs[0] = OrderLeg{underlying_, shares > 0 ? Side::kBuy : Side::kSell, kLegShares, 1};
  // Marketable: pay the offer (or take the bid) plus the slack, on the stock's grid toward the
  // passive side (tick_table.hpp).
  in.limit = round_limit_passive(ctx.registry(), std::span<const OrderLeg>(in.legs, 1),
                                 (shares > 0 ? q->ask : -q->bid) + p_.price_slack);
  in.set_reason("short_strangle:hedge");
  hedge_order_ = ctx.submit(in);
  if (hedge_order_.valid()) {
    ++hedges_sent_;
    ctx.note("short_strangle: delta hedge sent: " + what);
  }
}

void ShortStrangleStrategy::flatten_hedge(StrategyContext& ctx, std::string_view reason) {
  const Position* held = ctx.positions().find(index_, underlying_);
  if (held == nullptr || held->quantity == 0) return;
  (void)ctx.close_stock(index_, underlying_, reason);  // no-op while a close is working
}

void ShortStrangleStrategy::on_order(const Order& order, StrategyContext& ctx) {
  // Stock orders (hedges, their flattening) say nothing about the strangle's own state.
  if (order.leg_count == 1 && order.legs[0].instrument == underlying_) {
    if (order.id == hedge_order_ && is_terminal(order.state)) hedge_order_ = ClientOrderId{};
    return;
  }
  follow_entry_order(*this, "short_strangle", entry_, exit_sent_, order, ctx);
}

void ShortStrangleStrategy::on_rejected(const Intent& intent, RiskReason reason, StrategyContext& ctx) {
  if (intent.action != IntentAction::kOpen) {
    ctx.note("short_strangle: " + std::string(intent.action == IntentAction::kHedge ? "delta hedge" : "closing order") +
             " refused by risk: " + std::string(odte::to_string(reason)));
    return;
  }
  ctx.note("short_strangle: refused by risk: " + std::string(odte::to_string(reason)) +
           (reason == RiskReason::kUndefinedRisk ? " (a short strangle needs [risk] allow_undefined_risk = true)" : ""));
  if (state() == StrategyState::kWaiting) set_state(StrategyState::kDone);
}

void ShortStrangleStrategy::on_exit(const Order& order, ExitReason, StrategyContext& ctx) {
  if (order.id != entry_) return;
  exit_sent_ = true;
  set_state(StrategyState::kExiting);
  if (p_.hedge == HedgeMode::kSend) flatten_hedge(ctx, "short_strangle:exit_hedge");
}

void ShortStrangleStrategy::on_restore(const Order& order, const RestoredOrder& info, StrategyContext& ctx) {
  // A stock order still working is the hedge in flight: no second one until it ends. (Restore runs
  // before on_start, so the stock is known by its asset class, not by underlying_.)
  if (order.leg_count == 1 && order.legs[0].instrument < ctx.registry().size() &&
      ctx.registry().get(order.legs[0].instrument).info.asset == AssetClass::kStock) {
    if (order.is_live()) hedge_order_ = order.id;
    return;
  }
  restore_entry_order(*this, entry_, exit_sent_, order, info);
}

}  // namespace odte::strategies

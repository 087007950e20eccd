#include "odte/core/engine/risk.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "odte/core/engine/tick_table.hpp"

namespace odte {

std::string_view to_string(RiskReason r) noexcept {
  switch (r) {
    case RiskReason::kNone: return "none";
    case RiskReason::kKillSwitch: return "kill_switch";
    case RiskReason::kPaused: return "paused";
    case RiskReason::kBadIntent: return "bad_intent";
    case RiskReason::kUndefinedRisk: return "undefined_risk";
    case RiskReason::kCapitalAtRisk: return "capital_at_risk";
    case RiskReason::kDailyLoss: return "daily_loss_limit";
    case RiskReason::kMaxOpenPositions: return "max_open_positions";
    case RiskReason::kOrderRate: return "order_rate";
    case RiskReason::kNoQuote: return "no_quote";
    case RiskReason::kPriceBand: return "price_band";
    case RiskReason::kStaleData: return "stale_data";
    case RiskReason::kNoTradeWindow: return "no_trade_window";
    case RiskReason::kNotReconciled: return "not_reconciled";
    case RiskReason::kOffGrid: return "off_grid";
    case RiskReason::kCount: break;
  }
  return "unknown";
}

std::string_view to_string(ExitReason r) noexcept {
  switch (r) {
    case ExitReason::kNone: return "none";
    case ExitReason::kProfitTarget: return "profit_target";
    case ExitReason::kStop: return "stop";
    case ExitReason::kTime: return "time";
  }
  return "unknown";
}

bool parse_exit_time(std::string_view text, ExitTime& out) noexcept {
  if (text == "none") {
    out = ExitTime{};
    return true;
  }
  constexpr std::string_view kClose = "close-";
  if (text.substr(0, kClose.size()) == kClose) {
    std::string_view n = text.substr(kClose.size());
    if (n.size() < 2 || n.size() > 4 || n.back() != 'm') return false;
    n.remove_suffix(1);
    int v = 0;
    for (const char c : n) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    if (v < 1 || v > kRegularCloseMinute - (9 * 60 + 30)) return false;
    out = ExitTime{static_cast<std::int16_t>(v), true};
    return true;
  }
  if (text.size() != 5 || text[2] != ':') return false;
  for (const std::size_t i : {0u, 1u, 3u, 4u}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return false;
  out = ExitTime{static_cast<std::int16_t>(h * 60 + m), false};
  return true;
}

std::string to_string(const ExitTime& t) {
  if (!t.set()) return "none";
  char text[16];
  if (t.before_close) {
    std::snprintf(text, sizeof text, "close-%dm", t.minute);
  } else {
    std::snprintf(text, sizeof text, "%02d:%02d", t.minute / 60, t.minute % 60);
  }
  return text;
}

namespace {

// Payoff at expiry per unit, in ticks, with the underlying at `s`.
Price::Rep payoff_at(std::span<const LegForRisk> legs, Price::Rep s) noexcept {
  Price::Rep total = 0;
  for (const LegForRisk& leg : legs) {
    const Price::Rep k = leg.strike.ticks();
    const Price::Rep intrinsic = leg.right == OptionRight::kCall ? std::max<Price::Rep>(s - k, 0)
                                                                 : std::max<Price::Rep>(k - s, 0);
    const Price::Rep signed_ratio =
        leg.side == Side::kBuy ? static_cast<Price::Rep>(leg.ratio) : -static_cast<Price::Rep>(leg.ratio);
    total += signed_ratio * intrinsic;
  }
  return total;
}

}  // namespace

SpreadRisk spread_risk(std::span<const LegForRisk> legs, Price net_limit, double stress) noexcept {
  Price::Rep min_strike = std::numeric_limits<Price::Rep>::max();
  Price::Rep max_strike = 0;
  Price::Rep call_slope = 0;  // payoff slope above the highest strike
  for (const LegForRisk& leg : legs) {
    min_strike = std::min(min_strike, leg.strike.ticks());
    max_strike = std::max(max_strike, leg.strike.ticks());
    if (leg.right == OptionRight::kCall) {
      call_slope += leg.side == Side::kBuy ? static_cast<Price::Rep>(leg.ratio) : -static_cast<Price::Rep>(leg.ratio);
    }
  }
  const bool defined = call_slope >= 0;
  const bool stressed = !defined && stress > 0.0;
  // A bounded payoff is piecewise linear with kinks at the strikes: its minimum over [0, inf) is
  // at 0 or at a strike. An unbounded one is judged over a stress range beyond the strikes.
  Price::Rep lowest = std::numeric_limits<Price::Rep>::max();
  Price::Rep highest = std::numeric_limits<Price::Rep>::min();
  const auto visit = [&](Price::Rep s) {
    const Price::Rep v = payoff_at(legs, s);
    lowest = std::min(lowest, v);
    highest = std::max(highest, v);
  };
  if (stressed) {
    visit(static_cast<Price::Rep>(std::llround(static_cast<double>(min_strike) * (1.0 - stress))));
    visit(static_cast<Price::Rep>(std::llround(static_cast<double>(max_strike) * (1.0 + stress))));
  } else {
    visit(0);
  }
  for (const LegForRisk& leg : legs) visit(leg.strike.ticks());
  const Price::Rep loss = net_limit.ticks() - lowest;
  return SpreadRisk{defined, Price::from_ticks(std::max<Price::Rep>(loss, 0)), Price::from_ticks(highest)};
}

void RiskEngine::on_order_sent(TimestampNs now) noexcept {
  sent_[sent_count_ % kRateWindow] = now;
  ++sent_count_;
}

std::uint32_t RiskEngine::orders_in_last_second(TimestampNs now) const noexcept {
  const std::uint64_t n = std::min<std::uint64_t>(sent_count_, kRateWindow);
  std::uint32_t count = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    if (now - sent_[(sent_count_ - 1 - i) % kRateWindow] < 1'000'000'000) ++count;
  }
  return count;
}

RiskDecision RiskEngine::evaluate(const Intent& intent, const AccountState& account,
                                  const std::array<const Nbbo*, kMaxLegs>& quotes,
                                  TimestampNs now) const noexcept {
  RiskDecision d{RiskReason::kNone, Price::zero(), Price::invalid()};
  auto reject = [&d](RiskReason r) {
    d.reason = r;
    return d;
  };

  if (intent.leg_count == 0 || intent.leg_count > kMaxLegs || intent.quantity == 0 || !intent.limit.valid()) {
    return reject(RiskReason::kBadIntent);
  }
  for (int i = 0; i < intent.leg_count; ++i) {
    const OrderLeg& leg = intent.legs[i];
    if (leg.ratio == 0 || leg.instrument >= registry_.size()) return reject(RiskReason::kBadIntent);
  }
  // The last word on price before an order exists: a limit the venue would refuse never leaves.
  if (!limit_on_grid(registry_, std::span<const OrderLeg>(intent.legs, intent.leg_count), intent.limit)) {
    return reject(RiskReason::kOffGrid);
  }

  const bool opening = intent.action == IntentAction::kOpen;
  const bool hedge = intent.action == IntentAction::kHedge;
  if (hedge) {
    // A delta hedge is one stock leg: it offsets option delta, so it carries no spread max loss
    // and is no new position in the open-position count; the daily loss limit and no-trade windows
    // do not stop it (it reduces exposure). It is still an order that puts stock on, so the kill
    // switch, a pause and stale data refuse it, and the rate and price-band checks below apply.
    if (intent.leg_count != 1 || registry_.get(intent.legs[0].instrument).info.asset != AssetClass::kStock) {
      return reject(RiskReason::kBadIntent);
    }
    if (killed_) return reject(RiskReason::kKillSwitch);
    if (paused_) return reject(RiskReason::kPaused);
    if (account.data_stale) return reject(RiskReason::kStaleData);
  }
  if (opening) {
    if (killed_) return reject(RiskReason::kKillSwitch);
    if (paused_) return reject(RiskReason::kPaused);
    if (account.data_stale) return reject(RiskReason::kStaleData);
    for (std::size_t w = 0; w < limits_.no_trade_window_count && w < limits_.no_trade_windows.size(); ++w) {
      const MinuteWindow& win = limits_.no_trade_windows[w];
      if (account.local_minute >= win.start_minute && account.local_minute < win.end_minute) {
        return reject(RiskReason::kNoTradeWindow);
      }
    }
    // 0 turns a limit off, as for every other limit and exit rule (stop_credit_multiple,
    // debit_stop_fraction, max_feed_lag_ms); pause or the kill switch stop all openings.
    if (limits_.daily_loss_limit > Price::zero() && account.day_pnl <= -limits_.daily_loss_limit) {
      return reject(RiskReason::kDailyLoss);
    }
    if (limits_.max_open_positions != 0 && account.open_positions >= limits_.max_open_positions) {
      return reject(RiskReason::kMaxOpenPositions);
    }
  }
  if (orders_in_last_second(now) >= limits_.max_orders_per_second) return reject(RiskReason::kOrderRate);

  // Natural prices of the combo as one unit: buying it pays the offers of bought legs and
  // receives the bids of sold legs.
  Price::Rep natural_bid = 0;
  Price::Rep natural_ask = 0;
  for (int i = 0; i < intent.leg_count; ++i) {
    const Nbbo* q = quotes[static_cast<std::size_t>(i)];
    // An offer with no bid (the feed's bid of 0) is a market: the bid counts as 0. No offer, or a
    // crossed quote, is none (Nbbo::has_market).
    if (q == nullptr || !q->has_market()) return reject(RiskReason::kNoQuote);
    const Price::Rep bid = q->market_bid().ticks();
    const auto r = static_cast<Price::Rep>(intent.legs[i].ratio);
    if (intent.legs[i].side == Side::kBuy) {
      natural_ask += r * q->ask.ticks();
      natural_bid += r * bid;
    } else {
      natural_ask -= r * bid;
      natural_bid -= r * q->ask.ticks();
    }
  }
  const Price::Rep mid = (natural_bid + natural_ask) / 2;
  d.band_reference = Price::from_ticks(mid);
  // The fractional band is for option combos worth a few dollars; on a stock worth hundreds it
  // would let a fat finger through, so a hedge gets the absolute band alone.
  const auto band =
      hedge ? limits_.price_band_abs.ticks()
            : std::max<Price::Rep>(limits_.price_band_abs.ticks(),
                                   static_cast<Price::Rep>(std::llround(limits_.price_band_fraction *
                                                                        static_cast<double>(std::abs(mid)))));
  const Price::Rep limit = intent.limit.ticks();
  if (limit > natural_ask + band || limit < natural_bid - band) return reject(RiskReason::kPriceBand);

  if (!opening) return d;

  std::array<LegForRisk, kMaxLegs> legs{};
  std::uint32_t multiplier = 100;
  for (int i = 0; i < intent.leg_count; ++i) {
    const Instrument& inst = registry_.get(intent.legs[i].instrument);
    if (inst.info.asset != AssetClass::kOption) return reject(RiskReason::kUndefinedRisk);
    legs[static_cast<std::size_t>(i)] = LegForRisk{inst.info.option.right, inst.info.option.strike,
                                                   intent.legs[i].side, intent.legs[i].ratio};
    if (inst.info.option.multiplier != 0) multiplier = inst.info.option.multiplier;
  }
  const SpreadRisk risk = spread_risk(std::span<const LegForRisk>(legs.data(), intent.leg_count), intent.limit,
                                      limits_.allow_undefined_risk ? limits_.undefined_risk_stress : 0.0);
  if (!risk.defined && !limits_.allow_undefined_risk) return reject(RiskReason::kUndefinedRisk);
  d.max_loss_dollars = risk.max_loss * static_cast<std::int64_t>(multiplier) * static_cast<std::int64_t>(intent.quantity);
  const double cap = limits_.max_risk_fraction * account.equity.to_double();
  if (d.max_loss_dollars.to_double() > cap) return reject(RiskReason::kCapitalAtRisk);
  return d;
}

ExitReason evaluate_exit(const ExitRules& rules, Price entry, Price mark, std::int16_t local_minute) noexcept {
  const auto scaled = [](double factor, Price p) {
    return static_cast<Price::Rep>(std::llround(factor * static_cast<double>(p.ticks())));
  };
  const Price::Rep pnl = mark.ticks() - entry.ticks();
  if (entry.ticks() > 0) {
    if (rules.profit_target_fraction > 0.0 && pnl >= scaled(rules.profit_target_fraction, entry)) {
      return ExitReason::kProfitTarget;
    }
    if (rules.debit_stop_fraction > 0.0 && -pnl >= scaled(rules.debit_stop_fraction, entry)) return ExitReason::kStop;
  } else if (entry.ticks() < 0) {
    const Price credit = -entry;
    const Price::Rep cost_to_close = -mark.ticks();
    if (rules.stop_credit_multiple > 0.0 && cost_to_close >= scaled(rules.stop_credit_multiple, credit)) {
      return ExitReason::kStop;
    }
  }
  if (rules.exit_minute >= 0 && local_minute >= rules.exit_minute) return ExitReason::kTime;
  return ExitReason::kNone;
}

}  // namespace odte

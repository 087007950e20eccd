#pragma once

// Helpers the seed strategies share: fill an Intent's legs and price it from the current NBBO;
// follow the one entry order each strategy works.

#include <algorithm>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "odte/core/engine/strategy.hpp"
#include "odte/core/engine/tick_table.hpp"

namespace odte::strategies {

// Puts `legs` into `in` and sets its limit to the better of the natural price and mid + slack
// (per unit; positive debit, negative credit), rounded onto the venue's grid toward the passive
// side (tick_table.hpp: a debit down, a credit up). False, with `in` unusable, when a leg has no
// instrument or no two-sided quote. Legs without a grid (a root the tick table does not know) keep
// the unrounded limit, which the risk engine refuses as off_grid.
inline bool price_legs(const MarketState& market, const InstrumentRegistry& registry, std::initializer_list<OrderLeg> legs,
                       Price slack, Intent& in) noexcept {
  Price::Rep natural = 0;
  Price::Rep mid = 0;
  in.leg_count = 0;
  for (const OrderLeg& leg : legs) {
    if (leg.instrument == kNoInstrument || in.leg_count >= kMaxLegs) return false;
    const Nbbo* q = market.nbbo(leg.instrument);
    if (q == nullptr || !q->two_sided()) return false;
    const bool buy = leg.side == Side::kBuy;
    const Price::Rep ratio = static_cast<Price::Rep>(leg.ratio);
    natural += ratio * (buy ? q->ask.ticks() : -q->bid.ticks());
    mid += ratio * (buy ? q->mid().ticks() : -q->mid().ticks());
    in.legs[in.leg_count++] = leg;
  }
  in.limit = round_limit_passive(registry, std::span<const OrderLeg>(in.legs, in.leg_count),
                                 Price::from_ticks(std::min(natural, mid + slack.ticks())));
  return true;
}

// The strategy state an order update implies, for strategies that open one spread a day: the entry
// filled -> in position (exiting if a close was already sent); the entry ended without a single
// fill -> done, with a note; the closing order filled -> done.
inline void follow_entry_order(Strategy& strategy, std::string_view name, ClientOrderId entry, bool exit_sent,
                               const Order& order, StrategyContext& ctx) {
  if (order.id == entry) {
    if (order.state == OrderState::kFilled) {
      strategy.set_state(exit_sent ? StrategyState::kExiting : StrategyState::kInPosition);
    }
    const bool ended = order.state == OrderState::kCancelled || order.state == OrderState::kRejected ||
                       order.state == OrderState::kExpired;
    if (ended && order.filled_units() == 0) {
      ctx.note(std::string(name) + ": entry order ended " + std::string(odte::to_string(order.state)) + " without fills");
      strategy.set_state(StrategyState::kDone);
    } else if (ended && strategy.state() == StrategyState::kEntering) {
      strategy.set_state(StrategyState::kInPosition);  // partly filled, the rest cancelled (time in force)
    }
    return;
  }
  if (strategy.state() == StrategyState::kExiting && order.state == OrderState::kFilled) {
    strategy.set_state(StrategyState::kDone);
  }
}

// The engine closed the entry's spread on one of the strategy's exit rules (or the engine-wide
// safety exit): the strategy is exiting, and sends no close of its own.
inline void follow_exit(Strategy& strategy, ClientOrderId entry, bool& exit_sent, const Order& order) noexcept {
  if (order.id != entry) return;
  exit_sent = true;
  strategy.set_state(StrategyState::kExiting);
}

// After a restart (Strategy::on_restore): the strategy's last opening order is its entry, and the
// state follow_entry_order would have left it in is taken from the order as restored, so it
// neither enters again nor forgets its exit.
inline void restore_entry_order(Strategy& strategy, ClientOrderId& entry, bool& exit_sent, const Order& order,
                                const RestoredOrder& info) noexcept {
  if (!info.opening) return;
  entry = order.id;
  exit_sent = info.exit_sent;
  if (is_terminal(order.state) && order.filled_units() == 0) {
    strategy.set_state(StrategyState::kDone);
  } else if (info.exit_sent) {
    strategy.set_state(info.open_units == 0 && is_terminal(order.state) ? StrategyState::kDone : StrategyState::kExiting);
  } else {
    strategy.set_state(order.state == OrderState::kFilled ? StrategyState::kInPosition : StrategyState::kEntering);
  }
}

}  // namespace odte::strategies

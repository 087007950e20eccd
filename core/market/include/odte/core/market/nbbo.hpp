#pragma once

// The best bid and offer of one instrument as the core last saw it, and the read-only view of the
// quotes that the risk engine, the position marks and the paper broker take. Market model only:
// nothing here knows about intents or orders.

#include <concepts>
#include <cstdint>

#include "odte/core/base/clock.hpp"   // TimestampNs
#include "odte/core/market/events.hpp"  // InstrumentId
#include "odte/core/base/price.hpp"

namespace odte {

// Best bid and offer of one instrument as the core last saw it.
struct Nbbo {
  Price bid;                  // Price::invalid() when that side is empty
  Price ask;
  std::uint32_t bid_size;
  std::uint32_t ask_size;
  TimestampNs updated_ns;

  [[nodiscard]] bool two_sided() const noexcept { return bid.valid() && ask.valid() && ask >= bid; }
  [[nodiscard]] Price mid() const noexcept {
    return Price::from_ticks((bid.ticks() + ask.ticks()) / 2);  // truncates a half tick toward 0
  }

  // The one rule for a one-sided quote, used by marks, closing prices, risk and the paper broker:
  // an offer with no bid (the feed's bid of 0: a far out-of-the-money 0DTE wing late in the day)
  // is a market -- the contract is worth between 0 and the offer, can be bought at the offer and
  // sold for nothing more than 0: its bid counts as 0. No offer, or a crossed quote, is no market.
  [[nodiscard]] bool crossed() const noexcept { return bid.valid() && ask.valid() && ask < bid; }
  [[nodiscard]] bool has_market() const noexcept { return ask.valid() && !crossed(); }
  // The bid, 0 when there is none.
  [[nodiscard]] Price market_bid() const noexcept { return bid.valid() ? bid : Price::zero(); }
  // The middle of market_bid() and the offer: mid() when two-sided, half the offer when there is no
  // bid. Meaningful only when has_market().
  [[nodiscard]] Price market_mid() const noexcept {
    return Price::from_ticks((market_bid().ticks() + ask.ticks()) / 2);
  }
};

// Read access to the core's quotes; nbbo() returns null for an instrument never quoted.
template <typename M>
concept MarketView = requires(const M& m, InstrumentId id) {
  { m.nbbo(id) } noexcept -> std::same_as<const Nbbo*>;
};

}  // namespace odte

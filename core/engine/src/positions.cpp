#include "odte/core/engine/positions.hpp"

#include <cstring>

namespace odte {

std::string_view to_string(BookStatus s) noexcept {
  switch (s) {
    case BookStatus::kOk: return "ok";
    case BookStatus::kFull: return "position_table_full";
    case BookStatus::kBadFill: return "bad_fill";
    case BookStatus::kNotAnOption: return "not_an_option";
    case BookStatus::kNoUnderlying: return "no_underlying";
  }
  return "unknown";
}

PositionBook::PositionBook(const InstrumentRegistry& registry, std::uint32_t capacity)
    : registry_{registry}, positions_{std::make_unique<Position[]>(capacity)}, capacity_{capacity} {}

Position* PositionBook::slot(std::uint16_t strategy, InstrumentId instrument) noexcept {
  // A day holds tens of positions: a linear scan over contiguous slots beats hashing here, and
  // fills are rare next to market events.
  for (std::uint32_t i = 0; i < count_; ++i) {
    if (positions_[i].strategy == strategy && positions_[i].instrument == instrument) return &positions_[i];
  }
  if (count_ == capacity_) return nullptr;
  Position& p = positions_[count_++];
  std::memset(static_cast<void*>(&p), 0, sizeof p);
  p.strategy = strategy;
  p.instrument = instrument;
  p.open_cost = Price::zero();
  p.realized = Price::zero();
  p.fees = Price::zero();
  p.mark = Price::invalid();
  const Instrument& inst = registry_.get(instrument);
  p.multiplier = inst.info.asset == AssetClass::kOption && inst.info.option.multiplier != 0
                     ? inst.info.option.multiplier
                     : 1;
  return &p;
}

void PositionBook::apply(Position& p, std::int64_t signed_qty, Price price) noexcept {
  const std::int64_t before = p.quantity;
  const bool reduces = before != 0 && ((before > 0) != (signed_qty > 0));
  if (!reduces) {
    p.open_cost += price * signed_qty;
    p.quantity += signed_qty;
    return;
  }
  const std::int64_t abs_before = before > 0 ? before : -before;
  const std::int64_t abs_fill = signed_qty > 0 ? signed_qty : -signed_qty;
  const std::int64_t closing = abs_fill < abs_before ? abs_fill : abs_before;
  // Cost of the closed part: all of it when going flat, else the proportional share.
  const Price closed_cost = closing == abs_before
                                ? p.open_cost
                                : Price::from_ticks(p.open_cost.ticks() / abs_before * closing +
                                                    p.open_cost.ticks() % abs_before * closing / abs_before);
  const std::int64_t closed_signed = before > 0 ? closing : -closing;
  // Proceeds of closing `closed_signed` at `price` minus what they cost.
  p.realized += (price * closed_signed - closed_cost) * static_cast<std::int64_t>(p.multiplier);
  p.open_cost -= closed_cost;
  p.quantity += signed_qty > 0 ? closing : -closing;
  const std::int64_t rest = abs_fill - closing;  // flips through zero: the rest opens the other way
  if (rest > 0) {
    const std::int64_t opened = signed_qty > 0 ? rest : -rest;
    p.open_cost += price * opened;
    p.quantity += opened;
  }
}

BookStatus PositionBook::book_fill(std::uint16_t strategy, InstrumentId instrument, Side side,
                                   std::uint32_t quantity, Price price, Price fee) noexcept {
  if (quantity == 0 || !price.valid() || !fee.valid() || instrument >= registry_.size()) return BookStatus::kBadFill;
  Position* p = slot(strategy, instrument);
  if (p == nullptr) return BookStatus::kFull;
  const auto q = static_cast<std::int64_t>(quantity);
  apply(*p, side == Side::kBuy ? q : -q, price);
  p->fees += fee;
  ++p->fills;
  return BookStatus::kOk;
}

BookStatus PositionBook::settle_expiry(InstrumentId option, Price underlying_settlement,
                                       SettlementStyle style) noexcept {
  if (option >= registry_.size() || !underlying_settlement.valid()) return BookStatus::kBadFill;
  const Instrument& inst = registry_.get(option);
  if (inst.info.asset != AssetClass::kOption) return BookStatus::kNotAnOption;
  const OptionFields& o = inst.info.option;
  const bool call = o.right == OptionRight::kCall;
  const Price intrinsic_raw = call ? underlying_settlement - o.strike : o.strike - underlying_settlement;
  const Price intrinsic = intrinsic_raw > Price::zero() ? intrinsic_raw : Price::zero();
  if (style == SettlementStyle::kPhysical && intrinsic > Price::zero() && o.underlying == kNoInstrument) {
    return BookStatus::kNoUnderlying;
  }
  for (std::uint32_t i = 0; i < count_; ++i) {
    Position& p = positions_[i];
    if (p.instrument != option || p.quantity == 0) continue;
    const std::int64_t qty = p.quantity;
    const std::uint32_t multiplier = p.multiplier;
    const std::uint16_t strategy = p.strategy;
    if (style == SettlementStyle::kCash || intrinsic == Price::zero()) {
      apply(p, -qty, intrinsic);
      p.mark = intrinsic;
      continue;
    }
    apply(p, -qty, Price::zero());
    p.mark = Price::zero();
    // Long call / short put end long the underlying; long put / short call end short it.
    const bool buys_underlying = call == (qty > 0);
    const std::int64_t shares = (qty > 0 ? qty : -qty) * static_cast<std::int64_t>(multiplier);
    Position* u = slot(strategy, o.underlying);
    if (u == nullptr) return BookStatus::kFull;
    apply(*u, buys_underlying ? shares : -shares, o.strike);
    u->mark = underlying_settlement;
  }
  return BookStatus::kOk;
}

void PositionBook::set_mark(std::uint16_t strategy, InstrumentId instrument, Price price) noexcept {
  for (std::uint32_t i = 0; i < count_; ++i) {
    if (positions_[i].strategy == strategy && positions_[i].instrument == instrument) positions_[i].mark = price;
  }
}

PnlTotals PositionBook::totals() const noexcept {
  PnlTotals t{Price::zero(), Price::zero(), Price::zero(), 0};
  for (std::uint32_t i = 0; i < count_; ++i) {
    const Position& p = positions_[i];
    t.realized += p.realized;
    t.unrealized += p.unrealized();
    t.fees += p.fees;
    t.open_positions += p.quantity != 0 ? 1u : 0u;
  }
  return t;
}

PnlTotals PositionBook::strategy_totals(std::uint16_t strategy) const noexcept {
  PnlTotals t{Price::zero(), Price::zero(), Price::zero(), 0};
  for (std::uint32_t i = 0; i < count_; ++i) {
    const Position& p = positions_[i];
    if (p.strategy != strategy) continue;
    t.realized += p.realized;
    t.unrealized += p.unrealized();
    t.fees += p.fees;
    t.open_positions += p.quantity != 0 ? 1u : 0u;
  }
  return t;
}

const Position* PositionBook::find(std::uint16_t strategy, InstrumentId instrument) const noexcept {
  for (std::uint32_t i = 0; i < count_; ++i) {
    if (positions_[i].strategy == strategy && positions_[i].instrument == instrument) return &positions_[i];
  }
  return nullptr;
}

}  // namespace odte

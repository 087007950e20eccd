#pragma once

// Positions and P&L per (strategy, instrument), marked to the NBBO mid.
//
// Accounting is exact in fixed point: each position keeps the signed cost of its open contracts
// (price x contracts); reducing a position by q of n removes q/n of that cost (the rounding
// remainder stays with the contracts still open and is released exactly when the position goes
// flat). Realized P&L, fees and unrealized P&L are dollars, the contract multiplier applied.
// Single-threaded (core thread); storage is reserved at construction and never grows.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/engine/intent.hpp"
#include "odte/core/market/nbbo.hpp"
#include "odte/core/engine/orders.hpp"

namespace odte {

struct Position {
  std::uint16_t strategy;
  InstrumentId instrument;
  std::int64_t quantity;      // signed contracts (options) or shares (stock)
  Price open_cost;            // signed sum of price x quantity of the open quantity, per share/unit
  Price realized;             // dollars
  Price fees;                 // dollars, commissions and exchange/regulatory fees
  Price mark;                 // last mid used, or Price::invalid() before the first mark
  std::uint32_t multiplier;   // 100 for SPX/SPY options, 1 for stock
  std::uint32_t fills;

  // Dollars the open quantity would realize at `mark` (0 while unmarked or flat).
  [[nodiscard]] Price unrealized() const noexcept {
    if (quantity == 0 || !mark.valid()) return Price::zero();
    return (mark * quantity - open_cost) * static_cast<std::int64_t>(multiplier);
  }
};

struct PnlTotals {
  Price realized;
  Price unrealized;
  Price fees;
  std::uint32_t open_positions;

  [[nodiscard]] Price net() const noexcept { return realized + unrealized - fees; }
};

enum class BookStatus : std::uint8_t {
  kOk = 1,
  kFull,               // position table at capacity: the caller must halt and alert
  kBadFill,            // zero quantity, invalid price or unknown instrument
  kNotAnOption,        // settlement asked for a non-option
  kNoUnderlying,       // physical settlement without a known underlying instrument
};
[[nodiscard]] std::string_view to_string(BookStatus) noexcept;

enum class SettlementStyle : std::uint8_t {
  kCash = 1,       // SPX/SPXW: intrinsic value paid in cash against the settlement value
  kPhysical = 2,   // SPY: in-the-money options exercise into shares at the strike
};

// What happens to positions in physically settled options (SPY) expiring today
// (EngineConfig::physical_expiry, config [expiry] physical).
enum class PhysicalExpiry : std::uint8_t {
  kClose = 1,     // close them a lead time before the session close (the default)
  kExercise = 2,  // hold them; at the close in-the-money ones are exercised/assigned into shares
};

class PositionBook {
 public:
  explicit PositionBook(const InstrumentRegistry& registry, std::uint32_t capacity = 1024);

  BookStatus book_fill(std::uint16_t strategy, InstrumentId instrument, Side side, std::uint32_t quantity,
                       Price price, Price fee) noexcept;

  // Marks every open position to its instrument's mid; instruments without a two-sided quote keep
  // their previous mark.
  template <MarketView M>
  void mark(const M& market) noexcept {
    for (std::uint32_t i = 0; i < count_; ++i) {
      Position& p = positions_[i];
      if (p.quantity == 0) continue;
      if (const Nbbo* q = market.nbbo(p.instrument); q != nullptr && q->two_sided()) p.mark = q->mid();
    }
  }

  // Expires every position in `option` against the underlying's settlement value. Out of the money:
  // closes at 0. In the money, cash style: closes at intrinsic. Physical style: closes the option
  // at 0 and books the exercise or assignment in the underlying at the strike.
  BookStatus settle_expiry(InstrumentId option, Price underlying_settlement, SettlementStyle style) noexcept;

  // Marks one position at `price` (the shares of an exercise at the settlement value, where the
  // stock may have no quote). No-op for a position that does not exist.
  void set_mark(std::uint16_t strategy, InstrumentId instrument, Price price) noexcept;

  [[nodiscard]] PnlTotals totals() const noexcept;
  [[nodiscard]] PnlTotals strategy_totals(std::uint16_t strategy) const noexcept;
  [[nodiscard]] const Position* find(std::uint16_t strategy, InstrumentId instrument) const noexcept;
  [[nodiscard]] std::span<const Position> positions() const noexcept { return {positions_.get(), count_}; }

 private:
  Position* slot(std::uint16_t strategy, InstrumentId instrument) noexcept;
  void apply(Position& p, std::int64_t signed_qty, Price price) noexcept;

  const InstrumentRegistry& registry_;
  std::unique_ptr<Position[]> positions_;
  std::uint32_t capacity_;
  std::uint32_t count_ = 0;
};

}  // namespace odte

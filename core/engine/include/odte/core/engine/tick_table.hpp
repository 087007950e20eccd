#pragma once

// The venue's price grid: the minimum increment a limit price may have, per root and order kind.
// Every limit the daemon sends is on this grid (docs/strategies.md, "Prices the venue accepts"):
// strategies and the engine round their limits toward the passive side (round_passive), the risk
// engine refuses an intent whose limit is off the grid (RiskReason::kOffGrid), the order manager
// refuses an off-grid replace, and the FIX adapter refuses an off-grid new or replace.
//
// Prices here are signed net prices per unit, as everywhere in the core: positive = debit paid,
// negative = credit received. The grid is symmetric around zero: a price is on it when its
// magnitude is a multiple of the increment that applies at that magnitude.
//
// "Toward the passive side" is the side less likely to fill: a buyer bids less, a seller asks more.
// In the signed convention both are the same direction -- toward -infinity -- because a debit
// (+) is what we pay (less is more passive) and a credit (-) is what we receive (more credit, i.e.
// a more negative price, is more passive). So round_passive is the largest grid price <= the
// limit: a debit of 1.23 on a $0.05 grid becomes 1.20, a credit of -1.23 becomes -1.25, a single
// SPXW call bought at 3.07 becomes 3.00, one sold at 2.98 (-2.98) becomes -3.00.
//
// Roots without a row are refused, not guessed: a $0.01 guess on a $0.05 venue would be rejected
// there anyway, and later. Adding a root is adding a row (and a test).

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>

#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/engine/orders.hpp"
#include "odte/core/base/price.hpp"

namespace odte {

enum class TickKind : std::uint8_t {
  kSingle = 1,  // one option leg (the simple book)
  kComplex,     // two or more option legs (the complex order book), priced net per unit
  kStock,       // one stock or ETF leg (the short strangle's SPY delta hedge)
};
[[nodiscard]] std::string_view to_string(TickKind) noexcept;

// One row of the table: `below` applies to magnitudes under `threshold`, `at_or_above` from it on.
// A row with one increment has threshold 0 (and below unused). The threshold is a multiple of both
// increments (checked below), so rounding never lands between the two grids.
struct TickRow {
  std::string_view root;
  TickKind kind;
  Price below;
  Price threshold;
  Price at_or_above;
};

// Cboe SPX/SPXW: simple orders $0.05 under $3.00 and $0.10 from $3.00 (Cboe Rule 5.4); complex
// orders $0.05 at any net price. SPY options are in the penny interval program for every price,
// simple and complex; SPY shares trade in pennies (Reg NMS Rule 612, prices of $1.00 or more).
inline constexpr TickRow kTickTable[] = {
    {"SPX", TickKind::kSingle, Price::from_cents(5), Price::from_dollars(3), Price::from_cents(10)},
    {"SPXW", TickKind::kSingle, Price::from_cents(5), Price::from_dollars(3), Price::from_cents(10)},
    {"SPX", TickKind::kComplex, Price::from_cents(5), Price::zero(), Price::from_cents(5)},
    {"SPXW", TickKind::kComplex, Price::from_cents(5), Price::zero(), Price::from_cents(5)},
    {"SPY", TickKind::kSingle, Price::from_cents(1), Price::zero(), Price::from_cents(1)},
    {"SPY", TickKind::kComplex, Price::from_cents(1), Price::zero(), Price::from_cents(1)},
    {"SPY", TickKind::kStock, Price::from_cents(1), Price::zero(), Price::from_cents(1)},
};

// The index of `root`'s `kind` row in kTickTable, or kNoTickRow. An index, not a pointer: GCC's
// constant evaluation under -fsanitize=undefined refuses to compare a pointer into the table with
// nullptr, and the table's rules are checked at compile time in every build.
inline constexpr std::size_t kNoTickRow = std::size(kTickTable);
[[nodiscard]] constexpr std::size_t find_tick_row(std::string_view root, TickKind kind) noexcept {
  for (std::size_t i = 0; i < std::size(kTickTable); ++i) {
    if (kTickTable[i].root == root && kTickTable[i].kind == kind) return i;
  }
  return kNoTickRow;
}

[[nodiscard]] constexpr bool tick_row_consistent(const TickRow& row) noexcept {
  const auto positive = [](Price p) { return p.valid() && p > Price::zero(); };
  if (!positive(row.at_or_above) || !row.threshold.valid() || row.threshold < Price::zero()) return false;
  if (row.threshold == Price::zero()) return true;
  return positive(row.below) && row.threshold.ticks() % row.below.ticks() == 0 &&
         row.threshold.ticks() % row.at_or_above.ticks() == 0;
}
[[nodiscard]] constexpr bool tick_table_consistent() noexcept {
  for (const TickRow& row : kTickTable) {
    if (!tick_row_consistent(row)) return false;
  }
  return true;
}
static_assert(tick_table_consistent(), "every tick row: positive increments, threshold on both grids");

// The increment for a limit of `price` (its magnitude decides) on `root`'s `kind` orders;
// Price::invalid() when the table has no row for them.
[[nodiscard]] constexpr Price tick_for(std::string_view root, TickKind kind, Price price) noexcept {
  const std::size_t i = find_tick_row(root, kind);
  if (i == kNoTickRow || !price.valid()) return Price::invalid();
  const TickRow& row = kTickTable[i];
  const Price magnitude = price < Price::zero() ? -price : price;
  return magnitude < row.threshold ? row.below : row.at_or_above;
}

// Whether `price` is on `root`'s `kind` grid. False for a root or kind without a row.
[[nodiscard]] constexpr bool on_grid(std::string_view root, TickKind kind, Price price) noexcept {
  const Price tick = tick_for(root, kind, price);
  return tick.valid() && price.ticks() % tick.ticks() == 0;
}

// The largest price on the grid at or below `price` (the passive side, see the top of this file);
// Price::invalid() for a root or kind without a row.
[[nodiscard]] constexpr Price round_passive(std::string_view root, TickKind kind, Price price) noexcept {
  const Price tick = tick_for(root, kind, price);
  if (!tick.valid()) return Price::invalid();
  // A debit rounds its magnitude down, a credit its magnitude up; either stays in the region its
  // increment came from or lands exactly on the threshold, which is on both grids.
  return price >= Price::zero() ? price.floor_to(tick) : -((-price).ceil_to(tick));
}

// ---- orders: the root and kind an order's legs make ----

// The grid an order is priced on. `known` is false when the legs are not one root of the table
// (an index leg, mixed roots, stock and options together, no row): such an order has no price
// the venue is known to accept, so on_grid() is false for it and round_passive() invalid.
struct OrderGrid {
  bool known;
  TickKind kind;
  std::uint16_t ratio;  // single leg: contracts per unit (the venue price is limit / ratio); else 1
  char root[8];
  [[nodiscard]] std::string_view root_view() const noexcept { return root; }
};
[[nodiscard]] OrderGrid order_grid(const InstrumentRegistry& registry, std::span<const OrderLeg> legs) noexcept;

// `limit` (net per unit) is on the order's grid.
[[nodiscard]] bool on_grid(const OrderGrid& grid, Price limit) noexcept;
// The largest limit at or below `limit` that is on the order's grid; invalid when !grid.known.
[[nodiscard]] Price round_passive(const OrderGrid& grid, Price limit) noexcept;

// The same from the legs.
[[nodiscard]] inline bool limit_on_grid(const InstrumentRegistry& registry, std::span<const OrderLeg> legs,
                                        Price limit) noexcept {
  return on_grid(order_grid(registry, legs), limit);
}
// Rounds `limit` toward the passive side when the legs have a grid; otherwise returns it as it is
// (the risk engine then refuses it with kOffGrid, naming the problem, rather than the caller
// inventing a price).
[[nodiscard]] inline Price round_limit_passive(const InstrumentRegistry& registry, std::span<const OrderLeg> legs,
                                               Price limit) noexcept {
  const OrderGrid grid = order_grid(registry, legs);
  return grid.known && limit.valid() ? round_passive(grid, limit) : limit;
}

}  // namespace odte

#include "odte/core/engine/tick_table.hpp"

#include <cstring>

namespace odte {

std::string_view to_string(TickKind k) noexcept {
  switch (k) {
    case TickKind::kSingle: return "single";
    case TickKind::kComplex: return "complex";
    case TickKind::kStock: return "stock";
  }
  return "unknown";
}

OrderGrid order_grid(const InstrumentRegistry& registry, std::span<const OrderLeg> legs) noexcept {
  OrderGrid grid{};
  grid.ratio = 1;
  if (legs.empty() || legs.size() > static_cast<std::size_t>(kMaxLegs)) return grid;
  std::string_view root;
  bool stock = false;
  for (std::size_t i = 0; i < legs.size(); ++i) {
    const OrderLeg& leg = legs[i];
    if (leg.instrument == kNoInstrument || leg.instrument >= registry.size() || leg.ratio == 0) return grid;
    const Instrument& inst = registry.get(leg.instrument);
    std::string_view leg_root;
    if (inst.info.asset == AssetClass::kOption) {
      leg_root = std::string_view(inst.info.option.root, strnlen(inst.info.option.root, sizeof inst.info.option.root));
    } else if (inst.info.asset == AssetClass::kStock) {
      leg_root = inst.symbol_view();
      stock = true;
    } else {
      return grid;  // an index is not tradable
    }
    if (i > 0 && leg_root != root) return grid;  // mixed roots (or stock with its options)
    root = leg_root;
  }
  if (stock && legs.size() > 1) return grid;
  grid.kind = stock ? TickKind::kStock : legs.size() == 1 ? TickKind::kSingle : TickKind::kComplex;
  if (root.size() >= sizeof grid.root || find_tick_row(root, grid.kind) == kNoTickRow) return grid;
  std::memcpy(grid.root, root.data(), root.size());
  grid.root[root.size()] = '\0';
  if (legs.size() == 1) grid.ratio = legs[0].ratio;
  grid.known = true;
  return grid;
}

bool on_grid(const OrderGrid& grid, Price limit) noexcept {
  if (!grid.known || !limit.valid()) return false;
  const Price::Rep ratio = grid.ratio;
  if (limit.ticks() % ratio != 0) return false;
  return on_grid(grid.root_view(), grid.kind, Price::from_ticks(limit.ticks() / ratio));
}

Price round_passive(const OrderGrid& grid, Price limit) noexcept {
  if (!grid.known || !limit.valid()) return Price::invalid();
  // A single leg of r contracts per unit is priced per contract at the venue: round that, toward
  // -infinity first (floor division) so the whole limit moves only to the passive side.
  const Price::Rep ratio = grid.ratio;
  Price::Rep per = limit.ticks() / ratio;
  if (limit.ticks() % ratio != 0 && limit.ticks() < 0) --per;
  const Price rounded = round_passive(grid.root_view(), grid.kind, Price::from_ticks(per));
  return rounded.valid() ? rounded * ratio : rounded;
}

}  // namespace odte

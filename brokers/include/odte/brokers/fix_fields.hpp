#pragma once

// Small, allocation-free helpers shared by the FIX adapter and its test counterparty: the
// fully described order message the core thread hands to the broker thread, and exact text
// conversions for FIX prices, quantities and dates (no floating point on the way).

#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "odte/core/engine/orders.hpp"
#include "odte/core/base/price.hpp"

namespace odte::brokers {

// FixLeg::security. Option is 0 so that order files written before stock legs existed (the byte
// was padding, always 0) read back as what they were.
inline constexpr std::uint8_t kFixLegOption = 0;
inline constexpr std::uint8_t kFixLegStock = 1;  // a stock or ETF, sent alone as 35=D

// One leg as the venue needs to see it, resolved from the registry on the core thread.
struct FixLeg {
  char root[8];                 // option: OCC root ("SPXW"); stock: the symbol ("SPY"); NUL-terminated
  std::int32_t expiry_yyyymmdd; // 0 for a stock
  char right;                   // 'C' or 'P'; 0 for a stock
  Side side;
  std::uint16_t ratio;
  Price strike;                 // zero for a stock
  InstrumentId instrument;
  std::uint8_t security;        // kFixLegOption or kFixLegStock
  std::uint8_t pad_[3];
};
static_assert(sizeof(FixLeg) == 32);

// What the broker thread sends: everything needed to build the FIX message, nothing to look up.
struct FixOrderMessage {
  CommandKind kind;
  std::uint8_t leg_count;
  std::uint8_t opening;         // kNew: 1 opens (LegPositionEffect O), 0 closes (C)
  std::uint8_t short_sale;      // OrderCommand::short_sale: a single stock sell goes as 54=5 with
                                // the locate (was padding, 0, in order files written before)
  std::uint32_t quantity;       // spread units (a single stock order: shares)
  ClientOrderId id;
  ClientOrderId orig_id;
  Price limit;                  // net per unit: positive debit, negative credit
  TimestampNs created_ns;
  char clordid[24];             // id as ClOrdID text ("OD20260821-000042"), NUL-terminated
  char orig_clordid[24];
  FixLeg legs[kMaxLegs];
};
static_assert(std::is_trivially_copyable_v<FixOrderMessage>);

// A single-instrument order (NewOrderSingle 35=D and its 35=F/35=G) rather than a multileg one:
// exactly one leg, a stock. Mixed stock and option legs never get this far (refused in submit()).
[[nodiscard]] inline bool is_single_order(const FixOrderMessage& m) noexcept {
  return m.leg_count == 1 && m.legs[0].security == kFixLegStock;
}

// FIX quantities are whole numbers here ("3", "3.0" and "3.00" are accepted).
[[nodiscard]] inline std::optional<std::uint32_t> parse_fix_qty(std::string_view text) noexcept {
  const std::optional<Price> p = Price::parse(text);
  if (!p || p->ticks() < 0 || p->ticks() % Price::kScale != 0) return std::nullopt;
  const Price::Rep units = p->ticks() / Price::kScale;
  if (units > static_cast<Price::Rep>(UINT32_MAX)) return std::nullopt;
  return static_cast<std::uint32_t>(units);
}

[[nodiscard]] inline std::optional<std::int64_t> parse_fix_int(std::string_view text) noexcept {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc{} || p != end || text.empty()) return std::nullopt;
  return v;
}

// LocalMktDate / MaturityDate "YYYYMMDD".
[[nodiscard]] inline std::optional<std::int32_t> parse_fix_date(std::string_view text) noexcept {
  if (text.size() != 8) return std::nullopt;
  const std::optional<std::int64_t> v = parse_fix_int(text);
  if (!v || *v < 19000101 || *v > 29991231) return std::nullopt;
  return static_cast<std::int32_t>(*v);
}

// A price as a FIX field value (44, 612, 6, 31...): Price::format's shortest exact text.
[[nodiscard]] inline std::string fix_price(Price p) {
  char buf[32];
  const std::size_t n = p.format(buf, sizeof buf);
  return std::string(buf, n);
}

// The root as a string_view over a NUL-terminated fixed array.
[[nodiscard]] inline std::string_view fix_root(const FixLeg& leg) noexcept {
  return {leg.root, ::strnlen(leg.root, sizeof leg.root)};
}

}  // namespace odte::brokers

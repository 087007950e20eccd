#pragma once

// Minimal OCC/OSI option symbol parser for the feed: enough to fill the registry's OptionFields
// when a contract is first seen. Private to feeds; to be replaced by core's full symbology module.

#include <optional>
#include <string_view>

#include "odte/core/market/instrument_registry.hpp"

namespace odte::feeds::detail {

// "SPXW260821C05600000" (without the "O:" prefix): root 1-6 alphanumerics, YYMMDD, C|P, strike in
// thousandths of a dollar, 8 digits. Sets root, expiry, right, strike, multiplier 100;
// underlying is left kNoInstrument. nullopt when the text is not of that shape.
[[nodiscard]] std::optional<OptionFields> parse_occ(std::string_view occ) noexcept;

// The registry symbol of an option root's underlying: SPX/SPXW -> "I:SPX", NDXP -> "I:NDX",
// other roots -> the root itself (an equity or ETF, e.g. "SPY").
[[nodiscard]] std::string_view underlying_symbol(std::string_view root) noexcept;

}  // namespace odte::feeds::detail

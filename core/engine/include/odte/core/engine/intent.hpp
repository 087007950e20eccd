#pragma once

// What strategies emit: a multi-leg spread they want on (or off), never a broker message.
// The risk engine checks every intent; the order manager turns accepted ones into orders.

#include <cstdint>
#include <cstring>
#include <string_view>

#include "odte/core/engine/orders.hpp"

namespace odte {

enum class IntentAction : std::uint8_t {
  kOpen = 1,   // adds risk: every risk rule applies
  kClose,      // reduces an existing position: allowed through kill switch, loss limit, stale data
  kHedge,      // one stock leg offsetting the strategy's option delta: not a spread, so no
               // defined-risk cap and no open-position count, but refused by the kill switch,
               // pause and stale data, and held to the order rate and the price band (risk.cpp)
};

struct Intent {
  std::uint16_t strategy;
  IntentAction action;
  std::uint8_t leg_count;
  std::uint32_t quantity;     // spread units
  Price limit;                // net per unit: positive debit, negative credit
  OrderLeg legs[kMaxLegs];
  char reason[32];            // why the strategy wants it ("regime:long_call", "exit:profit_target")

  void set_reason(std::string_view text) noexcept {
    const std::size_t n = text.size() < sizeof reason - 1 ? text.size() : sizeof reason - 1;
    std::memcpy(reason, text.data(), n);
    reason[n] = '\0';
  }
};
static_assert(std::is_trivially_copyable_v<Intent>);

}  // namespace odte

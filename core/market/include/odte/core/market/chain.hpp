#pragma once

// Index of one option chain (a root and an expiry): strikes in order, with the call and put
// instrument ids at each. Built from the instrument registry on a cold path (start, timer) and
// rebuilt when the registry grows, since contracts are interned as the feed first sees them.

#include <cstdint>
#include <string_view>
#include <vector>

#include "odte/core/market/instrument_registry.hpp"

namespace odte {

class OptionChain {
 public:
  struct Strike {
    Price strike;
    InstrumentId call = kNoInstrument;
    InstrumentId put = kNoInstrument;
  };

  OptionChain(std::string_view root, std::int32_t expiry_yyyymmdd);

  // Re-reads the registry if it grew since the last call. Returns true when the chain changed.
  bool refresh(const InstrumentRegistry& registry);

  [[nodiscard]] const std::vector<Strike>& strikes() const noexcept { return strikes_; }
  [[nodiscard]] bool empty() const noexcept { return strikes_.empty(); }
  // The listed strike closest to `price` (ties go to the lower strike); null when empty.
  [[nodiscard]] const Strike* nearest(Price price) const noexcept;
  [[nodiscard]] const Strike* at(Price strike) const noexcept;
  // Wings "at least this far out" on any strike grid (SPY $1, SPXW $5): the lowest listed strike
  // at or above `price` with a listed call, and the highest at or below `price` with a listed put;
  // null when there is none.
  [[nodiscard]] const Strike* call_at_or_above(Price price) const noexcept;
  [[nodiscard]] const Strike* put_at_or_below(Price price) const noexcept;
  [[nodiscard]] std::int32_t expiry() const noexcept { return expiry_; }
  [[nodiscard]] std::string_view root() const noexcept { return root_; }

 private:
  char root_[8]{};
  std::int32_t expiry_;
  std::size_t seen_ = 0;
  std::vector<Strike> strikes_;
};

}  // namespace odte

#pragma once

// Call or put. Lives with the options math, which needs nothing else from the market model; the
// instrument registry includes it for its option fields.

#include <cstdint>

namespace odte {

enum class OptionRight : std::uint8_t { kCall = 'C', kPut = 'P' };

}  // namespace odte

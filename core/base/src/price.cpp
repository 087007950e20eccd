#include "odte/core/base/price.hpp"

#include <array>
#include <cstring>

namespace odte {

std::optional<Price> Price::parse(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  std::size_t i = 0;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }
  constexpr Rep kMaxWhole = static_cast<Rep>(kMaxDollars);
  Rep whole = 0;
  Rep frac = 0;
  int decimals = 0;
  bool seen_dot = false;
  bool seen_digit = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (seen_dot) return std::nullopt;
      seen_dot = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    seen_digit = true;
    const int digit = c - '0';
    if (!seen_dot) {
      whole = whole * 10 + digit;
      if (whole > kMaxWhole) return std::nullopt;
    } else if (decimals < kDecimals) {
      frac = frac * 10 + digit;
      ++decimals;
    } else if (digit != 0) {
      return std::nullopt;  // more precision than a Price holds: refuse rather than round silently
    }
  }
  if (!seen_digit) return std::nullopt;
  for (; decimals < kDecimals; ++decimals) frac *= 10;
  const Rep ticks = whole * kScale + frac;
  return Price{negative ? -ticks : ticks};
}

std::size_t Price::format(char* buf, std::size_t size) const noexcept {
  std::array<char, 32> tmp{};
  std::size_t n = 0;
  if (!valid()) {
    constexpr std::string_view kInvalid = "invalid";
    n = kInvalid.size();
    std::memcpy(tmp.data(), kInvalid.data(), n);
  } else {
    // Work in unsigned magnitude so that the most negative valid value cannot overflow.
    const bool negative = ticks_ < 0;
    const auto magnitude = negative ? 0ULL - static_cast<unsigned long long>(ticks_)
                                    : static_cast<unsigned long long>(ticks_);
    const auto scale = static_cast<unsigned long long>(kScale);
    unsigned long long whole = magnitude / scale;
    unsigned long long frac = magnitude % scale;
    std::array<char, 24> digits{};
    std::size_t d = 0;
    do {
      digits[d++] = static_cast<char>('0' + whole % 10);
      whole /= 10;
    } while (whole != 0);
    if (negative) tmp[n++] = '-';
    while (d > 0) tmp[n++] = digits[--d];
    if (frac != 0) {
      tmp[n++] = '.';
      int width = kDecimals;
      while (frac % 10 == 0) {
        frac /= 10;
        --width;
      }
      for (int w = width - 1; w >= 0; --w) {
        unsigned long long p = 1;
        for (int k = 0; k < w; ++k) p *= 10;
        tmp[n++] = static_cast<char>('0' + (frac / p) % 10);
      }
    }
  }
  const std::size_t out = n < size ? n : size;
  std::memcpy(buf, tmp.data(), out);
  if (out < size) buf[out] = '\0';
  return out;
}

std::string Price::to_string() const {
  std::array<char, 32> buf{};
  const std::size_t n = format(buf.data(), buf.size());
  return std::string(buf.data(), n);
}

}  // namespace odte

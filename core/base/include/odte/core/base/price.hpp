#pragma once

// Fixed-point money. Order and market prices never travel as floating point: a Price is a signed
// count of 1/10,000 dollar (the US equity sub-penny tick; option and index quotes are coarser).
// Floating point enters only at the boundary (from_double, rejecting NaN/inf) and leaves only for
// analytics (to_double). Exact decimal text conversions are provided for config, journals and FIX.

#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace odte {

class Price {
 public:
  using Rep = std::int64_t;
  static constexpr Rep kScale = 10'000;
  static constexpr int kDecimals = 4;

  // Uninitialised like any plain integer; value-initialise (Price{}) for zero.
  constexpr Price() noexcept = default;

  [[nodiscard]] static constexpr Price from_ticks(Rep ticks) noexcept { return Price{ticks}; }
  [[nodiscard]] static constexpr Price from_cents(Rep cents) noexcept { return Price{cents * 100}; }
  [[nodiscard]] static constexpr Price from_dollars(Rep dollars) noexcept {
    return Price{dollars * kScale};
  }
  // Rounds half away from zero to the nearest 1/10,000. Returns invalid() for NaN, infinities and
  // values outside +-max_dollars().
  [[nodiscard]] static Price from_double(double dollars) noexcept {
    if (!std::isfinite(dollars) || std::fabs(dollars) > kMaxDollars) return invalid();
    return Price{static_cast<Rep>(std::llround(dollars * static_cast<double>(kScale)))};
  }
  // Exact parse of a plain decimal ("12.34", "-0.05", "5000", ".5"); at most 4 decimals unless
  // the extra digits are zeros. No exponents, no spaces. nullopt on anything else.
  [[nodiscard]] static std::optional<Price> parse(std::string_view text) noexcept;

  // Named sentinels: invalid() marks "no price" (e.g. a one-sided quote), never a real value.
  [[nodiscard]] static constexpr Price invalid() noexcept {
    return Price{std::numeric_limits<Rep>::min()};
  }
  [[nodiscard]] static constexpr Price zero() noexcept { return Price{0}; }
  static constexpr double kMaxDollars = 1e12;

  [[nodiscard]] constexpr bool valid() const noexcept {
    return ticks_ != std::numeric_limits<Rep>::min();
  }
  [[nodiscard]] constexpr Rep ticks() const noexcept { return ticks_; }
  [[nodiscard]] constexpr double to_double() const noexcept {
    return static_cast<double>(ticks_) / static_cast<double>(kScale);
  }
  // Shortest exact decimal text: "12.34", "-0.05", "5000".
  [[nodiscard]] std::string to_string() const;
  // Writes to_string() into buf (at least 24 bytes); returns the length. No allocation.
  std::size_t format(char* buf, std::size_t size) const noexcept;

  // Rounds to a multiple of `tick` (e.g. 0.05 for options quoted above $3): toward -inf, +inf or
  // nearest (ties away from zero). Precondition: tick > 0.
  [[nodiscard]] constexpr Price floor_to(Price tick) const noexcept {
    Rep q = ticks_ / tick.ticks_;
    if (ticks_ % tick.ticks_ != 0 && ticks_ < 0) --q;
    return Price{q * tick.ticks_};
  }
  [[nodiscard]] constexpr Price ceil_to(Price tick) const noexcept {
    Rep q = ticks_ / tick.ticks_;
    if (ticks_ % tick.ticks_ != 0 && ticks_ > 0) ++q;
    return Price{q * tick.ticks_};
  }
  [[nodiscard]] constexpr Price round_to(Price tick) const noexcept {
    const Rep half = tick.ticks_ / 2;
    const Rep biased = ticks_ >= 0 ? ticks_ + half : ticks_ - half;
    return Price{(biased / tick.ticks_) * tick.ticks_};
  }

  constexpr auto operator<=>(const Price&) const noexcept = default;

  constexpr Price operator-() const noexcept { return Price{-ticks_}; }
  constexpr Price& operator+=(Price o) noexcept { ticks_ += o.ticks_; return *this; }
  constexpr Price& operator-=(Price o) noexcept { ticks_ -= o.ticks_; return *this; }
  friend constexpr Price operator+(Price a, Price b) noexcept { return Price{a.ticks_ + b.ticks_}; }
  friend constexpr Price operator-(Price a, Price b) noexcept { return Price{a.ticks_ - b.ticks_}; }
  // Price times a quantity (contracts, multiplier): exact integer product.
  friend constexpr Price operator*(Price a, std::int64_t n) noexcept { return Price{a.ticks_ * n}; }
  friend constexpr Price operator*(std::int64_t n, Price a) noexcept { return Price{a.ticks_ * n}; }

 private:
  constexpr explicit Price(Rep ticks) noexcept : ticks_{ticks} {}
  Rep ticks_;  // trivial default construction keeps Price usable in plain-data messages
};

static_assert(sizeof(Price) == 8);
static_assert(std::is_trivial_v<Price>);

namespace price_literals {
// 12.34_usd is exact for up to four decimals (the literal is parsed, not converted from double).
consteval Price operator""_usd(const char* text) {
  Price::Rep whole = 0;
  Price::Rep frac = 0;
  int decimals = -1;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p == '\'') continue;
    if (*p == '.') {
      decimals = 0;
      continue;
    }
    if (*p < '0' || *p > '9') throw "price literal: digits and one dot only";
    if (decimals < 0) {
      whole = whole * 10 + (*p - '0');
    } else {
      if (++decimals > Price::kDecimals) throw "price literal: at most 4 decimals";
      frac = frac * 10 + (*p - '0');
    }
  }
  for (int d = decimals < 0 ? 0 : decimals; d < Price::kDecimals; ++d) frac *= 10;
  return Price::from_ticks(whole * Price::kScale + frac);
}
consteval Price operator""_usd(unsigned long long dollars) {
  return Price::from_dollars(static_cast<Price::Rep>(dollars));
}
}  // namespace price_literals

}  // namespace odte

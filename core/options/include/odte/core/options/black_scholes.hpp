#pragma once

// Black-Scholes-Merton with a continuous dividend yield: price, greeks, elasticity (seed 003) and
// implied volatility.
//
// Units: spot and strike in dollars, t in years (use year_fraction() from calendar.hpp: minutes
// to the settlement time over 525,600), r and q continuously compounded per year, sigma per
// sqrt(year). Greeks are per unit: vega per 1.00 of volatility, rho per 1.00 of rate, theta per
// year of calendar time (dV/dt = -dV/dT; divide by 365 for a day).
//
// Accuracy: prices are formed as discount * (sqrt(F K) * b(x, s) + intrinsic), where b is the
// normalised out-of-the-money Black price of x = ln(F/K), s = sigma sqrt(t). For s < 0.5 (every
// 0DTE case) b is summed as a series in s^2 whose terms are all positive (Mills-ratio derivatives
// from tabulated polynomials), so the cancellation of e^{x/2}N(d1) - e^{-x/2}N(d2), which costs
// up to 1e-9 relative in plain double at one minute to expiry, never happens; b is within 1e-15
// relative of an independent quadrature everywhere it is representable (tests). implied_vol()
// inverts the same function, from a tabulated start, in one precise step on the 0DTE range.
//
// Every function here is noexcept, allocation-free and safe on the core thread. Inputs are not
// checked for NaN by the pricing functions (the caller validated them at the boundary);
// implied_vol() checks its inputs and reports a status instead of returning NaN.

#include <cstdint>
#include <string_view>

#include "odte/core/options/option_right.hpp"

namespace odte::options {

struct BsmInput {
  OptionRight right = OptionRight::kCall;
  double spot = 0;
  double strike = 0;
  double t = 0;      // years, > 0
  double r = 0;      // risk-free rate
  double q = 0;      // dividend yield (cost of carry b = r - q)
  double sigma = 0;  // > 0
};

struct Greeks {
  double price = 0;
  double delta = 0;       // dV/dS
  double gamma = 0;       // d2V/dS2
  double vega = 0;        // dV/dsigma
  double theta = 0;       // dV/dt per year (negative for a long option in most cases)
  double rho = 0;         // dV/dr with q held
  double elasticity = 0;  // delta * S / V (seed 003's omega); 0 when V == 0
};

[[nodiscard]] double bsm_price(const BsmInput& in) noexcept;
[[nodiscard]] Greeks bsm_greeks(const BsmInput& in) noexcept;

// Standard normal CDF through erfc: accurate to a few ulp relative in both tails.
[[nodiscard]] double norm_cdf(double x) noexcept;

// Normalised Black price of an out-of-the-money call, b(x, s) for x = ln(F/K) <= 0, s > 0:
// e^{x/2} N(x/s + s/2) - e^{-x/2} N(x/s - s/2). The OTM put of x > 0 is b(-x, s).
[[nodiscard]] double normalized_otm_black(double x, double s) noexcept;

enum class IvStatus : std::uint8_t {
  kOk = 0,
  kBadInput,         // spot, strike or t not positive and finite, price not finite, r/q not finite
  kBelowIntrinsic,   // price < discounted intrinsic value: no volatility reproduces it
  kNoTimeValue,      // price equals intrinsic to within its rounding: volatility 0 (iv = 0)
  kAboveUpperBound,  // price >= discounted forward (call) or strike (put): volatility infinite
};
[[nodiscard]] std::string_view to_string(IvStatus s) noexcept;

struct IvResult {
  double iv = 0;          // sigma; 0 unless status is kOk
  IvStatus status = IvStatus::kBadInput;
  std::uint8_t iterations = 0;
  [[nodiscard]] bool ok() const noexcept { return status == IvStatus::kOk; }
};

// The sigma for which bsm_price({right, spot, strike, t, r, q, sigma}) == price, to 1e-12
// relative in price wherever the price carries information (its time value is at least a few
// ulp of the price and representable). in.sigma is ignored.
[[nodiscard]] IvResult implied_vol(const BsmInput& in, double price) noexcept;

}  // namespace odte::options

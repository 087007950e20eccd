#pragma once

// What one expiry's option chain implies: the forward and discount (put-call parity) and the
// variance swap rate (the Cboe VIX method for a single expiry, as in seed 004's swap rates).
//
// The chain is a span of rows sorted by strike, ascending, each with the call and put bid/ask.
// A missing quote is a negative number; a zero bid is a real quote ("no bid") and matters to the
// VIX strike selection. Nothing allocates; results carry a status instead of NaN.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace odte::options {

struct ChainQuote {
  double strike = 0;
  double call_bid = -1;
  double call_ask = -1;
  double put_bid = -1;
  double put_ask = -1;
};

enum class ChainStatus : std::uint8_t {
  kOk = 0,
  kBadInput,          // t <= 0, a non-finite or non-positive strike, non-finite r
  kUnsorted,          // strikes not strictly increasing
  kNoTwoSidedStrike,  // no strike with both a call and a put mid
  kBadFit,            // too few two-sided strikes around the money to fit a discount, or D <= 0
  kNoStrikes,         // no out-of-the-money strike survives the VIX selection
};
[[nodiscard]] std::string_view to_string(ChainStatus s) noexcept;

struct ForwardResult {
  ChainStatus status = ChainStatus::kBadInput;
  double forward = 0;
  double discount = 0;        // e^{-rT}: given, or fitted
  double atm_strike = 0;      // the strike where |C - P| is smallest
  std::size_t atm_index = 0;
  int fit_strikes = 0;        // strikes in the discount fit (0 when the discount was given)
  [[nodiscard]] bool ok() const noexcept { return status == ChainStatus::kOk; }
};

// F = K* + (C - P) / D at the strike K* where |C - P| (mids) is smallest, D given.
[[nodiscard]] ForwardResult implied_forward(std::span<const ChainQuote> chain, double discount) noexcept;

// D and F both from parity: C - P = D (F - K) is a line in K; its slope over up to
// kParityFitHalfWidth two-sided strikes each side of K* gives -D (least squares), then
// F = K* + (C* - P*) / D.
inline constexpr int kParityFitHalfWidth = 5;
[[nodiscard]] ForwardResult implied_forward_and_discount(std::span<const ChainQuote> chain) noexcept;

enum class QuoteSide : std::uint8_t { kMid, kBid, kAsk };

struct VarianceSwapResult {
  ChainStatus status = ChainStatus::kBadInput;
  double variance = 0;     // annualised sigma^2 (the single-expiry swap rate)
  double volatility = 0;   // sqrt(variance)
  double forward = 0;
  double k0 = 0;           // first strike at or below the forward
  double adjustment = 0;   // (1/T) (F/K0 - 1)^2, already subtracted
  double lowest_strike = 0;
  double highest_strike = 0;
  int puts = 0;            // out-of-the-money puts used (K < K0)
  int calls = 0;           // out-of-the-money calls used (K > K0)
  [[nodiscard]] bool ok() const noexcept { return status == ChainStatus::kOk; }
};

// Cboe VIX white-paper method for one expiry: F from parity at the smallest |C - P| with
// D = e^{-rT}; K0 the first strike <= F; OTM puts below K0 and calls above it, walking away from
// K0 and stopping after two consecutive zero bids (zero-bid strikes are skipped); the K0 quote is
// the mean of its put and call; sigma^2 = (2/T) sum dK/K^2 e^{rT} Q(K) - (1/T)(F/K0 - 1)^2 with
// dK half the distance between the neighbouring selected strikes (the full distance at the
// ends). `side` prices Q at mid (the index), bid or ask (seed 004's bid/ask swap rates).
// t in years (minutes / 525,600 for 0DTE).
[[nodiscard]] VarianceSwapResult variance_swap_rate(std::span<const ChainQuote> chain, double t, double r,
                                                    QuoteSide side = QuoteSide::kMid) noexcept;

}  // namespace odte::options

#pragma once

// OCC/OSI option symbology, both ways.
//
//   OSI (21 chars):   "SPXW  260821C05600000"  root padded with spaces to 6
//   compact:          "SPXW260821C05600000"    the same without padding
//   Massive/Polygon:  "O:SPXW260821C05600000"  compact with an "O:" prefix
//
// Layout: root (1-6 of A-Z, 0-9), expiry YYMMDD (20YY), right C or P, strike in thousandths of a
// dollar as exactly 8 digits (00000500 = $0.50, 05600000 = $5600, 99999999 = $99999.999).
// Parsing accepts all three spellings; formatting writes the one asked for. Neither allocates,
// neither throws: bad text is reported as an OccError naming what is wrong.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "odte/core/options/option_right.hpp"
#include "odte/core/base/price.hpp"

namespace odte::options {

enum class OccError : std::uint8_t {
  kOk = 0,
  kEmpty,           // nothing after an optional "O:" prefix
  kBadPrefix,       // a prefix other than "O:" (e.g. "X:", "o:")
  kTooShort,        // fewer than 16 chars: no room for root + 15
  kTooLong,         // root longer than 6 chars
  kBadRoot,         // root char outside A-Z 0-9, or padding spaces inside the root
  kBadDate,         // YYMMDD not digits or not a calendar date
  kBadRight,        // not 'C' or 'P'
  kBadStrike,       // strike not 8 digits, or zero
};

// Stable text for logs and JSON ("bad_date", ...).
[[nodiscard]] std::string_view to_string(OccError e) noexcept;
// A sentence for humans ("expiry is not a valid YYMMDD date").
[[nodiscard]] std::string_view describe(OccError e) noexcept;

struct OccContract {
  char root[8]{};                  // NUL-terminated, 1-6 chars
  std::int32_t expiry_yyyymmdd = 0;
  OptionRight right = OptionRight::kCall;
  Price strike = Price::zero();    // a whole number of $0.001

  [[nodiscard]] std::string_view root_view() const noexcept { return root; }
  friend bool operator==(const OccContract& a, const OccContract& b) noexcept {
    return a.root_view() == b.root_view() && a.expiry_yyyymmdd == b.expiry_yyyymmdd &&
           a.right == b.right && a.strike == b.strike;
  }
};

struct OccParse {
  OccContract contract;
  OccError error = OccError::kOk;
  [[nodiscard]] bool ok() const noexcept { return error == OccError::kOk; }
};

// Parses OSI, compact or "O:"-prefixed text.
[[nodiscard]] OccParse parse_occ(std::string_view text) noexcept;

enum class OccStyle : std::uint8_t { kCompact, kOsi, kMassive };

// Longest output: "O:" + 6 + 15 = 23 chars, plus NUL.
inline constexpr std::size_t kOccMaxText = 24;

// Writes the symbol (NUL-terminated) into buf and returns its length, or 0 when the contract
// cannot be written: root not 1-6 of A-Z/0-9, expiry outside 2000-2099 or not a date, strike not
// a positive whole number of $0.001 below $100,000, or size < kOccMaxText.
std::size_t format_occ(const OccContract& c, OccStyle style, char* buf, std::size_t size) noexcept;

// How a root settles and where its underlying value comes from. Unknown roots report kUnknown.
enum class Settlement : std::uint8_t { kUnknown = 0, kAmOpen, kPmClose };
enum class ExerciseStyle : std::uint8_t { kUnknown = 0, kEuropean, kAmerican };

struct RootInfo {
  std::string_view root;
  std::string_view underlying;    // feed symbol of the underlying: "I:SPX", "SPY"
  Settlement settlement;
  ExerciseStyle exercise;
  bool cash_settled;
  std::uint32_t multiplier;
};

// SPX: monthly, AM-settled on the special opening quotation, European, cash.
// SPXW: weeklies/dailies, PM-settled on the 16:00 close, European, cash.
// SPY: American, physically settled; expiring contracts stop trading at the close.
[[nodiscard]] RootInfo root_info(std::string_view root) noexcept;

}  // namespace odte::options

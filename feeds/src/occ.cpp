#include "occ.hpp"

#include <cstring>

namespace odte::feeds::detail {

namespace {
bool digits(std::string_view s) noexcept {
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}
int to_int(std::string_view s) noexcept {
  int v = 0;
  for (const char c : s) v = v * 10 + (c - '0');
  return v;
}
}  // namespace

std::optional<OptionFields> parse_occ(std::string_view occ) noexcept {
  constexpr std::size_t kTail = 15;  // YYMMDD + C/P + 8 strike digits
  if (occ.size() < kTail + 1 || occ.size() > kTail + 6) return std::nullopt;
  const std::string_view root = occ.substr(0, occ.size() - kTail);
  const std::string_view tail = occ.substr(root.size());
  for (const char c : root) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ok) return std::nullopt;
  }
  const std::string_view date = tail.substr(0, 6);
  const char right = tail[6];
  const std::string_view strike = tail.substr(7);
  if (!digits(date) || !digits(strike) || (right != 'C' && right != 'P')) return std::nullopt;
  const int yy = to_int(date.substr(0, 2));
  const int mm = to_int(date.substr(2, 2));
  const int dd = to_int(date.substr(4, 2));
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) return std::nullopt;
  OptionFields f{};
  std::memcpy(f.root, root.data(), root.size());
  f.expiry_yyyymmdd = (2000 + yy) * 10000 + mm * 100 + dd;
  f.right = right == 'C' ? OptionRight::kCall : OptionRight::kPut;
  // Thousandths of a dollar -> Price's ten-thousandths.
  std::int64_t thousandths = 0;
  for (const char c : strike) thousandths = thousandths * 10 + (c - '0');
  f.strike = Price::from_ticks(thousandths * 10);
  f.underlying = kNoInstrument;
  f.multiplier = 100;
  return f;
}

std::string_view underlying_symbol(std::string_view root) noexcept {
  if (root == "SPX" || root == "SPXW") return "I:SPX";
  if (root == "NDX" || root == "NDXP") return "I:NDX";
  if (root == "RUT" || root == "RUTW") return "I:RUT";
  if (root == "VIX" || root == "VIXW") return "I:VIX";
  if (root == "XSP") return "I:XSP";
  return root;
}

}  // namespace odte::feeds::detail

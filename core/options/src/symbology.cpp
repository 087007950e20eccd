#include "odte/core/options/symbology.hpp"

#include <array>

namespace odte::options {
namespace {

constexpr std::size_t kTail = 15;  // YYMMDD + C/P + 8 strike digits
constexpr std::size_t kMaxRoot = 6;
constexpr std::int64_t kTicksPerThousandth = Price::kScale / 1000;
static_assert(Price::kScale % 1000 == 0, "strikes are thousandths of a dollar");

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_root_char(char c) noexcept { return (c >= 'A' && c <= 'Z') || is_digit(c); }

constexpr bool is_leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
constexpr int days_in_month(int y, int m) noexcept {
  constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}
constexpr bool valid_date(int y, int m, int d) noexcept {
  return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int digits(std::string_view s) noexcept {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

std::string_view to_string(OccError e) noexcept {
  switch (e) {
    case OccError::kOk: return "ok";
    case OccError::kEmpty: return "empty";
    case OccError::kBadPrefix: return "bad_prefix";
    case OccError::kTooShort: return "too_short";
    case OccError::kTooLong: return "too_long";
    case OccError::kBadRoot: return "bad_root";
    case OccError::kBadDate: return "bad_date";
    case OccError::kBadRight: return "bad_right";
    case OccError::kBadStrike: return "bad_strike";
  }
  return "unknown";
}

std::string_view describe(OccError e) noexcept {
  switch (e) {
    case OccError::kOk: return "ok";
    case OccError::kEmpty: return "empty symbol";
    case OccError::kBadPrefix: return "only the \"O:\" prefix is accepted";
    case OccError::kTooShort: return "too short: need a 1-6 char root, YYMMDD, C/P and 8 strike digits";
    case OccError::kTooLong: return "root longer than 6 characters";
    case OccError::kBadRoot: return "root must be 1-6 characters A-Z or 0-9";
    case OccError::kBadDate: return "expiry is not a valid YYMMDD date";
    case OccError::kBadRight: return "right must be C or P";
    case OccError::kBadStrike: return "strike must be 8 digits (dollars x 1000), not zero";
  }
  return "unknown error";
}

OccParse parse_occ(std::string_view text) noexcept {
  OccParse out;
  auto fail = [&out](OccError e) noexcept {
    out.error = e;
    out.contract = OccContract{};
    return out;
  };
  if (text.size() >= 2 && text[1] == ':') {
    if (text[0] != 'O') return fail(OccError::kBadPrefix);
    text.remove_prefix(2);
  }
  if (text.empty()) return fail(OccError::kEmpty);
  if (text.size() < kTail + 1) return fail(OccError::kTooShort);

  std::string_view root = text.substr(0, text.size() - kTail);
  const std::string_view tail = text.substr(text.size() - kTail);
  // OSI pads the root with trailing spaces to 6; padding anywhere else is an error.
  while (!root.empty() && root.back() == ' ') root.remove_suffix(1);
  if (root.empty()) return fail(OccError::kBadRoot);
  if (root.size() > kMaxRoot) {
    for (char c : root) {
      if (!is_root_char(c)) return fail(OccError::kBadRoot);
    }
    return fail(OccError::kTooLong);
  }
  for (char c : root) {
    if (!is_root_char(c)) return fail(OccError::kBadRoot);
  }

  const std::string_view date = tail.substr(0, 6);
  for (char c : date) {
    if (!is_digit(c)) return fail(OccError::kBadDate);
  }
  const int year = 2000 + digits(date.substr(0, 2));
  const int month = digits(date.substr(2, 2));
  const int day = digits(date.substr(4, 2));
  if (!valid_date(year, month, day)) return fail(OccError::kBadDate);

  const char right = tail[6];
  if (right != 'C' && right != 'P') return fail(OccError::kBadRight);

  const std::string_view strike = tail.substr(7, 8);
  std::int64_t thousandths = 0;
  for (char c : strike) {
    if (!is_digit(c)) return fail(OccError::kBadStrike);
    thousandths = thousandths * 10 + (c - '0');
  }
  if (thousandths == 0) return fail(OccError::kBadStrike);

  for (std::size_t i = 0; i < root.size(); ++i) out.contract.root[i] = root[i];
  out.contract.expiry_yyyymmdd = year * 10000 + month * 100 + day;
  out.contract.right = right == 'C' ? OptionRight::kCall : OptionRight::kPut;
  out.contract.strike = Price::from_ticks(thousandths * kTicksPerThousandth);
  return out;
}

std::size_t format_occ(const OccContract& c, OccStyle style, char* buf, std::size_t size) noexcept {
  if (buf == nullptr || size < kOccMaxText) return 0;
  const std::string_view root = c.root_view();
  if (root.empty() || root.size() > kMaxRoot) return 0;
  for (char ch : root) {
    if (!is_root_char(ch)) return 0;
  }
  const int year = c.expiry_yyyymmdd / 10000;
  const int month = c.expiry_yyyymmdd / 100 % 100;
  const int day = c.expiry_yyyymmdd % 100;
  if (year < 2000 || year > 2099 || !valid_date(year, month, day)) return 0;
  if (c.right != OptionRight::kCall && c.right != OptionRight::kPut) return 0;
  const Price::Rep ticks = c.strike.ticks();
  if (!c.strike.valid() || ticks <= 0 || ticks % kTicksPerThousandth != 0) return 0;
  std::int64_t thousandths = ticks / kTicksPerThousandth;
  if (thousandths > 99'999'999) return 0;

  std::size_t n = 0;
  if (style == OccStyle::kMassive) {
    buf[n++] = 'O';
    buf[n++] = ':';
  }
  for (char ch : root) buf[n++] = ch;
  if (style == OccStyle::kOsi) {
    for (std::size_t i = root.size(); i < kMaxRoot; ++i) buf[n++] = ' ';
  }
  auto put2 = [&](int v) noexcept {
    buf[n++] = static_cast<char>('0' + v / 10);
    buf[n++] = static_cast<char>('0' + v % 10);
  };
  put2(year % 100);
  put2(month);
  put2(day);
  buf[n++] = static_cast<char>(c.right);
  for (std::size_t i = 8; i-- > 0;) {
    buf[n + i] = static_cast<char>('0' + thousandths % 10);
    thousandths /= 10;
  }
  n += 8;
  buf[n] = '\0';
  return n;
}

RootInfo root_info(std::string_view root) noexcept {
  if (root == "SPX") {
    return {"SPX", "I:SPX", Settlement::kAmOpen, ExerciseStyle::kEuropean, true, 100};
  }
  if (root == "SPXW") {
    return {"SPXW", "I:SPX", Settlement::kPmClose, ExerciseStyle::kEuropean, true, 100};
  }
  if (root == "SPY") {
    return {"SPY", "SPY", Settlement::kPmClose, ExerciseStyle::kAmerican, false, 100};
  }
  return {root, {}, Settlement::kUnknown, ExerciseStyle::kUnknown, false, 100};
}

}  // namespace odte::options

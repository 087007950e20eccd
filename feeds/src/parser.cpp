#include "odte/feeds/parser.hpp"

// GCC 12 sees a null json_iterator on a path simdjson never takes once its iterators are inlined
// here (-Wnull-dereference is attributed to simdjson.h, so it is silenced for that header only).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif
#include <simdjson.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "occ.hpp"

namespace odte::feeds {

static_assert(kPadding == simdjson::SIMDJSON_PADDING, "kPadding mirrors simdjson's padding");

namespace {

namespace od = simdjson::ondemand;

constexpr std::int64_t kMinMs = 1;                  // 1970-01-01T00:00:00.001
constexpr std::int64_t kMaxMs = 4'102'444'800'000;  // 2100-01-01
constexpr std::int64_t kNsPerMs = 1'000'000;

// One bit per field we read; a field seen twice keeps its last value.
enum Field : std::uint32_t {
  kEv = 1u << 0, kSym = 1u << 1, kP = 1u << 2, kS = 1u << 3, kX = 1u << 4, kC = 1u << 5,
  kT = 1u << 6, kQ = 1u << 7, kBp = 1u << 8, kAp = 1u << 9, kBs = 1u << 10, kAs = 1u << 11,
  kBx = 1u << 12, kAx = 1u << 13, kO = 1u << 14, kH = 1u << 15, kL = 1u << 16, kV = 1u << 17,
  kE = 1u << 18, kVal = 1u << 19, kStatus = 1u << 20, kMessage = 1u << 21, kCond = 1u << 22,
};

enum class Ev : std::uint8_t { kNone, kTrade, kQuote, kSecondAgg, kMinuteAgg, kValue, kStatus, kUnknown };

Ev classify(std::string_view ev) noexcept {
  switch (ev.size()) {
    case 1:
      switch (ev[0]) {
        case 'T': return Ev::kTrade;
        case 'Q': return Ev::kQuote;
        case 'A': return Ev::kSecondAgg;
        case 'V': return Ev::kValue;
        default: return Ev::kUnknown;
      }
    case 2: return ev == "AM" ? Ev::kMinuteAgg : Ev::kUnknown;
    case 6: return ev == "status" ? Ev::kStatus : Ev::kUnknown;
    default: return Ev::kUnknown;
  }
}

StatusCode status_code(std::string_view s) noexcept {
  if (s == "connected") return StatusCode::kConnected;
  if (s == "auth_success") return StatusCode::kAuthSuccess;
  if (s == "auth_failed") return StatusCode::kAuthFailed;
  if (s == "auth_timeout") return StatusCode::kAuthTimeout;
  if (s == "max_connections") return StatusCode::kMaxConnections;
  if (s == "success") return StatusCode::kSubscribed;  // "subscribed to: ..." / "unsubscribed ..."
  if (s == "error") return StatusCode::kError;
  if (s == "disconnected") return StatusCode::kDisconnected;
  return StatusCode::kUnknown;
}

// A price field that is not a usable price (NaN, infinite, negative, beyond +-$1e12): rejected as
// kBadPrice when the event is built, so a missing field still wins over a bad one.
constexpr std::int64_t kBadTicks = INT64_MIN;

// The values of one event object, gathered in a single forward pass whatever the field order.
// Prices are kept as Price ticks (or kBadTicks).
struct Fields {
  std::uint32_t seen = 0;
  ErrorKind error = ErrorKind::kMalformedJson;
  bool has_error = false;
  std::string_view ev, sym, status, message;
  std::int64_t p = 0, bp = 0, ap = 0, o = 0, h = 0, l = 0, c = 0, val = 0;
  std::int64_t s = 0, x = 0, t = 0, q = 0, bs = 0, as = 0, bx = 0, ax = 0, v = 0, e = 0;
  // Condition codes ("c"): those that are integers 0..65535, in order; the first kTradeConditions
  // kept, all counted (up to 255).
  std::uint16_t conds[kTradeConditions] = {};
  std::uint8_t ncond = 0;

  void add_condition(std::int64_t code) noexcept {
    if (code < 0 || code > 0xFFFF) return;
    if (ncond < kTradeConditions) conds[ncond] = static_cast<std::uint16_t>(code);
    if (ncond < 255) ++ncond;
    seen |= kCond;
  }

  void fail(ErrorKind k) noexcept {
    if (!has_error) {
      has_error = true;
      error = k;
    }
  }
  [[nodiscard]] bool has(std::uint32_t mask) const noexcept { return (seen & mask) == mask; }
};

// A double read from the feed as Price ticks; kBadTicks when it cannot be a price.
std::int64_t ticks_of(double d) noexcept {
  if (!std::isfinite(d) || d < 0.0) return kBadTicks;
  const Price p = Price::from_double(d);
  return p.valid() ? p.ticks() : kBadTicks;
}

// Reads a JSON number as a double; wrong type or a broken number is a field error.
bool read_double(od::value& v, double& out, Fields& f) noexcept {
  const auto r = v.get_double();
  if (r.error() == simdjson::SUCCESS) {
    out = r.value_unsafe();
    return true;
  }
  f.fail(r.error() == simdjson::INCORRECT_TYPE ? ErrorKind::kWrongType : ErrorKind::kBadPrice);
  return false;
}

// What may follow a number for simdjson to accept it: whitespace or a structural character.
bool ends_number(char c) noexcept {
  switch (c) {
    case ' ': case '\n': case '\r': case '\t': case ',': case ':': case '[': case ']': case '{': case '}':
      return true;
    default:
      return false;
  }
}

constexpr std::uint64_t kPow10[5] = {1, 10, 100, 1'000, 10'000};

// Reads up to 16 ASCII digits at p; returns how many there were (then `value`). A plain loop: on
// these 1-13 digit numbers it measured faster than an eight-bytes-at-a-time (SWAR) conversion.
inline unsigned read_digits(const char* p, std::uint64_t& value) noexcept {
  unsigned n = 0;
  std::uint64_t v = 0;
  while (n < 16 && static_cast<unsigned>(p[n] - '0') < 10u) {
    v = v * 10 + static_cast<unsigned>(p[n] - '0');
    ++n;
  }
  value = v;
  return n;
}

// A price as Massive sends it: 1-13 integer digits (no leading zero), at most four decimals.
// Returns the byte after it (which the caller checks can end a number), or nullptr for anything
// else (sign, exponent, more decimals, junk), which read_double reads, to the value this would
// give: below 2^50 ticks the double nearest the text, times 10,000, rounds back to the same integer.
const char* plain_price_end(const char* p, std::int64_t& ticks) noexcept {
  std::uint64_t whole = 0;
  const unsigned int_digits = read_digits(p, whole);
  if (int_digits == 0 || int_digits > 13 || (p[0] == '0' && int_digits > 1)) return nullptr;
  p += int_digits;
  std::uint64_t t = whole * 10'000;
  if (*p == '.') {
    std::uint64_t frac = 0;
    const unsigned frac_digits = read_digits(p + 1, frac);
    if (frac_digits == 0 || frac_digits > 4) return nullptr;
    t += frac * kPow10[4 - frac_digits];
    p += 1 + frac_digits;
  }
  if (t >= (1ULL << 50)) return nullptr;
  ticks = static_cast<std::int64_t>(t);
  return p;
}

bool plain_price(const char* p, std::int64_t& ticks) noexcept {
  std::int64_t t = 0;
  const char* end = plain_price_end(p, t);
  if (end == nullptr || !ends_number(*end)) return false;
  ticks = t;
  return true;
}

// A non-negative integer of 1-16 digits (no leading zero); returns the byte after it or nullptr.
const char* plain_uint_end(const char* p, std::int64_t& out) noexcept {
  std::uint64_t n = 0;
  const unsigned digits = read_digits(p, n);
  if (digits == 0 || (p[0] == '0' && digits > 1)) return nullptr;
  out = static_cast<std::int64_t>(n);
  return p + digits;
}

void read_price(od::value& v, std::int64_t& out, Fields& f, std::uint32_t bit) noexcept {
  if (plain_price(v.raw_json_token().data(), out)) {
    f.seen |= bit;
    return;
  }
  double d = 0;
  if (read_double(v, d, f)) {
    out = ticks_of(d);
    f.seen |= bit;
  }
}

// Fast path of read_int: a plain integer followed by what may end a number.
bool plain_uint(const char* p, std::int64_t& out) noexcept {
  std::int64_t n = 0;
  const char* end = plain_uint_end(p, n);
  if (end == nullptr || !ends_number(*end)) return false;
  out = n;
  return true;
}

// Reads an integer; a number that is not an integer (1.5, -1 where unsigned, 1e30) is `bad`.
void read_int(od::value& v, std::int64_t& out, Fields& f, std::uint32_t bit, ErrorKind bad) noexcept {
  if (plain_uint(v.raw_json_token().data(), out)) {
    f.seen |= bit;
    return;
  }
  const auto r = v.get_int64();
  if (r.error() == simdjson::SUCCESS) {
    out = r.value_unsafe();
    f.seen |= bit;
    return;
  }
  if (r.error() != simdjson::INCORRECT_TYPE && r.error() != simdjson::NUMBER_OUT_OF_RANGE) {
    f.fail(bad);
    return;
  }
  // Some venues send integral sizes as 100.0; accept those, refuse anything else that is a number.
  const auto d = v.get_double();
  if (d.error() == simdjson::INCORRECT_TYPE) {
    f.fail(ErrorKind::kWrongType);
    return;
  }
  const double x = d.error() == simdjson::SUCCESS ? d.value_unsafe() : std::nan("");
  if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9.0e15) {
    out = static_cast<std::int64_t>(x);
    f.seen |= bit;
  } else {
    f.fail(bad);
  }
}

// A string without escapes, in place in the frame (the usual case); otherwise get_string unescapes
// it (and reports a non-string). Numbers read in place (read_price, read_int) may stay unconsumed:
// simdjson skips a number exactly as reading it would have advanced.
void read_string(od::value& v, std::string_view& out, Fields& f, std::uint32_t bit) noexcept {
  const char* const start = v.raw_json_token().data();
  if (*start == '"') {
    // The closing quote exists (simdjson's first stage saw the string end), so the scan stops.
    const char* p = start + 1;
    while (*p != '"' && *p != '\\') ++p;
    if (*p == '"') {
      // Consume the string as get_string would (cheaply: no copy). Left unconsumed, a string
      // followed by ':' would be skipped as if it were a key, hiding malformed JSON.
      od::raw_json_string raw;
      if (v.get_raw_json_string().get(raw) == simdjson::SUCCESS) {
        out = std::string_view(start + 1, static_cast<std::size_t>(p - start - 1));
        f.seen |= bit;
        return;
      }
    }
  }
  const auto r = v.get_string();
  if (r.error() == simdjson::SUCCESS) {
    out = r.value_unsafe();
    f.seen |= bit;
  } else {
    f.fail(ErrorKind::kWrongType);
  }
}

// "c" is the close price in aggregates, a condition list in trades and a condition code in quotes.
void read_c(od::value& v, Fields& f) noexcept {
  const auto type = v.type();
  if (type.error() != simdjson::SUCCESS) {
    f.fail(ErrorKind::kMalformedJson);
    return;
  }
  switch (type.value_unsafe()) {
    case od::json_type::number: {
      // Read both ways: aggregates want a price, quotes an integer code.
      double d = 0;
      if (!read_double(v, d, f)) return;
      f.c = ticks_of(d);
      f.seen |= kC;
      if (d >= 0 && d < 4.0e9 && d == std::floor(d)) f.add_condition(static_cast<std::int64_t>(d));
      return;
    }
    case od::json_type::array: {
      od::array a;
      if (v.get_array().get(a) != simdjson::SUCCESS) {
        f.fail(ErrorKind::kMalformedJson);
        return;
      }
      for (auto item : a) {
        if (item.error() != simdjson::SUCCESS) break;
        std::int64_t code = 0;
        if (item.get_int64().get(code) == simdjson::SUCCESS) f.add_condition(code);
      }
      return;
    }
    case od::json_type::null:
      return;
    default:
      f.fail(ErrorKind::kWrongType);
      return;
  }
}

// The keys we read; everything else is skipped.
enum class Key : std::uint8_t {
  kOther, kEv, kSym, kP, kS, kX, kC, kT, kQ, kO, kH, kL, kV, kE, kCapitalT, kBp, kAp, kBs, kAs, kBx,
  kAx, kVal, kStatus, kMessage,
};

// Classifies a key from its raw bytes in the frame, `k` pointing just past the opening quote: the
// key's letters and then its closing quote must match. Reading a few bytes past a short key stays
// inside the frame or its padding (a key is followed at least by `":`, a value and two brackets).
Key raw_key(const char* k) noexcept {
  const auto is = [k](const char* lit, std::size_t n) { return std::memcmp(k, lit, n) == 0; };
  switch (k[0]) {
    case 'e':
      if (k[1] == '"') return Key::kE;
      return is("ev\"", 3) ? Key::kEv : Key::kOther;
    case 's':
      if (k[1] == '"') return Key::kS;
      if (is("sym\"", 4)) return Key::kSym;
      return is("status\"", 7) ? Key::kStatus : Key::kOther;
    case 'p': return k[1] == '"' ? Key::kP : Key::kOther;
    case 'x': return k[1] == '"' ? Key::kX : Key::kOther;
    case 'c': return k[1] == '"' ? Key::kC : Key::kOther;
    case 't': return k[1] == '"' ? Key::kT : Key::kOther;
    case 'q': return k[1] == '"' ? Key::kQ : Key::kOther;
    case 'o': return k[1] == '"' ? Key::kO : Key::kOther;
    case 'h': return k[1] == '"' ? Key::kH : Key::kOther;
    case 'l': return k[1] == '"' ? Key::kL : Key::kOther;
    case 'T': return k[1] == '"' ? Key::kCapitalT : Key::kOther;
    case 'v':
      if (k[1] == '"') return Key::kV;
      return is("val\"", 4) ? Key::kVal : Key::kOther;
    case 'b':
    case 'a': {
      if (k[2] != '"') return Key::kOther;
      const bool bid = k[0] == 'b';
      switch (k[1]) {
        case 'p': return bid ? Key::kBp : Key::kAp;
        case 's': return bid ? Key::kBs : Key::kAs;
        case 'x': return bid ? Key::kBx : Key::kAx;
        default: return Key::kOther;
      }
    }
    case 'm': return is("message\"", 8) ? Key::kMessage : Key::kOther;
    default: return Key::kOther;
  }
}

// The same classification for an unescaped key (a key written with escapes, e.g. "\u0070"); compared
// as text, since an unescaped key may itself hold a quote.
Key text_key(std::string_view key) noexcept {
  static constexpr std::pair<std::string_view, Key> kNames[] = {
      {"ev", Key::kEv}, {"sym", Key::kSym}, {"p", Key::kP}, {"s", Key::kS}, {"x", Key::kX},
      {"c", Key::kC}, {"t", Key::kT}, {"q", Key::kQ}, {"o", Key::kO}, {"h", Key::kH},
      {"l", Key::kL}, {"v", Key::kV}, {"e", Key::kE}, {"T", Key::kCapitalT}, {"bp", Key::kBp},
      {"ap", Key::kAp}, {"bs", Key::kBs}, {"as", Key::kAs}, {"bx", Key::kBx}, {"ax", Key::kAx},
      {"val", Key::kVal}, {"status", Key::kStatus}, {"message", Key::kMessage},
  };
  for (const auto& [name, id] : kNames) {
    if (key == name) return id;
  }
  return Key::kOther;
}

// True when the raw key (closing quote not included) holds a backslash, i.e. needs unescaping.
bool key_has_escape(const char* k) noexcept {
  for (;; ++k) {
    if (*k == '"') return false;
    if (*k == '\\') return true;
  }
}

void read_field(Key key, od::value& v, Fields& f) noexcept {
  switch (key) {
    case Key::kOther: return;
    case Key::kEv: read_string(v, f.ev, f, kEv); return;
    case Key::kSym: read_string(v, f.sym, f, kSym); return;
    case Key::kCapitalT: read_string(v, f.sym, f, kSym); return;  // indices V carry the symbol in "T"
    case Key::kP: read_price(v, f.p, f, kP); return;
    case Key::kS: read_int(v, f.s, f, kS, ErrorKind::kBadSize); return;
    case Key::kX: read_int(v, f.x, f, kX, ErrorKind::kWrongType); return;
    case Key::kC: read_c(v, f); return;
    case Key::kT: read_int(v, f.t, f, kT, ErrorKind::kBadTimestamp); return;
    case Key::kQ: read_int(v, f.q, f, kQ, ErrorKind::kWrongType); return;
    case Key::kO: read_price(v, f.o, f, kO); return;
    case Key::kH: read_price(v, f.h, f, kH); return;
    case Key::kL: read_price(v, f.l, f, kL); return;
    case Key::kV: read_int(v, f.v, f, kV, ErrorKind::kBadSize); return;
    case Key::kE: read_int(v, f.e, f, kE, ErrorKind::kBadTimestamp); return;
    case Key::kBp: read_price(v, f.bp, f, kBp); return;
    case Key::kAp: read_price(v, f.ap, f, kAp); return;
    case Key::kBs: read_int(v, f.bs, f, kBs, ErrorKind::kBadSize); return;
    case Key::kAs: read_int(v, f.as, f, kAs, ErrorKind::kBadSize); return;
    case Key::kBx: read_int(v, f.bx, f, kBx, ErrorKind::kWrongType); return;
    case Key::kAx: read_int(v, f.ax, f, kAx, ErrorKind::kWrongType); return;
    case Key::kVal: read_price(v, f.val, f, kVal); return;
    case Key::kStatus: read_string(v, f.status, f, kStatus); return;
    case Key::kMessage: read_string(v, f.message, f, kMessage); return;
  }
}

// ---- The fast path: an event object exactly as Massive writes it ----
//
// Compact (no whitespace), "ev" first ("Q" or "T"), then "sym", then the other keys in Massive's
// order, each optional, values in their plain forms (strings without escapes, plain integers and
// prices, condition lists of plain integers). Nothing is dispatched per field: each key is compared
// with the one expected next. The scan runs only on frames simdjson's stage 1 has already accepted
// (strings closed, UTF-8 valid, the root array ends in ']'), and it accepts only text that is valid
// JSON the generic pass reads without a JSON error; for such text it fills Fields exactly as the
// generic pass does (same helpers, same order of bits), so the event, or the error it is rejected
// with, is the same. Anything else (another order, an unknown key, whitespace, escapes, other
// number forms, other events) returns nullptr, and the frame goes on in the generic pass from that
// element.
//
// The scan must not run past the frame: the bytes after it (padding, or an earlier frame's bytes
// in the scratch buffer) may continue a cut object (`[{"ev":"T",...,"c":[1]` then `,"t":1}]`).
// `root_end` is the frame's last non-whitespace byte, the ']' that closes the root array (stage 1
// put nothing but whitespace after it). The scan consumes a ']' only as the end of a condition
// list, and refuses `root_end` there; every other byte it consumes is not a ']' or lies inside a
// string that opened before `root_end` (which stage 1 closed before it). So nothing at or past
// `root_end` is consumed, and reads stay within 16 bytes of it, inside the padding.
// A key as it appears in the text with the comma before it and the colon after it (",\"bx\":"),
// packed at compile time into the little-endian word its bytes make.
struct KeyText {
  std::uint64_t bits;
  std::uint64_t mask;
  unsigned len;
};
template <std::size_t N>
consteval KeyText key_text(const char (&lit)[N]) {
  static_assert(N >= 2 && N - 1 <= 8, "one 8-byte word");
  static_assert(std::endian::native == std::endian::little, "the first byte is the low byte");
  KeyText k{0, 0, static_cast<unsigned>(N - 1)};
  for (std::size_t i = 0; i < N - 1; ++i) {
    k.bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(lit[i])) << (8 * i);
    k.mask |= std::uint64_t{0xFF} << (8 * i);
  }
  return k;
}

struct Cursor {
  const char* p;
  const char* root_end;

  // Whether the text starts with the key `k` (then key() consumes it): one 8-byte load (the padding
  // makes it safe), masked to the key's length, one compare.
  bool at(KeyText k) const noexcept {
    std::uint64_t have = 0;
    std::memcpy(&have, p, 8);
    return (have & k.mask) == k.bits;
  }
  bool key(KeyText k) noexcept {
    if (!at(k)) return false;
    p += k.len;
    return true;
  }
  bool string(std::string_view& out) noexcept {
    if (*p != '"') return false;
    const char* const start = p + 1;
    const char* e = start;
    while (*e != '"' && *e != '\\') ++e;
    if (*e != '"') return false;
    out = std::string_view(start, static_cast<std::size_t>(e - start));
    p = e + 1;
    return true;
  }
  bool uint(std::int64_t& out) noexcept {
    const char* e = plain_uint_end(p, out);
    if (e == nullptr) return false;
    p = e;
    return true;
  }
  bool price(std::int64_t& out) noexcept {
    const char* e = plain_price_end(p, out);
    if (e == nullptr) return false;
    p = e;
    return true;
  }
  // "[" plain integers "]" (possibly empty); the first one, if any, in `first`.
  bool uint_list(std::int64_t& first, bool& has_first) noexcept {
    if (*p != '[') return false;
    ++p;
    has_first = false;
    if (*p != ']') {
      std::int64_t n = 0;
      if (!uint(n)) return false;
      first = n;
      has_first = true;
      while (*p == ',') {
        ++p;
        if (!uint(n)) return false;
      }
    }
    if (*p != ']' || p == root_end) return false;
    ++p;
    return true;
  }

  // Optional fields: absent is fine (true); present with a value not in its plain form is not.
  bool opt_uint(KeyText k, std::int64_t& out, Fields& f, std::uint32_t bit) noexcept {
    if (!key(k)) return true;
    if (!uint(out)) return false;
    f.seen |= bit;
    return true;
  }
  bool opt_price(KeyText k, std::int64_t& out, Fields& f, std::uint32_t bit) noexcept {
    if (!key(k)) return true;
    if (!price(out)) return false;
    f.seen |= bit;
    return true;
  }
  // "[" plain integers "]" (possibly empty), each one a condition code for `f`.
  bool condition_list(Fields& f) noexcept {
    if (*p != '[') return false;
    ++p;
    if (*p != ']') {
      std::int64_t n = 0;
      if (!uint(n)) return false;
      f.add_condition(n);
      while (*p == ',') {
        ++p;
        if (!uint(n)) return false;
        f.add_condition(n);
      }
    }
    if (*p != ']' || p == root_end) return false;
    ++p;
    return true;
  }
  // "c": a condition list in trades, a condition code in quotes; read as read_c does.
  bool opt_c(Fields& f) noexcept {
    if (!key(key_text(",\"c\":"))) return true;
    if (*p == '[') return condition_list(f);
    std::int64_t n = 0;
    const char* const start = p;
    if (!uint(n) || p - start > 15) return false;  // exact as a double, as simdjson would read it
    const double d = static_cast<double>(n);
    f.c = ticks_of(d);
    f.seen |= kC;
    if (d < 4.0e9) f.add_condition(n);
    return true;
  }
  // "i": indicators (a list) in quotes, the trade id (a string) in trades; not read.
  bool opt_i() noexcept {
    if (!key(key_text(",\"i\":"))) return true;
    std::string_view s;
    std::int64_t n = 0;
    bool has = false;
    return *p == '"' ? string(s) : uint_list(n, has);
  }
  // "z": the tape; not read.
  bool opt_z() noexcept {
    std::int64_t n = 0;
    return !key(key_text(",\"z\":")) || uint(n);
  }
};

// The keys as Massive writes them, each with the comma before it (the first with the brace).
constexpr KeyText kEvKey = key_text("{\"ev\":\""), kSymKey = key_text(",\"sym\":"),
                  kBxKey = key_text(",\"bx\":"), kAxKey = key_text(",\"ax\":"), kBpKey = key_text(",\"bp\":"),
                  kApKey = key_text(",\"ap\":"), kBsKey = key_text(",\"bs\":"), kAsKey = key_text(",\"as\":"),
                  kXKey = key_text(",\"x\":"), kPKey = key_text(",\"p\":"), kSKey = key_text(",\"s\":"),
                  kTKey = key_text(",\"t\":"), kQKey = key_text(",\"q\":");

// `p` at an array element's '{'. Returns the byte after its '}', or nullptr (not in Massive's form).
const char* fast_object(const char* p, const char* root_end, Fields& f) noexcept {
  Cursor c{p, root_end};
  if (!c.key(kEvKey)) return nullptr;
  const char type = *c.p;
  if ((type != 'Q' && type != 'T') || c.p[1] != '"') return nullptr;
  f.ev = std::string_view(c.p, 1);
  f.seen |= kEv;
  c.p += 2;
  if (!c.key(kSymKey) || !c.string(f.sym)) return nullptr;
  f.seen |= kSym;
  const auto num = [&](KeyText k, std::int64_t& out, std::uint32_t bit) { return c.opt_uint(k, out, f, bit); };
  const auto price = [&](KeyText k, std::int64_t& out, std::uint32_t bit) { return c.opt_price(k, out, f, bit); };
  bool ok = false;
  if (type == 'Q') {
    ok = num(kBxKey, f.bx, kBx);
    if (ok && c.at(kAxKey)) {  // options: bx ax bp ap bs as
      ok = num(kAxKey, f.ax, kAx) && price(kBpKey, f.bp, kBp) && price(kApKey, f.ap, kAp) &&
           num(kBsKey, f.bs, kBs) && num(kAsKey, f.as, kAs);
    } else if (ok) {  // stocks: bx bp bs ax ap as
      ok = price(kBpKey, f.bp, kBp) && num(kBsKey, f.bs, kBs) && num(kAxKey, f.ax, kAx) &&
           price(kApKey, f.ap, kAp) && num(kAsKey, f.as, kAs);
    }
    ok = ok && c.opt_c(f) && c.opt_i();
  } else {  // options: x p s c; stocks: x i z p s c
    ok = num(kXKey, f.x, kX) && c.opt_i() && c.opt_z() && price(kPKey, f.p, kP) && num(kSKey, f.s, kS) &&
         c.opt_c(f);
  }
  ok = ok && num(kTKey, f.t, kT) && num(kQKey, f.q, kQ) && c.opt_z() && *c.p == '}';
  return ok ? c.p + 1 : nullptr;
}

bool is_ws(char c) noexcept { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Prices in ticks: usable, and not zero unless `allow_zero` (quote sides: 0 = empty side).
bool to_price(std::int64_t ticks, bool allow_zero, Price& out) noexcept {
  if (ticks == kBadTicks || (ticks == 0 && !allow_zero)) return false;
  out = Price::from_ticks(ticks);
  return true;
}

bool to_ns(std::int64_t ms, TimestampNs& out) noexcept {
  if (ms < kMinMs || ms >= kMaxMs) return false;
  out = ms * kNsPerMs;
  return true;
}

// Venue ids as the feed numbers them: OPRA participants run above 255. 0 when out of range.
std::uint16_t venue(std::int64_t x) noexcept {
  return x >= 0 && x <= 0xFFFF ? static_cast<std::uint16_t>(x) : 0;
}

// simdjson reports unbalanced brackets as INCOMPLETE_ARRAY_OR_OBJECT whichever way they are
// unbalanced; a frame that still ends in its closing bracket was not cut short, so it is malformed.
[[gnu::noinline, gnu::cold]] bool classify_error(simdjson::error_code ec, std::string_view frame, ErrorKind& kind) noexcept {
  switch (ec) {
    case simdjson::SUCCESS: return false;
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT: {
      const auto last = frame.find_last_not_of(" \t\r\n");
      kind = last != std::string_view::npos && frame[last] == ']' ? ErrorKind::kMalformedJson
                                                                   : ErrorKind::kTruncatedFrame;
      return true;
    }
    case simdjson::UNCLOSED_STRING:
    case simdjson::EMPTY:
      kind = ErrorKind::kTruncatedFrame;
      return true;
    default:
      kind = ErrorKind::kMalformedJson;
      return true;
  }
}

inline bool classify_json_error(simdjson::error_code ec, std::string_view frame, ErrorKind& kind) noexcept {
  if (ec == simdjson::SUCCESS) [[likely]] return false;
  return classify_error(ec, frame, kind);
}

}  // namespace

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::kMalformedJson: return "malformed_json";
    case ErrorKind::kTruncatedFrame: return "truncated_frame";
    case ErrorKind::kOversizedFrame: return "oversized_frame";
    case ErrorKind::kNotAnArray: return "not_an_array";
    case ErrorKind::kNotAnObject: return "not_an_object";
    case ErrorKind::kUnknownEvent: return "unknown_event";
    case ErrorKind::kMissingField: return "missing_field";
    case ErrorKind::kWrongType: return "wrong_type";
    case ErrorKind::kBadPrice: return "bad_price";
    case ErrorKind::kBadSize: return "bad_size";
    case ErrorKind::kBadTimestamp: return "bad_timestamp";
    case ErrorKind::kBadSymbol: return "bad_symbol";
    case ErrorKind::kRegistryFull: return "registry_full";
    case ErrorKind::kSinkFull: return "sink_full";
  }
  return "unknown";
}

struct FrameParser::Impl {
  od::parser parser;
  std::unique_ptr<char[]> scratch;
  std::size_t scratch_capacity = 0;

  // Resolves a symbol to its id, interning it (with option fields from the OCC symbol) when new.
  static InstrumentId resolve(InstrumentRegistry& reg, std::string_view sym, ErrorKind& err) noexcept {
    const InstrumentId known = reg.find(sym);
    if (known != kNoInstrument) return known;
    if (sym.empty() || sym.size() > Instrument::kMaxSymbol) {
      err = ErrorKind::kBadSymbol;
      return kNoInstrument;
    }
    InstrumentInfo info{};
    if (sym.starts_with("O:")) {
      const auto fields = detail::parse_occ(sym.substr(2));
      if (!fields) {
        err = ErrorKind::kBadSymbol;
        return kNoInstrument;
      }
      info.asset = AssetClass::kOption;
      info.option = *fields;
      const std::string_view root{info.option.root};
      const std::string_view under = detail::underlying_symbol(root);
      InstrumentInfo under_info{};
      under_info.asset = under.starts_with("I:") ? AssetClass::kIndex : AssetClass::kStock;
      info.option.underlying = reg.intern(under, under_info);
    } else if (sym.starts_with("I:")) {
      if (sym.size() == 2) {
        err = ErrorKind::kBadSymbol;
        return kNoInstrument;
      }
      info.asset = AssetClass::kIndex;
    } else {
      info.asset = AssetClass::kStock;
    }
    const InstrumentId id = reg.intern(sym, info);
    if (id == kNoInstrument) err = ErrorKind::kRegistryFull;
    return id;
  }
};

FrameParser::FrameParser(InstrumentRegistry& registry, ParserConfig config)
    : registry_{registry}, config_{config}, impl_{std::make_unique<Impl>()} {
  // Everything the parse path needs is sized here, once.
  if (impl_->parser.allocate(config_.max_frame_bytes) != simdjson::SUCCESS) std::abort();
  impl_->scratch_capacity = config_.max_frame_bytes + kPadding;
  impl_->scratch = std::make_unique<char[]>(impl_->scratch_capacity);
  std::memset(impl_->scratch.get(), ' ', impl_->scratch_capacity);
}

FrameParser::~FrameParser() = default;

void FrameParser::note_error(ErrorKind kind, std::string_view frame, TimestampNs receive_ns,
                             StreamId stream, std::uint32_t event_index) noexcept {
  const auto k = static_cast<std::size_t>(kind);
  const std::uint64_t count = ++counters_.errors[k];
  if (sampled_once_[k] && receive_ns - last_sample_ns_[k] < config_.sample_interval_ns) return;
  sampled_once_[k] = true;
  last_sample_ns_[k] = receive_ns;
  ErrorSample& s = samples_[k];
  s.kind = kind;
  s.stream = stream;
  s.receive_ns = receive_ns;
  s.count_at_sample = count;
  s.frame_bytes = static_cast<std::uint32_t>(frame.size() < 0xFFFF'FFFFu ? frame.size() : 0xFFFF'FFFFu);
  s.event_index = event_index;
  const std::size_t n = frame.size() < sizeof s.excerpt ? frame.size() : sizeof s.excerpt;
  std::memcpy(s.excerpt, frame.data(), n);
  s.excerpt_len = static_cast<std::uint32_t>(n);
  fresh_[k] = true;
}

FrameResult FrameParser::parse_impl(std::string_view frame, bool padded, TimestampNs receive_ns,
                                    StreamId stream, Emit emit) noexcept {
  FrameResult result;
  ++counters_.frames;
  counters_.bytes += frame.size();
  auto frame_fails = [&](ErrorKind k, std::uint32_t index) {
    note_error(k, frame, receive_ns, stream, index);
    ++result.rejected;
    result.frame_error = true;
    return result;
  };
  if (frame.size() > config_.max_frame_bytes) return frame_fails(ErrorKind::kOversizedFrame, 0);

  const char* data = frame.data();
  if (!padded) {
    std::memcpy(impl_->scratch.get(), frame.data(), frame.size());
    data = impl_->scratch.get();
    ++counters_.copied_frames;
  }
  const simdjson::padded_string_view view(data, frame.size(), frame.size() + kPadding);

  ErrorKind kind{};
  od::document doc;
  if (classify_json_error(impl_->parser.iterate(view).get(doc), frame, kind)) return frame_fails(kind, 0);
  od::json_type root_type{};
  if (classify_json_error(doc.type().get(root_type), frame, kind)) return frame_fails(kind, 0);
  if (root_type != od::json_type::array) return frame_fails(ErrorKind::kNotAnArray, 0);
  od::array events;
  if (classify_json_error(doc.get_array().get(events), frame, kind)) return frame_fails(kind, 0);

  // Builds the event from one object's fields, checks it and hands it to the sink. Both passes
  // end here, so what they deliver or reject for the same fields is the same.
  auto deliver = [&](const Fields& f, std::uint32_t index) {
    MarketEvent e;
    bool ok = !f.has_error;
    ErrorKind err = f.error;
    auto fail = [&](ErrorKind k) {
      if (ok) {
        ok = false;
        err = k;
      }
    };
    const Ev ev = ok ? (f.has(kEv) ? classify(f.ev) : Ev::kNone) : Ev::kNone;
    if (ok && ev == Ev::kNone) fail(ErrorKind::kMissingField);
    if (ok && ev == Ev::kUnknown) fail(ErrorKind::kUnknownEvent);

    if (ok && ev == Ev::kStatus) {
      const StatusCode code = f.has(kStatus) ? status_code(f.status) : StatusCode::kUnknown;
      if (!f.has(kStatus)) fail(ErrorKind::kMissingField);
      if (ok) {
        e = MarketEvent::make_status(stream, receive_ns, code, f.has(kMessage) ? f.message : f.status);
        result.has_status = true;
        result.status = code;
      }
    } else if (ok) {
      InstrumentId id = kNoInstrument;
      TimestampNs ts = 0;
      if (!f.has(kSym)) fail(ErrorKind::kMissingField);
      if (ok) {
        id = Impl::resolve(registry_, f.sym, err);
        if (id == kNoInstrument) ok = false;
      }
      switch (ev) {
        case Ev::kTrade: {
          Price price{};
          if (ok && !f.has(kP | kS | kT)) fail(ErrorKind::kMissingField);
          if (ok && !to_price(f.p, false, price)) fail(ErrorKind::kBadPrice);
          if (ok && f.s < 0) fail(ErrorKind::kBadSize);
          if (ok && !to_ns(f.t, ts)) fail(ErrorKind::kBadTimestamp);
          if (ok) {
            e = MarketEvent::make_trade(id, stream, ts, receive_ns, price, static_cast<std::uint64_t>(f.s));
            e.trade.exchange = venue(f.x);
            e.trade.condition_count = f.ncond;
            std::memcpy(e.trade.conditions, f.conds, sizeof f.conds);
            e.trade.sequence = f.q > 0 ? static_cast<std::uint64_t>(f.q) : 0;
          }
          break;
        }
        case Ev::kQuote: {
          Price bid{}, ask{};
          if (ok && !f.has(kBp | kAp | kT)) fail(ErrorKind::kMissingField);
          if (ok && (!to_price(f.bp, true, bid) || !to_price(f.ap, true, ask))) fail(ErrorKind::kBadPrice);
          if (ok && (f.bs < 0 || f.as < 0 || f.bs > 0xFFFF'FFFFLL || f.as > 0xFFFF'FFFFLL)) fail(ErrorKind::kBadSize);
          if (ok && !to_ns(f.t, ts)) fail(ErrorKind::kBadTimestamp);
          if (ok) {
            // A zero price is an empty side.
            e = MarketEvent::make_quote(id, stream, ts, receive_ns,
                                        bid.ticks() == 0 ? Price::invalid() : bid,
                                        static_cast<std::uint32_t>(f.bs),
                                        ask.ticks() == 0 ? Price::invalid() : ask,
                                        static_cast<std::uint32_t>(f.as));
            e.quote.bid_exchange = venue(f.bx);
            e.quote.ask_exchange = venue(f.ax);
            e.quote.sequence = f.q > 0 ? static_cast<std::uint64_t>(f.q) : 0;
          }
          break;
        }
        case Ev::kSecondAgg:
        case Ev::kMinuteAgg: {
          Price o{}, h{}, l{}, c{};
          if (ok && !f.has(kO | kH | kL | kC | kS)) fail(ErrorKind::kMissingField);
          if (ok && (!to_price(f.o, false, o) || !to_price(f.h, false, h) || !to_price(f.l, false, l) ||
                     !to_price(f.c, false, c)))
            fail(ErrorKind::kBadPrice);
          if (ok && f.has(kV) && f.v < 0) fail(ErrorKind::kBadSize);
          if (ok && !to_ns(f.s, ts)) fail(ErrorKind::kBadTimestamp);
          if (ok) {
            e = MarketEvent::make_bar(id, stream,
                                      ev == Ev::kMinuteAgg ? BarInterval::kMinute : BarInterval::kSecond,
                                      ts, receive_ns, o, h, l, c,
                                      f.has(kV) ? static_cast<std::uint64_t>(f.v) : 0);
          }
          break;
        }
        case Ev::kValue: {
          Price level{};
          if (ok && !f.has(kVal | kT)) fail(ErrorKind::kMissingField);
          if (ok && !to_price(f.val, false, level)) fail(ErrorKind::kBadPrice);
          if (ok && !to_ns(f.t, ts)) fail(ErrorKind::kBadTimestamp);
          if (ok) e = MarketEvent::make_index(id, stream, ts, receive_ns, level);
          break;
        }
        default:
          break;
      }
    }

    if (!ok) {
      note_error(err, frame, receive_ns, stream, index);
      ++result.rejected;
    } else if (emit.fn(emit.sink, e)) {
      ++result.events;
      ++counters_.events;
      if (e.kind() == EventKind::kStatus) ++counters_.status_events;
    } else {
      note_error(ErrorKind::kSinkFull, frame, receive_ns, stream, index);
      ++result.rejected;
    }
  };

  std::uint32_t index = 0;
  // Massive's own form first, element by element straight from the frame's bytes; the generic pass
  // takes over at the first element it does not take (and also checks what follows the array).
  if (config_.fast_path) {
    const char* p = data;
    while (is_ws(*p)) ++p;
    const char* root_end = data + frame.size() - 1;  // the frame holds a root array: both stop
    while (is_ws(*root_end)) --root_end;
    if (*p == '[' && *root_end == ']') {
      ++p;
      for (;;) {
        Fields f;
        const char* const end = *p == '{' ? fast_object(p, root_end, f) : nullptr;
        if (end == nullptr) break;
        ++counters_.fast_objects;
        deliver(f, index);
        ++index;
        p = end;
        if (*p == ',') {
          ++p;
          continue;
        }
        if (*p == ']') {
          const char* const stop = data + frame.size();
          const char* q = p + 1;
          while (q < stop && is_ws(*q)) ++q;
          if (q == stop) return result;
        }
        break;
      }
    }
  }
  const std::uint32_t resume = index;  // elements already delivered by the fast path
  index = 0;
  for (auto element : events) {
    od::value value;
    if (classify_json_error(std::move(element).get(value), frame, kind)) return frame_fails(kind, index);
    if (index < resume) {  // left unconsumed: simdjson skips it
      ++index;
      continue;
    }
    od::object object;
    const simdjson::error_code oe = value.get_object().get(object);
    if (oe == simdjson::INCORRECT_TYPE) {
      note_error(ErrorKind::kNotAnObject, frame, receive_ns, stream, index);
      ++result.rejected;
      ++index;
      continue;
    }
    if (classify_json_error(oe, frame, kind)) return frame_fails(kind, index);

    Fields f;
    for (auto field_result : object) {
      od::field field;
      if (classify_json_error(std::move(field_result).get(field), frame, kind)) return frame_fails(kind, index);
      const char* raw = field.key().raw();
      Key key = raw_key(raw);
      if (key == Key::kOther && key_has_escape(raw)) {
        std::string_view text;
        if (classify_json_error(field.unescaped_key().get(text), frame, kind)) return frame_fails(kind, index);
        key = text_key(text);
      }
      read_field(key, field.value(), f);
    }

    deliver(f, index);
    ++index;
  }
  // Anything after the closing bracket makes the frame malformed (events already delivered stand).
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return frame_fails(ErrorKind::kMalformedJson, index);
  return result;
}

}  // namespace odte::feeds

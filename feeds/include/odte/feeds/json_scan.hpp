#pragma once

// A small non-validating JSON scanner for the network layer's control traffic: status frames, the
// protocol's action messages, REST bodies, and the replay-server's per-event filtering. It walks the
// text in place (no allocation, no copies) and finds the extent of values; it does not convert
// numbers beyond strtod nor unescape strings. Market-data frames are parsed by FrameParser
// (simdjson); this is for the few places that only need a field or two.

#include <cstddef>
#include <string>
#include <string_view>

namespace odte::feeds::json {

inline constexpr std::size_t npos = std::string_view::npos;

[[nodiscard]] std::size_t skip_ws(std::string_view s, std::size_t i) noexcept;
// Index just past the value that starts at or after `i` (leading whitespace skipped), npos when
// the value is truncated or not a value.
[[nodiscard]] std::size_t value_end(std::string_view s, std::size_t i) noexcept;
// The value with surrounding whitespace removed; for strings the quotes are stripped.
[[nodiscard]] std::string_view trim(std::string_view s) noexcept;

// Calls fn(std::string_view element) for each element of a top-level array. False when the text
// is not an array or is cut short (elements before the damage have been visited).
template <typename Fn>
bool for_each_element(std::string_view s, Fn&& fn) {
  std::size_t i = skip_ws(s, 0);
  if (i >= s.size() || s[i] != '[') return false;
  i = skip_ws(s, i + 1);
  if (i < s.size() && s[i] == ']') return true;
  while (i < s.size()) {
    const std::size_t e = value_end(s, i);
    if (e == npos) return false;
    fn(s.substr(i, e - i));
    i = skip_ws(s, e);
    if (i >= s.size()) return false;
    if (s[i] == ']') return true;
    if (s[i] != ',') return false;
    i = skip_ws(s, i + 1);
  }
  return false;
}

// Calls fn(key, raw_value) for each member of an object; key without quotes, escapes untouched.
template <typename Fn>
bool for_each_member(std::string_view s, Fn&& fn) {
  std::size_t i = skip_ws(s, 0);
  if (i >= s.size() || s[i] != '{') return false;
  i = skip_ws(s, i + 1);
  if (i < s.size() && s[i] == '}') return true;
  while (i < s.size()) {
    if (s[i] != '"') return false;
    const std::size_t ke = value_end(s, i);
    if (ke == npos) return false;
    const std::string_view key = s.substr(i + 1, ke - i - 2);
    i = skip_ws(s, ke);
    if (i >= s.size() || s[i] != ':') return false;
    const std::size_t vb = skip_ws(s, i + 1);
    const std::size_t ve = value_end(s, vb);
    if (ve == npos) return false;
    fn(key, s.substr(vb, ve - vb));
    i = skip_ws(s, ve);
    if (i >= s.size()) return false;
    if (s[i] == '}') return true;
    if (s[i] != ',') return false;
    i = skip_ws(s, i + 1);
  }
  return false;
}

// The raw text of member `key` of an object (first match), empty when absent.
[[nodiscard]] std::string_view raw_field(std::string_view object, std::string_view key) noexcept;
// True and the string's contents (escapes untouched) when `key` is a string member.
[[nodiscard]] bool string_field(std::string_view object, std::string_view key,
                                std::string_view& out) noexcept;
// True and the value when `key` is a number member.
[[nodiscard]] bool number_field(std::string_view object, std::string_view key, double& out) noexcept;

// Appends `s` as the contents of a JSON string (quotes not added): ", \ and control characters
// escaped.
void append_escaped(std::string& out, std::string_view s);
// Undoes the simple escapes (\" \\ \/ \n \t \r \b \f); \uXXXX below 0x80 only, others kept as is.
[[nodiscard]] std::string unescape(std::string_view raw);

}  // namespace odte::feeds::json

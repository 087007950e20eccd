#include "odte/feeds/json_scan.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

// The small JSON scanner for control messages (statuses, subscriptions) and the string escaper.
// Beast-free, so the daemon's admin client and the feed network code share one of each.

namespace odte::feeds {

namespace json {

namespace {
bool is_ws(char c) noexcept { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
}  // namespace

std::size_t skip_ws(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && is_ws(s[i])) ++i;
  return i;
}

std::size_t value_end(std::string_view s, std::size_t i) noexcept {
  i = skip_ws(s, i);
  if (i >= s.size()) return npos;
  const char c = s[i];
  if (c == '"') {
    for (++i; i < s.size(); ++i) {
      if (s[i] == '\\') {
        ++i;
      } else if (s[i] == '"') {
        return i + 1;
      }
    }
    return npos;
  }
  if (c == '{' || c == '[') {
    int depth = 0;
    bool in_string = false;
    for (; i < s.size(); ++i) {
      const char d = s[i];
      if (in_string) {
        if (d == '\\') {
          ++i;
        } else if (d == '"') {
          in_string = false;
        }
        continue;
      }
      if (d == '"') {
        in_string = true;
      } else if (d == '{' || d == '[') {
        ++depth;
      } else if (d == '}' || d == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return npos;
  }
  if (c == ',' || c == ':' || c == '}' || c == ']') return npos;
  const std::size_t b = i;
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_ws(s[i])) ++i;
  return i == b ? npos : i;
}

std::string_view trim(std::string_view s) noexcept {
  const std::size_t b = skip_ws(s, 0);
  std::size_t e = s.size();
  while (e > b && is_ws(s[e - 1])) --e;
  s = s.substr(b, e - b);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

std::string_view raw_field(std::string_view object, std::string_view key) noexcept {
  std::string_view found;
  bool done = false;
  (void)for_each_member(object, [&](std::string_view k, std::string_view v) {
    if (!done && k == key) {
      found = v;
      done = true;
    }
  });
  return found;
}

bool string_field(std::string_view object, std::string_view key, std::string_view& out) noexcept {
  const std::string_view v = raw_field(object, key);
  if (v.size() < 2 || v.front() != '"') return false;
  out = v.substr(1, v.size() - 2);
  return true;
}

bool number_field(std::string_view object, std::string_view key, double& out) noexcept {
  const std::string_view v = raw_field(object, key);
  if (v.empty() || !(v.front() == '-' || (v.front() >= '0' && v.front() <= '9'))) return false;
  char buf[64];
  if (v.size() >= sizeof buf) return false;
  std::memcpy(buf, v.data(), v.size());
  buf[v.size()] = '\0';
  char* end = nullptr;
  const double d = std::strtod(buf, &end);
  if (end != buf + v.size()) return false;
  out = d;
  return true;
}

void append_escaped(std::string& out, std::string_view s) {
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
}

std::string unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\' || i + 1 >= raw.size()) {
      out += c;
      continue;
    }
    const char e = raw[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u':
        if (i + 4 < raw.size() && raw.substr(i + 1, 2) == "00") {
          const unsigned v = static_cast<unsigned>(std::strtoul(std::string(raw.substr(i + 1, 4)).c_str(), nullptr, 16));
          if (v < 0x80) {
            out += static_cast<char>(v);
            i += 4;
            break;
          }
        }
        out += "\\u";
        break;
      default: out += e;
    }
  }
  return out;
}

}  // namespace json

}  // namespace odte::feeds

#pragma once

// Reads one TOML table of settings, remembering which keys were consumed so that finish() can
// report the rest as unknown. Problems are collected ("source: table.key: what is wrong and what
// is allowed"), never thrown one at a time, so an operator sees them all. Used by the daemon's
// config file, `odtectl risk set`, and every strategy's [strategy.params]. Start-up only.

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <utility>
#include <vector>

#include "odte/core/base/price.hpp"

namespace odte {

namespace detail {
inline std::string fmt_double(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
}  // namespace detail

class SettingsReader {
 public:
  SettingsReader(const toml::table* table, std::string path, std::vector<std::string>& problems, const std::string& source)
      : table_{table}, path_{std::move(path)}, problems_{problems}, source_{source} {}

  [[nodiscard]] bool present() const { return table_ != nullptr; }

  void problem(std::string_view key, const std::string& what) {
    problems_.push_back(source_ + ": " + qualified(key) + ": " + what);
  }

  const toml::node* node(std::string_view key) {
    if (table_ == nullptr) return nullptr;
    used_.insert(std::string(key));
    return table_->get(key);
  }

  SettingsReader sub(std::string_view key) {
    const toml::node* n = node(key);
    if (n != nullptr && !n->is_table()) {
      problem(key, "must be a table ([" + qualified(key) + "])");
      return SettingsReader(nullptr, qualified(key), problems_, source_);
    }
    return SettingsReader(n == nullptr ? nullptr : n->as_table(), qualified(key), problems_, source_);
  }

  void string(std::string_view key, std::string& out, bool required = false) {
    const toml::node* n = node(key);
    if (n == nullptr) {
      if (required) problem(key, "is required (a string)");
      return;
    }
    if (const auto* s = n->as_string()) {
      out = s->get();
    } else {
      problem(key, std::string("must be a string, not ") + type_name(*n));
    }
  }

  void boolean(std::string_view key, bool& out) {
    const toml::node* n = node(key);
    if (n == nullptr) return;
    if (const auto* b = n->as_boolean()) {
      out = b->get();
    } else {
      problem(key, std::string("must be true or false, not ") + type_name(*n));
    }
  }

  template <typename T>
  void integer(std::string_view key, T& out, std::int64_t min, std::int64_t max) {
    const toml::node* n = node(key);
    if (n == nullptr) return;
    const auto* i = n->as_integer();
    if (i == nullptr) {
      problem(key, std::string("must be an integer, not ") + type_name(*n));
      return;
    }
    const std::int64_t v = i->get();
    if (v < min || v > max) {
      problem(key, std::to_string(v) + " is out of range; allowed " + std::to_string(min) + " to " + std::to_string(max));
      return;
    }
    out = static_cast<T>(v);
  }

  // Accepts integers and floats. Bounds: min <= v <= max, or min < v when min_exclusive.
  void number(std::string_view key, double& out, double min, double max, bool min_exclusive = false) {
    const toml::node* n = node(key);
    if (n == nullptr) return;
    double v = 0;
    if (const auto* f = n->as_floating_point()) {
      v = f->get();
    } else if (const auto* i = n->as_integer()) {
      v = static_cast<double>(i->get());
    } else {
      problem(key, std::string("must be a number, not ") + type_name(*n));
      return;
    }
    const bool low = min_exclusive ? !(v > min) : !(v >= min);
    if (!std::isfinite(v) || low || !(v <= max)) {
      problem(key, detail::fmt_double(v) + " is out of range; allowed " + detail::fmt_double(min) + (min_exclusive ? " < x <= " : " <= x <= ") +
                       detail::fmt_double(max));
      return;
    }
    out = v;
  }

  // Dollars: a number (12.5) or an exact decimal string ("12.5").
  void money(std::string_view key, Price& out, double min, double max) {
    const toml::node* n = node(key);
    if (n == nullptr) return;
    std::optional<Price> p;
    if (const auto* s = n->as_string()) {
      p = Price::parse(s->get());
    } else if (const auto* f = n->as_floating_point()) {
      const Price q = Price::from_double(f->get());
      if (q.valid()) p = q;
    } else if (const auto* i = n->as_integer()) {
      p = Price::from_dollars(i->get());
    } else {
      problem(key, std::string("must be an amount in dollars (number or decimal string), not ") + type_name(*n));
      return;
    }
    if (!p) {
      problem(key, "is not a valid dollar amount (at most 4 decimals)");
      return;
    }
    if (p->to_double() < min || p->to_double() > max) {
      problem(key, p->to_string() + " is out of range; allowed " + detail::fmt_double(min) + " to " + detail::fmt_double(max));
      return;
    }
    out = *p;
  }

  template <typename E>
  void choice(std::string_view key, E& out, std::initializer_list<std::pair<std::string_view, E>> allowed,
              bool required = false) {
    const toml::node* n = node(key);
    std::string list;
    for (const auto& [name, value] : allowed) {
      (void)value;
      if (!list.empty()) list += ", ";
      list += '"';
      list += name;
      list += '"';
    }
    if (n == nullptr) {
      if (required) problem(key, "is required; allowed " + list);
      return;
    }
    const auto* s = n->as_string();
    if (s == nullptr) {
      problem(key, std::string("must be a string, one of ") + list);
      return;
    }
    for (const auto& [name, value] : allowed) {
      if (s->get() == name) {
        out = value;
        return;
      }
    }
    problem(key, "\"" + s->get() + "\" is not allowed; allowed " + list);
  }

  // "HH:MM" in exchange-local time -> minutes after midnight.
  static bool parse_hhmm(std::string_view text, std::int16_t& minutes) {
    if (text.size() != 5 || text[2] != ':') return false;
    for (const std::size_t i : {0u, 1u, 3u, 4u}) {
      if (text[i] < '0' || text[i] > '9') return false;
    }
    const int h = (text[0] - '0') * 10 + (text[1] - '0');
    const int m = (text[3] - '0') * 10 + (text[4] - '0');
    if (h > 23 || m > 59) return false;
    minutes = static_cast<std::int16_t>(h * 60 + m);
    return true;
  }

  void time_of_day(std::string_view key, std::int16_t& out) {
    std::string text;
    const toml::node* n = node(key);
    if (n == nullptr) return;
    const auto* s = n->as_string();
    if (s == nullptr || !parse_hhmm(s->get(), out)) {
      problem(key, "must be a time \"HH:MM\" (exchange local time, 24h)");
    }
  }

  template <typename T>
  void id_list(std::string_view key, std::vector<T>& out) {
    const toml::node* n = node(key);
    if (n == nullptr) return;
    const auto* arr = n->as_array();
    if (arr == nullptr) {
      problem(key, "must be an array of non-negative integers");
      return;
    }
    out.clear();
    for (const toml::node& e : *arr) {
      const auto* i = e.as_integer();
      if (i == nullptr || i->get() < 0 || i->get() > 0xFFFF'FFFFLL) {
        problem(key, "must be an array of non-negative integers (uids/gids)");
        return;
      }
      out.push_back(static_cast<T>(i->get()));
    }
  }

  void string_list(std::string_view key, std::vector<std::string>& out) {
    const toml::node* n = node(key);
    if (n == nullptr) return;
    const auto* arr = n->as_array();
    if (arr == nullptr) {
      problem(key, "must be an array of strings");
      return;
    }
    out.clear();
    for (const toml::node& e : *arr) {
      const auto* s = e.as_string();
      if (s == nullptr) {
        problem(key, "must be an array of strings");
        return;
      }
      out.push_back(s->get());
    }
  }

  void finish() {
    if (table_ == nullptr) return;
    for (auto&& [k, v] : *table_) {
      (void)v;
      if (used_.count(std::string(k.str())) == 0) problem(k.str(), "unknown key");
    }
  }

  [[nodiscard]] std::string qualified(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

 private:
  static const char* type_name(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a number";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::table: return "a table";
      case toml::node_type::array: return "an array";
      default: return "a date/time";
    }
  }

  const toml::table* table_;
  std::string path_;
  std::vector<std::string>& problems_;
  const std::string& source_;
  std::set<std::string> used_;
};

}  // namespace odte

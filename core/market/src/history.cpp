#include "odte/core/market/history.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace odte {

namespace {
void add_unique(std::vector<std::string>& v, std::string_view s) {
  for (const std::string& x : v) {
    if (x == s) return;
  }
  v.emplace_back(s);
}
bool contains(const std::vector<std::string>& v, std::string_view s) noexcept {
  for (const std::string& x : v) {
    if (x == s) return true;
  }
  return false;
}
}  // namespace

void HistoryRequest::add_daily(std::string_view symbol) { add_unique(daily, symbol); }
void HistoryRequest::add_minutes(std::string_view symbol) { add_unique(minutes, symbol); }
void HistoryRequest::add_prior(std::string_view symbol) { add_unique(prior, symbol); }
bool HistoryRequest::wants(std::string_view symbol) const noexcept {
  return all || contains(daily, symbol) || contains(minutes, symbol) || contains(prior, symbol);
}

const SeriesHistory* SessionHistory::find(std::string_view symbol) const noexcept {
  for (const SeriesHistory& s : series_) {
    if (s.symbol == symbol) return &s;
  }
  return nullptr;
}

SeriesHistory& SessionHistory::series(std::string_view symbol) {
  for (SeriesHistory& s : series_) {
    if (s.symbol == symbol) return s;
  }
  series_.push_back(SeriesHistory{std::string(symbol), {}, {}, {}});
  return series_.back();
}

const DailyClose* SessionHistory::prior_close(std::string_view symbol) const noexcept {
  const SeriesHistory* s = find(symbol);
  return s == nullptr || s->daily.empty() ? nullptr : &s->daily.back();
}

void SessionHistory::normalize() {
  for (SeriesHistory& s : series_) {
    std::stable_sort(s.daily.begin(), s.daily.end(), [](const DailyClose& a, const DailyClose& b) { return a.day < b.day; });
    // One value per day: the last one given for it.
    std::vector<DailyClose> days;
    for (const DailyClose& d : s.daily) {
      if (trading_day != 0 && d.day >= trading_day) continue;
      if (!days.empty() && days.back().day == d.day) {
        days.back() = d;
      } else {
        days.push_back(d);
      }
    }
    if (days.size() > kMaxDaily) days.erase(days.begin(), days.end() - static_cast<std::ptrdiff_t>(kMaxDaily));
    s.daily = std::move(days);
    std::stable_sort(s.minutes.begin(), s.minutes.end(),
                     [](const HistoryBar& a, const HistoryBar& b) { return a.start_ns < b.start_ns; });
    std::vector<HistoryBar> bars;
    for (const HistoryBar& b : s.minutes) {
      if (!bars.empty() && bars.back().start_ns == b.start_ns) {
        bars.back() = b;
      } else {
        bars.push_back(b);
      }
    }
    if (bars.size() > kMaxMinutes) bars.erase(bars.begin(), bars.end() - static_cast<std::ptrdiff_t>(kMaxMinutes));
    s.minutes = std::move(bars);
    if (s.source.empty()) s.source = "unknown";
  }
  std::sort(series_.begin(), series_.end(), [](const SeriesHistory& a, const SeriesHistory& b) { return a.symbol < b.symbol; });
}

std::string SessionHistory::to_text() const {
  std::string out = "history " + std::to_string(trading_day) + "\n";
  for (const SeriesHistory& s : series_) {
    out += "series " + s.symbol + " " + s.source + "\n";
    for (const DailyClose& d : s.daily) out += "daily " + std::to_string(d.day) + " " + d.close.to_string() + "\n";
    for (const HistoryBar& b : s.minutes) out += "minute " + std::to_string(b.start_ns) + " " + b.close.to_string() + "\n";
  }
  return out;
}

namespace {
template <typename T>
bool to_int(std::string_view s, T& v) noexcept {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}
// Splits `line` at single spaces into exactly `n` fields.
bool fields(std::string_view line, std::string_view* f, int n) noexcept {
  for (int i = 0; i < n; ++i) {
    const std::size_t sp = line.find(' ');
    if (i + 1 < n) {
      if (sp == std::string_view::npos || sp == 0) return false;
      f[i] = line.substr(0, sp);
      line.remove_prefix(sp + 1);
    } else {
      if (sp != std::string_view::npos || line.empty()) return false;
      f[i] = line;
    }
  }
  return true;
}
}  // namespace

std::string SessionHistory::parse(std::string_view text, SessionHistory& out) {
  out = SessionHistory{};
  int no = 0;
  SeriesHistory* cur = nullptr;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++no;
    const auto bad = [no](std::string_view what) {
      return "history line " + std::to_string(no) + ": " + std::string(what);
    };
    std::string_view f[3];
    if (no == 1) {
      if (!fields(line, f, 2) || f[0] != "history" || !to_int(f[1], out.trading_day)) {
        return bad("expected \"history <yyyymmdd>\"");
      }
      continue;
    }
    if (line.starts_with("series ")) {
      if (!fields(line, f, 3)) return bad("expected \"series <symbol> <source>\"");
      if (out.find(f[1]) != nullptr) return bad("series " + std::string(f[1]) + " given twice");
      cur = &out.series(f[1]);
      cur->source = std::string(f[2]);
      continue;
    }
    if (!fields(line, f, 3)) return bad("expected \"daily <day> <close>\" or \"minute <start_ns> <close>\"");
    if (cur == nullptr) return bad("a value before any series line");
    const std::optional<Price> close = Price::parse(f[2]);
    if (!close || *close <= Price::zero()) return bad("close must be a positive decimal");
    if (f[0] == "daily") {
      DailyClose d{0, *close};
      if (!to_int(f[1], d.day) || d.day < 19000101 || d.day > 29991231) return bad("day must be yyyymmdd");
      if (!cur->daily.empty() && cur->daily.back().day >= d.day) return bad("days must ascend");
      if (out.trading_day != 0 && d.day >= out.trading_day) return bad("a daily close from the session itself or later");
      cur->daily.push_back(d);
    } else if (f[0] == "minute") {
      HistoryBar b{0, *close};
      if (!to_int(f[1], b.start_ns) || b.start_ns <= 0) return bad("minute start must be Unix nanoseconds");
      if (!cur->minutes.empty() && cur->minutes.back().start_ns >= b.start_ns) return bad("minutes must ascend");
      cur->minutes.push_back(b);
    } else {
      return bad("unknown record \"" + std::string(f[0]) + "\"");
    }
  }
  if (no == 0) return "history: empty text";
  return {};
}

double daily_change_stdev(const std::vector<DailyClose>& daily, std::int32_t from_day) noexcept {
  double sum = 0.0, sum2 = 0.0;
  int n = 0;
  const DailyClose* prev = nullptr;
  for (const DailyClose& d : daily) {
    if (d.day < from_day) continue;
    if (prev != nullptr) {
      const double c = 100.0 * (d.close.to_double() / prev->close.to_double() - 1.0);
      sum += c;
      sum2 += c * c;
      ++n;
    }
    prev = &d;
  }
  if (n < 2) return -1.0;
  const double mean = sum / n;
  const double var = (sum2 - n * mean * mean) / (n - 1);
  return std::sqrt(std::max(var, 0.0));
}

}  // namespace odte

#include "odte/feeds/history_source.hpp"

#include <map>
#include <utility>

#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/options/calendar.hpp"
#include "odte/feeds/recording_source.hpp"

namespace odte::feeds {

namespace {
constexpr std::int64_t kMinuteNs = 60'000'000'000;
bool listed(const std::vector<std::string>& v, std::string_view s) {
  for (const std::string& x : v) {
    if (x == s) return true;
  }
  return false;
}
}  // namespace

bool in_regular_session(std::int32_t day, std::int64_t start_ns) {
  const options::SessionDay s = options::session(day);
  return s.open_ns != 0 && start_ns >= s.open_ns && start_ns + kMinuteNs <= s.close_ns;
}

std::string load_history(const std::vector<std::string>& paths, const HistoryRequest& request,
                         std::int32_t trading_day, SessionHistory& out, std::size_t lenient_from) {
  out = SessionHistory{};
  out.trading_day = trading_day;
  struct Stamped {
    TimestampNs t;
    Price value;
  };
  std::map<std::pair<std::string, std::int32_t>, Stamped> daily;             // (symbol, day) -> last value
  std::map<std::pair<std::string, std::int32_t>, std::vector<HistoryBar>> bars;  // (symbol, day) -> bars
  for (std::size_t index = 0; index < paths.size(); ++index) {
    const std::string& path = paths[index];
    const bool lenient = index >= lenient_from;
    InstrumentRegistry registry;
    RecordingEventSource source(registry);
    if (std::string err = source.open(path); !err.empty()) {
      if (lenient) continue;  // the replay opens it again and says why it cannot
      return "history " + path + ": " + err;
    }
    MarketEvent e{};
    while (source.next(e)) {
      const Instrument& ins = registry.get(e.header.instrument);
      if (ins.info.asset == AssetClass::kOption) continue;
      const std::string_view sym = ins.symbol_view();
      if (!request.wants(sym)) continue;
      TimestampNs t = e.header.exchange_ns;
      Price v;
      switch (e.kind()) {
        case EventKind::kBar:
          v = e.bar.close;
          if (static_cast<BarInterval>(e.header.flags) == BarInterval::kMinute) {
            const std::int32_t d = options::new_york_date(t);
            if (d < trading_day && (request.all || listed(request.minutes, sym)) && in_regular_session(d, t)) {
              bars[{std::string(sym), d}].push_back(HistoryBar{t, v});
            }
            t += kMinuteNs;  // the close is the value at the bar's end
          }
          break;
        case EventKind::kTrade: v = e.trade.price; break;
        case EventKind::kIndexValue: v = e.index.value; break;
        default: continue;
      }
      if (!v.valid() || v <= Price::zero()) continue;
      const std::int32_t d = options::new_york_date(t);
      if (d >= trading_day || !(request.all || listed(request.daily, sym) || listed(request.prior, sym))) continue;
      auto [it, fresh] = daily.try_emplace({std::string(sym), d}, Stamped{t, v});
      if (!fresh && t >= it->second.t) it->second = Stamped{t, v};
    }
    if (!source.error().empty() && !lenient) return "history " + path + ": " + source.error();
  }
  for (const auto& [key, s] : daily) {
    SeriesHistory& h = out.series(key.first);
    h.source = "recording";
    h.daily.push_back(DailyClose{key.second, s.value});
  }
  // The previous session's bars: the latest day before the trading day that has them.
  std::map<std::string, std::int32_t> last_day;
  for (const auto& [key, b] : bars) last_day[key.first] = std::max(last_day[key.first], key.second);
  for (const auto& [sym, d] : last_day) {
    SeriesHistory& h = out.series(sym);
    h.source = "recording";
    h.minutes = bars[{sym, d}];
  }
  out.normalize();
  // A series asked for its prior close only keeps that one (as REST's /prev gives it).
  for (const SeriesHistory& h : out.all()) {
    if (!request.all && listed(request.prior, h.symbol) && !listed(request.daily, h.symbol) && h.daily.size() > 1) {
      SeriesHistory& m = out.series(h.symbol);
      m.daily.erase(m.daily.begin(), m.daily.end() - 1);
    }
  }
  return {};
}

std::vector<std::string> history_gaps(const HistoryRequest& request, const SessionHistory& history) {
  std::vector<std::string> out;
  const std::string before = " before " + std::to_string(history.trading_day);
  for (const std::string& s : request.daily) {
    const SeriesHistory* h = history.find(s);
    if (h == nullptr || h->daily.empty()) out.push_back("history: no daily closes of " + s + before);
  }
  for (const std::string& s : request.prior) {
    if (history.prior_close(s) == nullptr) out.push_back("history: no prior close of " + s + before);
  }
  for (const std::string& s : request.minutes) {
    const SeriesHistory* h = history.find(s);
    if (h == nullptr || h->minutes.empty()) out.push_back("history: no previous-session 1-minute bars of " + s + before);
  }
  return out;
}

}  // namespace odte::feeds

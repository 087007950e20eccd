#pragma once

// One real day of 1-minute SPY and 1-minute VIX (../shared/data/eqker-spy-vix-1min-2019, the only
// shared data set with intraday VIX, imported by the project's importer into the committed
// recording tests/data/real/eqker-spy-vix-1min-2019.odr) replayed through the recording parser
// and the daemon's run_replay, with a SYNTHETIC SPY 0DTE option chain merged in.
//
// Why synthetic: no shared data set has a real option chain on a day with 1-minute VIX. The real
// SPY 0DTE chains (spy-0dte-chains-cboe) cover 2026-07-08 .. 2026-08-11; the only 1-minute VIX
// (eqker) covers 2019-02-11 .. 2019-02-15; the SPX archive has 1-minute SPX from 2026-07-17 but
// VIX only daily; the LEAN sample has SPXW 0DTE quotes for two strikes in 2021/2023 and no VIX.
// So the decisions that depend on the VIX series (entry time, strike selection from the real SPY
// price, the offset trigger, the regime signs) run on real data, while the option quotes the
// orders are priced and filled against are made up here and say so.
//
// The synthetic chain: $1 strikes `lo`..`hi` expiring on the day at 16:00 ET, priced by
// Black-Scholes (r = q = 0) at spot = the SPY bar's close and sigma = the last VIX close / 100,
// with the mid rounded to a cent but at least 2 cents, quoted one cent either side, 100 up (so
// the far wings show 0.01 x 0.03 as a real 0DTE book often does, instead of a one-sided zero bid).
//
// Timing. The importer stamps each AM bar with its minute's start (Massive's "s"), and the replay
// clock is the exchange stamp, so the bar labelled 09:46 in the file (09:45-09:46) reaches the
// engine at 09:45:00 with its 09:46 close. The chain quotes for that bar are stamped 1 ns earlier
// (09:44:59.999999999) and handed to the engine just before the SPY bar, so that a timer which
// fires on the SPY bar (the first event of the new minute) sees the strikes and the quotes of the
// same SPY price. The importer orders equal receive times by file name: SPY_1min.csv before
// VIX_1min.csv, so in each minute the SPY bar precedes the VIX bar of the same label.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "odte/core/options/black_scholes.hpp"
#include "odte/core/options/calendar.hpp"
#include "odte/daemon/replay.hpp"
#include "odte/feeds/recording_source.hpp"
#include "day_harness.hpp"

namespace odte::testing_vix_day {

namespace fs = std::filesystem;

// The committed recording of all five eqker days (tests/data/real/SOURCES.txt).
inline fs::path recording() { return testing_day::committed("eqker-spy-vix-1min-2019.odr"); }
// The shared CSVs it was imported from (extra checks only).
inline fs::path eqker_dir() { return testing_day::shared_data("eqker-spy-vix-1min-2019") / "data"; }

// A 1-minute bar as the source labels it: label = the bar's END, "HH:MM" New York.
struct CsvBar {
  std::string label;
  double close;
};
// The bars of `symbol` ("SPY", "I:VIX") on `date` (yyyy-mm-dd) in the committed recording, in
// time order, each labelled by its end as the CSV labels it (the recording stamps its start).
inline std::vector<CsvBar> read_bars(const std::string& symbol, const std::string& date) {
  std::vector<CsvBar> out;
  InstrumentRegistry registry(64);
  feeds::RecordingEventSource source(registry);
  if (!source.open(recording().string()).empty()) return out;
  const std::int32_t day = std::stoi(date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2));
  MarketEvent e{};
  while (source.next(e)) {
    if (e.kind() != EventKind::kBar || registry.get(e.header.instrument).symbol_view() != symbol) continue;
    const TimestampNs t = e.header.exchange_ns;
    if (options::new_york_date(t) != day) continue;
    const std::int64_t end_minute = (t - options::local_to_utc_ns(day, 0)) / 60'000'000'000 + 1;
    char label[32];
    std::snprintf(label, sizeof label, "%02d:%02d", static_cast<int>(end_minute / 60), static_cast<int>(end_minute % 60));
    out.push_back(CsvBar{label, e.bar.close.to_double()});
  }
  std::sort(out.begin(), out.end(), [](const CsvBar& a, const CsvBar& b) { return a.label < b.label; });
  return out;
}
// The day's bars of SPY_1min.csv or VIX_1min.csv in the shared folder, in time order (the files
// are newest first); extra checks only.
inline std::vector<CsvBar> read_csv_bars(const std::string& file, const std::string& date) {
  std::vector<CsvBar> out;
  std::ifstream in(eqker_dir() / file);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (line.rfind(date, 0) != 0) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    if (f.size() < 5) continue;
    out.push_back(CsvBar{f[0].substr(11, 5), std::stod(f[4])});
  }
  std::sort(out.begin(), out.end(), [](const CsvBar& a, const CsvBar& b) { return a.label < b.label; });
  return out;
}
inline const CsvBar* bar_at(const std::vector<CsvBar>& bars, const std::string& label) {
  for (const CsvBar& b : bars) {
    if (b.label == label) return &b;
  }
  return nullptr;
}

// "O:SPY190213C00277000".
inline std::string occ(std::int32_t day, char right, int strike) {
  char s[40];
  std::snprintf(s, sizeof s, "O:SPY%06d%c%08d", day % 1'000'000, right, strike * 1000);
  return s;
}

struct SyntheticQuote {
  Price bid, ask;
};
// The synthetic chain's quote, exactly as the source below makes it (tests recompute by hand).
inline SyntheticQuote synthetic_quote(OptionRight right, double spot, int strike, double years, double vix) {
  const double v = options::bsm_price({right, spot, static_cast<double>(strike), years, 0.0, 0.0, vix / 100.0});
  Price mid = Price::from_double(v).round_to(Price::from_cents(1));
  if (mid < Price::from_cents(2)) mid = Price::from_cents(2);
  return {mid - Price::from_cents(1), mid + Price::from_cents(1)};
}

// The recorded day (filtered from the 5-day recording) with the synthetic chain merged in.
class DayWithSyntheticChain final : public daemon::EventSource {
 public:
  DayWithSyntheticChain(InstrumentRegistry& registry, std::int32_t day, int lo, int hi)
      : registry_{registry}, source_{registry}, day_{day} {
    settle_ns_ = options::local_to_utc_ns(day, 16 * 60);
    for (int k = lo; k <= hi; ++k) {
      for (const OptionRight r : {OptionRight::kCall, OptionRight::kPut}) {
        InstrumentInfo info;
        info.asset = AssetClass::kOption;
        std::snprintf(info.option.root, sizeof info.option.root, "SPY");
        info.option.expiry_yyyymmdd = day;
        info.option.right = r;
        info.option.strike = Price::from_dollars(k);
        info.option.multiplier = 100;
        info.option.underlying = kNoInstrument;
        chain_.push_back({registry.intern(occ(day, static_cast<char>(r), k), info), r, k});
      }
    }
  }
  [[nodiscard]] std::string open(const std::string& recording) {
    if (std::string e = source_.open(recording); !e.empty()) return e;
    spy_ = registry_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    vix_ = registry_.intern("I:VIX", InstrumentInfo{AssetClass::kIndex, {}});
    return {};
  }
  bool next(MarketEvent& out) override {
    if (pos_ < pending_.size()) {
      out = pending_[pos_++];
      return true;
    }
    pending_.clear();
    pos_ = 0;
    MarketEvent e{};
    while (source_.next(e)) {
      if (options::new_york_date(e.header.exchange_ns) != day_) continue;
      if (e.header.instrument == vix_ && e.kind() == EventKind::kBar) last_vix_ = e.bar.close.to_double();
      if (e.header.instrument == spy_ && e.kind() == EventKind::kBar && last_vix_ > 0) {
        const TimestampNs t = e.header.exchange_ns - 1;
        const double years = options::year_fraction(t, settle_ns_);
        for (const Leg& c : chain_) {
          const SyntheticQuote q = synthetic_quote(c.right, e.bar.close.to_double(), c.strike, years, last_vix_);
          pending_.push_back(MarketEvent::make_quote(c.id, StreamId::kOptions, t, t, q.bid, 100, q.ask, 100));
        }
        ++quote_rounds_;
      }
      pending_.push_back(e);
      out = pending_[pos_++];
      return true;
    }
    return false;
  }
  [[nodiscard]] std::uint64_t quote_rounds() const noexcept { return quote_rounds_; }

 private:
  struct Leg {
    InstrumentId id;
    OptionRight right;
    int strike;
  };
  InstrumentRegistry& registry_;
  feeds::RecordingEventSource source_;
  std::int32_t day_;
  TimestampNs settle_ns_ = 0;
  std::vector<Leg> chain_;
  InstrumentId spy_ = kNoInstrument, vix_ = kNoInstrument;
  double last_vix_ = 0.0;
  std::vector<MarketEvent> pending_;
  std::size_t pos_ = 0;
  std::uint64_t quote_rounds_ = 0;
};

struct DayRun {
  bool ok = false;
  std::string error;
  std::vector<Order> orders;
  std::vector<std::vector<std::string>> leg_symbols;
  std::vector<std::string> order_times;  // New York "HH:MM:SS" of each order's creation
  std::vector<std::string> notes;
  std::uint32_t open_positions = 0;
  std::uint64_t quote_rounds = 0;
  [[nodiscard]] int count_noted(const std::string& fragment) const {
    int n = 0;
    for (const auto& note : notes) n += note.find(fragment) != std::string::npos ? 1 : 0;
    return n;
  }
};

// Replays `date` (yyyymmdd) of the committed eqker recording with the synthetic chain. `inspect` sees the engine at the end, before it is destroyed.
inline DayRun replay(std::int32_t date, std::vector<std::unique_ptr<Strategy>> strategies, const std::string& tag,
                     const std::function<void(const Engine&)>& inspect = {},
                     const std::function<void(EngineConfig&)>& configure = {},
                     const std::optional<SessionHistory>& history = std::nullopt) {
  DayRun run;
  if (!fs::exists(recording())) {
    run.error = testing_day::missing(recording());
    return run;
  }

  InstrumentRegistry registry(8192);
  DayWithSyntheticChain events(registry, date, 262, 288);
  if (std::string e = events.open(recording().string()); !e.empty()) {
    run.error = e;
    return run;
  }
  const int offset = options::session(date).utc_offset_minutes;
  daemon::ReplaySetup setup = testing_day::day_setup(date, offset, tag);
  if (configure) configure(setup.engine);
  setup.history = history;
  setup.on_finish = [&](const Engine& engine, const daemon::ReplayOutcome&) {
    run.notes = engine.notes();
    run.open_positions = engine.book().totals().open_positions;
    testing_day::RunOrders o = testing_day::orders_of(engine, registry, offset);
    run.orders = std::move(o.orders);
    run.leg_symbols = std::move(o.leg_symbols);
    for (const std::int64_t s : o.local_seconds) {
      char hms[16];
      std::snprintf(hms, sizeof hms, "%02d:%02d:%02d", static_cast<int>(s / 3600), static_cast<int>(s % 3600 / 60),
                    static_cast<int>(s % 60));
      run.order_times.emplace_back(hms);
    }
    if (inspect) inspect(engine);
  };
  const daemon::ReplayOutcome r = daemon::run_replay(setup, registry, std::move(strategies), events);
  run.quote_rounds = events.quote_rounds();
  if (!r.ok) {
    run.error = r.error;
    return run;
  }
  run.ok = true;
  return run;
}

}  // namespace odte::testing_vix_day

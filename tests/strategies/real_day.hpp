#pragma once

// Replays one real recorded SPY 0DTE day -- a recording committed in the repository, made by the
// project's own importer from ../shared/data/spy-0dte-chains-cboe (tests/data/real/SOURCES.txt)
// -- through the recording reader and the daemon's run_replay (engine + paper broker + verifying
// journal), exactly as `odted --config` would, and keeps what the tests check: the orders, the
// notes, the journal bytes. The day's snapshots are also rebuilt here from the recording's events,
// independently of the engine, so tests can compute their expectations by hand; while the shared
// CSV is present an extra check (test_real_day_source.cpp) compares them with its rows.
//
// The raw files are not in the repository (vendor terms); the committed recordings are, so the
// tests pass on a fresh clone. A missing recording fails the test with the path, never skips it.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "odte/core/options/calendar.hpp"
#include "odte/daemon/recording_events.hpp"
#include "odte/daemon/replay.hpp"
#include "odte/feeds/recording_source.hpp"
#include "day_harness.hpp"

namespace odte::testing_real {

namespace fs = std::filesystem;

// The committed recording of `date` (yyyy-mm-dd).
inline fs::path chain_recording(const std::string& date) { return testing_day::committed("spy-0dte-" + date + ".odr"); }
// The shared CSV it was imported from (extra checks only).
inline fs::path chain_csv(const std::string& date) {
  return testing_day::shared_data("spy-0dte-chains-cboe") / "chains" / ("SPY_" + date + ".csv");
}

// One chain row: a CSV row, or the option quote it became in the recording.
struct Row {
  int minute;          // New York minute of day of quote_ts
  int second;          // seconds past that minute
  double spot;
  char right;          // 'C' / 'P'
  double strike;
  double bid, ask;
  double volume;       // contracts traded today: the CSV's cumulative volume; in a recording the
                       // sum of the contract's trades so far (a rise with no last price is no trade)
};
// Snapshots in file order (a run of equal quote_ts).
struct Snapshot {
  int minute;
  int second;
  double spot;
  std::vector<Row> rows;
  [[nodiscard]] const Row* find(char right, double strike) const {
    for (const Row& r : rows) {
      if (r.right == right && std::fabs(r.strike - strike) < 1e-9) return &r;
    }
    return nullptr;
  }
  // The strike nearest `price` (ties to the lower), among strikes in this snapshot.
  [[nodiscard]] double nearest_strike(double price) const {
    double best = 0;
    for (const Row& r : rows) {
      const double d = std::fabs(r.strike - price), b = std::fabs(best - price);
      if (best == 0 || d < b || (d == b && r.strike < best)) best = r.strike;
    }
    return best;
  }
};

// The snapshots of a committed recording: each SPY reference print (size 0) opens one, each option
// quote at its time is a row, each option trade adds its size to the contract's volume.
inline std::vector<Snapshot> read_snapshots(const fs::path& recording) {
  std::vector<Snapshot> out;
  InstrumentRegistry registry(8192);
  feeds::RecordingEventSource source(registry);
  if (!source.open(recording.string()).empty()) return out;
  std::map<std::string, double> traded;
  MarketEvent e{};
  while (source.next(e)) {
    const std::string_view sym = registry.get(e.header.instrument).symbol_view();
    const TimestampNs t = e.header.exchange_ns;
    const std::int64_t local_s = (t - options::local_to_utc_ns(options::new_york_date(t), 0)) / 1'000'000'000;
    if (sym == "SPY" && e.kind() == EventKind::kTrade) {
      out.push_back(Snapshot{static_cast<int>(local_s / 60), static_cast<int>(local_s % 60), e.trade.price.to_double(), {}});
      continue;
    }
    if (out.empty() || !sym.starts_with("O:SPY") || sym.size() != 20) continue;
    const char right = sym[11];
    const double strike = std::stod(std::string(sym.substr(12))) / 1000.0;
    if (e.kind() == EventKind::kQuote) {
      // A side the CSV quotes as 0 arrives as no price (the parser's invalid Price): 0 here too.
      const auto side = [](Price p) { return p.valid() ? p.to_double() : 0.0; };
      out.back().rows.push_back(Row{static_cast<int>(local_s / 60), static_cast<int>(local_s % 60), out.back().spot,
                                    right, strike, side(e.quote.bid), side(e.quote.ask), traded[std::string(sym)]});
    } else if (e.kind() == EventKind::kTrade) {
      const double v = traded[std::string(sym)] += static_cast<double>(e.trade.size);
      for (auto r = out.back().rows.rbegin(); r != out.back().rows.rend(); ++r) {
        if (r->right == right && std::fabs(r->strike - strike) < 1e-9) {
          r->volume = v;
          break;
        }
      }
    }
  }
  return out;
}

// The snapshots as the shared CSV has them (extra checks only).
inline std::vector<Snapshot> read_csv_snapshots(const fs::path& csv) {
  std::vector<Snapshot> out;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  std::string last_ts;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    if (f.size() < 19) continue;
    const std::string& ts = f[1];  // 2026-07-20T09:33:37
    Row r{std::stoi(ts.substr(11, 2)) * 60 + std::stoi(ts.substr(14, 2)), std::stoi(ts.substr(17, 2)),
          std::stod(f[2]), f[4][0], std::stod(f[5]), std::stod(f[6]), std::stod(f[7]), std::stod(f[17])};
    if (ts != last_ts) {
      out.push_back(Snapshot{r.minute, r.second, r.spot, {}});
      last_ts = ts;
    }
    out.back().rows.push_back(r);
  }
  return out;
}

// The market a timer at `minute`:00 (New York) sees: the last snapshot at or before that moment
// (timers fire at their own times between snapshots, as live), or null before the first.
inline const Snapshot* last_at_or_before(const std::vector<Snapshot>& snaps, int minute) {
  const Snapshot* last = nullptr;
  for (const Snapshot& s : snaps) {
    if (s.minute > minute || (s.minute == minute && s.second > 0)) break;
    last = &s;
  }
  return last;
}


struct DayRun {
  bool ok = false;
  std::string error;
  std::vector<Order> orders;
  std::vector<std::vector<std::string>> leg_symbols;  // per order
  std::vector<int> order_minutes;                    // New York minute of day of each order
  std::vector<std::string> notes;
  std::string journal_bytes;
  std::string final_state;
  [[nodiscard]] bool noted(const std::string& fragment) const {
    for (const auto& n : notes) {
      if (n.find(fragment) != std::string::npos) return true;
    }
    return false;
  }
};

// "O:SPY260720C00747000" for a strike and right on `date` (yyyy-mm-dd).
inline std::string occ(const std::string& date, char right, double strike) {
  char s[40];
  std::snprintf(s, sizeof s, "O:SPY%s%s%s%c%08lld", date.substr(2, 2).c_str(), date.substr(5, 2).c_str(),
                date.substr(8, 2).c_str(), right, static_cast<long long>(std::llround(strike * 1000)));
  return s;
}

// Replays the day's committed recording with `strategies`. `tag` names the journal so runs do not
// share one.
inline DayRun replay_day(const std::string& date, std::vector<std::unique_ptr<Strategy>> strategies,
                         const std::string& tag, const std::function<void(RiskLimits&, ExitRules&)>& limits = {}) {
  DayRun run;
  const fs::path recording = chain_recording(date);
  if (!fs::exists(recording)) {
    run.error = testing_day::missing(recording);
    return run;
  }

  InstrumentRegistry registry(8192);
  daemon::RecordingEvents events(registry);
  if (std::string e = events.open(recording.string()); !e.empty()) {
    run.error = e;
    return run;
  }
  const int offset = events.utc_offset_minutes();
  daemon::ReplaySetup setup = testing_day::day_setup(events.trading_day(), offset, tag);
  if (limits) limits(setup.engine.risk, setup.engine.exits);
  setup.on_finish = [&](const Engine& engine, const daemon::ReplayOutcome& outcome) {
    run.final_state = outcome.final_state;
    run.notes = engine.notes();
    testing_day::RunOrders o = testing_day::orders_of(engine, registry, offset);
    run.orders = std::move(o.orders);
    run.leg_symbols = std::move(o.leg_symbols);
    for (const std::int64_t s : o.local_seconds) run.order_minutes.push_back(static_cast<int>(s / 60));
  };
  const daemon::ReplayOutcome r = daemon::run_replay(setup, registry, std::move(strategies), events);
  if (!r.ok) {
    run.error = r.error;
    return run;
  }
  const fs::path journal = setup.journal_path;
  std::ifstream j(journal, std::ios::binary);
  run.journal_bytes.resize(static_cast<std::size_t>(fs::file_size(journal)));
  j.read(run.journal_bytes.data(), static_cast<std::streamsize>(run.journal_bytes.size()));
  run.ok = true;
  return run;
}

}  // namespace odte::testing_real

#pragma once

// Replays one real recorded SPY 0DTE day (../shared/data/spy-0dte-chains-cboe) through the
// project's own importer, the recording reader and the daemon's run_replay (engine + paper broker
// + verifying journal), exactly as `odted --config` would, and keeps what the tests check: the
// orders, the notes, the journal bytes. The CSV rows are also parsed here, independently of the
// importer, so tests can compute their expectations by hand from the same file.
//
// The data sets are not in the repository (vendor terms); CI has them beside it. A missing file
// fails the test with the path, never skips it silently.

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
#include "odte/feeds/importer.hpp"
#include "day_harness.hpp"

namespace odte::testing_real {

namespace fs = std::filesystem;

inline fs::path chains_dir() { return testing_day::shared_data("spy-0dte-chains-cboe") / "chains"; }
inline fs::path chain_csv(const std::string& date) { return chains_dir() / ("SPY_" + date + ".csv"); }

// One CSV row, as the file has it.
struct Row {
  int minute;          // New York minute of day of quote_ts
  int second;          // seconds past that minute
  double spot;
  char right;          // 'C' / 'P'
  double strike;
  double bid, ask;
  double volume;       // cumulative contracts today
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

inline std::vector<Snapshot> read_snapshots(const fs::path& csv) {
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

// The first snapshot at or after `minute` (New York), or null.
inline const Snapshot* first_at_or_after(const std::vector<Snapshot>& snaps, int minute) {
  for (const Snapshot& s : snaps) {
    if (s.minute >= minute) return &s;
  }
  return nullptr;
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

// Imports the day's CSV (once per build tree) and replays it with `strategies`. `tag` names the
// journal so runs do not share one.
inline DayRun replay_day(const std::string& date, std::vector<std::unique_ptr<Strategy>> strategies,
                         const std::string& tag, const std::function<void(RiskLimits&, ExitRules&)>& limits = {}) {
  DayRun run;
  const fs::path csv = chain_csv(date);
  if (!fs::exists(csv)) {
    run.error = testing_day::missing(csv);
    return run;
  }
  const fs::path recording =
      testing_day::imported(feeds::Dataset::kSpyChains, {csv.string()}, "SPY_" + date + ".odr", tag, run.error);
  if (recording.empty()) return run;

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

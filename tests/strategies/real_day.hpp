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

namespace odte::testing_real {

namespace fs = std::filesystem;

inline fs::path chains_dir() {
  return fs::path(ODTE_SOURCE_DIR) / ".." / "shared" / "data" / "spy-0dte-chains-cboe" / "chains";
}
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
    run.error = "real data missing: " + csv.string() +
                " (the shared data sets must sit beside the source tree: PROJECT_SOURCE_DIR/../shared/data)";
    return run;
  }
  const fs::path work = fs::path(ODTE_BINARY_DIR) / "strategies-real-day";
  fs::create_directories(work);
  const fs::path recording = work / ("SPY_" + date + ".odr");
  if (!fs::exists(recording)) {
    const fs::path partial = work / ("SPY_" + date + ".odr.partial-" + tag);
    fs::remove(partial);
    const feeds::ImportStats st = feeds::import_dataset(feeds::Dataset::kSpyChains, {csv.string()}, partial.string());
    if (!st.error.empty()) {
      run.error = "import failed: " + st.error;
      return run;
    }
    fs::rename(partial, recording);
  }
  const fs::path journal = work / (tag + ".odj");
  fs::remove(journal);

  InstrumentRegistry registry(8192);
  daemon::RecordingEvents events(registry);
  if (std::string e = events.open(recording.string()); !e.empty()) {
    run.error = e;
    return run;
  }
  daemon::ReplaySetup setup;
  setup.engine.orders.trading_day = events.trading_day();
  setup.engine.utc_offset_minutes = events.utc_offset_minutes();
  setup.engine.stale_after_ns = 15LL * 60 * 1'000'000'000;  // snapshots come every ~5 minutes
  setup.engine.exits.exit_minute = -1;                       // the strategies own their exit times
  if (limits) limits(setup.engine.risk, setup.engine.exits);
  setup.journal_path = journal.string();
  const int offset = events.utc_offset_minutes();
  setup.on_finish = [&](const Engine& engine, const daemon::ReplayOutcome& outcome) {
    run.final_state = outcome.final_state;
    run.notes = engine.notes();
    for (const Order& o : engine.orders().orders()) {
      run.orders.push_back(o);
      std::vector<std::string> syms;
      for (int i = 0; i < o.leg_count; ++i) syms.emplace_back(registry.get(o.legs[i].instrument).symbol_view());
      run.leg_symbols.push_back(std::move(syms));
      const std::int64_t local_s = o.created_ns / 1'000'000'000 + offset * 60;
      run.order_minutes.push_back(static_cast<int>((local_s % 86'400) / 60));
    }
  };
  const daemon::ReplayOutcome r = daemon::run_replay(setup, registry, std::move(strategies), events);
  if (!r.ok) {
    run.error = r.error;
    return run;
  }
  std::ifstream j(journal, std::ios::binary);
  run.journal_bytes.resize(static_cast<std::size_t>(fs::file_size(journal)));
  j.read(run.journal_bytes.data(), static_cast<std::streamsize>(run.journal_bytes.size()));
  run.ok = true;
  return run;
}

}  // namespace odte::testing_real

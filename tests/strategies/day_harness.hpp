#pragma once

// What the real-day strategy tests share (real_day.hpp: a SPY 0DTE chain day; vix_minute_day.hpp:
// SPY and VIX minutes with a synthetic chain): the committed recordings of the real days, the
// shared data set they were imported from (extra checks only), a replay setup on the day's clock,
// and the orders of a finished run.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "odte/daemon/replay.hpp"

namespace odte::testing_day {

namespace fs = std::filesystem;

// A real day committed with the repository, made by `odte import` from ../shared/data (vendor
// terms forbid the raw files; tests/data/real/SOURCES.txt names the file and rows of each). The
// quick start's day lives in data/replay/ and is used from there. Tests read only these, so they
// pass on a fresh clone with no ../shared beside it.
inline fs::path committed(const std::string& name) {
  const fs::path tests = fs::path(ODTE_SOURCE_DIR) / "tests" / "data" / "real" / name;
  if (fs::exists(tests)) return tests;
  return fs::path(ODTE_SOURCE_DIR) / "data" / "replay" / name;
}

// ../shared/data/<set> beside the source tree: present on the team's machines only, so only extra
// checks read it, and they skip when it is absent.
inline fs::path shared_data(const std::string& set) { return fs::path(ODTE_SOURCE_DIR) / ".." / "shared" / "data" / set; }

// The error a test fails with when a committed recording is absent (never a silent skip).
inline std::string missing(const fs::path& file) {
  return "committed recording missing: " + file.string() + " (tests/data/real/SOURCES.txt, data/replay/SOURCES.txt)";
}

// The build tree's folder for the journals of real-day runs (each test names its own).
inline fs::path work_dir() {
  const fs::path work = fs::path(ODTE_BINARY_DIR) / "strategies-real-day";
  fs::create_directories(work);
  return work;
}

// A replay of `day` with a fresh journal work_dir()/tag.odj: the session's clock, stale data after
// 15 minutes (chain snapshots and minute bars come minutes apart), and the engine's default exits:
// no engine-wide safety exit, each strategy's own (its config) enforced by the engine.
inline daemon::ReplaySetup day_setup(std::int32_t day, int utc_offset_minutes, const std::string& tag) {
  daemon::ReplaySetup setup;
  setup.engine.orders.trading_day = day;
  setup.engine.utc_offset_minutes = utc_offset_minutes;
  setup.engine.stale_after_ns = 15LL * 60 * 1'000'000'000;
  const fs::path journal = work_dir() / (tag + ".odj");
  fs::remove(journal);
  setup.journal_path = journal.string();
  return setup;
}

// The orders of a finished run, their legs' symbols and their creation time in seconds of the
// New York day.
struct RunOrders {
  std::vector<Order> orders;
  std::vector<std::vector<std::string>> leg_symbols;
  std::vector<std::int64_t> local_seconds;
};
inline RunOrders orders_of(const Engine& engine, const InstrumentRegistry& registry, int utc_offset_minutes) {
  RunOrders out;
  for (const Order& o : engine.orders().orders()) {
    out.orders.push_back(o);
    std::vector<std::string> syms;
    for (int i = 0; i < o.leg_count; ++i) syms.emplace_back(registry.get(o.legs[i].instrument).symbol_view());
    out.leg_symbols.push_back(std::move(syms));
    out.local_seconds.push_back((o.created_ns / 1'000'000'000 + utc_offset_minutes * 60) % 86'400);
  }
  return out;
}

}  // namespace odte::testing_day

// held_option_contracts (live.hpp): what the live run loop pins in the options subscriptions --
// every leg of a working order and of an open position, until flat. Followed through a replayed
// synthetic day on which the iron condor opens at 09:45 and closes at its exit.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "odte/daemon/live.hpp"
#include "odte/strategies/factory.hpp"
#include "synthetic_day.hpp"

namespace odte::daemon {
namespace {

struct Seen {
  std::uint64_t working = 0, open = 0, flat_after = 0;
  std::set<std::string> contracts;
};

// Replays the synthetic day with the condor at `slack` beyond its mid, checking held_option_contracts
// after every event against the engine's live orders and positions.
Seen follow_day(const std::string& slack) {
  Seen seen;
  const auto path = std::filesystem::temp_directory_path() / ("odte-pins-" + std::to_string(::getpid()) + ".odj");
  std::filesystem::remove(path);
  InstrumentRegistry registry(4096);
  odte::testing_day::SyntheticDay day(registry, 20260821);
  std::vector<std::unique_ptr<Strategy>> s;
  s.push_back(strategies::make_strategy(
      "iron_condor", "short_otm = 0.006\nlong_otm = 0.012\nentry_time = \"09:45\"\nprice_slack = " + slack + "\n", 0,
      "test"));
  ReplaySetup setup;
  setup.engine.orders.trading_day = 20260821;
  setup.engine.utc_offset_minutes = -240;
  setup.engine.stale_after_ns = 10LL * 60 * 1'000'000'000;
  setup.journal_path = path.string();
  bool was_open = false;
  setup.after_event = [&](std::uint64_t, Engine& engine, bool) {
    const std::vector<std::string> held = held_option_contracts(engine, registry);
    EXPECT_TRUE(std::is_sorted(held.begin(), held.end()));
    EXPECT_EQ(std::adjacent_find(held.begin(), held.end()), held.end()) << "no duplicates";
    // By hand: the option legs of the live orders and the option positions not flat.
    std::set<std::string> want;
    bool working = false, open = false;
    for (const Order& o : engine.orders().orders()) {
      if (!o.is_live()) continue;
      for (int i = 0; i < o.leg_count; ++i) {
        const Instrument& inst = registry.get(o.legs[i].instrument);
        if (inst.info.asset == AssetClass::kOption) want.insert(std::string(inst.symbol_view()));
        working = true;
      }
    }
    for (const Position& p : engine.book().positions()) {
      if (p.quantity == 0) continue;
      want.insert(std::string(registry.get(p.instrument).symbol_view()));
      open = true;
    }
    EXPECT_EQ(std::set<std::string>(held.begin(), held.end()), want);
    if (working || open) {
      EXPECT_EQ(held.size(), 4u) << "the condor's four legs";
    }
    if (working) ++seen.working;
    if (open) {
      ++seen.open;
      was_open = true;
    }
    if (was_open && !open && !working) ++seen.flat_after;
    for (const std::string& h : held) seen.contracts.insert(h);
    return true;
  };
  const ReplayOutcome out = run_replay(setup, registry, std::move(s), day);
  EXPECT_TRUE(out.ok) << out.error;
  std::filesystem::remove(path);
  return seen;
}

TEST(HeldOptionContractsTest, shouldNameTheLegsOfAnOpenPositionUntilFlat) {
  // 0.10 beyond the mid: the entry fills on arrival and the condor is held to its exit.
  const Seen seen = follow_day("0.10");
  EXPECT_GT(seen.open, 0u) << "the condor was held";
  EXPECT_GT(seen.flat_after, 0u) << "and closed: nothing pinned once flat";
  EXPECT_EQ(seen.contracts.size(), 4u) << "the same four contracts throughout";
  for (const std::string& h : seen.contracts) EXPECT_EQ(h.rfind("O:SPY260821", 0), 0u) << h;
}

TEST(HeldOptionContractsTest, shouldNameTheLegsOfAWorkingOrder) {
  // At the mid the entry rests: its legs are held while it works.
  const Seen seen = follow_day("0.00");
  EXPECT_GT(seen.working, 0u) << "the entry worked";
  EXPECT_EQ(seen.contracts.size(), 4u);
}

}  // namespace
}  // namespace odte::daemon

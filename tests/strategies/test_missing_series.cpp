// Seeds 001 and 002 need 1-minute VIX (and VVIX) bars, which no shared data set has for the real
// SPY 0DTE chain days. On such a real day each strategy must say once what is missing and not
// trade on invented data. The expectations are worked out from the day's snapshots themselves
// (the CSV rows, as the committed recording holds them).

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "odte/strategies/factory.hpp"
#include "real_day.hpp"

namespace odte::strategies {
namespace {

namespace real = odte::testing_real;

constexpr const char* kDay = "2026-07-20";

std::vector<std::unique_ptr<Strategy>> one(std::string_view name) {
  std::vector<std::unique_ptr<Strategy>> s;
  s.push_back(make_strategy(name, "", 0, "test"));
  return s;
}

int count_noted(const real::DayRun& run, const std::string& fragment) {
  int n = 0;
  for (const auto& note : run.notes) n += note.find(fragment) != std::string::npos ? 1 : 0;
  return n;
}

TEST(MissingSeriesRealDayTest, shouldNoteTheShortSpySeriesOnceAndNotTradeTheRegimeDay) {
  const auto snaps = real::read_snapshots(real::chain_recording(kDay));
  ASSERT_FALSE(snaps.empty()) << "committed recording missing or unreadable: " << real::chain_recording(kDay);
  // The regime is decided on the timer at 10:00:00, whatever the snapshots' times; each earlier
  // snapshot's SPY print made one one-minute bar, completed by then (the 09:59 bar closes at 10:00).
  constexpr int kDecision = 10 * 60;
  int bars = 0;
  for (const auto& s : snaps) bars += s.minute < kDecision ? 1 : 0;
  ASSERT_LT(bars, 10) << "the day would have enough SPY bars; this test expects the 5-minute cadence";
  char expected[96];
  std::snprintf(expected, sizeof expected, "regime: %d one-minute bars of SPY by %02d:%02d (needs 10)", bars,
                kDecision / 60, kDecision % 60);

  const real::DayRun run = real::replay_day(kDay, one("regime"), "missing-regime");
  ASSERT_TRUE(run.ok) << run.error;
  EXPECT_EQ(count_noted(run, expected), 1) << "expected once: " << expected;
  EXPECT_EQ(count_noted(run, "no trade today"), 1);
  EXPECT_TRUE(run.orders.empty());
}

TEST(MissingSeriesRealDayTest, shouldNoteTheMissingVixOnceAndNotSellTheCondor) {
  // The chain file holds SPY options only: no VIX series at all.
  const auto snaps = real::read_snapshots(real::chain_recording(kDay));
  ASSERT_FALSE(snaps.empty()) << "committed recording missing or unreadable: " << real::chain_recording(kDay);

  const real::DayRun run = real::replay_day(kDay, one("iron_condor"), "missing-condor");
  ASSERT_TRUE(run.ok) << run.error;
  EXPECT_EQ(count_noted(run, "no one-minute bars of I:VIX by the entry time"), 1);
  EXPECT_TRUE(run.orders.empty());
}

}  // namespace
}  // namespace odte::strategies

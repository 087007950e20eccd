// FeedClock: the core's clock in the live modes (live.hpp).

#include <gtest/gtest.h>

#include "odte/daemon/live.hpp"

namespace odte::daemon {
namespace {

constexpr TimestampNs kSec = 1'000'000'000;
constexpr TimestampNs kMarket = 1'784'554'417 * kSec;  // 2026-07-20 13:33:37 UTC
constexpr TimestampNs kWall = 1'795'000'000 * kSec;    // a later wall clock (a replay of a past day)

TEST(FeedClock, shouldStartAtTheFirstEventAndNeverGoBack) {
  FeedClock c(900 * kSec);
  EXPECT_EQ(c.on_wall(kWall), 0) << "no time before the first event";
  EXPECT_EQ(c.on_event(kMarket, kWall), kMarket);
  EXPECT_EQ(c.on_event(kMarket + 2 * kSec, kWall + kSec / 100), kMarket + 2 * kSec);
  // Another cluster's older event does not move it back.
  EXPECT_EQ(c.on_event(kMarket + kSec, kWall + kSec / 50), kMarket + 2 * kSec);
  EXPECT_EQ(c.now(), kMarket + 2 * kSec);
}

TEST(FeedClock, shouldRunOnWithTheWallClockWhileTheFeedIsQuiet) {
  FeedClock c(900 * kSec);
  (void)c.on_event(kMarket, kWall);
  EXPECT_EQ(c.on_wall(kWall + 5 * kSec), kMarket + 5 * kSec);
  EXPECT_EQ(c.on_wall(kWall + 3 * kSec), kMarket + 5 * kSec) << "a wall clock step back does not move it back";
  // An event stamped before the run-on time leaves the clock where it is (events do not run it on).
  EXPECT_EQ(c.on_event(kMarket + 4 * kSec, kWall + 6 * kSec), kMarket + 5 * kSec);
  // One after it takes the clock and becomes the new anchor.
  EXPECT_EQ(c.on_event(kMarket + 10 * kSec, kWall + 7 * kSec), kMarket + 10 * kSec);
  EXPECT_EQ(c.on_wall(kWall + 8 * kSec), kMarket + 11 * kSec);
}

TEST(FeedClock, shouldRefuseAJumpFartherAheadThanAllowed) {
  FeedClock c(60 * kSec);
  (void)c.on_event(kMarket, kWall);
  EXPECT_EQ(c.on_event(kMarket + 3600 * kSec, kWall + kSec), kMarket) << "an hour ahead in one second";
  EXPECT_EQ(c.refused_jumps(), 1u);
  EXPECT_EQ(c.on_event(kMarket + 30 * kSec, kWall + 2 * kSec), kMarket + 30 * kSec);
  // A jump measured from where the clock would be now: after 10 quiet minutes, 9 minutes ahead
  // of the last event is fine.
  EXPECT_EQ(c.on_event(kMarket + 30 * kSec + 540 * kSec, kWall + 602 * kSec), kMarket + 570 * kSec);
  EXPECT_EQ(c.refused_jumps(), 1u);
}

TEST(FeedClock, shouldIgnoreEventsWithoutAnExchangeTime) {
  FeedClock c(60 * kSec);
  EXPECT_EQ(c.on_event(0, kWall), 0);
  EXPECT_EQ(c.on_event(kMarket, kWall), kMarket);
  EXPECT_EQ(c.on_event(-5, kWall + kSec), kMarket);
}

}  // namespace
}  // namespace odte::daemon

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


// Mode live refuses a feed whose first event is far from the wall clock (a replay, a delayed data
// plan); the other modes, and live with the check off, take any feed.
TEST(FeedLag, shouldRefuseAnOldOrFutureFeedInLiveModeOnly) {
  Config c;
  c.mode = Mode::kLive;
  c.feed.max_feed_lag_ms = 60'000;
  const TimestampNs wall = 1'784'553'600'000'000'000;  // 2026-07-20 13:20 UTC
  EXPECT_EQ(check_feed_lag(c, wall - 59'000'000'000, wall), "");
  EXPECT_EQ(check_feed_lag(c, wall + 59'000'000'000, wall), "");
  const std::string delayed = check_feed_lag(c, wall - 900'000'000'000, wall);  // a 15-minute delayed plan
  EXPECT_NE(delayed.find("feed.max_feed_lag_ms"), std::string::npos) << delayed;
  EXPECT_NE(delayed.find("900 s behind"), std::string::npos) << delayed;
  EXPECT_NE(check_feed_lag(c, wall + 120'000'000'000, wall).find("120 s ahead of"), std::string::npos);
  const TimestampNs old_day = wall - 128LL * 86'400'000'000'000;
  EXPECT_NE(check_feed_lag(c, old_day, wall), "");

  c.feed.max_feed_lag_ms = 0;
  EXPECT_EQ(check_feed_lag(c, old_day, wall), "");
  c.feed.max_feed_lag_ms = 60'000;
  c.mode = Mode::kPaperLive;
  EXPECT_EQ(check_feed_lag(c, old_day, wall), "");
}
}  // namespace
}  // namespace odte::daemon

// FeedClock: the core's clock in the live modes, and live_market_event, which puts the market-data
// guard in front of it (live.hpp).

#include <gtest/gtest.h>

#include <memory>

#include "odte/core/engine/engine.hpp"
#include "odte/daemon/live.hpp"

namespace odte::daemon {
namespace {

constexpr TimestampNs kSec = 1'000'000'000;
constexpr TimestampNs kMarket = 1'784'554'417 * kSec;  // 2026-07-20 13:33:37 UTC
constexpr TimestampNs kWall = 1'795'000'000 * kSec;    // a later wall clock (a replay of a past day)

TEST(FeedClock, shouldStartAtTheFirstEventAndNeverGoBack) {
  FeedClock c;
  EXPECT_EQ(c.on_wall(kWall), 0) << "no time before the first event";
  EXPECT_EQ(c.on_event(kMarket, kWall), kMarket);
  EXPECT_EQ(c.on_event(kMarket + 2 * kSec, kWall + kSec / 100), kMarket + 2 * kSec);
  // Another cluster's older event does not move it back.
  EXPECT_EQ(c.on_event(kMarket + kSec, kWall + kSec / 50), kMarket + 2 * kSec);
  EXPECT_EQ(c.now(), kMarket + 2 * kSec);
}

TEST(FeedClock, shouldRunOnWithTheWallClockWhileTheFeedIsQuiet) {
  FeedClock c;
  (void)c.on_event(kMarket, kWall);
  EXPECT_EQ(c.on_wall(kWall + 5 * kSec), kMarket + 5 * kSec);
  EXPECT_EQ(c.on_wall(kWall + 3 * kSec), kMarket + 5 * kSec) << "a wall clock step back does not move it back";
  // An event stamped before the run-on time leaves the clock where it is (events do not run it on).
  EXPECT_EQ(c.on_event(kMarket + 4 * kSec, kWall + 6 * kSec), kMarket + 5 * kSec);
  // One after it takes the clock and becomes the new anchor.
  EXPECT_EQ(c.on_event(kMarket + 10 * kSec, kWall + 7 * kSec), kMarket + 10 * kSec);
  EXPECT_EQ(c.on_wall(kWall + 8 * kSec), kMarket + 11 * kSec);
}

TEST(FeedClock, shouldIgnoreEventsWithoutAnExchangeTime) {
  FeedClock c;
  EXPECT_EQ(c.on_event(0, kWall), 0);
  EXPECT_EQ(c.on_event(kMarket, kWall), kMarket);
  EXPECT_EQ(c.on_event(-5, kWall + kSec), kMarket);
}

// The live loop's step for one event against a real engine (no strategies): the guard judges each
// event before the clock sees it.
class LiveMarketEventTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spy_ = registry_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    EngineConfig cfg;
    cfg.orders.trading_day = 20260720;
    cfg.utc_offset_minutes = -240;
    engine_ = std::make_unique<Engine>(cfg, registry_, std::vector<std::unique_ptr<Strategy>>{}, *ring_, nullptr);
    engine_->start(kMarket);
  }
  MarketEvent trade(TimestampNs exch, TimestampNs recv, double px) const {
    return MarketEvent::make_trade(spy_, StreamId::kStocks, exch, recv, Price::from_double(px), 100);
  }
  TimestampNs feed(const MarketEvent& e) { return live_market_event(*engine_, clock_, e, e.header.receive_ns, kMarket); }

  InstrumentRegistry registry_{64};
  std::unique_ptr<CommandRing> ring_ = std::make_unique<CommandRing>();
  std::unique_ptr<Engine> engine_;
  FeedClock clock_;
  InstrumentId spy_ = kNoInstrument;
};

TEST_F(LiveMarketEventTest, shouldNotLetARejectedFirstEventAnchorTheClock) {
  // The first event of the run: a quote crossed by $5, stamped ten minutes ahead. The guard refuses
  // it (crossed); the clock must not start from its time, or the whole day would run ten minutes early.
  const MarketEvent crossed = MarketEvent::make_quote(spy_, StreamId::kStocks, kMarket + 600 * kSec, kWall,
                                                      Price::from_double(705), 100, Price::from_double(700), 100);
  EXPECT_EQ(feed(crossed), kMarket) << "before the clock's first event the core's time is the start";
  EXPECT_EQ(clock_.now(), 0) << "a rejected event anchored the clock";
  EXPECT_EQ(engine_->market_guard().rejected(BadTick::kCrossed), 1u);
  EXPECT_EQ(feed(trade(kMarket + kSec, kWall + kSec / 10, 700.10)), kMarket + kSec);
  EXPECT_EQ(clock_.now(), kMarket + kSec);
}

TEST_F(LiveMarketEventTest, shouldJudgeAJumpAheadByTheGuardsRuleAloneAndFollowItsReanchoring) {
  (void)feed(trade(kMarket, kWall, 700.00));
  // An hour ahead within a second of wall time: the guard's ahead_of_clock (feed.guard.max_ahead_ms,
  // 15 minutes) refuses it; the clock stays, the core's time runs on with the wall clock only.
  EXPECT_EQ(feed(trade(kMarket + 3600 * kSec, kWall + kSec, 700.05)), kMarket + kSec);
  EXPECT_EQ(clock_.now(), kMarket + kSec);
  EXPECT_EQ(engine_->market_guard().rejected(BadTick::kAheadOfClock), 1u);
  // Nine minutes ahead after ten quiet minutes is fine (measured from where the clock would be).
  EXPECT_EQ(feed(trade(kMarket + 540 * kSec, kWall + 600 * kSec, 700.10)), kMarket + 540 * kSec);
  EXPECT_EQ(clock_.now(), kMarket + 540 * kSec);
  EXPECT_EQ(engine_->market_guard().rejected(BadTick::kAheadOfClock), 1u);
  // When every event agrees the feed moved on (reanchor_after of them), the guard adopts the new
  // time, and so does the clock: one rule, not a guard that accepts and a clock that refuses.
  const TimestampNs later = kMarket + 2 * 3600 * kSec;
  const std::uint32_t n = engine_->market_guard().config().reanchor_after;
  TimestampNs t = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    t = feed(trade(later + i * kSec, kWall + 601 * kSec + i * kSec / 100, 700.10));
  }
  EXPECT_EQ(engine_->market_guard().rejected(BadTick::kAheadOfClock), n);  // n - 1 more refused, the last adopted
  EXPECT_EQ(t, later + (n - 1) * kSec);
  EXPECT_EQ(clock_.now(), later + (n - 1) * kSec);
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

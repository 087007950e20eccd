#include "odte/core/market/market_guard.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace odte {
namespace {

using namespace price_literals;

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kMin = 60 * kSec;
// 2026-07-20 00:00 New York (EDT) in Unix ns, and noon that day.
constexpr TimestampNs kDayStart = 1'784'520'000 * kSec;
constexpr TimestampNs kNoon = kDayStart + 12 * 60 * kMin;

class MarketGuardTest : public ::testing::Test {
 protected:
  MarketGuardTest() : registry_(64) {
    spy_ = registry_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    vix_ = registry_.intern("I:VIX", InstrumentInfo{AssetClass::kIndex, {}});
    call_ = option("O:SPY260720C00760000", OptionRight::kCall, 760_usd);
    put_ = option("O:SPY260720P00740000", OptionRight::kPut, 740_usd);
  }
  InstrumentId option(const char* sym, OptionRight right, Price strike) {
    InstrumentInfo info;
    info.asset = AssetClass::kOption;
    std::snprintf(info.option.root, sizeof info.option.root, "SPY");
    info.option.expiry_yyyymmdd = 20260720;
    info.option.right = right;
    info.option.strike = strike;
    info.option.multiplier = 100;
    info.option.underlying = spy_;
    return registry_.intern(sym, info);
  }
  MarketDataGuard guard(MarketGuardConfig c = {}) { return MarketDataGuard(c, registry_, 64, kDayStart, kDayStart + 24 * 60 * kMin); }
  static MarketEvent trade(InstrumentId id, TimestampNs t, Price p, TimestampNs recv = 0) {
    return MarketEvent::make_trade(id, StreamId::kStocks, t, recv == 0 ? t : recv, p, 100);
  }
  static MarketEvent quote(InstrumentId id, TimestampNs t, Price bid, Price ask) {
    return MarketEvent::make_quote(id, StreamId::kOptions, t, t, bid, 10, ask, 10);
  }
  InstrumentRegistry registry_;
  InstrumentId spy_, vix_, call_, put_;
};

TEST_F(MarketGuardTest, shouldRejectATradeStampedYearsAheadOfTheFeedClock) {
  MarketDataGuard g = guard();
  ASSERT_TRUE(g.admit(trade(spy_, kNoon, 747.67_usd)));
  // 2098-01-01, received with the rest of the day's data.
  EXPECT_FALSE(g.admit(trade(spy_, 4'039'372'800 * kSec, 747.70_usd, kNoon + kSec)));
  EXPECT_EQ(g.rejected(BadTick::kAheadOfClock), 1u);
  EXPECT_EQ(g.rejected(StreamId::kStocks, BadTick::kAheadOfClock), 1u);
  EXPECT_EQ(g.clock(), kNoon);  // the clock did not move
  EXPECT_TRUE(g.admit(trade(spy_, kNoon + 5 * kMin, 747.80_usd)));  // a snapshot cadence gap is fine
  EXPECT_EQ(g.rejected_total(), 1u);
}

TEST_F(MarketGuardTest, shouldJudgeTheFirstEventAgainstTheTradingDay) {
  MarketDataGuard g = guard();
  EXPECT_FALSE(g.admit(trade(spy_, 4'039'372'800 * kSec, 747.70_usd)));
  EXPECT_EQ(g.rejected(BadTick::kOutsideDay), 1u);
  EXPECT_FALSE(g.admit(trade(spy_, kDayStart - 2 * 24 * 60 * kMin, 747.70_usd)));  // two days early
  EXPECT_EQ(g.rejected(BadTick::kOutsideDay), 2u);
  EXPECT_TRUE(g.admit(trade(spy_, kNoon, 747.67_usd)));
}

// A feed that was silent for longer than max_ahead (a reconnect) runs on with the receive clock,
// and a replay whose receive clock lags adopts the later time once events keep agreeing on it.
TEST_F(MarketGuardTest, shouldFollowARealGapByReceiveTimeOrByAgreement) {
  MarketDataGuard g = guard();
  ASSERT_TRUE(g.admit(trade(spy_, kNoon, 747.67_usd)));
  EXPECT_TRUE(g.admit(trade(spy_, kNoon + 40 * kMin, 747.90_usd, kNoon + 40 * kMin)));
  // Forty minutes on in exchange time, received at once: refused until eight agree.
  const TimestampNs later = kNoon + 80 * kMin;
  for (int i = 0; i < 7; ++i) EXPECT_FALSE(g.admit(trade(spy_, later + i * kSec, 748_usd, kNoon + 40 * kMin)));
  EXPECT_TRUE(g.admit(trade(spy_, later + 7 * kSec, 748_usd, kNoon + 40 * kMin)));
  EXPECT_EQ(g.reanchored(), 1u);
  EXPECT_EQ(g.clock(), later + 7 * kSec);
}

TEST_F(MarketGuardTest, shouldRejectABidOf99999OnAThirtyCentCall) {
  MarketDataGuard g = guard();
  ASSERT_TRUE(g.admit(trade(spy_, kNoon, 747.67_usd)));
  ASSERT_TRUE(g.admit(quote(call_, kNoon, 0.28_usd, 0.32_usd)));
  // Worth at most the underlying: rejected before any history is needed.
  EXPECT_FALSE(g.admit(quote(call_, kNoon + kSec, 99'999_usd, 100'000_usd)));
  EXPECT_EQ(g.rejected(BadTick::kOptionBound), 1u);
  // A put above its strike, even as the contract's first quote.
  EXPECT_FALSE(g.admit(quote(put_, kNoon + kSec, 99'999_usd, 100'000_usd)));
  EXPECT_EQ(g.rejected(BadTick::kOptionBound), 2u);
  // Far from the call's recent range (0.30) though under the underlying's price.
  EXPECT_FALSE(g.admit(quote(call_, kNoon + kSec, 500_usd, 501_usd)));
  EXPECT_EQ(g.rejected(BadTick::kPriceBand), 1u);
  // A 0DTE call doubling, even going 0.30 -> 2.00, is a market, not a bad tick.
  EXPECT_TRUE(g.admit(quote(call_, kNoon + 2 * kSec, 0.60_usd, 0.65_usd)));
  EXPECT_TRUE(g.admit(quote(call_, kNoon + 3 * kSec, 2.00_usd, 2.10_usd)));
  EXPECT_TRUE(g.admit(quote(call_, kNoon + 4 * kSec, 0.05_usd, 0.10_usd)));
}

TEST_F(MarketGuardTest, shouldRejectAQuoteCrossedBeyondTheTolerance) {
  MarketDataGuard g = guard();
  EXPECT_TRUE(g.admit(quote(call_, kNoon, 0.33_usd, 0.30_usd)));   // crossed by 0.03: a venue race
  EXPECT_FALSE(g.admit(quote(call_, kNoon, 0.45_usd, 0.30_usd)));  // by 0.15
  EXPECT_EQ(g.rejected(BadTick::kCrossed), 1u);
}

TEST_F(MarketGuardTest, shouldHoldStocksAndIndicesToATightBandAndAdoptARealMove) {
  MarketGuardConfig c;
  c.reanchor_after = 3;
  MarketDataGuard g = guard(c);
  ASSERT_TRUE(g.admit(trade(spy_, kNoon, 747.67_usd)));
  EXPECT_FALSE(g.admit(trade(spy_, kNoon + kSec, 7476.70_usd)));  // a decimal slip
  EXPECT_TRUE(g.admit(trade(spy_, kNoon + 2 * kSec, 750_usd)));
  const auto index = [&](TimestampNs t, Price v) {
    return MarketEvent::make_index(vix_, StreamId::kIndices, t, t, v);
  };
  ASSERT_TRUE(g.admit(index(kNoon, 15_usd)));
  // VIX gaps from 15 to 20 (a third, beyond the 25% band) and stays: two values refused, the
  // third agreeing one adopted.
  EXPECT_FALSE(g.admit(index(kNoon + 15 * kSec, 20_usd)));
  EXPECT_FALSE(g.admit(index(kNoon + 30 * kSec, 20.2_usd)));
  EXPECT_TRUE(g.admit(index(kNoon + 45 * kSec, 20.1_usd)));
  EXPECT_TRUE(g.admit(index(kNoon + 60 * kSec, 20.3_usd)));
  EXPECT_EQ(g.rejected(StreamId::kIndices, BadTick::kPriceBand), 2u);
  EXPECT_EQ(g.rejected(StreamId::kStocks, BadTick::kPriceBand), 1u);
}

// One bad tick can never re-anchor a reference, however often it comes back between good ones.
TEST_F(MarketGuardTest, shouldNotLetInterleavedBadTicksReanchor) {
  MarketGuardConfig c;
  c.reanchor_after = 3;
  MarketDataGuard g = guard(c);
  ASSERT_TRUE(g.admit(quote(call_, kNoon, 0.28_usd, 0.32_usd)));
  for (int i = 1; i <= 10; ++i) {
    EXPECT_FALSE(g.admit(quote(call_, kNoon + i * kSec, 50_usd, 51_usd)));
    EXPECT_TRUE(g.admit(quote(call_, kNoon + i * kSec, 0.28_usd, 0.32_usd)));
  }
  EXPECT_EQ(g.reanchored(), 0u);
}

TEST_F(MarketGuardTest, shouldSampleRejectionsAtMostOncePerKindPerInterval) {
  MarketDataGuard g = guard();
  ASSERT_TRUE(g.admit(trade(spy_, kNoon, 747.67_usd)));
  // Bad prints between good ones (so they never re-anchor): 100 rejections, one sample.
  for (int i = 0; i < 100; ++i) {
    (void)g.admit(trade(spy_, kNoon, 7476.70_usd));
    ASSERT_TRUE(g.admit(trade(spy_, kNoon, 747.67_usd)));
  }
  int samples = 0;
  g.drain_samples([&](const BadTickSample& s) {
    ++samples;
    EXPECT_EQ(s.kind, BadTick::kPriceBand);
    EXPECT_EQ(s.instrument, spy_);
    EXPECT_EQ(s.price, 7476.70_usd);
    EXPECT_EQ(s.reference, 747.67_usd);
    EXPECT_EQ(s.count_at_sample, 1u);
  });
  EXPECT_EQ(samples, 1);
  g.drain_samples([&](const BadTickSample&) { ++samples; });
  EXPECT_EQ(samples, 1);  // nothing new
  ASSERT_TRUE(g.admit(trade(spy_, kNoon + 2 * kSec, 747.70_usd)));
  (void)g.admit(trade(spy_, kNoon + 2 * kSec, 7476.70_usd));  // a second later: sampled again
  g.drain_samples([&](const BadTickSample& s) {
    ++samples;
    EXPECT_EQ(s.count_at_sample, 101u);
  });
  EXPECT_EQ(samples, 2);
}

TEST_F(MarketGuardTest, shouldPassEverythingWhenDisabled) {
  MarketGuardConfig c;
  c.enabled = false;
  MarketDataGuard g = guard(c);
  EXPECT_TRUE(g.admit(trade(spy_, 4'039'372'800 * kSec, 99'999_usd)));
  EXPECT_EQ(g.rejected_total(), 0u);
}

}  // namespace
}  // namespace odte

#include "odte/core/market/market_state.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

namespace odte {
namespace {

using namespace price_literals;

constexpr TimestampNs kT0 = 1'785'000'000'000'000'000;  // a minute boundary? computed below
constexpr TimestampNs minute_start(TimestampNs t) { return minute_of(t) * kNsPerMinute; }
constexpr TimestampNs kM0 = minute_start(kT0);
constexpr std::int64_t kSec = 1'000'000'000;

TEST(MarketStateTest, shouldKeepNbboLastAndVolumePerInstrument) {
  MarketState m(8);
  EXPECT_EQ(m.nbbo(3), nullptr);
  ASSERT_TRUE(m.apply(MarketEvent::make_quote(3, StreamId::kOptions, kM0, kM0, 1.20_usd, 5, 1.25_usd, 7)));
  const Nbbo* q = m.nbbo(3);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->bid, 1.20_usd);
  EXPECT_EQ(m.reference_price(3), Price::from_ticks(12250));
  ASSERT_TRUE(m.apply(MarketEvent::make_trade(3, StreamId::kOptions, kM0 + kSec, kM0 + kSec, 1.22_usd, 10)));
  ASSERT_TRUE(m.apply(MarketEvent::make_trade(3, StreamId::kOptions, kM0 + 2 * kSec, kM0 + 2 * kSec, 1.23_usd, 4)));
  const InstrumentState* st = m.state(3);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->last, 1.23_usd);
  EXPECT_EQ(st->day_volume, 14u);
  ASSERT_TRUE(m.apply(MarketEvent::make_index(5, StreamId::kIndices, kM0 + 3 * kSec, kM0, 5600.25_usd)));
  EXPECT_EQ(m.reference_price(5), 5600.25_usd);
  EXPECT_EQ(m.market_time(), kM0 + 3 * kSec);
  EXPECT_FALSE(m.apply(MarketEvent::make_index(8, StreamId::kIndices, kM0, kM0, 1_usd)));
  EXPECT_EQ(m.rejected(), 1u);
}

TEST(MarketStateTest, shouldNotOfferOneSidedQuoteAsMid) {
  MarketState m(4);
  ASSERT_TRUE(m.apply(MarketEvent::make_quote(1, StreamId::kOptions, kM0, kM0, Price::invalid(), 0, 0.05_usd, 10)));
  const Nbbo* q = m.nbbo(1);
  ASSERT_NE(q, nullptr);
  EXPECT_FALSE(q->two_sided());
  EXPECT_FALSE(m.reference_price(1).valid());
}

TEST(MinuteBarsTest, shouldBuildBarsFromTradesAndEmitOnTheNextMinute) {
  MinuteBars bars;
  ASSERT_EQ(bars.track(1), 0);
  std::vector<MinuteBar> out;
  auto emit = [&](const MinuteBar& b) { out.push_back(b); };
  bars.on_event(MarketEvent::make_trade(1, StreamId::kStocks, kM0 + 1 * kSec, 0, 500.10_usd, 100), emit);
  bars.on_event(MarketEvent::make_trade(1, StreamId::kStocks, kM0 + 20 * kSec, 0, 500.50_usd, 200), emit);
  bars.on_event(MarketEvent::make_trade(1, StreamId::kStocks, kM0 + 40 * kSec, 0, 499.90_usd, 50), emit);
  bars.on_event(MarketEvent::make_trade(1, StreamId::kStocks, kM0 + 59 * kSec, 0, 500.20_usd, 25), emit);
  bars.on_event(MarketEvent::make_trade(2, StreamId::kStocks, kM0 + 30 * kSec, 0, 1_usd, 1), emit);  // untracked
  EXPECT_TRUE(out.empty());
  bars.on_event(MarketEvent::make_trade(1, StreamId::kStocks, kM0 + 61 * kSec, 0, 500.30_usd, 10), emit);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].start_ns, kM0);
  EXPECT_EQ(out[0].open, 500.10_usd);
  EXPECT_EQ(out[0].high, 500.50_usd);
  EXPECT_EQ(out[0].low, 499.90_usd);
  EXPECT_EQ(out[0].close, 500.20_usd);
  EXPECT_EQ(out[0].volume, 375u);
  EXPECT_EQ(out[0].ticks, 4u);
  bars.flush(kM0 + 2 * 60 * kSec, emit);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].close, 500.30_usd);
}

TEST(MinuteBarsTest, shouldPreferMinuteAggregatesOnceTheyArrive) {
  MinuteBars bars;
  ASSERT_EQ(bars.track(7), 0);
  std::vector<MinuteBar> out;
  auto emit = [&](const MinuteBar& b) { out.push_back(b); };
  bars.on_event(MarketEvent::make_index(7, StreamId::kIndices, kM0 + kSec, 0, 20.1_usd), emit);
  bars.on_event(MarketEvent::make_bar(7, StreamId::kIndices, BarInterval::kMinute, kM0, 0, 20_usd, 20.5_usd, 19.9_usd,
                                      20.2_usd, 0),
                emit);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].close, 20.2_usd);
  bars.on_event(MarketEvent::make_index(7, StreamId::kIndices, kM0 + 130 * kSec, 0, 21_usd), emit);
  bars.flush(kM0 + 10 * 60 * kSec, emit);
  EXPECT_EQ(out.size(), 1u);  // values no longer build bars for this series
}

}  // namespace
}  // namespace odte

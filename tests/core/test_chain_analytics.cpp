#include "odte/core/market/chain_analytics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "odte/core/options/calendar.hpp"

namespace odte {
namespace {

using namespace price_literals;

constexpr std::int64_t kSec = 1'000'000'000;
constexpr TimestampNs kNow = 1'787'320'800LL * kSec;        // 2026-08-21 10:00 EDT
constexpr TimestampNs kSettle = kNow + 6 * 3600 * kSec;      // 16:00 EDT

// A chain priced by Black-Scholes at one flat volatility, quoted a cent either side of the model.
class ChainAnalyticsTest : public ::testing::Test {
 protected:
  static constexpr double kSigma = 0.20;
  void SetUp() override {
    spy_ = reg_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    market_.apply(MarketEvent::make_trade(spy_, StreamId::kStocks, kNow, kNow, 500_usd, 100));
    const double t = options::year_fraction(kNow, kSettle);
    for (int k = 480; k <= 520; ++k) {
      for (const OptionRight r : {OptionRight::kCall, OptionRight::kPut}) {
        InstrumentInfo info;
        info.asset = AssetClass::kOption;
        std::snprintf(info.option.root, sizeof info.option.root, "SPY");
        info.option.expiry_yyyymmdd = 20260821;
        info.option.right = r;
        info.option.strike = Price::from_dollars(k);
        info.option.multiplier = 100;
        char sym[40];
        std::snprintf(sym, sizeof sym, "O:SPY260821%c%08d", static_cast<char>(r), k * 1000);
        const InstrumentId id = reg_.intern(sym, info);
        const double v = options::bsm_price({r, 500.0, static_cast<double>(k), t, 0.0, 0.0, kSigma});
        const Price mid = Price::from_double(v);
        const Price bid = mid - 0.01_usd > Price::zero() ? mid - 0.01_usd : Price::zero();
        market_.apply(MarketEvent::make_quote(id, StreamId::kOptions, kNow, kNow, bid, 10, mid + 0.01_usd, 10));
      }
    }
  }
  InstrumentRegistry reg_{256};
  MarketState market_{256};
  InstrumentId spy_ = kNoInstrument;
};

TEST_F(ChainAnalyticsTest, shouldRecoverTheFlatVolatilityAtTheMoney) {
  ChainAnalytics a("SPY", 20260821, spy_, kSettle);
  a.update(market_, reg_, kNow);
  ASSERT_TRUE(a.ready());
  ASSERT_NE(a.atm(), nullptr);
  EXPECT_EQ(a.atm()->strike, 500_usd);
  EXPECT_NEAR(a.atm_iv(), kSigma, 0.002);
  const ContractAnalytics c = a.contract(*a.atm(), OptionRight::kCall);
  ASSERT_TRUE(c.ok);
  EXPECT_NEAR(c.greeks.delta, 0.5, 0.01);
}

TEST_F(ChainAnalyticsTest, shouldPickTheOutOfTheMoneyStrikeNearestTheTargetDelta) {
  ChainAnalytics a("SPY", 20260821, spy_, kSettle);
  a.update(market_, reg_, kNow);
  const double t = options::year_fraction(kNow, kSettle);
  // Independently: the OTM put strike whose model delta is nearest -0.10.
  int want = 0;
  double best = 1.0;
  for (int k = 480; k <= 500; ++k) {
    const double d = std::fabs(options::bsm_greeks({OptionRight::kPut, 500.0, static_cast<double>(k), t, 0, 0, kSigma}).delta);
    if (std::fabs(d - 0.10) < best) {
      best = std::fabs(d - 0.10);
      want = k;
    }
  }
  const OptionChain::Strike* s = a.by_delta(OptionRight::kPut, 0.10);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->strike, Price::from_dollars(want));
  const OptionChain::Strike* c = a.by_delta(OptionRight::kCall, 0.30);
  ASSERT_NE(c, nullptr);
  EXPECT_GT(c->strike, 500_usd);
}

TEST_F(ChainAnalyticsTest, shouldComputeTheDayVarianceIndexNearTheFlatVolatility) {
  ChainAnalytics a("SPY", 20260821, spy_, kSettle);
  a.update(market_, reg_, kNow);
  const DayVarianceIndex v = a.day_variance_index();
  ASSERT_TRUE(v.ok) << to_string(v.detail.status);
  // A +-4% strike range at 6 hours covers many standard deviations: the swap rate is the flat vol
  // up to the quote rounding and strike discreteness.
  EXPECT_NEAR(v.value, 100.0 * kSigma, 1.0);
}

TEST_F(ChainAnalyticsTest, shouldReportNotReadyWithoutAnUnderlyingPrice) {
  MarketState empty(256);
  ChainAnalytics a("SPY", 20260821, spy_, kSettle);
  a.update(empty, reg_, kNow);
  EXPECT_FALSE(a.ready());
  EXPECT_EQ(a.atm(), nullptr);
  EXPECT_EQ(a.atm_iv(), 0.0);
  EXPECT_FALSE(a.day_variance_index().ok);
}

TEST_F(ChainAnalyticsTest, shouldFindTheBusiestSamplingIntervalOfTheChain) {
  ChainAnalytics a("SPY", 20260821, spy_, kSettle);
  a.update(market_, reg_, kNow);
  const InstrumentId c500 = reg_.find("O:SPY260821C00500000");
  const InstrumentId p495 = reg_.find("O:SPY260821P00495000");
  a.sample_volume(market_, 600);
  market_.apply(MarketEvent::make_trade(c500, StreamId::kOptions, kNow + 10 * kSec, 0, 1_usd, 30));
  a.sample_volume(market_, 601);
  market_.apply(MarketEvent::make_trade(p495, StreamId::kOptions, kNow + 70 * kSec, 0, 1_usd, 80));
  market_.apply(MarketEvent::make_trade(c500, StreamId::kOptions, kNow + 80 * kSec, 0, 1_usd, 5));
  a.sample_volume(market_, 601);  // same minute: ignored
  a.sample_volume(market_, 602);
  market_.apply(MarketEvent::make_trade(c500, StreamId::kOptions, kNow + 130 * kSec, 0, 1_usd, 10));
  a.sample_volume(market_, 603);
  EXPECT_EQ(a.chain_volume_peak().minute, 601);
  EXPECT_EQ(a.chain_volume_peak().volume, 85u);
  EXPECT_EQ(a.strike_volume(market_, 500_usd), 45u);
  EXPECT_EQ(a.chain_day_volume(), 125u);
}

}  // namespace
}  // namespace odte

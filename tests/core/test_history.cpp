#include "odte/core/market/history.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace odte {
namespace {

using namespace price_literals;

SessionHistory sample() {
  SessionHistory h;
  h.trading_day = 20190213;
  SeriesHistory& vix = h.series("I:VIX");
  vix.source = "recording";
  vix.daily = {{20190212, 15.43_usd}, {20190208, 15.72_usd}, {20190211, 15.97_usd}, {20190213, 16.22_usd}};
  SeriesHistory& spy = h.series("SPY");
  spy.source = "rest";
  spy.minutes = {{1'549'981'860'000'000'000, 270.62_usd}, {1'549'981'800'000'000'000, 270.5_usd}};
  h.normalize();
  return h;
}

TEST(SessionHistoryTest, shouldKeepOnlyDaysBeforeTheSessionInOrder) {
  const SessionHistory h = sample();
  const SeriesHistory* vix = h.find("I:VIX");
  ASSERT_NE(vix, nullptr);
  ASSERT_EQ(vix->daily.size(), 3u);  // 20190213 is the session itself: dropped
  EXPECT_EQ(vix->daily[0].day, 20190208);
  EXPECT_EQ(vix->daily[2].day, 20190212);
  ASSERT_NE(h.prior_close("I:VIX"), nullptr);
  EXPECT_EQ(h.prior_close("I:VIX")->close, 15.43_usd);
  EXPECT_EQ(h.prior_close("I:VIX1D"), nullptr);
  EXPECT_EQ(h.find("SPY")->minutes.front().close, 270.5_usd);
}

TEST(SessionHistoryTest, shouldRoundTripItsTextByteForByte) {
  const SessionHistory h = sample();
  const std::string text = h.to_text();
  EXPECT_EQ(text.substr(0, 32), "history 20190213\nseries I:VIX re");
  SessionHistory back;
  ASSERT_EQ(SessionHistory::parse(text, back), "");
  EXPECT_EQ(back.to_text(), text);
  EXPECT_EQ(back.trading_day, 20190213);
  EXPECT_EQ(back.find("SPY")->minutes.size(), 2u);
}

TEST(SessionHistoryTest, shouldNameTheLineOfABadRecord) {
  SessionHistory h;
  EXPECT_EQ(SessionHistory::parse("history 20190213\nseries I:VIX x\ndaily 20190212 -1\n", h),
            "history line 3: close must be a positive decimal");
  EXPECT_EQ(SessionHistory::parse("history 20190213\ndaily 20190212 15\n", h), "history line 2: a value before any series line");
  EXPECT_EQ(SessionHistory::parse("history 20190213\nseries I:VIX x\ndaily 20190213 15\n", h),
            "history line 3: a daily close from the session itself or later");
  EXPECT_EQ(SessionHistory::parse("history 20190213\nseries I:VIX x\ndaily 20190212 15\ndaily 20190211 15\n", h),
            "history line 4: days must ascend");
  EXPECT_EQ(SessionHistory::parse("hist 1\n", h), "history line 1: expected \"history <yyyymmdd>\"");
}

// pandas' pct_change().std(): sample standard deviation of 100 x (c[i]/c[i-1] - 1), here by hand.
TEST(SessionHistoryTest, shouldTakeTheSampleSigmaOfDailyPercentChangesFromTheFirstDayInRange) {
  const std::vector<DailyClose> d = {{20190101, 100_usd}, {20190102, 10_usd}, {20190103, 11_usd},
                                     {20190104, 9.9_usd}, {20190107, 10.89_usd}};
  // From 20190102: changes +10%, -10%, +10%: mean 10/3, sample variance ((20/3)^2 x 2 + (40/3)^2) / 2.
  const double mean = 10.0 / 3.0;
  const double var = ((10 - mean) * (10 - mean) * 2 + (-10 - mean) * (-10 - mean)) / 2.0;
  EXPECT_NEAR(daily_change_stdev(d, 20190102), std::sqrt(var), 1e-9);
  EXPECT_LT(daily_change_stdev(d, 20190104), 0.0);  // one change: no sigma
}

TEST(HistoryRequestTest, shouldListEachSeriesOnce) {
  HistoryRequest r;
  EXPECT_TRUE(r.empty());
  r.add_minutes("SPY");
  r.add_minutes("SPY");
  r.add_daily("I:VIX");
  EXPECT_EQ(r.minutes.size(), 1u);
  EXPECT_TRUE(r.wants("I:VIX"));
  EXPECT_FALSE(r.wants("I:VVIX"));
}

}  // namespace
}  // namespace odte

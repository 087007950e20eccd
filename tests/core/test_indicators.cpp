#include "odte/core/market/indicators.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace odte {
namespace {

TEST(EmaTest, shouldSeedWithFirstValueAndSmoothWithTwoOverNPlusOne) {
  Ema ema(3);  // alpha = 0.5
  EXPECT_DOUBLE_EQ(ema.update(10.0), 10.0);
  EXPECT_DOUBLE_EQ(ema.update(20.0), 15.0);
  EXPECT_DOUBLE_EQ(ema.update(20.0), 17.5);
  EXPECT_DOUBLE_EQ(ema.previous(), 15.0);
  EXPECT_DOUBLE_EQ(Ema(30).alpha(), 2.0 / 31.0);
}

TEST(RegimeTest, shouldFollowPriceVersusEma) {
  Regime r(3, RegimeRule::kPriceVsEma, 2);
  EXPECT_EQ(r.update(10.0), 0);  // warming up
  EXPECT_EQ(r.update(12.0), 1);  // 12 > ema 11
  EXPECT_EQ(r.update(10.0), -1); // 10 < ema 10.5
}

TEST(RegimeTest, shouldFollowEmaSlope) {
  Regime r(3, RegimeRule::kEmaSlope, 2);
  r.update(10.0);
  EXPECT_EQ(r.update(12.0), 1);   // ema 10 -> 11
  EXPECT_EQ(r.update(11.5), 1);   // ema 11 -> 11.25: still rising although price < ema
  EXPECT_EQ(r.update(9.0), -1);   // ema 11.25 -> 10.125
}

TEST(RollingStatsTest, shouldMatchANaiveComputationOverTheWindow) {
  RollingStats<30> s;
  std::mt19937 rng(7);
  std::normal_distribution<double> d(20.0, 3.0);
  std::vector<double> all;
  for (int i = 0; i < 500; ++i) {
    const double x = d(rng);
    s.push(x);
    all.push_back(x);
    const std::size_t n = std::min<std::size_t>(all.size(), 30);
    const double mean = std::accumulate(all.end() - static_cast<long>(n), all.end(), 0.0) / static_cast<double>(n);
    double ss = 0;
    for (auto it = all.end() - static_cast<long>(n); it != all.end(); ++it) ss += (*it - mean) * (*it - mean);
    ASSERT_NEAR(s.mean(), mean, 1e-9);
    if (n >= 2) {
      ASSERT_NEAR(s.stddev(), std::sqrt(ss / static_cast<double>(n - 1)), 1e-9);
    }
  }
}

TEST(SpikeDetectorTest, shouldFlagAChangeFarOutsideItsBaseline) {
  SpikeDetector<5> det(3.0, 0.0);
  // IV drifting by +-0.001 a minute, then jumping 0.02.
  const double series[] = {0.150, 0.151, 0.150, 0.151, 0.150, 0.151, 0.150};
  for (const double x : series) EXPECT_FALSE(det.update(x).spike);
  const auto r = det.update(0.170);
  EXPECT_TRUE(r.ready);
  EXPECT_NEAR(r.change, 0.020, 1e-12);
  EXPECT_NEAR(r.pct, 0.020 / 0.150, 1e-12);
  EXPECT_GT(r.z, 3.0);
  EXPECT_TRUE(r.spike);
}

TEST(SpikeDetectorTest, shouldFlagOnPercentChangeAlone) {
  SpikeDetector<3> det(0.0, 0.10);
  for (const double x : {0.20, 0.20, 0.20, 0.20}) EXPECT_FALSE(det.update(x).spike);
  EXPECT_TRUE(det.update(0.23).spike);  // +15%
}

// A near-constant series (ATM IV at 14% whose rounding moves it by 0.0004 now and then): the
// baseline's stddev is tiny, so the z-score alone flags the next 0.0004 wiggle; a floor on the
// rise (0.01, one vol point) does not, and still flags a real rise of three points.
TEST(SpikeDetectorTest, shouldNotFlagTheNoiseOfAFlatSeriesUnderTheMinimumRise) {
  SpikeDetector<30> z_only(2.0, 0.10);
  SpikeDetector<30> floored(2.0, 0.10, 0.01);
  bool z_only_fired = false;
  for (int i = 0; i < 60; ++i) {
    const double x = (i % 13 == 12) ? 0.1404 : 0.1400;
    const auto a = z_only.update(x);
    const auto b = floored.update(x);
    z_only_fired = z_only_fired || a.spike;
    EXPECT_FALSE(b.spike) << "sample " << i << " z " << b.z;
  }
  EXPECT_TRUE(z_only_fired);
  const auto r = floored.update(0.1700);
  EXPECT_NEAR(r.change, 0.03, 1e-12);
  EXPECT_TRUE(r.spike);
}

// Seed 002: 3-period MA of VIX, trigger at 2 standard deviations of the previous 30 changes.
TEST(MaChangeTriggerTest, shouldFireWhenTheMovingAverageJumpsBeyondTwoSigma) {
  MaChangeTrigger<3, 30> trig(2.0);
  double vix = 15.0;
  bool fired_early = false;
  for (int i = 0; i < 40; ++i) {
    vix += (i % 2 == 0) ? 0.1 : -0.1;  // calm: MA changes of +-0.033
    fired_early |= trig.update(vix).fired;
  }
  EXPECT_FALSE(fired_early);
  const auto r = trig.update(vix + 3.0);  // MA jumps by ~1.0
  EXPECT_TRUE(r.ready);
  EXPECT_NEAR(r.change, (3.0 + (vix - 0.1) - (vix - 0.1)) / 3.0 + 0.0, 0.1);
  EXPECT_TRUE(r.fired);
  EXPECT_GT(std::fabs(r.change), r.threshold);
}

TEST(MaChangeTriggerTest, shouldStayQuietUntilTheBaselineIsFull) {
  MaChangeTrigger<3, 30> trig(2.0);
  // Updates 1-3 fill the first MA, 4-33 make the 30 baseline changes; the 34th is the first judged.
  for (int i = 0; i < 33; ++i) EXPECT_FALSE(trig.update(i * 10.0).ready) << i;
  EXPECT_TRUE(trig.update(330.0).ready);
}

}  // namespace
}  // namespace odte

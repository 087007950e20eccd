#include "odte/core/base/clock.hpp"

#include <gtest/gtest.h>

namespace odte {
namespace {

TEST(ClockTest, shouldReportWallClockAsUnixNanoseconds) {
  const TimestampNs now = WallClock{}.now_ns();
  EXPECT_GT(now, 1'600'000'000'000'000'000);  // after 2020-09-13
  EXPECT_LT(now, 4'102'444'800'000'000'000);  // before 2100-01-01
}

TEST(ClockTest, shouldKeepMonotonicClockNonDecreasing) {
  MonotonicClock c;
  TimestampNs prev = c.now_ns();
  for (int i = 0; i < 1000; ++i) {
    const TimestampNs t = c.now_ns();
    EXPECT_GE(t, prev);
    prev = t;
  }
}

TEST(ReplayClockTest, shouldAdvanceOnlyForward) {
  ReplayClock c(100);
  EXPECT_EQ(c.now_ns(), 100);
  EXPECT_TRUE(c.advance_to(250));
  EXPECT_EQ(c.now_ns(), 250);
  EXPECT_TRUE(c.advance_to(250));
  EXPECT_FALSE(c.advance_to(200));
  EXPECT_EQ(c.now_ns(), 250);
}

template <Clock C>
TimestampNs read_through_concept(const C& c) {
  return c.now_ns();
}

TEST(ReplayClockTest, shouldServeCodeWrittenAgainstTheClockConcept) {
  ReplayClock c(42);
  EXPECT_EQ(read_through_concept(c), 42);
}

}  // namespace
}  // namespace odte

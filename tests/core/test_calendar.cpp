#include "odte/core/options/calendar.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace odte::options {
namespace {

struct PublishedYear {
  int year;
  std::vector<std::int32_t> holidays;
  std::vector<std::int32_t> early_closes;
};

// NYSE's published holiday and early-close calendars (nyse.com/markets/hours-calendars and the
// archived annual notices).
const std::vector<PublishedYear>& published() {
  static const std::vector<PublishedYear> years{
      {2015,
       {20150101, 20150119, 20150216, 20150403, 20150525, 20150703, 20150907, 20151126, 20151225},
       {20151127, 20151224}},
      {2018,
       {20180101, 20180115, 20180219, 20180330, 20180528, 20180704, 20180903, 20181122, 20181205,
        20181225},
       {20180703, 20181123, 20181224}},
      {2019,
       {20190101, 20190121, 20190218, 20190419, 20190527, 20190704, 20190902, 20191128, 20191225},
       {20190703, 20191129, 20191224}},
      {2020,
       {20200101, 20200120, 20200217, 20200410, 20200525, 20200703, 20200907, 20201126, 20201225},
       {20201127, 20201224}},
      {2021,
       {20210101, 20210118, 20210215, 20210402, 20210531, 20210705, 20210906, 20211125, 20211224},
       {20211126}},
      {2022,
       {20220117, 20220221, 20220415, 20220530, 20220620, 20220704, 20220905, 20221124, 20221226},
       {20221125}},
      {2023,
       {20230102, 20230116, 20230220, 20230407, 20230529, 20230619, 20230704, 20230904, 20231123,
        20231225},
       {20230703, 20231124}},
      {2024,
       {20240101, 20240115, 20240219, 20240329, 20240527, 20240619, 20240704, 20240902, 20241128,
        20241225},
       {20240703, 20241129, 20241224}},
      {2025,
       {20250101, 20250109, 20250120, 20250217, 20250418, 20250526, 20250619, 20250704, 20250901,
        20251127, 20251225},
       {20250703, 20251128, 20251224}},
      {2026,
       {20260101, 20260119, 20260216, 20260403, 20260525, 20260619, 20260703, 20260907, 20261126,
        20261225},
       {20261127, 20261224}},
      {2027,
       {20270101, 20270118, 20270215, 20270326, 20270531, 20270618, 20270705, 20270906, 20271125,
        20271224},
       {20271126}},
  };
  return years;
}

class CalendarYearTest : public ::testing::TestWithParam<PublishedYear> {};

TEST_P(CalendarYearTest, shouldMatchThePublishedNyseCalendar) {
  const PublishedYear& py = GetParam();
  std::vector<std::int32_t> holidays;
  std::vector<std::int32_t> early;
  int open_days = 0;
  for (std::int32_t d = py.year * 10000 + 101; d <= py.year * 10000 + 1231; d = add_days(d, 1)) {
    const DayRule r = classify(d);
    if (r.status == DayStatus::kHoliday) holidays.push_back(d);
    if (r.status == DayStatus::kEarlyClose) early.push_back(d);
    if (r.open()) ++open_days;
    if (r.status == DayStatus::kHoliday || r.status == DayStatus::kEarlyClose) {
      EXPECT_FALSE(r.name.empty()) << d;
    }
  }
  EXPECT_EQ(holidays, py.holidays);
  EXPECT_EQ(early, py.early_closes);
  EXPECT_GE(open_days, 250);
  EXPECT_LE(open_days, 253);
}

INSTANTIATE_TEST_SUITE_P(Published, CalendarYearTest, ::testing::ValuesIn(published()),
                         [](const auto& param_info) { return std::to_string(param_info.param.year); });

TEST(CalendarTest, shouldComputeEasterByComputus) {
  EXPECT_EQ(easter_sunday(2019), 20190421);
  EXPECT_EQ(easter_sunday(2024), 20240331);
  EXPECT_EQ(easter_sunday(2025), 20250420);
  EXPECT_EQ(easter_sunday(2038), 20380425);  // the latest possible
  EXPECT_EQ(easter_sunday(2285), 22850322);  // the earliest possible
}

TEST(CalendarTest, shouldHaveEveryYearInRangeWellFormed) {
  for (int y = kFirstYear; y <= kLastYear; ++y) {
    int holidays = 0;
    for (std::int32_t d = y * 10000 + 101; d <= y * 10000 + 1231; d = add_days(d, 1)) {
      if (classify(d).status == DayStatus::kHoliday) ++holidays;
    }
    EXPECT_GE(holidays, 8) << y;
    EXPECT_LE(holidays, 11) << y;
  }
}

TEST(CalendarTest, shouldRefuseDatesOutsideTheRuleRange) {
  EXPECT_EQ(classify(20140102).status, DayStatus::kOutOfRange);
  EXPECT_EQ(classify(20310102).status, DayStatus::kOutOfRange);
  EXPECT_EQ(classify(20240230).status, DayStatus::kInvalidDate);
  EXPECT_EQ(classify(0).status, DayStatus::kInvalidDate);
  EXPECT_EQ(next_trading_day(20301231), 0);
}

TEST(CalendarTest, shouldPlaceTheSessionInUtcAcrossDaylightSaving) {
  const SessionDay est = session(20240308);  // Friday before the March DST change
  const SessionDay edt = session(20240311);
  EXPECT_EQ(est.utc_offset_minutes, -300);
  EXPECT_EQ(edt.utc_offset_minutes, -240);
  EXPECT_EQ(est.open_ns, 1709908200LL * 1'000'000'000);   // 2024-03-08T14:30:00Z
  EXPECT_EQ(est.close_ns, 1709931600LL * 1'000'000'000);  // 21:00Z
  EXPECT_EQ(edt.open_ns, 1710163800LL * 1'000'000'000);   // 2024-03-11T13:30:00Z
  const SessionDay fall = session(20241104);               // Monday after the November change
  EXPECT_EQ(fall.utc_offset_minutes, -300);
}

TEST(CalendarTest, shouldCloseAtOnePmOnEarlyCloseDays) {
  const SessionDay s = session(20241129);
  EXPECT_EQ(s.rule.status, DayStatus::kEarlyClose);
  EXPECT_EQ(s.close_ns - s.open_ns, 210LL * 60 * 1'000'000'000);
  EXPECT_EQ(s.close_ns, 1732903200LL * 1'000'000'000);  // 2024-11-29T18:00:00Z
  const SessionDay closed = session(20241128);
  EXPECT_EQ(closed.open_ns, 0);
  EXPECT_EQ(closed.rule.name, "Thanksgiving Day");
}

TEST(CalendarTest, shouldFindTheNewYorkDateOfATimestamp) {
  EXPECT_EQ(new_york_date(1719802800LL * 1'000'000'000), 20240630);  // 2024-07-01T03:00:00Z
  EXPECT_EQ(new_york_date(1719817200LL * 1'000'000'000), 20240701);  // 07:00Z
}

TEST(CalendarTest, shouldStepOverWeekendsAndHolidays) {
  EXPECT_EQ(next_trading_day(20240328), 20240401);  // over Good Friday and the weekend
  EXPECT_EQ(previous_trading_day(20240102), 20231229);
}

TEST(CalendarTest, shouldRollTheMonthlySpxExpiryToThursdayOnAFridayHoliday) {
  EXPECT_EQ(monthly_expiry(2024, 3), 20240315);
  EXPECT_EQ(monthly_expiry(2022, 4), 20220414);  // Good Friday 2022-04-15
  EXPECT_EQ(monthly_expiry(2025, 4), 20250417);  // Good Friday 2025-04-18
  EXPECT_EQ(monthly_expiry(2026, 6), 20260618);  // Juneteenth on the third Friday
}

struct ExpiryCase {
  std::int32_t date;
  bool spx, spxw, spy;
};
class ExpiryListingTest : public ::testing::TestWithParam<ExpiryCase> {};

TEST_P(ExpiryListingTest, shouldListTheExpiriesOfTheDay) {
  const ExpiryCase& c = GetParam();
  EXPECT_EQ(has_expiry("SPX", c.date), c.spx) << c.date;
  EXPECT_EQ(has_expiry("SPXW", c.date), c.spxw) << c.date;
  EXPECT_EQ(has_expiry("SPY", c.date), c.spy) << c.date;
}

INSTANTIATE_TEST_SUITE_P(
    Days, ExpiryListingTest,
    ::testing::Values(ExpiryCase{20240315, true, true, true},     // third Friday
                      ExpiryCase{20240312, false, true, true},    // Tuesday, 2024
                      ExpiryCase{20220412, false, false, false},  // Tuesday before SPXW Tuesdays
                      ExpiryCase{20220419, false, true, false},   // first SPXW Tuesday
                      ExpiryCase{20221108, false, true, false},   // Tuesday before SPY Tuesdays
                      ExpiryCase{20221115, false, true, true},    // first SPY Tuesday
                      ExpiryCase{20220414, true, true, true},     // Thursday, Good Friday roll
                      ExpiryCase{20190418, true, true, true},     // Good Friday 2019 was the third Friday
                      ExpiryCase{20190131, false, true, false},   // Thursday month end: SPXW EOM
                      ExpiryCase{20200409, false, true, true},    // weekly rolled from Good Friday
                      ExpiryCase{20160224, false, false, false},  // Wednesday before SPXW Wednesdays
                      ExpiryCase{20160302, false, true, false},   // first SPXW Wednesday (Cboe, listed 2016-02-23)
                      ExpiryCase{20160822, false, true, true},    // first SPXW Monday (Cboe, listed 2016-08-15)
                      ExpiryCase{20240316, false, false, false},  // Saturday
                      ExpiryCase{20241225, false, false, false}   // holiday
                      ));

TEST(CalendarTest, shouldDescribeZeroDteSettlementTimes) {
  std::array<Expiry, 4> out{};
  const std::size_t n = expiries_on(20240315, out);
  ASSERT_EQ(n, 3u);
  const SessionDay s = session(20240315);
  EXPECT_EQ(out[0].root, "SPX");
  EXPECT_EQ(out[0].settlement, Settlement::kAmOpen);
  EXPECT_EQ(out[0].settle_ns, s.open_ns);
  EXPECT_EQ(out[0].last_trade_date, 20240314);
  EXPECT_EQ(out[1].root, "SPXW");
  EXPECT_EQ(out[1].settle_ns, s.close_ns);
  EXPECT_EQ(out[2].root, "SPY");
  EXPECT_TRUE(out[2].monthly);
  EXPECT_EQ(expiries_on(20240316, out), 0u);
}

TEST(CalendarTest, shouldMeasureYearFractionsInMinutes) {
  constexpr std::int64_t kMinute = 60'000'000'000;
  EXPECT_DOUBLE_EQ(year_fraction(0, kMinute), 1.0 / 525'600.0);
  EXPECT_DOUBLE_EQ(year_fraction(0, 390 * kMinute), 390.0 / 525'600.0);
  EXPECT_LT(year_fraction(kMinute, 0), 0.0);
}

}  // namespace
}  // namespace odte::options

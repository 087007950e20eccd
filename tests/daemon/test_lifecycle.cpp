#include "odte/daemon/lifecycle.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "odte/core/options/calendar.hpp"
#include "odte/daemon/config.hpp"

namespace odte::daemon {
namespace {

constexpr std::int64_t kMin = 60'000'000'000LL;

TimestampNs ny(std::int32_t day, int hh, int mm) { return options::local_to_utc_ns(day, hh * 60 + mm); }

TEST(LifecyclePlanTest, shouldConnectThirtyMinutesBeforeTheOpenAndEndTenMinutesAfterTheClose) {
  const SessionConfig s;
  const DayPlan p = plan_day(20260720, s);
  EXPECT_EQ(p.day, 20260720);
  EXPECT_EQ(p.open_ns, ny(20260720, 9, 30));
  EXPECT_EQ(p.connect_ns, ny(20260720, 9, 0));
  EXPECT_EQ(p.close_ns, ny(20260720, 16, 0));
  EXPECT_EQ(p.end_ns, ny(20260720, 16, 10));
  EXPECT_FALSE(p.early_close);
}

TEST(LifecyclePlanTest, shouldIdleOverTheWeekendUntilMonday) {
  const SessionConfig s;
  // Friday 2026-07-24 after the day's end, Saturday and Sunday: Monday 2026-07-27 is next.
  for (const TimestampNs now : {ny(20260724, 16, 10), ny(20260725, 12, 0), ny(20260726, 23, 59)}) {
    const DayPlan p = next_day_plan(now, s);
    EXPECT_EQ(p.day, 20260727) << new_york_text(now);
    EXPECT_LT(now, p.connect_ns);
  }
  // Friday before its end is still Friday's day.
  EXPECT_EQ(next_day_plan(ny(20260724, 16, 9), s).day, 20260724);
}

TEST(LifecyclePlanTest, shouldSkipHolidaysAndOvernight) {
  const SessionConfig s;
  // Overnight Monday -> Tuesday; Thanksgiving 2026-11-26 is closed: Wednesday evening -> Friday.
  EXPECT_EQ(next_day_plan(ny(20260720, 20, 0), s).day, 20260721);
  EXPECT_EQ(next_day_plan(ny(20261125, 18, 0), s).day, 20261127);
  // A day already closed (the feed ended before the day's end) is not planned again.
  EXPECT_EQ(next_day_plan(ny(20260720, 15, 58), s, 20260720).day, 20260721);
}

TEST(LifecyclePlanTest, shouldFollowTheOneOClockCloseOfAHalfDay) {
  SessionConfig s;
  s.close_after_ns = 5 * kMin;
  const DayPlan p = plan_day(20261127, s);  // the day after Thanksgiving
  EXPECT_TRUE(p.early_close);
  EXPECT_EQ(p.close_ns, ny(20261127, 13, 0));
  EXPECT_EQ(p.end_ns, ny(20261127, 13, 5));
  EXPECT_EQ(new_york_text(p.end_ns), "2026-11-27 13:05");
  EXPECT_EQ(next_day_plan(ny(20261127, 13, 6), s).day, 20261130);
}

TEST(LifecycleTextTest, shouldParseAndPrintNewYorkTime) {
  TimestampNs t = 0;
  ASSERT_TRUE(parse_new_york_time("2026-07-20 09:05", t));
  EXPECT_EQ(t, ny(20260720, 9, 5));
  ASSERT_TRUE(parse_new_york_time("2026-07-20T09:05:30\n", t));
  EXPECT_EQ(t, ny(20260720, 9, 5) + 30'000'000'000LL);
  EXPECT_EQ(new_york_text(t), "2026-07-20 09:05");
  EXPECT_FALSE(parse_new_york_time("2026-07-20", t));
  EXPECT_FALSE(parse_new_york_time("2026-07-20 25:00", t));
  EXPECT_FALSE(parse_new_york_time("2026-07-20 09:05 extra", t));
  EXPECT_EQ(iso_day(20260720), "2026-07-20");
}

class LifecycleClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("odte-clock-" + std::to_string(::getpid()));
    session_.clock = SessionClock::kFile;
    session_.clock_file = path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void write(const std::string& text) { std::ofstream(path_) << text; }
  std::filesystem::path path_;
  SessionConfig session_;
};

TEST_F(LifecycleClockTest, shouldFollowTheFileAndTheFeedAndNeverGoBack) {
  LifecycleClock clock(session_);
  EXPECT_NE(clock.check(), "");  // no file yet: named
  write("2026-07-20 09:05");
  ASSERT_EQ(clock.check(), "");
  EXPECT_EQ(clock.now(), ny(20260720, 9, 5));
  clock.observe_feed(ny(20260720, 9, 40));  // the feed runs ahead: the clock follows it
  EXPECT_EQ(clock.now(), ny(20260720, 9, 40));
  write("2026-07-19 12:00");                  // a file set back does not move the clock back
  usleep(60'000);
  EXPECT_EQ(clock.now(), ny(20260720, 9, 40));
  write("2026-07-22 09:05");
  usleep(60'000);
  EXPECT_EQ(clock.now(), ny(20260722, 9, 5));
  EXPECT_TRUE(clock.is_test_clock());
}

TEST(LifecycleConfigTest, shouldReadTheSessionTableAndTheJournalDirectory) {
  const Config c = parse_config(R"(
mode = "paper-live"
journal_dir = "/var/lib/odte/journal"
[feed]
api_key_file = "key"
[session]
connect_before_open = "45m"
close_after = "90s"
)", "s.toml");
  EXPECT_EQ(c.journal_dir, "/var/lib/odte/journal");
  EXPECT_EQ(c.session.connect_before_open_ns, 45 * kMin);
  EXPECT_EQ(c.session.close_after_ns, 90'000'000'000LL);
  EXPECT_EQ(c.session.clock, SessionClock::kSystem);
  EXPECT_NE(describe(c).find("connect_before_open = '45m'"), std::string::npos) << describe(c);
  EXPECT_EQ(day_journal_path(c, 20260720), "/var/lib/odte/journal/2026-07-20.odj");
  EXPECT_EQ(day_output_dir(c, 20260720), "/var/lib/odte/journal/2026-07-20");
}

TEST(LifecycleConfigTest, shouldRefuseTheTestClockWhereItCouldDriveARealBroker) {
  const std::string fix = R"(
mode = "live"
journal_dir = "/tmp/j"
[feed]
api_key_file = "key"
[broker]
kind = "fix"
[broker.fix]
host = "h"
port = 1
sender_comp_id = "a"
target_comp_id = "b"
store_dir = "/tmp/s"
[session]
clock = "file"
clock_file = "/tmp/clock"
[[strategy]]
name = "iv_spike_butterfly"
)";
  try {
    (void)parse_config(fix, "live.toml");
    FAIL() << "a test clock in mode live was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("session.clock: \"file\" is a test clock"), std::string::npos) << e.what();
  }
}

TEST(LifecycleConfigTest, shouldRefuseBadDurationsAndBothJournalKinds) {
  try {
    (void)parse_config("mode = \"paper-live\"\njournal = \"a.odj\"\njournal_dir = \"d\"\n[feed]\napi_key_file = \"k\"\n"
                       "[session]\nconnect_before_open = \"30 minutes\"\n", "bad.toml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("session.connect_before_open: must be a duration like"), std::string::npos) << what;
    EXPECT_NE(what.find("journal_dir: set either journal"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace odte::daemon

// A replayed day through the real engine and paper broker, then its report: the report agrees
// with the engine's own book, and two runs give byte-identical report files.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "odte/reports/report.hpp"
#include "odte/strategies/factory.hpp"
#include "synthetic_day.hpp"

namespace odte::reports {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Replayed {
  bool ok = false;
  std::string error;
  PnlTotals totals{};
  std::uint64_t rejected = 0;
};

Replayed replay_synthetic_day(const std::string& journal) {
  InstrumentRegistry registry(4096);
  odte::testing_day::SyntheticDay day(registry, 20260821);
  std::vector<std::unique_ptr<Strategy>> s;
  s.push_back(strategies::make_strategy("regime", "quantity = 1\n", 0, "test"));
  s.push_back(strategies::make_strategy(
      "iron_condor", "short_otm = 0.006\nlong_otm = 0.012\nentry_time = \"09:45\"\nprice_slack = 0.10\n", 1, "test"));
  daemon::ReplaySetup setup;
  setup.engine.orders.trading_day = 20260821;
  setup.engine.utc_offset_minutes = -240;
  setup.engine.stale_after_ns = 10LL * 60 * 1'000'000'000;
  setup.journal_path = journal;
  Replayed out;
  setup.on_finish = [&](const Engine& engine, const daemon::ReplayOutcome&) {
    out.totals = engine.book().totals();
    out.rejected = engine.stats().rejected;
  };
  const auto r = daemon::run_replay(setup, registry, std::move(s), day);
  out.ok = r.ok;
  out.error = r.error;
  return out;
}

class ReportReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("odte-report-replay-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(ReportReplayTest, shouldAgreeWithTheEnginesBookOnAReplayedDay) {
  const std::string journal = (dir_ / "day.odj").string();
  const Replayed r = replay_synthetic_day(journal);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.totals.open_positions, 0u);  // the day ends flat (time exits)
  std::string error;
  ReportOptions o;
  o.strategy_names = {"regime", "iron_condor"};
  const auto run = load_run({journal}, o, error);
  ASSERT_TRUE(run.has_value()) << error;
  EXPECT_GE(run->stats.trades, 2u);  // the condor at 09:45 and the regime trade at 10:00
  EXPECT_EQ(run->stats.closed_trades, run->stats.trades);
  EXPECT_NEAR(run->stats.net_pnl, r.totals.net().to_double(), 1e-6);
  EXPECT_NEAR(run->stats.fees, r.totals.fees.to_double(), 1e-6);
  EXPECT_EQ(run->stats.rejections, r.rejected);
  double trades_pnl = 0.0;
  double legs_pnl = 0.0;
  for (const Trade& t : run->trades) {
    trades_pnl += t.pnl;
    for (const LegResult& l : t.legs) legs_pnl += l.pnl;
    EXPECT_FALSE(t.open_reason.empty()) << "trade " << t.number;
  }
  EXPECT_NEAR(trades_pnl, r.totals.net().to_double(), 1e-6);
  EXPECT_NEAR(legs_pnl, trades_pnl, 1e-6);
  EXPECT_GT(run->curve.size(), 60u);  // a mark a minute while it traded
  EXPECT_NEAR(run->curve.back().pnl, run->stats.net_pnl, 1e-9);
  EXPECT_GT(run->stats.exposure, 0.0);
  EXPECT_LT(run->stats.exposure, 1.0);
  EXPECT_TRUE(run->warnings.empty()) << run->warnings.front();
}

TEST_F(ReportReplayTest, shouldWriteByteIdenticalReportsForTheSameReplay) {
  const std::string ja = (dir_ / "a" / "day.odj").string();
  const std::string jb = (dir_ / "b" / "day.odj").string();
  fs::create_directories(dir_ / "a");
  fs::create_directories(dir_ / "b");
  ASSERT_TRUE(replay_synthetic_day(ja).ok);
  ASSERT_TRUE(replay_synthetic_day(jb).ok);
  ASSERT_EQ(write_report({ja}, (dir_ / "ra").string()), "");
  ASSERT_EQ(write_report({jb}, (dir_ / "rb").string()), "");
  for (const char* f : {"summary.json", "trades.csv", "legs.csv", "fills.csv", "daily.csv", "equity.csv", "report.html"}) {
    const std::string a = slurp(dir_ / "ra" / f);
    EXPECT_FALSE(a.empty()) << f;
    EXPECT_EQ(a, slurp(dir_ / "rb" / f)) << f;
  }
}

}  // namespace
}  // namespace odte::reports

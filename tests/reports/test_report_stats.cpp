// The report's numbers against values worked out by hand on the two-day fixture (fixture.hpp).

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fixture.hpp"
#include "odte/reports/report.hpp"

namespace odte::reports {
namespace {

namespace fs = std::filesystem;
using namespace odte::report_fixture;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class ReportStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("odte-report-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "run");
    day1_ = (dir_ / "run" / "day1.odj").string();
    day2_ = (dir_ / "run" / "day2.odj").string();
    ASSERT_TRUE(write_fixture(day1_, day2_));
    std::string error;
    ReportOptions o;
    o.strategy_names = {"call_spread", "short_put"};
    auto r = load_run({day2_, day1_}, o, error);  // out of order on purpose: days sort by date
    ASSERT_TRUE(r.has_value()) << error;
    run_ = std::move(*r);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  fs::path dir_;
  std::string day1_, day2_;
  reports::Run run_;
};

constexpr double kCent = 0.005;

TEST_F(ReportStatsTest, shouldBuildTradesWithLegsFromOrdersAndBookedFills) {
  ASSERT_EQ(run_.trades.size(), 3u);
  const Trade& t1 = run_.trades[0];
  EXPECT_EQ(t1.day, 20260817);
  EXPECT_EQ(t1.strategy, 0);
  EXPECT_EQ(t1.open_reason, "test:call_spread");
  EXPECT_EQ(t1.close_reason, "exit:profit_target");
  EXPECT_TRUE(t1.closed);
  EXPECT_EQ(t1.units, 1u);
  EXPECT_NEAR(t1.entry, 2.00, 1e-9);   // 3.00 - 1.00 debit
  EXPECT_NEAR(t1.exit, 2.50, 1e-9);    // 4.00 - 1.50
  EXPECT_NEAR(t1.pnl, 47.40, kCent);   // 0.50 x 100 - 2.60
  EXPECT_NEAR(t1.fees, 2.60, kCent);
  EXPECT_NEAR(t1.premium_sold, 100.0, kCent);
  ASSERT_EQ(t1.legs.size(), 2u);
  EXPECT_NEAR(t1.legs[0].pnl, 97.40, kCent);  // C500: +1.00 x 100 - 2.60
  EXPECT_NEAR(t1.legs[1].pnl, -50.00, kCent); // C505: -0.50 x 100
  EXPECT_EQ(t1.legs[1].open_side, Side::kSell);
  EXPECT_NEAR(run_.trades[1].pnl, -101.30, kCent);
  EXPECT_NEAR(run_.trades[1].entry, -2.00, 1e-9);  // a credit
  EXPECT_EQ(run_.trades[2].units, 2u);
  EXPECT_NEAR(run_.trades[2].pnl, 197.40, kCent);
  EXPECT_EQ(run_.fills.size(), 8u);
}

TEST_F(ReportStatsTest, shouldComputeDailyPnlAndReturnsOnAccountEquity) {
  ASSERT_EQ(run_.days.size(), 2u);
  EXPECT_EQ(run_.days[0].day, 20260817);
  EXPECT_NEAR(run_.days[0].pnl, -53.90, kCent);
  EXPECT_NEAR(run_.days[1].pnl, 197.40, kCent);
  EXPECT_NEAR(run_.days[0].ret, -0.000539, 1e-12);
  EXPECT_NEAR(run_.days[1].ret, 197.40 / 99'946.10, 1e-12);
  const Stats& s = run_.stats;
  EXPECT_NEAR(s.initial_equity, 100'000.0, 1e-9);
  EXPECT_NEAR(s.net_pnl, 143.50, kCent);
  EXPECT_NEAR(s.final_equity, 100'143.50, kCent);
  EXPECT_NEAR(s.fees, 6.50, kCent);
  EXPECT_NEAR(s.total_return, 0.001435, 1e-9);
  ASSERT_TRUE(s.annualized_return.has_value());
  EXPECT_NEAR(*s.annualized_return, 0.198032218, 1e-6);  // 1.001435^(252/2) - 1
}

// One day raised to the 252nd power is no annual figure: a one-day run has none, in any output.
TEST_F(ReportStatsTest, shouldGiveNoAnnualizedReturnForOneDay) {
  std::string error;
  ReportOptions o;
  auto one = load_run({day2_}, o, error);
  ASSERT_TRUE(one.has_value()) << error;
  ASSERT_EQ(one->stats.days, 1u);
  EXPECT_NEAR(one->stats.total_return, 0.001974, 1e-9);  // it did return something
  EXPECT_FALSE(one->stats.annualized_return.has_value());
  EXPECT_NE(summary_json(*one).find("\"annualized_return\": null"), std::string::npos);
  const std::string html = report_html(*one);
  const std::size_t card = html.find("Annualized return");
  ASSERT_NE(card, std::string::npos);
  EXPECT_EQ(html.substr(card, 80).find("%"), std::string::npos) << html.substr(card, 80);
}

TEST_F(ReportStatsTest, shouldAnnualiseSharpeAndSortinoWithSqrt252) {
  // r = (-0.000539, 0.0019750646); mean 0.0007180323; sample sd 0.0017777951;
  // downside deviation sqrt(0.000539^2 / 2) = 0.0003811336.
  ASSERT_TRUE(run_.stats.sharpe.has_value());
  ASSERT_TRUE(run_.stats.sortino.has_value());
  EXPECT_NEAR(*run_.stats.sharpe, 6.41184199, 1e-6);
  EXPECT_NEAR(*run_.stats.sortino, 29.90683619, 1e-6);
}

TEST_F(ReportStatsTest, shouldMeasureMaxDrawdownAndItsDurationOnTheEquityCurve) {
  // Peak 100,048.70 at day 1 10:01, trough 99,924.80 at day 2 10:01, back above the peak at
  // day 2 14:01: 28 hours later.
  EXPECT_NEAR(run_.stats.max_drawdown, 123.90, kCent);
  EXPECT_NEAR(run_.stats.max_drawdown_pct, 123.90 / 100'048.70, 1e-9);
  EXPECT_NEAR(run_.stats.max_drawdown_duration_s, 28.0 * 3600.0, 1e-6);
  ASSERT_EQ(run_.curve.size(), 10u);  // per day: start, marks, end
  EXPECT_NEAR(run_.curve.back().pnl, 143.50, kCent);
  EXPECT_NEAR(run_.curve[7].drawdown, 123.90, kCent);
}

TEST_F(ReportStatsTest, shouldComputeWinRateProfitFactorAndAverages) {
  const Stats& s = run_.stats;
  EXPECT_EQ(s.trades, 3u);
  EXPECT_EQ(s.closed_trades, 3u);
  EXPECT_EQ(s.wins, 2u);
  EXPECT_EQ(s.losses, 1u);
  EXPECT_NEAR(*s.win_rate, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(*s.profit_factor, 244.80 / 101.30, 1e-9);
  EXPECT_NEAR(*s.average_win, 122.40, kCent);
  EXPECT_NEAR(*s.average_loss, -101.30, kCent);
  EXPECT_NEAR(s.premium_sold, 600.0, kCent);
}

TEST_F(ReportStatsTest, shouldMeasureExposureAsTheFractionOfSessionTimeWithAPosition) {
  // Day 1: 10:00-11:00 and 12:00-13:00; day 2: 10:00-14:00; two sessions of 6.5 hours.
  EXPECT_NEAR(run_.stats.exposure, 6.0 / 13.0, 1e-12);
}

TEST_F(ReportStatsTest, shouldCountRiskRejectionsByReason) {
  EXPECT_EQ(run_.stats.intents, 8u);
  EXPECT_EQ(run_.stats.rejections, 2u);
  EXPECT_EQ(run_.rejections.at("capital_at_risk"), 1u);
  EXPECT_EQ(run_.rejections.at("price_band"), 1u);
}

TEST_F(ReportStatsTest, shouldBreakPnlDownByStrategyRightAndDirection) {
  ASSERT_EQ(run_.by_strategy.size(), 2u);
  EXPECT_EQ(run_.by_strategy[0].label, "call_spread");
  EXPECT_NEAR(run_.by_strategy[0].pnl, 47.40, kCent);
  EXPECT_NEAR(run_.by_strategy[1].pnl, 96.10, kCent);
  ASSERT_EQ(run_.by_right.size(), 2u);
  EXPECT_EQ(run_.by_right[0].label, "call");
  EXPECT_NEAR(run_.by_right[0].pnl, 47.40, kCent);
  EXPECT_NEAR(run_.by_right[1].pnl, 96.10, kCent);
  ASSERT_EQ(run_.by_direction.size(), 2u);
  EXPECT_EQ(run_.by_direction[0].label, "short legs");
  EXPECT_NEAR(run_.by_direction[0].pnl, 46.10, kCent);  // -50 - 101.30 + 197.40
  EXPECT_NEAR(run_.by_direction[1].pnl, 97.40, kCent);
  ASSERT_EQ(run_.by_leg.size(), 4u);
  ASSERT_EQ(run_.by_month.size(), 1u);
  EXPECT_EQ(run_.by_month[0].label, "2026-08");
  EXPECT_NEAR(run_.by_month[0].pnl, 143.50, kCent);
  ASSERT_EQ(run_.by_year.size(), 1u);
  EXPECT_EQ(run_.by_year[0].label, "2026");
}

TEST_F(ReportStatsTest, shouldLeaveRatiosUndefinedWhenTheyCannotBeComputed) {
  std::string error;
  auto one = load_run({day1_}, {}, error);
  ASSERT_TRUE(one.has_value()) << error;
  EXPECT_FALSE(one->stats.sharpe.has_value());   // one day: no dispersion
  EXPECT_FALSE(one->stats.sortino.has_value());
  EXPECT_TRUE(one->stats.profit_factor.has_value());
  EXPECT_NE(summary_json(*one).find("\"sharpe\": null"), std::string::npos);
}

TEST_F(ReportStatsTest, shouldWriteTheSameBytesEveryTimeAndDocumentedColumns) {
  const fs::path a = dir_ / "a";
  const fs::path b = dir_ / "b";
  ASSERT_EQ(write_report({(dir_ / "run").string()}, a.string()), "");
  ReportOptions named;
  named.name = "run";  // the run's name is shown in the files; the other one took it from the folder
  ASSERT_EQ(write_report({day2_, day1_}, b.string(), named), "");
  for (const char* f : {"summary.json", "trades.csv", "legs.csv", "fills.csv", "daily.csv", "equity.csv", "report.html"}) {
    ASSERT_TRUE(fs::exists(a / f)) << f;
    EXPECT_EQ(slurp(a / f), slurp(b / f)) << f;
  }
  const std::string trades = slurp(a / "trades.csv");
  EXPECT_EQ(trades.substr(0, trades.find('\n')),
            "trade,day,strategy,open_order,opened_et,closed_et,open_reason,close_reason,units,entry,exit,premium_sold,"
            "fees,pnl,status");
  EXPECT_NE(trades.find("1,2026-08-17,strategy 0,OD20260817-000001,2026-08-17 10:00:00,2026-08-17 11:00:00,test:call_spread,"
                        "exit:profit_target,1,2.0000,2.5000,100.00,2.60,47.40,closed"),
            std::string::npos)
      << trades;
  EXPECT_NE(slurp(a / "daily.csv").find("2026-08-18,1,197.40,2.60,99946.10,0.001975,23400.000,14400.000,1"),
            std::string::npos);
  const std::string summary = slurp(a / "summary.json");
  EXPECT_NE(summary.find("\"net_pnl\": 143.5"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"max_drawdown\": 123.9"), std::string::npos);
}

TEST_F(ReportStatsTest, shouldCompareRunsSideBySide) {
  const fs::path out = dir_ / "cmp";
  ASSERT_EQ(write_comparison({{day1_}, {day2_}, {(dir_ / "run").string()}}, out.string()), "");
  EXPECT_TRUE(fs::exists(out / "1-day1" / "report.html"));
  EXPECT_TRUE(fs::exists(out / "3-run" / "summary.json"));
  const std::string csv = slurp(out / "comparison.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "statistic,day1,day2,run");
  EXPECT_NE(csv.find("\nnet_pnl,-53.9,197.4,143.5\n"), std::string::npos) << csv;
  const std::string html = slurp(out / "comparison.html");
  EXPECT_NE(html.find("id=\"comparison\""), std::string::npos);
  EXPECT_NE(html.find("id=\"chart-compare-equity\""), std::string::npos);
}

TEST_F(ReportStatsTest, shouldRefuseAMissingJournalWithItsPath) {
  std::string error;
  EXPECT_FALSE(load_run({(dir_ / "nope.odj").string()}, {}, error).has_value());
  EXPECT_NE(error.find("nope.odj"), std::string::npos) << error;
}

// Seed 004's day record (a variance_swap journal record): listed in summary.json (full precision)
// and in the HTML, one with no rate shown with its reason.
TEST_F(ReportStatsTest, shouldListTheVarianceSwapDayRecords) {
  const std::string path = (dir_ / "vs.odj").string();
  {
    JournalWriter w;
    ASSERT_FALSE(w.open(path, 20260817, et(kDay1Utc, 9, 30)));
    const JournalSessionMarker start{20260817, kJournalVersion, et(kDay1Utc, 9, 30)};
    ASSERT_FALSE(w.append_pod(JournalRecordType::kSessionStart, start, false));
    JournalVarianceSwap v{};
    v.at_ns = et(kDay1Utc, 9, 45);
    v.variance = 0.0212345678901;
    v.bid_variance = 0.0198765432101;
    v.ask_variance = 0.0225;
    v.forward = 500.12345678;
    v.years = 375.0 / 525'600.0;
    v.k0 = 500.0;
    v.expiry_yyyymmdd = 20260817;
    v.strategy = 1;
    v.puts = 12;
    v.calls = 9;
    v.strikes = 41;
    std::memcpy(v.underlying, "SPY", 3);
    std::memcpy(v.root, "SPY", 3);
    ASSERT_FALSE(w.append_pod(JournalRecordType::kVarianceSwap, v, false));
    v.strategy = 0;
    v.status = 5;  // no_strikes
    v.variance = v.bid_variance = v.ask_variance = 0.0;
    ASSERT_FALSE(w.append_pod(JournalRecordType::kVarianceSwap, v, false));
    const JournalSessionMarker end{20260817, kJournalVersion, et(kDay1Utc, 16, 0)};
    ASSERT_FALSE(w.append_pod(JournalRecordType::kSessionEnd, end, true));
  }
  std::string error;
  ReportOptions o;
  o.strategy_names = {"call_spread", "short_strangle"};
  const auto run = load_run({path}, o, error);
  ASSERT_TRUE(run.has_value()) << error;
  ASSERT_EQ(run->variance_swaps.size(), 2u);
  const VarianceSwapDay& d = run->variance_swaps[0];
  EXPECT_EQ(d.day, 20260817);
  EXPECT_EQ(d.strategy, "short_strangle");
  EXPECT_EQ(d.status, "ok");
  EXPECT_EQ(d.variance, 0.0212345678901);
  EXPECT_EQ(d.forward, 500.12345678);
  EXPECT_EQ(run->variance_swaps[1].status, "no_strikes");
  const std::string json = summary_json(*run);
  EXPECT_NE(json.find("\"variance_swaps\": ["), std::string::npos) << json;
  EXPECT_NE(json.find("\"variance_swap_rate\": 0.0212345678901,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"implied_forward\": 500.12345678,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"at\": \"2026-08-17 09:45:00\""), std::string::npos) << json;
  const std::string html = report_html(*run);
  EXPECT_NE(html.find("<h2>Variance swap rate and implied forward</h2>"), std::string::npos);
  EXPECT_NE(html.find("0.019877 / 0.021235 / 0.022500"), std::string::npos);
  EXPECT_NE(html.find("no rate: no_strikes"), std::string::npos);
  // The fixture's journals have none: no section, an empty list.
  EXPECT_TRUE(run_.variance_swaps.empty());
  EXPECT_EQ(report_html(run_).find("Variance swap rate"), std::string::npos);
}

}  // namespace
}  // namespace odte::reports

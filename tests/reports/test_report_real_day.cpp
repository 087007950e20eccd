// A real recorded day through the engine and the paper broker, then its report in a browser.
//
// Input: data/replay/spy-0dte-2026-07-20.odr, the quick start's recorded day, made by `odte import`
// from ../shared/data/spy-0dte-chains-cboe/chains/SPY_2026-07-20.csv (data/replay/SOURCES.txt) --
// real Cboe SPY 0DTE chain snapshots (bid/ask/sizes for every strike within +/-5% of spot, one
// snapshot every ~5 minutes, quote_ts = book time in New York), with the SPY spot of each snapshot
// as a reference print. Committed as a recording, not as the raw file (vendor terms), so the test
// runs on a fresh clone. Two iron condors trade it. There is no intraday VIX for these days, so
// the condors' offset trigger watches SPY's own one-minute bars instead: a named stand-in chosen
// in the test's config, not a silent substitution.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "browser.hpp"
#include "odte/daemon/recording_events.hpp"
#include "odte/daemon/replay.hpp"
#include "odte/reports/report.hpp"
#include "odte/strategies/factory.hpp"

namespace odte::reports {
namespace {

namespace fs = std::filesystem;
using namespace browser;

const fs::path kDay = fs::path(ODTE_SOURCE_DIR) / "data" / "replay" / "spy-0dte-2026-07-20.odr";

TEST(ReportRealDayTest, shouldReportAReplayOfARealRecordedDayAndRenderItInChromium) {
  ASSERT_TRUE(fs::exists(kDay)) << "the quick start's recorded day is missing: " << kDay;
  const std::string exe = find_chromium();
  ASSERT_FALSE(exe.empty()) << "chromium is not installed (Debian package `chromium`; scripts/setup installs it)";
  const fs::path work = fs::path(ODTE_BINARY_DIR) / "reports-render" / "real-day";
  fs::remove_all(work);
  fs::create_directories(work);
  const std::string journal = (work / "spy-2026-07-20.odj").string();

  PnlTotals totals{};
  {
    InstrumentRegistry registry(8192);
    daemon::RecordingEvents day(registry);
    ASSERT_EQ(day.open(kDay.string()), "");
    ASSERT_EQ(day.trading_day(), 20260720);
    std::vector<std::unique_ptr<Strategy>> s;
    const std::string common = "trigger = \"SPY\"\nentry_time = \"10:00\"\nentry_deadline = \"10:30\"\nexit_time = \"15:30\"\nprice_slack = 0.10\n";
    s.push_back(strategies::make_strategy("iron_condor", "short_otm = 0.005\nlong_otm = 0.008\n" + common, 0, "test"));
    s.push_back(strategies::make_strategy("iron_condor", "short_otm = 0.010\nlong_otm = 0.013\n" + common, 1, "test"));
    daemon::ReplaySetup setup;
    setup.engine.orders.trading_day = day.trading_day();
    setup.engine.utc_offset_minutes = day.utc_offset_minutes();
    setup.engine.stale_after_ns = 15LL * 60 * 1'000'000'000;  // snapshots come every ~5 minutes
    setup.journal_path = journal;
    setup.on_finish = [&](const Engine& engine, const daemon::ReplayOutcome&) { totals = engine.book().totals(); };
    const auto r = daemon::run_replay(setup, registry, std::move(s), day);
    ASSERT_TRUE(r.ok) << r.error;
  }

  ReportOptions o;
  o.strategy_names = {"condor_0.5pct", "condor_1pct"};
  const fs::path out = work / "report";
  ASSERT_EQ(write_report({journal}, out.string(), o), "");
  std::string error;
  const auto run = load_run({journal}, o, error);
  ASSERT_TRUE(run.has_value()) << error;
  EXPECT_GE(run->stats.trades, 1u) << slurp(out / "summary.json");
  EXPECT_NEAR(run->stats.net_pnl, totals.net().to_double(), 1e-6);
  EXPECT_NEAR(run->stats.fees, totals.fees.to_double(), 1e-6);
  EXPECT_GT(run->curve.size(), 10u);

  const BrowserRun dom = chromium(exe, work, out / "report.html", "--dump-dom");
  ASSERT_EQ(dom.status, 0) << dom.err;
  EXPECT_NE(dom.out.find("data-loaded=\"ok\""), std::string::npos) << dom.out.substr(0, 2000);
  expect_clean_console(dom.err);
  const fs::path png = work / "report.png";
  const BrowserRun shot = chromium(exe, work, out / "report.html", "--screenshot=" + png.string());
  ASSERT_EQ(shot.status, 0) << shot.err;
  EXPECT_GT(fs::file_size(png), 60'000u);
}

}  // namespace
}  // namespace odte::reports

// The HTML report in a real browser: Debian's chromium, headless, renders the page of a replayed
// day to a PNG and dumps the DOM after the page's script ran. The test fails (never skips) when
// chromium is missing: scripts/setup installs it.
//
// The rendered files stay in <build>/reports-render/ for people to look at.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "browser.hpp"
#include "odte/reports/report.hpp"
#include "odte/strategies/factory.hpp"
#include "synthetic_day.hpp"

namespace odte::reports {
namespace {

namespace fs = std::filesystem;
using namespace browser;

class ReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    exe_ = find_chromium();
    work_ = fs::path(ODTE_BINARY_DIR) / "reports-render";
    fs::create_directories(work_);
  }
  // A replayed synthetic day (two strategies) as the report's input.
  std::string journal(const std::string& name, std::uint32_t seed) {
    const fs::path j = work_ / (name + ".odj");
    fs::remove(j);
    InstrumentRegistry registry(4096);
    odte::testing_day::SyntheticDay day(registry, seed);
    std::vector<std::unique_ptr<Strategy>> s;
    s.push_back(strategies::make_strategy("regime", "quantity = 1\n", 0, "test"));
    s.push_back(strategies::make_strategy(
        "iron_condor", "short_otm = 0.006\nlong_otm = 0.012\nentry_time = \"09:45\"\nprice_slack = 0.10\n", 1, "test"));
    daemon::ReplaySetup setup;
    setup.engine.orders.trading_day = 20260821;
    setup.engine.utc_offset_minutes = -240;
    setup.engine.stale_after_ns = 10LL * 60 * 1'000'000'000;
    setup.journal_path = j.string();
    EXPECT_TRUE(daemon::run_replay(setup, registry, std::move(s), day).ok);
    return j.string();
  }
  std::string exe_;
  fs::path work_;
};

TEST_F(ReportBrowserTest, shouldRenderTheReportInHeadlessChromiumWithEveryChart) {
  ASSERT_FALSE(exe_.empty()) << "chromium is not installed (Debian package `chromium`; scripts/setup installs it)";
  ReportOptions o;
  o.strategy_names = {"regime", "iron_condor"};
  const fs::path out = work_ / "run";
  ASSERT_EQ(write_report({journal("synthetic-day", 20260821)}, out.string(), o), "");
  const fs::path page = out / "report.html";

  const BrowserRun dom = chromium(exe_, work_, page, "--dump-dom");
  ASSERT_EQ(dom.status, 0) << dom.err;
  EXPECT_NE(dom.out.find("data-loaded=\"ok\""), std::string::npos) << "the page's script did not run clean:\n"
                                                                    << dom.out.substr(0, 2000);
  EXPECT_NE(dom.out.find("data-charts=\"10\""), std::string::npos);
  for (const char* id : {"chart-equity", "chart-drawdown", "chart-daily", "chart-monthly", "chart-yearly",
                         "chart-strategy", "chart-legs", "chart-callput", "chart-shortlong", "chart-rejections"}) {
    EXPECT_NE(dom.out.find(std::string("<svg id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_NE(dom.out.find("<table id=\"trades\">"), std::string::npos);
  expect_clean_console(dom.err);

  const fs::path png = work_ / "report.png";
  fs::remove(png);
  const BrowserRun shot = chromium(exe_, work_, page, "--screenshot=" + png.string());
  ASSERT_EQ(shot.status, 0) << shot.err;
  ASSERT_TRUE(fs::exists(png)) << shot.err;
  const std::string bytes = slurp(png);
  std::uint32_t w = 0;
  std::uint32_t h = 0;
  ASSERT_TRUE(png_size(bytes, w, h));
  EXPECT_EQ(w, 1280u);
  EXPECT_EQ(h, 2000u);
  EXPECT_GT(bytes.size(), 60'000u);  // a blank page of this size compresses to a few kB
  expect_clean_console(shot.err);
}

TEST_F(ReportBrowserTest, shouldRenderTheComparisonPageInHeadlessChromium) {
  ASSERT_FALSE(exe_.empty()) << "chromium is not installed (Debian package `chromium`; scripts/setup installs it)";
  const fs::path out = work_ / "compare";
  ASSERT_EQ(write_comparison({{journal("seed-a", 20260821)}, {journal("seed-b", 7)}}, out.string()), "");
  const BrowserRun dom = chromium(exe_, work_, out / "comparison.html", "--dump-dom");
  ASSERT_EQ(dom.status, 0) << dom.err;
  EXPECT_NE(dom.out.find("data-loaded=\"ok\""), std::string::npos) << dom.out.substr(0, 2000);
  EXPECT_NE(dom.out.find("<svg id=\"chart-compare-equity\""), std::string::npos);
  EXPECT_NE(dom.out.find("<th>seed-a</th><th>seed-b</th>"), std::string::npos);
  expect_clean_console(dom.err);
  const fs::path png = work_ / "comparison.png";
  fs::remove(png);
  const BrowserRun shot = chromium(exe_, work_, out / "comparison.html", "--screenshot=" + png.string());
  ASSERT_EQ(shot.status, 0) << shot.err;
  EXPECT_GT(fs::file_size(png), 20'000u);
}

}  // namespace
}  // namespace odte::reports

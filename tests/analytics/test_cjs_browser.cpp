// The seed 003 page in a real browser: Debian's chromium, headless, renders the page of the
// committed real SPX days and dumps the DOM after the page's script ran. Fails (never skips)
// without chromium, as the run report's test does. The page stays in <build>/cjs-render/.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "browser.hpp"
#include "odte/analytics/cjs.hpp"

namespace odte::analytics::cjs {
namespace {

namespace fs = std::filesystem;
using namespace odte::reports::browser;

TEST(CjsBrowser, shouldRenderThePageWithEveryChartInHeadlessChromium) {
  const std::string exe = find_chromium();
  ASSERT_FALSE(exe.empty()) << "chromium is not installed (Debian package `chromium`; scripts/setup installs it)";
  const fs::path work = fs::path(ODTE_BINARY_DIR) / "cjs-render";
  fs::create_directories(work);
  const Result r = compute(
      read_optionmetrics_csv(
          (fs::path(ODTE_SOURCE_DIR) / "tests/data/real/cjs-panel-spx-20151222-20151223.csv").string()),
      Params{});
  const fs::path page = work / "cjs.html";
  {
    std::ofstream o(page, std::ios::binary | std::ios::trunc);
    o << to_html(r, "lean: SPX 2015-12-22..23");
  }
  const BrowserRun dom = chromium(exe, work, page, "--dump-dom");
  ASSERT_EQ(dom.status, 0) << dom.err;
  EXPECT_NE(dom.out.find("data-loaded=\"ok\""), std::string::npos) << dom.out.substr(0, 2000);
  EXPECT_NE(dom.out.find("data-charts=\"8\""), std::string::npos);
  for (const char* id : {"chart-mean-calls", "chart-mean-puts", "chart-c-30", "chart-c-60", "chart-c-90", "chart-p-30",
                         "chart-p-60", "chart-p-90"}) {
    EXPECT_NE(dom.out.find(std::string("<svg id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_NE(dom.out.find("id=\"gaps\""), std::string::npos);  // the sample leaves portfolios empty, said so
  EXPECT_NE(dom.out.find("no candidates</td>"), std::string::npos);
  expect_clean_console(dom.err);

  const fs::path png = work / "cjs.png";
  fs::remove(png);
  const BrowserRun shot = chromium(exe, work, page, "--screenshot=" + png.string());
  ASSERT_EQ(shot.status, 0) << shot.err;
  std::uint32_t w = 0;
  std::uint32_t h = 0;
  ASSERT_TRUE(png_size(slurp(png), w, h));
  EXPECT_EQ(w, 1280u);
}

}  // namespace
}  // namespace odte::analytics::cjs

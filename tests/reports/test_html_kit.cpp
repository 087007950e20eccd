// The HTML pieces every odte page shares (odte/reports/html_kit.hpp).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "odte/reports/html_kit.hpp"

namespace odte::reports::html {
namespace {

TEST(HtmlKitTest, shouldEscapeEveryCharacterThatCanEndTextOrAnAttribute) {
  EXPECT_EQ(esc("a<b>&\"c'd"), "a&lt;b&gt;&amp;&quot;c&#39;d");
  EXPECT_EQ(esc("plain 0.95x"), "plain 0.95x");
}

TEST(HtmlKitTest, shouldNeverWriteMinusZero) {
  EXPECT_EQ(fixed(-0.001, 2), "0.00");
  EXPECT_EQ(fixed(-0.006, 2), "-0.01");
  EXPECT_EQ(fixed(1234.5, 1), "1234.5");
}

TEST(HtmlKitTest, shouldPickRoundTicksThatCoverTheRangeAndHitZeroExactly) {
  const std::vector<double> t = nice_ticks(-0.7, 1.3, 5);
  ASSERT_FALSE(t.empty());
  // 2.0 / 5 = 0.4 raw: the step rounds up to 0.5.
  EXPECT_EQ(t, (std::vector<double>{-0.5, 0.0, 0.5, 1.0}));
  const std::vector<double> money = nice_ticks(0.0, 2300.0, 5);
  EXPECT_EQ(money, (std::vector<double>{0.0, 500.0, 1000.0, 1500.0, 2000.0}));
  for (std::size_t i = 1; i < t.size(); ++i) EXPECT_GT(t[i], t[i - 1]);
}

TEST(HtmlKitTest, shouldGiveTheLowEndForAnEmptyOrInvertedRange) {
  EXPECT_EQ(nice_ticks(3.0, 3.0, 5), std::vector<double>{3.0});
  EXPECT_EQ(nice_ticks(3.0, 1.0, 5), std::vector<double>{3.0});
}

TEST(HtmlKitTest, shouldOpenAChartWithItsIdTitleAndFrame) {
  const std::string svg = svg_open("chart-x", "P&L <day>");
  EXPECT_NE(svg.find("id=\"chart-x\""), std::string::npos);
  EXPECT_NE(svg.find("viewBox=\"0 0 960.0 260.0\""), std::string::npos);
  EXPECT_NE(svg.find(">P&amp;L &lt;day&gt;</text>"), std::string::npos);
}

TEST(HtmlKitTest, shouldWriteAStrictHeadWithTheSharedAndThePagesOwnCss) {
  const std::string head = page_head("Run <1>", ".mine{color:red}");
  EXPECT_EQ(head.rfind("<!DOCTYPE html>\n", 0), 0u);
  EXPECT_NE(head.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(head.find("<title>Run &lt;1&gt;</title>"), std::string::npos);
  EXPECT_NE(head.find("svg.chart{"), std::string::npos);
  EXPECT_NE(head.find(".mine{color:red}\n</style>"), std::string::npos);
  EXPECT_EQ(head.substr(head.size() - 7), "<body>\n");
}

TEST(HtmlKitTest, shouldCheckEveryNamedChart) {
  const std::string script = chart_check_script({"chart-a", "chart-b"});
  EXPECT_NE(script.find("var ids=[\"chart-a\",\"chart-b\"]"), std::string::npos);
  EXPECT_NE(script.find("dataset.loaded"), std::string::npos);
}

}  // namespace
}  // namespace odte::reports::html

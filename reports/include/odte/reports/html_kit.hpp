// The pieces every odte HTML page shares: escaping, fixed-decimal numbers, "nice" axis ticks,
// the chart frame, the page head (inline CSS under a strict Content-Security-Policy) and the
// inline script that marks the page as loaded once every chart is in the DOM (the headless-
// browser tests read it back). The run report (odte/reports/report.hpp) and seed 003's page
// (odte/analytics/cjs.hpp) draw their own charts with these, so the two look and check alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace odte::reports::html {

// Text for HTML content and attribute values.
[[nodiscard]] std::string esc(std::string_view s);

// v with `decimals` decimals; never "-0.00".
[[nodiscard]] std::string fixed(double v, int decimals);

// About n round values (steps of 1, 2, 2.5 or 5 times a power of ten) covering [lo, hi], exact
// zero where the range crosses it. An empty or inverted range gives {lo}.
[[nodiscard]] std::vector<double> nice_ticks(double lo, double hi, int n);

// The chart frame: a viewBox of kChartWidth x kChartHeight with the plot inside the margins.
inline constexpr double kChartWidth = 960.0;
inline constexpr double kChartHeight = 260.0;
inline constexpr double kChartLeft = 64.0;
inline constexpr double kChartRight = 16.0;
inline constexpr double kChartTop = 28.0;
inline constexpr double kChartBottom = 44.0;

// "<svg id=... class="chart" ...>" with its title line; the caller closes it with "</svg>\n".
[[nodiscard]] std::string svg_open(std::string_view id, std::string_view title, double width = kChartWidth);

// "<!DOCTYPE html>...<body>\n": the page's <title>, the shared CSS (page, tables, charts) and
// `extra_css` (rules of this page only, without the <style> tags).
[[nodiscard]] std::string page_head(std::string_view title, std::string_view extra_css = {});

// The closing script: sets data-loaded="ok" on <body> when every id names an <svg> in the page,
// else "missing:<ids>"; data-charts counts the ones found.
[[nodiscard]] std::string chart_check_script(const std::vector<std::string>& ids);

}  // namespace odte::reports::html

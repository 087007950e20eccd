// The self-contained HTML report: inline SVG charts drawn here, inline CSS, one small inline
// script that checks the charts are in the page. Nothing is fetched at view time.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "odte/reports/html_kit.hpp"
#include "odte/reports/report.hpp"
#include "time_format.hpp"

namespace odte::reports {

using html::esc;
using html::fixed;
using html::nice_ticks;
using html::svg_open;

namespace {

// "$-1,234.56"
std::string usd(double v) {
  std::string digits = fixed(std::fabs(v), 2);
  const std::size_t dot = digits.find('.');
  std::string grouped;
  for (std::size_t i = 0; i < dot; ++i) {
    if (i > 0 && (dot - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  grouped += digits.substr(dot);
  const bool negative = v < 0.0 && digits.find_first_not_of("0.") != std::string::npos;
  return (negative ? "-$" : "$") + grouped;
}
std::string pct(double v) { return fixed(v * 100.0, 2) + "%"; }
std::string opt(const std::optional<double>& v, int decimals) { return v ? fixed(*v, decimals) : "n/a"; }
std::string opt_pct(const std::optional<double>& v) { return v ? pct(*v) : "n/a"; }
std::string opt_usd(const std::optional<double>& v) { return v ? usd(*v) : "n/a"; }
std::string duration(double s) {
  const auto total = static_cast<long long>(std::llround(s));
  char buf[48];
  if (total >= 86400) {
    std::snprintf(buf, sizeof buf, "%lldd %02lldh%02lldm", total / 86400, total / 3600 % 24, total / 60 % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", total / 3600, total / 60 % 60, total % 60);
  }
  return buf;
}
std::string cls(double v) { return v > 0.0 ? "pos" : v < 0.0 ? "neg" : ""; }

// Coordinates with one decimal: enough for a screen, and stable text.
std::string num(double v) { return fixed(v, 1); }

std::string axis_label(double v) {
  const double a = std::fabs(v);
  if (a >= 1e6) return fixed(v / 1e6, 1) + "M";
  if (a >= 1e4) return fixed(v / 1e3, 0) + "k";
  if (a >= 1e3) return fixed(v / 1e3, 1) + "k";
  return fixed(v, a < 10.0 && a != 0.0 ? 2 : 0);
}

constexpr double kW = html::kChartWidth;
constexpr double kH = html::kChartHeight;
constexpr double kLeft = html::kChartLeft;
constexpr double kRight = html::kChartRight;
constexpr double kTop = html::kChartTop;
constexpr double kBottom = html::kChartBottom;

struct Series {
  std::string name;
  std::string color;
  std::vector<double> y;
  bool area = false;  // filled down to zero
};


std::string y_axis(double lo, double hi, double (*to_y)(double, double, double), const std::string& unit, double width) {
  std::string out;
  for (const double t : nice_ticks(lo, hi, 5)) {
    const double y = to_y(t, lo, hi);
    out += "<line class=\"grid\" x1=\"" + num(kLeft) + "\" x2=\"" + num(width - kRight) + "\" y1=\"" + num(y) + "\" y2=\"" +
           num(y) + "\"/><text class=\"tick\" x=\"" + num(kLeft - 6) + "\" y=\"" + num(y + 4) +
           "\" text-anchor=\"end\">" + (t < 0.0 ? "-" : "") + unit + axis_label(std::fabs(t)) + "</text>\n";
  }
  return out;
}

double y_of(double v, double lo, double hi) { return kTop + (hi - v) / (hi - lo) * (kH - kTop - kBottom); }

void range_of(const std::vector<Series>& series, double& lo, double& hi) {
  lo = 0.0;
  hi = 0.0;
  for (const Series& s : series) {
    for (const double v : s.y) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (hi - lo < 1e-9) {
    hi += 1.0;
    lo -= 1.0;
  }
  const double pad = (hi - lo) * 0.05;
  hi += pad;
  lo = lo < 0.0 ? lo - pad : lo;
}

// Lines over the points' index (regular minute marks; nights and gaps between days collapse).
// x_labels: text under a few evenly spaced points of the longest series.
std::string line_chart(const std::string& id, const std::string& title, const std::vector<Series>& series,
                       const std::vector<std::string>& x_labels, const std::string& unit) {
  double lo = 0.0;
  double hi = 0.0;
  range_of(series, lo, hi);
  std::string out = svg_open(id, title, kW) + y_axis(lo, hi, &y_of, unit, kW);
  const double zero = y_of(0.0, lo, hi);
  out += "<line class=\"zero\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kW - kRight) + "\" y1=\"" + num(zero) + "\" y2=\"" +
         num(zero) + "\"/>\n";
  const double plot_w = kW - kLeft - kRight;
  for (const Series& s : series) {
    if (s.y.empty()) continue;
    const double n = static_cast<double>(std::max<std::size_t>(s.y.size() - 1, 1));
    std::string pts;
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      if (i > 0) pts += ' ';
      pts += num(kLeft + static_cast<double>(i) / n * plot_w) + "," + num(y_of(s.y[i], lo, hi));
    }
    if (s.area) {
      out += "<polygon class=\"area\" fill=\"" + s.color + "\" points=\"" + num(kLeft) + "," + num(zero) + " " + pts + " " +
             num(kLeft + (s.y.size() > 1 ? plot_w : 0.0)) + "," + num(zero) + "\"><title>" + esc(s.name) +
             "</title></polygon>\n";
    }
    out += "<polyline class=\"line\" stroke=\"" + s.color + "\" points=\"" + pts + "\"><title>" + esc(s.name) +
           "</title></polyline>\n";
  }
  if (!x_labels.empty()) {
    const std::size_t count = x_labels.size();
    const std::size_t shown = std::min<std::size_t>(count, 6);
    for (std::size_t k = 0; k < shown; ++k) {
      const std::size_t i = shown == 1 ? 0 : k * (count - 1) / (shown - 1);
      const double x = kLeft + (count > 1 ? static_cast<double>(i) / static_cast<double>(count - 1) : 0.0) * plot_w;
      const char* anchor = k == 0 ? "start" : k + 1 == shown ? "end" : "middle";
      out += "<text class=\"tick\" x=\"" + num(x) + "\" y=\"" + num(kH - kBottom + 16) + "\" text-anchor=\"" + anchor +
             "\">" + esc(x_labels[i]) + "</text>\n";
    }
  }
  if (series.size() > 1) {
    double x = kLeft + 8;
    for (const Series& s : series) {
      out += "<rect x=\"" + num(x) + "\" y=\"" + num(kH - 16) + "\" width=\"10\" height=\"10\" fill=\"" + s.color +
             "\"/><text class=\"tick\" x=\"" + num(x + 14) + "\" y=\"" + num(kH - 7) + "\">" + esc(s.name) + "</text>\n";
      x += 24 + 7.0 * static_cast<double>(s.name.size());
    }
  }
  return out + "</svg>\n";
}

// "O:SPY260821C00499000" -> "SPY 499C"; anything else unchanged.
std::string short_symbol(const std::string& s) {
  if (s.size() < 17 || s.compare(0, 2, "O:") != 0) return s;
  const std::string occ = s.substr(2);
  const std::size_t tail = occ.size() - 15;  // root, then yymmdd, C/P, strike x 1000 in 8 digits
  const char right = occ[tail + 6];
  if (right != 'C' && right != 'P') return s;
  const long long milli = std::atoll(occ.substr(tail + 7).c_str());
  std::string strike = std::to_string(milli / 1000);
  if (milli % 1000 != 0) strike += "." + fixed(static_cast<double>(milli % 1000) / 1000.0, 3).substr(2);
  while (strike.find('.') != std::string::npos && (strike.back() == '0' || strike.back() == '.')) strike.pop_back();
  return occ.substr(0, tail) + " " + strike + right;
}

std::string bar_chart(const std::string& id, const std::string& title, const std::vector<Breakdown>& bars,
                      const std::string& unit, double width = kW, bool counts = false) {
  if (bars.empty()) {
    return svg_open(id, title, width) + "<text class=\"tick\" x=\"" + num(width / 2) + "\" y=\"" + num(kH / 2) +
           "\" text-anchor=\"middle\">none</text>\n</svg>\n";
  }
  std::vector<Series> range{Series{"", "", {}, false}};
  for (const Breakdown& b : bars) range[0].y.push_back(b.pnl);
  double lo = 0.0;
  double hi = 0.0;
  range_of(range, lo, hi);
  std::string out = svg_open(id, title, width) + y_axis(lo, hi, &y_of, unit, width);
  const double zero = y_of(0.0, lo, hi);
  const double plot_w = width - kLeft - kRight;
  const double slot = plot_w / static_cast<double>(bars.size());
  const double bw = std::max(1.0, std::min(slot * 0.7, 80.0));
  std::size_t longest = 0;
  for (const Breakdown& b : bars) longest = std::max(longest, b.label.size());
  const bool rotate = bars.size() > 12 || static_cast<double>(longest) * 6.5 > slot;
  const std::size_t label_every = std::max<std::size_t>(1, bars.size() / 24);
  auto value_text = [&](double v) { return counts ? fixed(v, 0) : usd(v); };
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Breakdown& b = bars[i];
    const double cx = kLeft + slot * (static_cast<double>(i) + 0.5);
    const double y = y_of(b.pnl, lo, hi);
    const double top = std::min(y, zero);
    const double h = std::max(std::fabs(zero - y), 0.5);
    out += "<rect class=\"bar " + std::string(b.pnl < 0.0 ? "neg" : "pos") + "\" x=\"" + num(cx - bw / 2) + "\" y=\"" +
           num(top) + "\" width=\"" + num(bw) + "\" height=\"" + num(h) + "\"><title>" + esc(b.label) + ": " +
           value_text(b.pnl) + " (" + std::to_string(b.count) + ")</title></rect>\n";
    if (bars.size() <= 24) {
      // Negative values sit inside the bar's end when it is tall enough, clear of the axis labels.
      const bool inside = b.pnl < 0.0 && h > 18.0;
      const double ty = b.pnl < 0.0 ? (inside ? top + h - 5 : top + h + 12) : top - 4;
      out += "<text class=\"value" + std::string(inside ? " inside" : "") + "\" x=\"" + num(cx) + "\" y=\"" + num(ty) +
             "\" text-anchor=\"middle\">" + value_text(b.pnl) + "</text>\n";
    }
    if (i % label_every == 0) {
      if (rotate) {
        out += "<text class=\"tick\" transform=\"translate(" + num(cx - 3) + "," + num(kH - kBottom + 10) +
               ") rotate(25)\">" + esc(b.label) + "</text>\n";
      } else {
        out += "<text class=\"tick\" x=\"" + num(cx) + "\" y=\"" + num(kH - kBottom + 16) + "\" text-anchor=\"middle\">" +
               esc(b.label) + "</text>\n";
      }
    }
  }
  return out + "</svg>\n";
}

// This page's rules on top of the shared ones (odte/reports/html_kit.hpp).
constexpr const char* kReportCss =
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px}\n"
    ".card{border:1px solid #dde2ea;border-radius:6px;padding:8px 10px}.card .k{color:#5b6578;font-size:12px}"
    ".card .v{font-size:18px;font-weight:600}\n"
    ".row2{display:grid;grid-template-columns:1fr 1fr;gap:10px}\n"
    "svg .value{font-size:11px;fill:#1d2330}svg .area{opacity:.25}\n"
    "svg .bar.pos{fill:#2f9e72}svg .bar.neg{fill:#d9534f}svg .value.inside{fill:#fff}\n"
    ".scroll{max-height:480px;overflow:auto;border:1px solid #e6e9ef;border-radius:6px}\n";

std::string card(const std::string& k, const std::string& v, const std::string& klass = "") {
  return "<div class=\"card\"><div class=\"k\">" + esc(k) + "</div><div class=\"v " + klass + "\">" + esc(v) +
         "</div></div>\n";
}

std::string stat_cards(const Stats& s) {
  std::string out = "<div class=\"cards\">\n";
  out += card("Net P&L", usd(s.net_pnl), cls(s.net_pnl));
  out += card("Total return", pct(s.total_return), cls(s.total_return));
  out += card("Annualized return", opt_pct(s.annualized_return));
  out += card("Sharpe (ann.)", opt(s.sharpe, 2));
  out += card("Sortino (ann.)", opt(s.sortino, 2));
  out += card("Max drawdown", usd(-s.max_drawdown) + " (" + pct(s.max_drawdown_pct) + ")", s.max_drawdown > 0 ? "neg" : "");
  out += card("Max drawdown duration", duration(s.max_drawdown_duration_s));
  out += card("Win rate", opt_pct(s.win_rate));
  out += card("Profit factor", opt(s.profit_factor, 2));
  out += card("Average win", opt_usd(s.average_win));
  out += card("Average loss", opt_usd(s.average_loss));
  out += card("Exposure", pct(s.exposure));
  out += card("Trades (closed)", std::to_string(s.trades) + " (" + std::to_string(s.closed_trades) + ")");
  out += card("Days", std::to_string(s.days));
  out += card("Fees", usd(s.fees));
  out += card("Premium sold", usd(s.premium_sold));
  out += card("Initial equity", usd(s.initial_equity));
  out += card("Final equity", usd(s.final_equity));
  out += card("Intents / rejected", std::to_string(s.intents) + " / " + std::to_string(s.rejections));
  return out + "</div>\n";
}

std::string breakdown_table(const std::vector<Breakdown>& v, const std::string& what, const std::string& count_name) {
  std::string out = "<table><tr><th class=\"l\">" + esc(what) + "</th><th>" + esc(count_name) + "</th><th>P&amp;L</th></tr>\n";
  for (const Breakdown& b : v) {
    out += "<tr><td class=\"l\">" + esc(b.label) + "</td><td>" + std::to_string(b.count) + "</td><td class=\"" + cls(b.pnl) +
           "\">" + usd(b.pnl) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string head(const std::string& title) { return html::page_head(title, kReportCss); }

std::string strategy_name(const Run& run, std::uint16_t s) {
  if (s < run.strategy_names.size() && !run.strategy_names[s].empty()) return run.strategy_names[s];
  return "strategy " + std::to_string(s);
}

std::vector<std::string> curve_labels(const Run& run) {
  std::vector<std::string> out;
  const bool many_days = run.days.size() > 1;
  for (const EquityPoint& p : run.curve) {
    out.push_back(many_days ? detail::day_label(p.day) : detail::et_clock(p.at_ns) + " ET");
  }
  return out;
}

}  // namespace

std::string report_html(const Run& run) {
  std::string out = head("odte report: " + run.name);
  out += "<h1>odte run report: " + esc(run.name) + "</h1>\n<p class=\"sub\">";
  if (!run.days.empty()) {
    out += esc(detail::day_label(run.days.front().day));
    if (run.days.size() > 1) out += " to " + esc(detail::day_label(run.days.back().day));
    out += " &middot; ";
  }
  out += std::to_string(run.journals.size()) + " journal(s): ";
  for (std::size_t i = 0; i < run.journals.size(); ++i) {
    out += (i ? ", " : "") + esc(std::filesystem::path(run.journals[i]).filename().string());
  }
  out += " &middot; times are New York time</p>\n";
  for (const std::string& w : run.warnings) out += "<div class=\"warn\">" + esc(w) + "</div>\n";
  for (const OperatorFlatten& f : run.flattens) out += "<div class=\"warn\">" + esc(f.describe()) + "</div>\n";

  out += "<h2>Statistics</h2>\n" + stat_cards(run.stats);

  std::vector<double> equity;
  std::vector<double> drawdown;
  for (const EquityPoint& p : run.curve) {
    equity.push_back(p.pnl);
    drawdown.push_back(-p.drawdown);
  }
  const std::vector<std::string> labels = curve_labels(run);
  std::vector<Breakdown> daily;
  for (const DayResult& d : run.days) daily.push_back(Breakdown{detail::day_label(d.day), d.pnl, d.trades});

  out += "<h2>Equity</h2>\n<div class=\"charts\">\n";
  out += line_chart("chart-equity", "Cumulative P&L (net of fees)", {Series{"P&L", "#2b6cb0", equity, false}}, labels, "$");
  out += line_chart("chart-drawdown", "Drawdown from the running peak", {Series{"drawdown", "#d9534f", drawdown, true}},
                    labels, "$");
  out += bar_chart("chart-daily", "Daily P&L", daily, "$");
  out += "<div class=\"row2\">\n";
  out += bar_chart("chart-monthly", "Monthly P&L", run.by_month, "$", kW / 2);
  out += bar_chart("chart-yearly", "Yearly P&L", run.by_year, "$", kW / 2);
  out += "</div>\n";
  out += "</div>\n<h2>Breakdowns</h2>\n<div class=\"charts\">\n";
  out += bar_chart("chart-strategy", "P&L by strategy", run.by_strategy, "$");
  std::vector<Breakdown> leg_bars = run.by_leg;
  for (Breakdown& b : leg_bars) b.label = short_symbol(b.label);
  out += bar_chart("chart-legs", "P&L by leg (instrument)", leg_bars, "$");
  out += "<div class=\"row2\">\n";
  out += bar_chart("chart-callput", "Calls vs puts", run.by_right, "$", kW / 2);
  out += bar_chart("chart-shortlong", "Short vs long legs", run.by_direction, "$", kW / 2);
  out += "</div>\n";
  std::vector<Breakdown> rejections;
  for (const auto& [reason, n] : run.rejections) rejections.push_back(Breakdown{reason, static_cast<double>(n), static_cast<std::uint32_t>(n)});
  out += bar_chart("chart-rejections", "Risk rejections by reason (count)", rejections, "", kW, true);
  out += "</div>\n";

  out += "<div class=\"row2\"><div>\n<h2>By strategy</h2>\n" + breakdown_table(run.by_strategy, "strategy", "trades") +
         "<h2>Calls, puts, short and long legs</h2>\n" + breakdown_table(run.by_right, "right", "legs") +
         breakdown_table(run.by_direction, "direction", "legs") + "</div><div>\n<h2>Risk rejections</h2>\n";
  out += "<table><tr><th class=\"l\">reason</th><th>count</th></tr>\n";
  for (const auto& [reason, n] : run.rejections) {
    out += "<tr><td class=\"l\">" + esc(reason) + "</td><td>" + std::to_string(n) + "</td></tr>\n";
  }
  if (run.rejections.empty()) out += "<tr><td class=\"l\">none</td><td>0</td></tr>\n";
  out += "</table>\n<h2>Days</h2>\n<table><tr><th class=\"l\">day</th><th>trades</th><th>P&amp;L</th><th>return</th><th>fees</th></tr>\n";
  for (const DayResult& d : run.days) {
    out += "<tr><td class=\"l\">" + detail::day_label(d.day) + (d.complete ? "" : " (stopped)") + "</td><td>" +
           std::to_string(d.trades) + "</td><td class=\"" + cls(d.pnl) + "\">" + usd(d.pnl) + "</td><td>" + pct(d.ret) +
           "</td><td>" + usd(d.fees) + "</td></tr>\n";
  }
  out += "</table>\n";
  if (!run.settlements.empty()) {
    out += "<h2>Expiry settlement</h2>\n<table><tr><th class=\"l\">day</th><th class=\"l\">underlying</th><th>value</th>"
           "<th class=\"l\">value at</th><th class=\"l\">style</th><th>positions</th></tr>\n";
    for (const Settlement& st : run.settlements) {
      out += "<tr><td class=\"l\">" + detail::day_label(st.day) + "</td><td class=\"l\">" + esc(st.underlying) + "</td><td>" +
             fixed(st.value, 2) + "</td><td class=\"l\">" + detail::et_time(st.value_ns) + "</td><td class=\"l\">" +
             esc(st.style) + "</td><td>" + std::to_string(st.positions) + "</td></tr>\n";
    }
    out += "</table>\n";
  }
  if (!run.variance_swaps.empty()) {
    // Seed 004's day record: the chain's implied forward and variance swap rates (annualised
    // variance; the volatility is its square root).
    out += "<h2>Variance swap rate and implied forward</h2>\n<table><tr><th class=\"l\">day</th><th class=\"l\">at</th>"
           "<th class=\"l\">strategy</th><th class=\"l\">chain</th><th>forward</th><th>swap rate (bid / mid / ask)</th>"
           "<th>volatility</th><th>puts + calls</th></tr>\n";
    for (const VarianceSwapDay& v : run.variance_swaps) {
      const bool ok = v.status == "ok";
      out += "<tr><td class=\"l\">" + detail::day_label(v.day) + "</td><td class=\"l\">" + detail::et_clock(v.at_ns) +
             "</td><td class=\"l\">" + esc(v.strategy) + "</td><td class=\"l\">" + esc(v.root) + " " +
             std::to_string(v.expiry) + " on " + esc(v.underlying) + "</td>";
      if (ok) {
        out += "<td>" + fixed(v.forward, 4) + "</td><td>" + fixed(v.bid_variance, 6) + " / " + fixed(v.variance, 6) +
               " / " + fixed(v.ask_variance, 6) + "</td><td>" + pct(std::sqrt(v.variance)) + "</td><td>" +
               std::to_string(v.puts) + " + " + std::to_string(v.calls) + "</td></tr>\n";
      } else {
        out += "<td colspan=\"4\" class=\"l\">no rate: " + esc(v.status) + "</td></tr>\n";
      }
    }
    out += "</table>\n";
  }
  out += "</div></div>\n";

  out += "<h2>Trades</h2>\n<div class=\"scroll\"><table id=\"trades\"><tr><th>#</th><th class=\"l\">day</th><th class=\"l\">"
         "strategy</th><th class=\"l\">opened</th><th class=\"l\">closed</th><th class=\"l\">why in</th><th class=\"l\">"
         "why out</th><th>units</th><th>entry</th><th>exit</th><th>fees</th><th>P&amp;L</th><th class=\"l\">legs</th></tr>\n";
  for (const Trade& t : run.trades) {
    std::string legs;
    for (const LegResult& l : t.legs) {
      legs += (legs.empty() ? "" : "<br>") + std::string(l.open_side == Side::kSell ? "short " : "long ") +
              std::to_string(l.contracts) + " " + esc(l.symbol) + " <span class=\"" + cls(l.pnl) + "\">" + usd(l.pnl) +
              "</span>";
    }
    out += "<tr><td>" + std::to_string(t.number) + "</td><td class=\"l\">" + detail::day_label(t.day) + "</td><td class=\"l\">" +
           esc(strategy_name(run, t.strategy)) + "</td><td class=\"l\">" + detail::et_clock(t.opened_ns) +
           "</td><td class=\"l\">" + (t.closed ? detail::et_clock(t.closed_ns) : std::string("open")) +
           "</td><td class=\"l\">" + esc(t.open_reason) + "</td><td class=\"l\">" + esc(t.close_reason) + "</td><td>" +
           std::to_string(t.units) + "</td><td>" + fixed(t.entry, 2) + "</td><td>" + (t.closed ? fixed(t.exit, 2) : "") +
           "</td><td>" + usd(t.fees) + "</td><td class=\"" + cls(t.pnl) + "\">" + usd(t.pnl) + "</td><td class=\"l\">" +
           legs + "</td></tr>\n";
  }
  out += "</table></div>\n";
  out += "<p class=\"sub\">Definitions of every figure: docs/reports.md. Files beside this page: summary.json, "
         "trades.csv, legs.csv, fills.csv, daily.csv, equity.csv.</p>\n";
  out += html::chart_check_script({"chart-equity", "chart-drawdown", "chart-daily", "chart-monthly", "chart-yearly", "chart-strategy", "chart-legs",
                       "chart-callput", "chart-shortlong", "chart-rejections"});
  return out + "</body>\n</html>\n";
}

std::string comparison_html(const std::vector<Run>& runs) {
  std::string out = head("odte comparison");
  out += "<h1>odte runs compared</h1>\n<p class=\"sub\">" + std::to_string(runs.size()) +
         " runs; each run's own report is in its folder beside this page.</p>\n";
  struct Row {
    const char* name;
    std::string (*value)(const Stats&);
  };
  static const Row rows[] = {
      {"Net P&L", [](const Stats& s) { return usd(s.net_pnl); }},
      {"Total return", [](const Stats& s) { return pct(s.total_return); }},
      {"Annualized return", [](const Stats& s) { return opt_pct(s.annualized_return); }},
      {"Sharpe (ann.)", [](const Stats& s) { return opt(s.sharpe, 2); }},
      {"Sortino (ann.)", [](const Stats& s) { return opt(s.sortino, 2); }},
      {"Max drawdown", [](const Stats& s) { return usd(-s.max_drawdown); }},
      {"Max drawdown %", [](const Stats& s) { return pct(s.max_drawdown_pct); }},
      {"Max drawdown duration", [](const Stats& s) { return duration(s.max_drawdown_duration_s); }},
      {"Win rate", [](const Stats& s) { return opt_pct(s.win_rate); }},
      {"Profit factor", [](const Stats& s) { return opt(s.profit_factor, 2); }},
      {"Average win", [](const Stats& s) { return opt_usd(s.average_win); }},
      {"Average loss", [](const Stats& s) { return opt_usd(s.average_loss); }},
      {"Exposure", [](const Stats& s) { return pct(s.exposure); }},
      {"Trades", [](const Stats& s) { return std::to_string(s.trades); }},
      {"Closed trades", [](const Stats& s) { return std::to_string(s.closed_trades); }},
      {"Days", [](const Stats& s) { return std::to_string(s.days); }},
      {"Fees", [](const Stats& s) { return usd(s.fees); }},
      {"Premium sold", [](const Stats& s) { return usd(s.premium_sold); }},
      {"Initial equity", [](const Stats& s) { return usd(s.initial_equity); }},
      {"Final equity", [](const Stats& s) { return usd(s.final_equity); }},
      {"Intents", [](const Stats& s) { return std::to_string(s.intents); }},
      {"Risk rejections", [](const Stats& s) { return std::to_string(s.rejections); }},
  };
  out += "<h2>Statistics</h2>\n<table id=\"comparison\"><tr><th class=\"l\">statistic</th>";
  for (const Run& r : runs) out += "<th>" + esc(r.name) + "</th>";
  out += "</tr>\n";
  for (const Row& row : rows) {
    out += "<tr><td class=\"l\">" + esc(row.name) + "</td>";
    for (const Run& r : runs) out += "<td>" + esc(row.value(r.stats)) + "</td>";
    out += "</tr>\n";
  }
  out += "</table>\n";
  static const char* kColors[] = {"#2b6cb0", "#d97706", "#13795b", "#9333ea", "#b42318", "#0f766e", "#4b5563", "#be185d"};
  std::vector<Series> curves;
  std::vector<Breakdown> nets;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    Series s{runs[i].name, kColors[i % (sizeof kColors / sizeof kColors[0])], {}, false};
    for (const EquityPoint& p : runs[i].curve) s.y.push_back(p.pnl);
    curves.push_back(std::move(s));
    nets.push_back(Breakdown{runs[i].name, runs[i].stats.net_pnl, runs[i].stats.trades});
  }
  out += "<h2>Equity</h2>\n<div class=\"charts\">\n";
  out += line_chart("chart-compare-equity", "Cumulative P&L, each run over its own span", curves, {}, "$");
  out += bar_chart("chart-compare-pnl", "Net P&L by run", nets, "$");
  out += "</div>\n";
  out += html::chart_check_script({"chart-compare-equity", "chart-compare-pnl"});
  return out + "</body>\n</html>\n";
}


std::string sweep_html(const Sweep& sweep) {
  std::string out = head("odte backtest: " + sweep.name);
  std::size_t ok = 0;
  std::size_t failed = 0;
  std::size_t not_run = 0;
  for (const SweepRun& r : sweep.runs) {
    if (r.status == "ok") ++ok;
    else if (r.status == "failed") ++failed;
    else ++not_run;
  }
  out += "<h1>odte backtest: " + esc(sweep.name) + "</h1>\n<p class=\"sub\">" + std::to_string(sweep.sets.size()) +
         " parameter set(s) x " + std::to_string(sweep.days.size()) + " trading day(s)";
  if (!sweep.days.empty()) {
    out += ", " + esc(detail::day_label(sweep.days.front()));
    if (sweep.days.size() > 1) out += " to " + esc(detail::day_label(sweep.days.back()));
  }
  out += " &middot; " + std::to_string(ok) + " run(s) finished, " + std::to_string(failed) + " failed, " +
         std::to_string(not_run) + " not run &middot; each run is one odted replay with its own report (links below) "
         "&middot; times are New York time</p>\n";
  for (const SweepRun& r : sweep.runs) {
    if (r.status == "ok") continue;
    out += "<div class=\"warn\">" + esc(r.set) + " " + esc(detail::day_label(r.day)) + ": " + esc(r.status) +
           (r.error.empty() ? "" : ": " + esc(r.error)) + " -- its days are left out of the set's statistics</div>\n";
  }
  if (sweep.days.size() < 2) {
    out += "<div class=\"warn\">One trading day: no annualized figure means anything here, and Sharpe and Sortino "
           "need two days or more (n/a).</div>\n";
  }

  // Which parameters differ between the sets, and which are the same in all.
  std::vector<std::string> keys;
  for (const SweepSet& st : sweep.sets) {
    for (const auto& [k, v] : st.params) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  }
  auto value_of = [](const SweepSet& st, const std::string& k) {
    for (const auto& [pk, pv] : st.params) {
      if (pk == k) return pv;
    }
    return std::string("(config)");
  };
  std::vector<std::string> differ;
  std::vector<std::string> same;
  for (const std::string& k : keys) {
    bool all_same = true;
    for (const SweepSet& st : sweep.sets) all_same = all_same && value_of(st, k) == value_of(sweep.sets.front(), k);
    (all_same && sweep.sets.size() > 1 ? same : differ).push_back(k);
  }

  const std::vector<std::size_t> rank = sweep_ranking(sweep);
  out += "<h2>Ranking</h2>\n<p class=\"sub\">By net P&amp;L over the set's finished days (docs/research.md); "
         "statistics as in each run's report (docs/reports.md), over the days of the set.</p>\n"
         "<div class=\"scroll\"><table id=\"ranking\"><tr><th>#</th><th class=\"l\">set</th>";
  // strategy.NAME.params.KEY shows as NAME.KEY (the whole key in its tooltip and under Parameters).
  auto short_key = [](const std::string& k) {
    const std::size_t params = k.find(".params.");
    if (k.rfind("strategy.", 0) != 0 || params == std::string::npos) return k;
    return k.substr(9, params - 9) + "." + k.substr(params + 8);
  };
  for (const std::string& k : differ) {
    out += "<th class=\"l\" title=\"" + esc(k) + "\">" + esc(short_key(k)) + "</th>";
  }
  out += "<th>days</th><th>net P&amp;L</th><th>return</th><th>Sharpe</th><th>Sortino</th><th>max drawdown</th>"
         "<th>win rate</th><th>profit factor</th><th>trades</th></tr>\n";
  for (std::size_t r = 0; r < rank.size(); ++r) {
    const SweepSet& st = sweep.sets[rank[r]];
    const Stats& x = st.run.stats;
    out += "<tr><td>" + std::to_string(r + 1) + "</td><td class=\"l\">" + esc(st.name) + "</td>";
    for (const std::string& k : differ) out += "<td class=\"l\">" + esc(value_of(st, k)) + "</td>";
    out += "<td>" + std::to_string(st.days_ok) + "/" + std::to_string(sweep.days.size()) + "</td><td class=\"" +
           cls(x.net_pnl) + "\">" + usd(x.net_pnl) + "</td><td>" + pct(x.total_return) + "</td><td>" + opt(x.sharpe, 2) +
           "</td><td>" + opt(x.sortino, 2) + "</td><td>" + usd(-x.max_drawdown) + " (" + pct(x.max_drawdown_pct) +
           ")</td><td>" + opt_pct(x.win_rate) + "</td><td>" + opt(x.profit_factor, 2) + "</td><td>" +
           std::to_string(x.trades) + "</td></tr>\n";
  }
  out += "</table></div>\n";

  out += "<h2>Parameters</h2>\n<table id=\"params\"><tr><th class=\"l\">key</th><th class=\"l\">differs between sets: "
         "values</th></tr>\n";
  for (const std::string& k : differ) {
    std::vector<std::string> values;
    for (const SweepSet& st : sweep.sets) {
      const std::string v = value_of(st, k);
      if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
    }
    std::string list;
    for (const std::string& v : values) list += (list.empty() ? "" : ", ") + v;
    out += "<tr><td class=\"l\">" + esc(k) + "</td><td class=\"l\">" + esc(list) + "</td></tr>\n";
  }
  if (differ.empty()) out += "<tr><td class=\"l\">none</td><td class=\"l\">one set: the config as given</td></tr>\n";
  out += "</table>\n";
  if (!same.empty()) {
    out += "<p class=\"sub\">The same in every set: ";
    for (std::size_t i = 0; i < same.size(); ++i) {
      out += (i ? ", " : "") + esc(same[i]) + " = " + esc(value_of(sweep.sets.front(), same[i]));
    }
    out += "</p>\n";
  }

  static const char* kColors[] = {"#2b6cb0", "#d97706", "#13795b", "#9333ea", "#b42318", "#0f766e",
                                  "#4b5563", "#be185d", "#65a30d", "#0891b2", "#a16207", "#7c3aed"};
  std::vector<Series> curves;
  std::vector<Breakdown> nets;
  std::vector<std::string> labels;
  for (const std::int32_t d : sweep.days) labels.push_back(detail::day_label(d));
  for (std::size_t r = 0; r < rank.size(); ++r) {
    const SweepSet& st = sweep.sets[rank[r]];
    Series line{st.name, kColors[r % (sizeof kColors / sizeof kColors[0])], {}, false};
    double cumulative = 0.0;
    for (const std::int32_t d : sweep.days) {
      for (const DayResult& dr : st.run.days) {
        if (dr.day == d) cumulative += dr.pnl;
      }
      line.y.push_back(cumulative);  // a day that did not finish carries the curve flat
    }
    curves.push_back(std::move(line));
    nets.push_back(Breakdown{st.name, st.run.stats.net_pnl, st.run.stats.trades});
  }
  out += "<h2>Equity over the days</h2>\n<div class=\"charts\">\n";
  out += line_chart("chart-sweep-equity", "Cumulative P&L at each day's end, per set", curves, labels, "$");
  out += bar_chart("chart-sweep-pnl", "Net P&L by set (ranked)", nets, "$");
  out += "</div>\n";

  out += "<h2>Days</h2>\n<div class=\"scroll\"><table id=\"days\"><tr><th class=\"l\">day</th>";
  for (const std::size_t i : rank) out += "<th>" + esc(sweep.sets[i].name) + "</th>";
  out += "</tr>\n";
  for (const std::int32_t d : sweep.days) {
    out += "<tr><td class=\"l\">" + detail::day_label(d) + "</td>";
    for (const std::size_t i : rank) {
      const SweepSet& st = sweep.sets[i];
      std::string cell = "not run";
      std::string klass;
      for (const SweepRun& r : sweep.runs) {
        if (r.set != st.name || r.day != d) continue;
        cell = r.status;
        for (const DayResult& dr : st.run.days) {
          if (dr.day == d) {
            cell = usd(dr.pnl) + " (" + std::to_string(dr.trades) + ")";
            klass = cls(dr.pnl);
          }
        }
        if (!r.link.empty()) cell = "<a href=\"" + esc(r.link) + "\">" + esc(cell) + "</a>";
        else cell = esc(cell);
      }
      out += "<td class=\"" + klass + "\">" + cell + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</table></div>\n<p class=\"sub\">P&amp;L (trades opened) of each run; the link opens the run's own report.</p>\n";

  // Per day, the notes every finished run of that day gave once ("every set"), then what each set
  // said besides.
  out += "<h2>Runs and the strategies' notes</h2>\n<p class=\"sub\">What each strategy said on the day: why it traded, "
         "or why it did not. Notes every set gave that day are shown once.</p>\n<div class=\"scroll\"><table id=\"notes\">"
         "<tr><th class=\"l\">day</th><th class=\"l\">set</th><th class=\"l\">status</th><th>P&amp;L</th><th>trades</th>"
         "<th class=\"l\">notes</th></tr>\n";
  for (const std::int32_t d : sweep.days) {
    std::vector<const SweepRun*> day_runs;
    for (const SweepRun& r : sweep.runs) {
      if (r.day == d) day_runs.push_back(&r);
    }
    std::vector<std::string> common;
    bool first_ok = true;
    for (const SweepRun* r : day_runs) {
      if (r->status != "ok") continue;
      if (first_ok) {
        common = r->notes;
        first_ok = false;
        continue;
      }
      std::vector<std::string> keep;
      for (const std::string& n : common) {
        if (std::find(r->notes.begin(), r->notes.end(), n) != r->notes.end()) keep.push_back(n);
      }
      common = std::move(keep);
    }
    const bool many = day_runs.size() > 1;
    if (many && !common.empty()) {
      std::string notes;
      for (const std::string& n : common) notes += (notes.empty() ? "" : "<br>") + esc(n);
      out += "<tr><td class=\"l\">" + detail::day_label(d) + "</td><td class=\"l\">every set</td><td></td><td></td><td></td>"
             "<td class=\"l\" style=\"white-space:normal\">" + notes + "</td></tr>\n";
    }
    for (const SweepRun* r : day_runs) {
      std::string pnl;
      std::string trades;
      std::string klass;
      for (const SweepSet& st : sweep.sets) {
        if (st.name != r->set) continue;
        for (const DayResult& dr : st.run.days) {
          if (dr.day == d) {
            pnl = usd(dr.pnl);
            trades = std::to_string(dr.trades);
            klass = cls(dr.pnl);
          }
        }
      }
      std::string notes;
      for (const std::string& n : r->notes) {
        if (many && std::find(common.begin(), common.end(), n) != common.end()) continue;
        notes += (notes.empty() ? "" : "<br>") + esc(n);
      }
      if (!r->error.empty()) notes = esc(r->error) + (notes.empty() ? "" : "<br>" + notes);
      const std::string status =
          r->link.empty() ? esc(r->status) : "<a href=\"" + esc(r->link) + "\">" + esc(r->status) + "</a>";
      out += "<tr><td class=\"l\">" + detail::day_label(d) + "</td><td class=\"l\">" + esc(r->set) + "</td><td class=\"l\">" +
             status + "</td><td class=\"" + klass + "\">" + pnl + "</td><td>" + trades +
             "</td><td class=\"l\" style=\"white-space:normal\">" + notes + "</td></tr>\n";
    }
  }
  out += "</table></div>\n";
  out += "<p class=\"sub\">Files beside this page: aggregate.json, sets.csv (the ranking), days.csv (every run); "
         "runs/&lt;set&gt;/&lt;day&gt;/ holds each run's config, journal and report.</p>\n";
  out += html::chart_check_script({"chart-sweep-equity", "chart-sweep-pnl"});
  return out + "</body>\n</html>\n";
}

}  // namespace odte::reports

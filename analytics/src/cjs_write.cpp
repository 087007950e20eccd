// Outputs of seed 003: daily and monthly CSV, JSON, and a self-contained HTML page (inline SVG,
// inline CSS, one inline script that checks its charts are in the page). Numbers are written
// in their shortest round-trip form, so the same result gives the same bytes.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "odte/analytics/cjs.hpp"
#include "odte/reports/html_kit.hpp"

namespace odte::analytics::cjs {

namespace {

using reports::html::esc;
using reports::html::fixed;
namespace html = reports::html;

std::string num(double v) {
  char buf[32];
  const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, p) : std::string("0");
}
std::string json_num(double v) { return std::isnan(v) ? "null" : num(v); }
std::string money3(double m) { return fixed(m, 3); }
char right_char(OptionRight r) { return r == OptionRight::kCall ? 'C' : 'P'; }
std::string month_text(std::int32_t yyyymm) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", yyyymm / 100, yyyymm % 100);
  return buf;
}
std::string json_str(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}
std::string pct(double v) { return std::isnan(v) ? "n/a" : fixed(v * 100.0, 2) + "%"; }

std::string portfolio_cols(const Result& r, std::size_t p) {
  const PortfolioId id = r.portfolio(p);
  return r.name(p) + "," + right_char(id.right) + "," + money3(r.params.moneyness[id.moneyness_index]) + "," +
         std::to_string(r.params.maturities[id.maturity_index]);
}

std::size_t formed_days(const Result& r, std::size_t p) {
  std::size_t n = 0;
  for (std::size_t d = 0; d < r.dates.size(); ++d) if (!std::isnan(r.daily[p * r.dates.size() + d])) ++n;
  return n;
}

double mean_daily(const Result& r, std::size_t p) {
  double s = 0;
  std::size_t n = 0;
  for (std::size_t d = 0; d < r.dates.size(); ++d) {
    const double v = r.daily[p * r.dates.size() + d];
    if (std::isnan(v)) continue;
    s += v;
    ++n;
  }
  return n == 0 ? std::nan("") : s / static_cast<double>(n);
}

// ---- SVG, in the run report's style ----
constexpr double kW = html::kChartWidth;
constexpr double kH = html::kChartHeight;
constexpr double kLeft = html::kChartLeft;
constexpr double kRight = html::kChartRight;
constexpr double kTop = html::kChartTop;
constexpr double kBottom = html::kChartBottom;
const char* const kColors[] = {"#1f5fbf", "#d9534f", "#2f9e72", "#8e44ad", "#e67e22", "#16a2b8", "#7f8c8d", "#c0392b",
                               "#2c3e50", "#b8860b"};

std::string c1(double v) { return fixed(v, 1); }

struct Line {
  std::string name;
  std::vector<double> y;  // NaN: no point
};

// Lines over x positions 0..n-1 with labels; NaN breaks a line; a lone point is drawn as a dot.
// Values are fractions, shown as percent.
std::string chart(const std::string& id, const std::string& title, const std::vector<Line>& lines,
                  const std::vector<std::string>& x_labels) {
  double lo = 0.0;
  double hi = 0.0;
  bool any = false;
  for (const Line& l : lines) {
    for (const double v : l.y) {
      if (std::isnan(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      any = true;
    }
  }
  if (hi - lo < 1e-9) {
    hi += 0.01;
    lo -= 0.01;
  }
  const double pad = (hi - lo) * 0.05;
  hi += pad;
  lo -= pad;
  auto y_of = [&](double v) { return kTop + (hi - v) / (hi - lo) * (kH - kTop - kBottom); };
  const std::size_t n = x_labels.size();
  const double plot_w = kW - kLeft - kRight;
  auto x_of = [&](std::size_t i) {
    return n <= 1 ? kLeft + plot_w / 2 : kLeft + static_cast<double>(i) / static_cast<double>(n - 1) * plot_w;
  };
  std::string out = html::svg_open(id, title);
  for (const double t : html::nice_ticks(lo, hi, 5)) {
    const double y = y_of(t);
    out += "<line class=\"grid\" x1=\"" + c1(kLeft) + "\" x2=\"" + c1(kW - kRight) + "\" y1=\"" + c1(y) + "\" y2=\"" + c1(y) +
           "\"/><text class=\"tick\" x=\"" + c1(kLeft - 6) + "\" y=\"" + c1(y + 4) + "\" text-anchor=\"end\">" +
           fixed(t * 100.0, std::fabs(hi - lo) < 0.05 ? 2 : 1) + "%</text>\n";
  }
  out += "<line class=\"zero\" x1=\"" + c1(kLeft) + "\" x2=\"" + c1(kW - kRight) + "\" y1=\"" + c1(y_of(0.0)) + "\" y2=\"" +
         c1(y_of(0.0)) + "\"/>\n";
  if (!any) {
    out += "<text class=\"tick\" x=\"" + c1(kW / 2) + "\" y=\"" + c1(kH / 2) +
           "\" text-anchor=\"middle\">no candidate options: nothing to draw</text>\n";
  }
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const Line& l = lines[k];
    const std::string color = kColors[k % (sizeof kColors / sizeof kColors[0])];
    std::string pts;
    auto flush = [&](std::size_t count, std::size_t last) {
      if (count == 1) {
        out += "<circle cx=\"" + c1(x_of(last)) + "\" cy=\"" + c1(y_of(l.y[last])) + "\" r=\"3\" fill=\"" + color +
               "\"><title>" + esc(l.name) + "</title></circle>\n";
      } else if (count > 1) {
        out += "<polyline class=\"line\" stroke=\"" + color + "\" points=\"" + pts + "\"><title>" + esc(l.name) +
               "</title></polyline>\n";
      }
      pts.clear();
    };
    std::size_t count = 0;
    for (std::size_t i = 0; i < l.y.size(); ++i) {
      if (std::isnan(l.y[i])) {
        flush(count, i - 1);
        count = 0;
        continue;
      }
      if (!pts.empty()) pts += ' ';
      pts += c1(x_of(i)) + "," + c1(y_of(l.y[i]));
      ++count;
    }
    if (!l.y.empty()) flush(count, l.y.size() - 1);
  }
  const std::size_t shown = std::min<std::size_t>(n, 9);
  for (std::size_t k = 0; k < shown; ++k) {
    const std::size_t i = shown == 1 ? 0 : k * (n - 1) / (shown - 1);
    out += "<text class=\"tick\" x=\"" + c1(x_of(i)) + "\" y=\"" + c1(kH - kBottom + 16) + "\" text-anchor=\"middle\">" +
           esc(x_labels[i]) + "</text>\n";
  }
  double x = kLeft + 8;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    out += "<rect x=\"" + c1(x) + "\" y=\"" + c1(kH - 16) + "\" width=\"10\" height=\"10\" fill=\"" +
           kColors[k % (sizeof kColors / sizeof kColors[0])] + "\"/><text class=\"tick\" x=\"" + c1(x + 14) + "\" y=\"" +
           c1(kH - 7) + "\">" + esc(lines[k].name) + "</text>\n";
    x += 24 + 7.0 * static_cast<double>(lines[k].name.size());
  }
  return out + "</svg>\n";
}


}  // namespace

std::string panel_csv(const std::vector<Quote>& panel, const std::vector<std::string>& comments) {
  std::string out;
  for (const std::string& c : comments) {
    if (c.find('\n') != std::string::npos) throw Error("a panel comment cannot hold a line break: '" + c + "'");
    out += "# " + c + "\n";
  }
  out += "date,expiry,strike,right,bid,ask,price,iv,underlying,rate\n";
  const auto field = [](double v) { return std::isnan(v) ? std::string() : num(v); };
  for (const Quote& q : panel) {
    const bool quoted = !(std::isnan(q.bid) && std::isnan(q.ask));
    out += format_date(q.date) + ',' + format_date(q.expiry) + ',' + num(q.strike) + ',' + right_char(q.right) + ',' +
           field(q.bid) + ',' + field(q.ask) + ',' + (quoted ? std::string() : field(q.price)) + ',' + field(q.iv) +
           ',' + num(q.spot) + ',' + num(q.rate) + '\n';
  }
  return out;
}

std::string daily_csv(const Result& r) {
  std::string out = "date,next_date,portfolio,right,moneyness,maturity_days,return,options,status\n";
  const std::size_t nd = r.dates.size();
  for (std::size_t d = 0; d < nd; ++d) {
    const std::string dates = format_date(r.dates[d]) + "," + format_date(r.next_dates[d]) + ",";
    for (std::size_t p = 0; p < r.portfolios(); ++p) {
      const double v = r.daily[p * nd + d];
      out += dates + portfolio_cols(r, p) + "," + (std::isnan(v) ? "" : num(v)) + "," +
             std::to_string(r.daily_n[p * nd + d]) + "," + (std::isnan(v) ? "no_candidates" : "ok") + "\n";
    }
  }
  return out;
}

std::string monthly_csv(const Result& r) {
  std::string out = "month,portfolio,right,moneyness,maturity_days,return,days,status\n";
  const std::size_t nm = r.months.size();
  for (std::size_t m = 0; m < nm; ++m) {
    for (std::size_t p = 0; p < r.portfolios(); ++p) {
      const double v = r.monthly[p * nm + m];
      out += month_text(r.months[m]) + "," + portfolio_cols(r, p) + "," + (std::isnan(v) ? "" : num(v)) + "," +
             std::to_string(r.monthly_days[p * nm + m]) + "," + (std::isnan(v) ? "no_candidates" : "ok") + "\n";
    }
  }
  return out;
}

std::string to_json(const Result& r, const std::string& source) {
  const Params& pa = r.params;
  std::string out = "{\"seed\":\"003\",\"source\":" + json_str(source) + ",\"params\":{\"moneyness\":[";
  for (std::size_t i = 0; i < pa.moneyness.size(); ++i) out += (i ? "," : "") + num(pa.moneyness[i]);
  out += "],\"maturities\":[";
  for (std::size_t i = 0; i < pa.maturities.size(); ++i) out += (i ? "," : "") + std::to_string(pa.maturities[i]);
  out += "],\"bin_width\":" + num(pa.bin_width) + ",\"bw_moneyness\":" + num(pa.bw_moneyness) +
         ",\"bw_days\":" + num(pa.bw_days) + ",\"min_weight\":" + num(pa.min_weight) +
         ",\"min_days\":" + std::to_string(pa.min_days) + ",\"max_days\":" + std::to_string(pa.max_days) +
         ",\"min_iv\":" + num(pa.min_iv) + ",\"max_iv\":" + num(pa.max_iv) +
         ",\"require_bid\":" + (pa.require_bid ? "true" : "false") + ",\"div_yield\":" + num(pa.div_yield) +
         ",\"rf_part\":" + (pa.rf_part ? "true" : "false") + ",\"candidates\":\"" +
         (pa.candidates == Candidates::kBucket ? "bucket" : "all") + "\"},";
  const FilterCounts& c = r.counts;
  out += "\"filters\":{\"rows\":" + std::to_string(c.rows) + ",\"last_day\":" + std::to_string(c.last_day) +
         ",\"no_quote\":" + std::to_string(c.no_quote) + ",\"zero_bid\":" + std::to_string(c.zero_bid) +
         ",\"maturity\":" + std::to_string(c.maturity) + ",\"iv\":" + std::to_string(c.iv) +
         ",\"no_next_price\":" + std::to_string(c.no_next_price) + ",\"no_elasticity\":" + std::to_string(c.no_elasticity) +
         ",\"outside_buckets\":" + std::to_string(c.outside_buckets) + ",\"used\":" + std::to_string(c.used) + "},";
  out += "\"dates\":[";
  for (std::size_t d = 0; d < r.dates.size(); ++d) out += (d ? ",\"" : "\"") + format_date(r.dates[d]) + "\"";
  out += "],\"next_dates\":[";
  for (std::size_t d = 0; d < r.dates.size(); ++d) out += (d ? ",\"" : "\"") + format_date(r.next_dates[d]) + "\"";
  out += "],\"months\":[";
  for (std::size_t m = 0; m < r.months.size(); ++m) out += (m ? ",\"" : "\"") + month_text(r.months[m]) + "\"";
  out += "],\"portfolios\":[";
  const std::size_t nd = r.dates.size();
  const std::size_t nmo = r.months.size();
  for (std::size_t p = 0; p < r.portfolios(); ++p) {
    const PortfolioId id = r.portfolio(p);
    out += std::string(p ? "," : "") + "{\"name\":\"" + r.name(p) + "\",\"right\":\"" + right_char(id.right) +
           "\",\"moneyness\":" + num(pa.moneyness[id.moneyness_index]) +
           ",\"maturity_days\":" + std::to_string(pa.maturities[id.maturity_index]) +
           ",\"formed_days\":" + std::to_string(formed_days(r, p)) + ",\"mean_daily\":" + json_num(mean_daily(r, p)) +
           ",\"mean_monthly\":" + json_num(mean_monthly(r, p)) + ",\"daily\":[";
    for (std::size_t d = 0; d < nd; ++d) out += (d ? "," : "") + json_num(r.daily[p * nd + d]);
    out += "],\"daily_options\":[";
    for (std::size_t d = 0; d < nd; ++d) out += (d ? "," : "") + std::to_string(r.daily_n[p * nd + d]);
    out += "],\"monthly\":[";
    for (std::size_t m = 0; m < nmo; ++m) out += (m ? "," : "") + json_num(r.monthly[p * nmo + m]);
    out += "],\"monthly_days\":[";
    for (std::size_t m = 0; m < nmo; ++m) out += (m ? "," : "") + std::to_string(r.monthly_days[p * nmo + m]);
    out += "]}";
  }
  return out + "]}\n";
}

std::string to_html(const Result& r, const std::string& source) {
  const Params& pa = r.params;
  const std::size_t nm = pa.moneyness.size();
  const std::size_t nt = pa.maturities.size();
  const std::size_t nd = r.dates.size();
  std::string out = html::page_head("Seed 003: leverage-adjusted option portfolio returns") +
                    "<h1>Leverage-adjusted option portfolio returns (seed 003)</h1>\n";
  out += "<p class=\"sub\">" + esc(source) + " &middot; " +
         (nd ? format_date(r.dates.front()) + " to " + format_date(r.next_dates.back()) + ", " + std::to_string(nd) +
                   " daily returns"
             : std::string("no pair of consecutive panel days")) +
         " &middot; candidates: " + (pa.candidates == Candidates::kBucket ? "the seed's buckets" : "every option of the right") +
         (pa.rf_part ? " &middot; risk-free part added" : " &middot; no risk-free part") + "</p>\n";

  std::size_t never = 0;
  std::string never_list;
  for (std::size_t p = 0; p < r.portfolios(); ++p) {
    if (formed_days(r, p) > 0) continue;
    ++never;
    never_list += (never_list.empty() ? "" : ", ") + r.name(p);
  }
  if (never > 0) {
    out += "<div class=\"warn\" id=\"gaps\">" + std::to_string(never) + " of " + std::to_string(r.portfolios()) +
           " portfolios had no candidate option on any day (no return, not 0): " + esc(never_list) + "</div>\n";
  }

  const FilterCounts& c = r.counts;
  out += "<h2>Options used and left out</h2>\n<table id=\"filters\"><tr><th class=\"l\">rows</th><th>count</th></tr>\n";
  const std::pair<std::string, std::size_t> rows[] = {
      {"read", c.rows},
      {"on the last day (no next day)", c.last_day},
      {"missing or crossed quote", c.no_quote},
      {"zero bid", c.zero_bid},
      {"days to expiry outside [" + std::to_string(pa.min_days) + ", " + std::to_string(pa.max_days) + "]", c.maturity},
      {"implied vol missing or out of range", c.iv},
      {"no next-day price", c.no_next_price},
      {"no BSM elasticity", c.no_elasticity},
      {"moneyness outside every bin", c.outside_buckets},
      {"used as candidates", c.used},
  };
  for (const auto& [k, v] : rows) out += "<tr><td class=\"l\">" + esc(k) + "</td><td>" + std::to_string(v) + "</td></tr>\n";
  out += "</table>\n";

  std::vector<std::string> ids;
  std::vector<std::string> m_labels;
  for (const double m : pa.moneyness) m_labels.push_back(money3(m));
  out += "<h2>Average monthly return by moneyness</h2>\n<div class=\"charts\">\n";
  for (const OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
    std::vector<Line> lines;
    for (std::size_t t = 0; t < nt; ++t) {
      Line l{std::to_string(pa.maturities[t]) + " days", {}};
      for (std::size_t m = 0; m < nm; ++m) l.y.push_back(mean_monthly(r, r.index(PortfolioId{right, m, t})));
      lines.push_back(std::move(l));
    }
    const std::string id = right == OptionRight::kCall ? "chart-mean-calls" : "chart-mean-puts";
    ids.push_back(id);
    out += chart(id, std::string(right == OptionRight::kCall ? "Calls" : "Puts") + ": mean monthly leverage-adjusted return by K/S",
                 lines, m_labels);
  }
  out += "</div>\n<h2>Table of mean monthly returns</h2>\n<table id=\"means\"><tr><th class=\"l\">K/S</th>";
  for (const char* side : {"C", "P"}) {
    for (std::size_t t = 0; t < nt; ++t) out += "<th>" + std::string(side) + " " + std::to_string(pa.maturities[t]) + "d</th>";
  }
  out += "</tr>\n";
  for (std::size_t m = 0; m < nm; ++m) {
    out += "<tr><td class=\"l\">" + money3(pa.moneyness[m]) + "</td>";
    for (const OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
      for (std::size_t t = 0; t < nt; ++t) {
        const double v = mean_monthly(r, r.index(PortfolioId{right, m, t}));
        out += std::isnan(v) ? "<td class=\"na\">no candidates</td>"
                             : "<td class=\"" + std::string(v >= 0 ? "pos" : "neg") + "\">" + pct(v) + "</td>";
      }
    }
    out += "</tr>\n";
  }
  out += "</table>\n<h2>Cumulative daily return per portfolio</h2>\n<div class=\"charts\">\n";
  std::vector<std::string> d_labels;
  for (std::size_t d = 0; d < nd; ++d) d_labels.push_back(format_date(r.dates[d]));
  for (const OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
    for (std::size_t t = 0; t < nt; ++t) {
      std::vector<Line> lines;
      for (std::size_t m = 0; m < nm; ++m) {
        const std::size_t p = r.index(PortfolioId{right, m, t});
        Line l{money3(pa.moneyness[m]), {}};
        double growth = 1.0;
        for (std::size_t d = 0; d < nd; ++d) {
          const double v = r.daily[p * nd + d];
          if (std::isnan(v)) {
            l.y.push_back(std::nan(""));
            continue;
          }
          growth *= 1.0 + v;
          l.y.push_back(growth - 1.0);
        }
        lines.push_back(std::move(l));
      }
      const std::string id = std::string("chart-") + (right == OptionRight::kCall ? "c" : "p") + "-" +
                             std::to_string(pa.maturities[t]);
      ids.push_back(id);
      out += chart(id, std::string(right == OptionRight::kCall ? "Calls" : "Puts") + ", " +
                           std::to_string(pa.maturities[t]) + " days: cumulative return (gaps: no candidates)",
                   lines, d_labels);
    }
  }
  out += "</div>\n<p class=\"sub\">What these numbers mean: docs/cjs.md.</p>\n";
  out += html::chart_check_script(ids);
  return out + "</body></html>\n";
}

}  // namespace odte::analytics::cjs

#include "odte/reports/html_kit.hpp"

#include <cmath>
#include <cstdio>

namespace odte::reports::html {

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::vector<double> nice_ticks(double lo, double hi, int n) {
  if (!(hi > lo) || n <= 0) return {lo};
  const double raw = (hi - lo) / n;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  }
  std::vector<double> out;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  }
  return out;
}

std::string svg_open(std::string_view id, std::string_view title, double width) {
  return "<svg id=\"" + esc(id) + "\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + fixed(width, 1) +
         " " + fixed(kChartHeight, 1) + "\" role=\"img\" aria-label=\"" + esc(title) + "\">\n<text class=\"title\" x=\"" +
         fixed(kChartLeft, 1) + "\" y=\"18\">" + esc(title) + "</text>\n";
}

namespace {

constexpr const char* kSharedCss =
    "body{font:14px/1.4 system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif;margin:24px;color:#1d2330;"
    "background:#fff}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}\n"
    ".sub{color:#5b6578;margin:0 0 12px}.warn{background:#fff6e0;border:1px solid #f0d48a;padding:6px 10px;margin:4px 0;"
    "border-radius:4px}\n"
    ".pos{color:#13795b}.neg{color:#b42318}.na{color:#9aa3b2}\n"
    "table{border-collapse:collapse;font-size:13px;margin:4px 0}th,td{border-bottom:1px solid #e6e9ef;padding:3px 8px;"
    "text-align:right;white-space:nowrap}\n"
    "th{background:#f4f6f9;position:sticky;top:0}td.l,th.l{text-align:left}\n"
    ".charts{display:grid;grid-template-columns:1fr;gap:10px}\n"
    "svg.chart{width:100%;height:auto;border:1px solid #e6e9ef;border-radius:6px;background:#fff}\n"
    "svg .title{font-size:14px;font-weight:600;fill:#1d2330}svg .tick{font-size:11px;fill:#5b6578}\n"
    "svg .grid{stroke:#eef0f4}svg .zero{stroke:#9aa3b2}svg .line{fill:none;stroke-width:1.6}\n";

}  // namespace

std::string page_head(std::string_view title, std::string_view extra_css) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "script-src 'unsafe-inline'; img-src data:\">\n<title>" +
      esc(title) + "</title>\n<style>\n" + kSharedCss;
  out += extra_css;
  if (!extra_css.empty() && extra_css.back() != '\n') out += '\n';
  return out + "</style>\n</head>\n<body>\n";
}

std::string chart_check_script(const std::vector<std::string>& ids) {
  std::string list;
  for (const std::string& id : ids) list += (list.empty() ? "\"" : ",\"") + esc(id) + "\"";
  return "<script>\n(function(){\"use strict\";var ids=[" + list +
         "];var missing=ids.filter(function(i){var e=document.getElementById(i);"
         "return !e||e.tagName.toLowerCase()!==\"svg\";});document.body.dataset.charts=String(ids.length-missing.length);"
         "document.body.dataset.loaded=missing.length===0?\"ok\":\"missing:\"+missing.join(\",\");})();\n</script>\n";
}

}  // namespace odte::reports::html

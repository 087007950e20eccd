// Readers of end-of-day option panels for seed 003: OptionMetrics-style CSV, LEAN option
// universe files, Massive options day aggregates. Every bad row is an Error naming the file,
// line and column; nothing is skipped silently.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "odte/analytics/cjs.hpp"
#include "odte/core/options/calendar.hpp"
#include "odte/core/options/symbology.hpp"

namespace odte::analytics::cjs {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

void split(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    out.push_back(trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
}

// A reader positioned on one file, for error messages.
struct Where {
  std::string path;
  std::size_t line = 0;
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(path + ":" + std::to_string(line) + ": " + what);
  }
};

std::ifstream open(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  if (std::filesystem::is_directory(path)) throw Error(path + ": is a directory, not a file");
  return in;
}

// Empty -> NaN; anything not a number -> Error naming the column.
double number(std::string_view s, const Where& w, std::string_view column) {
  if (s.empty()) return kNaN;
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(v)) {
    w.fail("column '" + std::string(column) + "' is not a number: '" + std::string(s) + "'");
  }
  return v;
}

double required(std::string_view s, const Where& w, std::string_view column) {
  if (s.empty()) w.fail("column '" + std::string(column) + "' is empty");
  return number(s, w, column);
}

std::int32_t date_field(std::string_view s, const Where& w, std::string_view column) {
  try {
    return parse_date(std::string(s), "column '" + std::string(column) + "'");
  } catch (const Error& e) {
    w.fail(e.what());
  }
}

OptionRight right_field(std::string_view s, const Where& w, std::string_view column) {
  const std::string v = lower(s);
  if (v == "c" || v == "call") return OptionRight::kCall;
  if (v == "p" || v == "put") return OptionRight::kPut;
  w.fail("column '" + std::string(column) + "' is not C or P: '" + std::string(s) + "'");
}

// The first header name present among `names`, or -1.
int column(const std::vector<std::string>& header, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    const auto it = std::find(header.begin(), header.end(), n);
    if (it != header.end()) return static_cast<int>(it - header.begin());
  }
  return -1;
}

double spot_for(const ExtraInputs& extra, std::int32_t date, const Where& w, const char* why) {
  const auto it = extra.underlying.find(date);
  if (it == extra.underlying.end()) {
    w.fail(std::string(why) + " and --underlying has no close for " + format_date(date));
  }
  return it->second;
}

}  // namespace

std::map<std::int32_t, double> read_underlying_csv(const std::string& path) {
  std::ifstream in = open(path);
  std::map<std::int32_t, double> out;
  Where w{path, 0};
  std::string line;
  std::vector<std::string_view> f;
  while (std::getline(in, line)) {
    ++w.line;
    if (trim(line).empty() || line[0] == '#') continue;
    split(line, f);
    if (w.line == 1 && lower(f[0]) == "date") continue;
    if (f.size() < 2) w.fail("expected date,close");
    const std::int32_t d = date_field(f[0], w, "date");
    const double c = required(f[1], w, "close");
    if (!(c > 0.0)) w.fail("column 'close' must be positive");
    if (!out.emplace(d, c).second) w.fail("date " + format_date(d) + " appears twice");
  }
  if (out.empty()) throw Error(path + ": no underlying closes");
  return out;
}

std::vector<Quote> read_optionmetrics_csv(const std::string& path) {
  std::ifstream in = open(path);
  Where w{path, 0};
  std::string line;
  std::vector<std::string_view> f;
  bool have_header = false;
  while (std::getline(in, line)) {
    ++w.line;
    if (trim(line).empty() || line[0] == '#') continue;  // comments before the header
    have_header = true;
    break;
  }
  if (!have_header) throw Error(path + ": empty file (expected a header line)");
  split(line, f);
  std::vector<std::string> header;
  for (const auto s : f) header.push_back(lower(s));
  struct Col {
    const char* name;
    int index;
  };
  Col cols[] = {
      {"date", column(header, {"date"})},
      {"expiry", column(header, {"expiry", "exdate"})},
      {"strike", column(header, {"strike"})},
      {"right", column(header, {"right", "cp_flag"})},
      {"bid", column(header, {"bid", "best_bid"})},
      {"ask", column(header, {"ask", "best_offer"})},
      {"underlying", column(header, {"underlying", "close", "spot"})},
      {"rate", column(header, {"rate"})},
  };
  for (const Col& c : cols) {
    if (c.index < 0) w.fail("the header has no '" + std::string(c.name) + "' column");
  }
  const int c_iv = column(header, {"iv", "impl_volatility", "implied_volatility"});
  const int c_price = column(header, {"price"});
  const std::size_t width = header.size();
  std::vector<Quote> out;
  while (std::getline(in, line)) {
    ++w.line;
    if (trim(line).empty() || line[0] == '#') continue;
    split(line, f);
    if (f.size() != width) {
      w.fail("expected " + std::to_string(width) + " fields, found " + std::to_string(f.size()));
    }
    Quote q;
    q.date = date_field(f[static_cast<std::size_t>(cols[0].index)], w, "date");
    q.expiry = date_field(f[static_cast<std::size_t>(cols[1].index)], w, "expiry");
    q.strike = required(f[static_cast<std::size_t>(cols[2].index)], w, "strike");
    q.right = right_field(f[static_cast<std::size_t>(cols[3].index)], w, "right");
    q.bid = number(f[static_cast<std::size_t>(cols[4].index)], w, "bid");
    q.ask = number(f[static_cast<std::size_t>(cols[5].index)], w, "ask");
    q.price = 0.5 * (q.bid + q.ask);  // NaN when a side is missing: filtered as no quote
    if (std::isnan(q.bid) && std::isnan(q.ask) && c_price >= 0) {
      q.price = number(f[static_cast<std::size_t>(c_price)], w, "price");  // a source without quotes
    }
    q.spot = required(f[static_cast<std::size_t>(cols[6].index)], w, "underlying");
    q.rate = required(f[static_cast<std::size_t>(cols[7].index)], w, "rate");
    q.iv = c_iv >= 0 ? number(f[static_cast<std::size_t>(c_iv)], w, "iv") : kNaN;
    if (!(q.strike > 0.0)) w.fail("column 'strike' must be positive");
    if (!(q.spot > 0.0)) w.fail("column 'underlying' must be positive");
    if (q.expiry < q.date) w.fail("expiry " + format_date(q.expiry) + " is before the date " + format_date(q.date));
    out.push_back(q);
  }
  if (out.empty()) throw Error(path + ": no option rows");
  return out;
}

std::vector<Quote> read_lean_universe(const std::vector<std::string>& paths, const ExtraInputs& extra) {
  if (!extra.have_rate) throw Error("LEAN universe files carry no risk-free rate: give --rate");
  std::vector<Quote> out;
  std::string line;
  std::vector<std::string_view> f;
  for (const std::string& path : paths) {
    const std::string stem = std::filesystem::path(path).stem().string();
    std::int32_t date = 0;
    try {
      date = parse_date(stem, "file name");
    } catch (const Error&) {
      throw Error(path + ": a LEAN universe file is named YYYYMMDD.csv (its date)");
    }
    std::ifstream in = open(path);
    Where w{path, 0};
    double spot = kNaN;
    const std::size_t first = out.size();
    while (std::getline(in, line)) {
      ++w.line;
      if (trim(line).empty() || line[0] == '#') continue;
      split(line, f);
      if (f.size() < 10) w.fail("expected at least 10 fields (expiry,strike,right,open,high,low,close,volume,open_interest,implied_volatility)");
      if (f[0].empty()) {  // the underlying's row
        spot = required(f[6], w, "close");
        continue;
      }
      Quote q;
      q.date = date;
      q.expiry = date_field(f[0], w, "expiry");
      q.strike = required(f[1], w, "strike");
      q.right = right_field(f[2], w, "right");
      q.bid = kNaN;
      q.ask = kNaN;
      q.price = number(f[6], w, "close");
      q.iv = number(f[9], w, "implied_volatility");
      q.rate = extra.rate;
      out.push_back(q);
    }
    if (!(spot > 0.0)) spot = spot_for(extra, date, w, "the file has no underlying row (empty expiry)");
    for (std::size_t i = first; i < out.size(); ++i) out[i].spot = spot;
  }
  return out;
}

std::vector<Quote> read_massive_day_aggs(const std::vector<std::string>& paths, const ExtraInputs& extra) {
  if (!extra.have_rate) throw Error("Massive day aggregates carry no risk-free rate: give --rate");
  if (extra.root.empty()) throw Error("Massive day aggregates hold every underlying: give --root (e.g. SPY)");
  if (extra.underlying.empty()) throw Error("Massive day aggregates carry no underlying price: give --underlying FILE");
  std::vector<Quote> out;
  std::string line;
  std::vector<std::string_view> f;
  for (const std::string& path : paths) {
    std::ifstream in = open(path);
    Where w{path, 0};
    if (!std::getline(in, line)) throw Error(path + ": empty file (expected a header line)");
    ++w.line;
    split(line, f);
    std::vector<std::string> header;
    for (const auto s : f) header.push_back(lower(s));
    const int c_ticker = column(header, {"ticker"});
    const int c_close = column(header, {"close"});
    const int c_ws = column(header, {"window_start"});
    if (c_ticker < 0 || c_close < 0 || c_ws < 0) w.fail("expected a header with ticker, close and window_start");
    while (std::getline(in, line)) {
      ++w.line;
      if (trim(line).empty()) continue;
      split(line, f);
      if (f.size() != header.size()) {
        w.fail("expected " + std::to_string(header.size()) + " fields, found " + std::to_string(f.size()));
      }
      const std::string_view ticker = f[static_cast<std::size_t>(c_ticker)];
      const options::OccParse occ = options::parse_occ(ticker);
      if (!occ.ok()) w.fail("ticker '" + std::string(ticker) + "': " + std::string(options::describe(occ.error)));
      if (occ.contract.root_view() != extra.root) continue;
      const std::string_view ws = f[static_cast<std::size_t>(c_ws)];
      std::int64_t ns = 0;
      const auto [p, ec] = std::from_chars(ws.data(), ws.data() + ws.size(), ns);
      if (ec != std::errc{} || p != ws.data() + ws.size()) w.fail("column 'window_start' is not a whole number of ns");
      Quote q;
      q.date = days_from_yyyymmdd(options::new_york_date(ns));
      q.expiry = days_from_yyyymmdd(occ.contract.expiry_yyyymmdd);
      q.strike = occ.contract.strike.to_double();
      q.right = occ.contract.right;
      q.bid = kNaN;
      q.ask = kNaN;
      q.price = required(f[static_cast<std::size_t>(c_close)], w, "close");
      q.iv = kNaN;  // solved from the price in compute()
      q.rate = extra.rate;
      q.spot = spot_for(extra, q.date, w, "day aggregates carry no underlying price");
      out.push_back(q);
    }
  }
  if (out.empty()) throw Error("no rows of root " + extra.root + " in the Massive files given");
  return out;
}

}  // namespace odte::analytics::cjs

// Seed 003 (odte::analytics::cjs) against an independent computation written here from the seed's
// description: its own Black-Scholes, bucketing, kernel, 1% cut and leverage adjustment, on a panel
// built from BSM prices with known inputs, then on the hand-written LEAN fixture and the committed real SPX panel (converted from LEAN).

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "odte/analytics/cjs.hpp"

namespace odte::analytics::cjs {
namespace {

namespace fs = std::filesystem;

// ---- the independent computation ----
double ncdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

struct Bs {
  double price;
  double delta;
};
Bs bs(bool call, double s, double k, double t, double r, double v) {
  const double d1 = (std::log(s / k) + (r + 0.5 * v * v) * t) / (v * std::sqrt(t));
  const double d2 = d1 - v * std::sqrt(t);
  if (call) return {s * ncdf(d1) - k * std::exp(-r * t) * ncdf(d2), ncdf(d1)};
  return {k * std::exp(-r * t) * ncdf(-d2) - s * ncdf(-d1), ncdf(d1) - 1.0};
}

const double kTargetsM[] = {0.925, 0.950, 0.975, 1.000, 1.025, 1.050, 1.075, 1.100};
const int kTargetsT[] = {30, 60, 90};

// The seed's portfolio (right, target index mi, ti) formed on day d0 and held to d1; NaN when it
// has no candidate. n: the options kept after the 1% cut.
double reference(const std::vector<Quote>& panel, std::int32_t d0, std::int32_t d1, bool call, int mi, int ti,
                 int* n_out = nullptr) {
  std::vector<double> w;
  std::vector<double> lev;
  for (const Quote& q : panel) {
    if (q.date != d0 || (q.right == OptionRight::kCall) != call) continue;
    const bool quoted = !std::isnan(q.bid);
    if (quoted && (q.bid <= 0.0 || q.ask < q.bid)) continue;
    const int days = q.expiry - q.date;
    if (days < 7 || days > 180) continue;
    if (!(q.iv >= 0.05 && q.iv <= 1.0)) continue;
    const Quote* next = nullptr;
    for (const Quote& n : panel) {
      if (n.date == d1 && n.right == q.right && n.expiry == q.expiry && n.strike == q.strike) next = &n;
    }
    if (next == nullptr || !(next->price > 0.0)) continue;
    const double m = q.strike / q.spot;
    // pandas' right-closed bins (0.900, 0.925], (0.925, 0.950], ...: an option on an edge belongs below it.
    const double below = mi == 0 ? 0.9 : kTargetsM[mi - 1];
    if (!(m > below && m <= kTargetsM[mi])) continue;
    int nearest = 0;
    for (int k = 1; k < 3; ++k) {
      if (std::abs(days - kTargetsT[k]) < std::abs(days - kTargetsT[nearest])) nearest = k;
    }
    if (nearest != ti) continue;
    const double x = (m - kTargetsM[mi]) / 0.0125;
    const double y = (days - kTargetsT[ti]) / 10.0;
    w.push_back(std::exp(-0.5 * x * x - 0.5 * y * y));
    const Bs b = bs(call, q.spot, q.strike, days / 365.0, q.rate, q.iv);
    const double omega = b.delta * q.spot / b.price;
    const double ret = next->price / q.price - 1.0;
    const double rf = std::exp(q.rate * (d1 - d0) / 365.0) - 1.0;
    lev.push_back(ret / omega + (1.0 - 1.0 / omega) * rf);
  }
  double total = 0;
  for (const double v : w) total += v;
  if (w.empty() || total == 0.0) return std::nan("");
  double kept = 0;
  for (double& v : w) {
    v = v / total >= 0.01 ? v / total : 0.0;
    kept += v;
  }
  double out = 0;
  int n = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] == 0.0) continue;
    out += w[i] / kept * lev[i];
    ++n;
  }
  if (n_out != nullptr) *n_out = n;
  return out;
}

// A panel from BSM: a smile, several expiries, strikes every 0.5 around 100; five days over a month end.
struct Day {
  int yyyymmdd;
  double spot;
};
const Day kDays[] = {{20240129, 100.0}, {20240130, 101.0}, {20240131, 99.5}, {20240201, 100.7}, {20240202, 100.2}};

std::vector<Quote> bsm_panel() {
  std::vector<Quote> out;
  const std::int32_t first = days_from_yyyymmdd(kDays[0].yyyymmdd);
  const int expiry_offsets[] = {5, 21, 28, 36, 45, 52, 60, 68, 75, 88, 95, 110, 150, 175, 200};
  for (const Day& d : kDays) {
    const std::int32_t date = days_from_yyyymmdd(d.yyyymmdd);
    for (const int off : expiry_offsets) {
      for (double k = 80.0; k <= 120.0; k += 0.5) {
        for (const bool call : {true, false}) {
          Quote q;
          q.date = date;
          q.expiry = first + off;
          q.strike = k;
          q.right = call ? OptionRight::kCall : OptionRight::kPut;
          q.spot = d.spot;
          q.rate = 0.04;
          const double m = k / d.spot;
          q.iv = 0.18 - 0.12 * (m - 1.0) + 0.6 * (m - 1.0) * (m - 1.0) + 0.002 * (date - first);
          const int days = q.expiry - q.date;
          if (days <= 0) continue;
          if (&d == &kDays[2] && off == 36 && k >= 99.0 && k <= 101.0) continue;  // delisted for a day: no next price on day 1
          const double p = bs(call, d.spot, k, days / 365.0, q.rate, q.iv).price;
          q.bid = std::max(0.0, std::floor((p - 0.02) * 100.0) / 100.0);
          q.ask = q.bid + 0.05;
          q.price = 0.5 * (q.bid + q.ask);
          out.push_back(q);
        }
      }
    }
  }
  return out;
}

TEST(CjsKernel, shouldWeighByTheGaussianKernelAndDropWeightsUnderOnePercent) {
  const Params p;
  EXPECT_DOUBLE_EQ(kernel(1.0, 30, 1.0, 30, p), 1.0);
  EXPECT_NEAR(kernel(1.0125, 30, 1.0, 30, p), std::exp(-0.5), 1e-14);  // 1.0125 - 1 is not 0.0125 exactly
  EXPECT_NEAR(kernel(1.0, 50, 1.0, 30, p), std::exp(-2.0), 1e-15);
  EXPECT_NEAR(kernel(0.9875, 40, 1.0, 30, p), std::exp(-1.0), 1e-14);
  // 1, e^-0.5 and e^-6.5: the last is 0.09% of the sum, dropped; the rest renormalised.
  std::vector<double> w{1.0, std::exp(-0.5), std::exp(-6.5)};
  normalize_weights(w, 0.01);
  EXPECT_NEAR(w[0], 1.0 / (1.0 + std::exp(-0.5)), 1e-15);
  EXPECT_NEAR(w[1], std::exp(-0.5) / (1.0 + std::exp(-0.5)), 1e-15);
  EXPECT_EQ(w[2], 0.0);
  std::vector<double> none{0.0, 0.0};
  normalize_weights(none, 0.01);
  EXPECT_EQ(none[0] + none[1], 0.0);
}

TEST(CjsElasticity, shouldMatchDeltaTimesSpotOverTheBsmPrice) {
  Quote q;
  q.date = 0;
  q.expiry = 45;
  q.spot = 100;
  q.rate = 0.03;
  q.iv = 0.2;
  for (const double k : {92.5, 100.0, 107.5}) {
    for (const bool call : {true, false}) {
      q.strike = k;
      q.right = call ? OptionRight::kCall : OptionRight::kPut;
      const Bs b = bs(call, 100, k, 45 / 365.0, 0.03, 0.2);
      const double want = b.delta * 100 / b.price;
      EXPECT_NEAR(elasticity(q, 0.0), want, 1e-12 * std::abs(want)) << k << call;
      EXPECT_TRUE(call ? want > 1.0 : want < -1.0);
    }
  }
}

TEST(CjsCompute, shouldMatchTheIndependentComputationOnEveryPortfolioAndDayTo1e12) {
  const std::vector<Quote> panel = bsm_panel();
  const Result r = compute(panel, Params{});
  ASSERT_EQ(r.dates.size(), 4u);
  ASSERT_EQ(r.portfolios(), 48u);
  int formed = 0;
  int missing = 0;
  int cut = 0;
  for (std::size_t d = 0; d < r.dates.size(); ++d) {
    for (int call = 0; call < 2; ++call) {
      for (int mi = 0; mi < 8; ++mi) {
        for (int ti = 0; ti < 3; ++ti) {
          const std::size_t p =
              r.index(PortfolioId{call ? OptionRight::kCall : OptionRight::kPut, static_cast<std::size_t>(mi),
                                  static_cast<std::size_t>(ti)});
          int n = 0;
          const double want = reference(panel, r.dates[d], r.next_dates[d], call != 0, mi, ti, &n);
          const double got = r.daily[p * r.dates.size() + d];
          if (std::isnan(want)) {
            EXPECT_TRUE(std::isnan(got)) << r.name(p) << " day " << d;
            ++missing;
            continue;
          }
          ++formed;
          EXPECT_NEAR(got, want, 1e-12) << r.name(p) << " day " << d;
          EXPECT_EQ(r.daily_n[p * r.dates.size() + d], static_cast<std::uint32_t>(n)) << r.name(p);
          // candidates before the cut: count with a 0 threshold
          cut += n;
        }
      }
    }
  }
  EXPECT_GT(formed, 150);  // the panel covers most buckets
  EXPECT_GT(r.counts.zero_bid, 0u);
  EXPECT_GT(r.counts.maturity, 0u);
  EXPECT_GT(r.counts.no_next_price, 0u);  // the contracts missing on day 2
  EXPECT_GT(r.counts.outside_buckets, 0u);
  (void)missing;
  (void)cut;
}

TEST(CjsCompute, shouldDropWeightsUnderOnePercentSomewhereInThePanel) {
  // The same day's portfolios with min_weight 0 keep more options than with 1%.
  const std::vector<Quote> panel = bsm_panel();
  Params keep_all;
  keep_all.min_weight = 0.0;
  const Result a = compute(panel, Params{});
  const Result b = compute(panel, keep_all);
  std::uint64_t na = 0;
  std::uint64_t nb = 0;
  for (std::size_t i = 0; i < a.daily_n.size(); ++i) {
    na += a.daily_n[i];
    nb += b.daily_n[i];
  }
  EXPECT_LT(na, nb);
}

TEST(CjsCompute, shouldCompoundDailyReturnsWithinEachCalendarMonth) {
  const Result r = compute(bsm_panel(), Params{});
  ASSERT_EQ(r.months, (std::vector<std::int32_t>{202401, 202402}));
  const std::size_t nd = r.dates.size();
  for (std::size_t p = 0; p < r.portfolios(); ++p) {
    double jan = 1.0;
    std::uint32_t jan_days = 0;
    for (std::size_t d = 0; d < 3; ++d) {
      const double v = r.daily[p * nd + d];
      if (std::isnan(v)) continue;
      jan *= 1.0 + v;
      ++jan_days;
    }
    EXPECT_EQ(r.monthly_days[p * 2], jan_days) << r.name(p);
    if (jan_days == 0) {
      EXPECT_TRUE(std::isnan(r.monthly[p * 2])) << r.name(p);
    } else {
      EXPECT_NEAR(r.monthly[p * 2], jan - 1.0, 1e-12) << r.name(p);
    }
    const double feb = r.daily[p * nd + 3];
    EXPECT_EQ(std::isnan(feb), std::isnan(r.monthly[p * 2 + 1]));
    if (!std::isnan(feb)) {
      EXPECT_NEAR(r.monthly[p * 2 + 1], feb, 1e-15);
    }
  }
}

TEST(CjsCompute, shouldLeaveOutTheRiskFreePartWhenAsked) {
  std::vector<Quote> panel = bsm_panel();
  Params p;
  p.rf_part = false;
  const Result a = compute(panel, Params{});
  const Result b = compute(panel, p);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < a.daily.size(); ++i) differ += !std::isnan(a.daily[i]) && a.daily[i] != b.daily[i];
  EXPECT_GT(differ, 0u);
}

TEST(CjsCompute, shouldSayNoCandidatesRatherThanZero) {
  // One strike at K/S = 1.0, 30 days: only C/P_1.000_30 can form.
  std::vector<Quote> panel;
  for (int d = 0; d < 2; ++d) {
    for (const bool call : {true, false}) {
      Quote q;
      q.date = 19000 + d;
      q.expiry = 19030;
      q.strike = 100;
      q.right = call ? OptionRight::kCall : OptionRight::kPut;
      q.spot = 100;
      q.rate = 0.02;
      q.iv = 0.2;
      q.price = bs(call, 100, 100, (30 - d) / 365.0, 0.02, 0.2).price;
      q.bid = q.price - 0.05;
      q.ask = q.price + 0.05;
      panel.push_back(q);
    }
  }
  const Result r = compute(panel, Params{});
  std::size_t formed = 0;
  for (std::size_t p = 0; p < r.portfolios(); ++p) {
    if (!std::isnan(r.daily[p])) {
      ++formed;
      EXPECT_TRUE(r.name(p) == "C_1.000_30" || r.name(p) == "P_1.000_30") << r.name(p);
    }
  }
  EXPECT_EQ(formed, 2u);
  const std::string csv = daily_csv(r);
  EXPECT_NE(csv.find(",C_0.925_30,C,0.925,30,,0,no_candidates\n"), std::string::npos) << csv.substr(0, 400);
  EXPECT_NE(csv.find(",C_1.000_30,C,1.000,30,"), std::string::npos);
  const std::string json = to_json(r, "test");
  EXPECT_NE(json.find("\"name\":\"C_0.925_30\",\"right\":\"C\",\"moneyness\":0.925,\"maturity_days\":30,\"formed_days\":0,"
                      "\"mean_daily\":null,\"mean_monthly\":null,\"daily\":[null]"),
            std::string::npos);
}

TEST(CjsCompute, shouldRefuseAContractListedTwiceOnOneDay) {
  std::vector<Quote> panel = bsm_panel();
  panel.push_back(panel[10]);
  try {
    (void)compute(panel, Params{});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("twice on 2024-01-29"), std::string::npos) << e.what();
  }
}

TEST(CjsCompute, shouldBeDeterministic) {
  std::vector<Quote> panel = bsm_panel();
  const std::string a = to_json(compute(panel, Params{}), "x");
  std::reverse(panel.begin(), panel.end());
  EXPECT_EQ(to_json(compute(panel, Params{}), "x"), a);
}

// ---- readers ----
fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("odte-cjs-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

TEST(CjsRead, shouldReadAnOptionMetricsCsvIntoTheSameResult) {
  const std::vector<Quote> panel = bsm_panel();
  const fs::path path = scratch("om.csv");
  {
    std::ofstream o(path);
    o << "date,exdate,strike,cp_flag,best_bid,best_offer,impl_volatility,close,rate\n";
    char buf[256];
    for (const Quote& q : panel) {
      std::snprintf(buf, sizeof buf, "%s,%s,%.17g,%c,%.17g,%.17g,%.17g,%.17g,%.17g\n", format_date(q.date).c_str(),
                    format_date(q.expiry).c_str(), q.strike, q.right == OptionRight::kCall ? 'C' : 'P', q.bid, q.ask,
                    q.iv, q.spot, q.rate);
      o << buf;
    }
  }
  EXPECT_EQ(to_json(compute(read_optionmetrics_csv(path.string()), Params{}), "x"), to_json(compute(panel, Params{}), "x"));
}

TEST(CjsRead, shouldSolveTheImpliedVolWhenTheCsvHasNone) {
  const std::vector<Quote> panel = bsm_panel();
  const fs::path path = scratch("om-noiv.csv");
  {
    std::ofstream o(path);
    o << "date,expiry,strike,right,bid,ask,iv,underlying,rate\n";
    char buf[256];
    for (const Quote& q : panel) {
      std::snprintf(buf, sizeof buf, "%s,%s,%.17g,%c,%.17g,%.17g,,%.17g,%.17g\n", format_date(q.date).c_str(),
                    format_date(q.expiry).c_str(), q.strike, q.right == OptionRight::kCall ? 'C' : 'P', q.bid, q.ask,
                    q.spot, q.rate);
      o << buf;
    }
  }
  const Result r = compute(read_optionmetrics_csv(path.string()), Params{});
  std::size_t formed = 0;
  for (const double v : r.daily) if (!std::isnan(v)) ++formed;
  EXPECT_GT(formed, 100u);
}

TEST(CjsRead, shouldNameTheMissingColumnAndTheBadField) {
  const fs::path a = scratch("bad1.csv");
  std::ofstream(a) << "date,expiry,strike,right,bid,ask,iv,underlying\n";
  try {
    (void)read_optionmetrics_csv(a.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(":1: the header has no 'rate' column"), std::string::npos) << e.what();
  }
  const fs::path b = scratch("bad2.csv");
  std::ofstream(b) << "date,expiry,strike,right,bid,ask,iv,underlying,rate\n2024-01-02,2024-02-16,100,C,1.0,1.1,x,100,0.04\n";
  try {
    (void)read_optionmetrics_csv(b.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(":2: column 'iv' is not a number: 'x'"), std::string::npos) << e.what();
  }
  try {
    (void)read_optionmetrics_csv(scratch("none.csv").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos) << e.what();
  }
}

TEST(CjsRead, shouldReadMassiveDayAggregatesOfOneRoot) {
  // Two days of day bars priced from BSM (IV 0.2 flat): the IV solved from the close gives back 0.2.
  const fs::path d1 = scratch("2024-03-01.csv");
  const fs::path d2 = scratch("2024-03-04.csv");
  const fs::path und = scratch("spy.csv");
  std::ofstream(und) << "date,close\n2024-03-01,500\n2024-03-04,505\n";
  const long long ns1 = 1709269200LL * 1000000000LL;  // 2024-03-01 00:00 New York
  const long long ns2 = 1709528400LL * 1000000000LL;  // 2024-03-04 00:00 New York
  std::vector<Quote> want;
  for (int day = 0; day < 2; ++day) {
    std::ofstream o(day == 0 ? d1 : d2);
    o << "ticker,volume,open,close,high,low,window_start,transactions\n";
    o << "O:QQQ240405C00440000,1,1,1,1,1," << (day == 0 ? ns1 : ns2) << ",1\n";
    const double s = day == 0 ? 500 : 505;
    const int days = day == 0 ? 35 : 32;
    for (const int k : {480, 490, 500, 510, 520}) {
      for (const bool call : {true, false}) {
        const double p = bs(call, s, k, days / 365.0, 0.05, 0.2).price;
        char t[64];
        std::snprintf(t, sizeof t, "O:SPY240405%c%08d", call ? 'C' : 'P', k * 1000);
        char line[256];
        std::snprintf(line, sizeof line, "%s,10,%.10f,%.10f,%.10f,%.10f,%lld,3\n", t, p, p, p, p, day == 0 ? ns1 : ns2);
        o << line;
        Quote q;
        q.date = days_from_yyyymmdd(day == 0 ? 20240301 : 20240304);
        q.expiry = days_from_yyyymmdd(20240405);
        q.strike = k;
        q.right = call ? OptionRight::kCall : OptionRight::kPut;
        q.bid = q.ask = std::nan("");
        char pb[32];
        std::snprintf(pb, sizeof pb, "%.10f", p);
        q.price = std::stod(pb);
        q.spot = s;
        q.rate = 0.05;
        q.iv = 0.2;
        want.push_back(q);
      }
    }
  }
  ExtraInputs extra;
  extra.rate = 0.05;
  extra.have_rate = true;
  extra.root = "SPY";
  extra.underlying = read_underlying_csv(und.string());
  const std::vector<Quote> got = read_massive_day_aggs({d1.string(), d2.string()}, extra);
  ASSERT_EQ(got.size(), 20u);
  const Result r = compute(got, Params{});
  ASSERT_EQ(r.dates.size(), 1u);
  std::size_t formed = 0;
  for (std::size_t p = 0; p < r.portfolios(); ++p) {
    const PortfolioId id = r.portfolio(p);
    const double want_v = reference(want, r.dates[0], r.next_dates[0], id.right == OptionRight::kCall,
                                    static_cast<int>(id.moneyness_index), static_cast<int>(id.maturity_index));
    if (std::isnan(want_v)) {
      EXPECT_TRUE(std::isnan(r.daily[p])) << r.name(p);
    } else {
      ++formed;
      EXPECT_NEAR(r.daily[p], want_v, 1e-9) << r.name(p);  // the IV is solved back from a 10-decimal close
    }
  }
  EXPECT_GE(formed, 4u);
  extra.root.clear();
  EXPECT_THROW((void)read_massive_day_aggs({d1.string()}, extra), Error);
}

// ---- the LEAN universe reader, on the hand-written fixture (tests/data/analytics/SOURCES.txt) ----
const fs::path kFixture = fs::path(ODTE_SOURCE_DIR) / "tests/data/analytics/lean-universe";
const fs::path kReal = fs::path(ODTE_SOURCE_DIR) / "tests/data/real";
const fs::path kSharedLean = fs::path(ODTE_SHARED_DATA_DIR) / "lean-sample-minute";

ExtraInputs fixture_inputs() {
  ExtraInputs extra;
  extra.rate = 0.05;
  extra.have_rate = true;
  extra.underlying[days_from_yyyymmdd(20240103)] = 101.0;  // the second file has no underlying row
  return extra;
}
std::vector<Quote> fixture_panel() {
  return read_lean_universe({(kFixture / "20240102.csv").string(), (kFixture / "20240103.csv").string()},
                            fixture_inputs());
}

// Same bits, NaN equal to NaN.
bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0; }
void expect_same_quotes(const std::vector<Quote>& got, const std::vector<Quote>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const Quote& g = got[i];
    const Quote& w = want[i];
    EXPECT_TRUE(g.date == w.date && g.expiry == w.expiry && g.right == w.right && same(g.strike, w.strike) &&
                same(g.bid, w.bid) && same(g.ask, w.ask) && same(g.price, w.price) && same(g.iv, w.iv) &&
                same(g.spot, w.spot) && same(g.rate, w.rate))
        << "row " << i << ": " << format_date(g.date) << " " << g.strike << " price " << g.price << " vs " << w.price;
  }
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}
std::string without_comments(const std::string& text) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find('\n', at), text.size() - 1) + 1;
    if (text[at] != '#') out += text.substr(at, end - at);
    at = end;
  }
  return out;
}

TEST(CjsLeanFixture, shouldTakeTheDateFromTheNameTheSpotFromItsRowAndTheCloseAsThePrice) {
  const std::vector<Quote> panel = fixture_panel();
  ASSERT_EQ(panel.size(), 18u);
  const Quote& a = panel[0];  // 20240102.csv line 3: 20240202,95,C,...,close 6.1,...,iv 0.21
  EXPECT_EQ(format_date(a.date), "2024-01-02");
  EXPECT_EQ(format_date(a.expiry), "2024-02-02");
  EXPECT_EQ(a.strike, 95.0);
  EXPECT_EQ(a.right, OptionRight::kCall);
  EXPECT_TRUE(std::isnan(a.bid) && std::isnan(a.ask));  // no quotes in a universe file
  EXPECT_EQ(a.price, 6.1);
  EXPECT_EQ(a.iv, 0.21);
  EXPECT_EQ(a.spot, 100.0);  // the row with an empty expiry
  EXPECT_EQ(a.rate, 0.05);
  EXPECT_EQ(panel[1].strike, 97.5);
  EXPECT_EQ(panel[4].right, OptionRight::kPut);
  const Quote& b = panel[9];  // 20240103.csv: no underlying row, the close given for the day
  EXPECT_EQ(format_date(b.date), "2024-01-03");
  EXPECT_EQ(b.price, 6.9);
  EXPECT_EQ(b.spot, 101.0);
  EXPECT_TRUE(std::isnan(panel[16].iv));  // the 95 put of 2024-01-03 has an empty implied vol
  // The 31-day options form portfolios, the 3-day call is filtered out by maturity.
  const Result r = compute(panel, Params{});
  ASSERT_EQ(r.dates.size(), 1u);
  EXPECT_EQ(r.counts.maturity, 1u);
  std::size_t formed = 0;
  for (const double v : r.daily) formed += std::isnan(v) ? 0u : 1u;
  EXPECT_GT(formed, 0u);
}

TEST(CjsLeanFixture, shouldNameTheFileWithoutAnUnderlyingRowWhenNoCloseIsGiven) {
  ExtraInputs extra = fixture_inputs();
  extra.underlying.clear();
  try {
    (void)read_lean_universe({(kFixture / "20240102.csv").string(), (kFixture / "20240103.csv").string()}, extra);
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("20240103.csv"), std::string::npos) << m;
    EXPECT_NE(m.find("no underlying row"), std::string::npos) << m;
    EXPECT_NE(m.find("no close for 2024-01-03"), std::string::npos) << m;
  }
}

TEST(CjsLeanFixture, shouldRefuseLeanFilesWithoutARate) {
  EXPECT_THROW((void)read_lean_universe({(kFixture / "20240102.csv").string()}, ExtraInputs{}), Error);
}

// ---- the panel CSV (odte cjs --write-panel) read back by the optionmetrics reader ----
TEST(CjsPanelCsv, shouldReadBackTheSameQuotesBitForBitWithItsComments) {
  for (const bool lean : {true, false}) {
    const std::vector<Quote> panel = lean ? fixture_panel() : bsm_panel();  // without and with bid/ask
    const std::string text = panel_csv(panel, {"source: test", "second line"});
    EXPECT_EQ(text.rfind("# source: test\n# second line\ndate,expiry,strike,right,bid,ask,price,iv,underlying,rate\n", 0), 0u);
    EXPECT_EQ(text, panel_csv(panel, {"source: test", "second line"}));
    const fs::path path = scratch(lean ? "panel-lean.csv" : "panel-bsm.csv");
    std::ofstream(path, std::ios::binary) << text;
    const std::vector<Quote> back = read_optionmetrics_csv(path.string());
    expect_same_quotes(back, panel);
    EXPECT_EQ(to_json(compute(back, Params{}), "x"), to_json(compute(panel, Params{}), "x"));
  }
  EXPECT_THROW((void)panel_csv(fixture_panel(), {"two\nlines"}), Error);
}

// ---- the real LEAN days, converted (tests/data/real/SOURCES.txt) ----
TEST(CjsRealLean, shouldFormWhatTheRealSpxDaysAllowAndNameTheRest) {
  const std::vector<Quote> panel = read_optionmetrics_csv((kReal / "cjs-panel-spx-20151222-20151223.csv").string());
  ASSERT_EQ(panel.size(), 233u + 272u);
  EXPECT_EQ(panel.front().spot, 2038.97);  // the closes given to the conversion (the files have none)
  EXPECT_EQ(panel.back().spot, 2064.29);
  EXPECT_EQ(panel.front().rate, 0.0022);
  EXPECT_TRUE(std::isnan(panel.front().bid));  // LEAN closes, no quotes
  const Result r = compute(panel, Params{});
  ASSERT_EQ(r.dates.size(), 1u);
  EXPECT_EQ(format_date(r.dates[0]), "2015-12-22");
  std::size_t formed = 0;
  std::size_t empty = 0;
  for (std::size_t p = 0; p < r.portfolios(); ++p) {
    const PortfolioId id = r.portfolio(p);
    const double want = reference(panel, r.dates[0], r.next_dates[0], id.right == OptionRight::kCall,
                                  static_cast<int>(id.moneyness_index), static_cast<int>(id.maturity_index));
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(r.daily[p])) << r.name(p);
      ++empty;
    } else {
      EXPECT_NEAR(r.daily[p], want, 1e-12) << r.name(p);
      ++formed;
    }
  }
  // The trimmed sample: a few dozen contracts a day, so most portfolios have no candidate.
  EXPECT_GT(formed, 0u);
  EXPECT_GT(empty, 0u);
  RecordProperty("formed", static_cast<int>(formed));
  std::printf("real SPX 2015-12-22 -> 12-23: %zu of 48 portfolios formed, %zu without candidates\n", formed, empty);
}

// Extra check: the committed panels are what the LEAN reader makes of the shared files with the
// inputs SOURCES.txt names (same quotes, same rows bytes).
TEST(CjsRealLean, shouldMatchTheSharedLeanFilesConvertedAgain) {
  const fs::path spx = kSharedLean / "Data/indexoption/usa/universes/spx";
  const fs::path spy = kSharedLean / "Data/option/usa/universes/spy";
  if (!fs::is_directory(spx) || !fs::is_directory(spy)) {
    GTEST_SKIP() << "extra check skipped: " << kSharedLean.string()
                 << " is absent (the shared data sets sit beside the source tree on the team's machines only; "
                    "the committed panels are checked without them)";
  }
  ExtraInputs spx_in;
  spx_in.rate = 0.0022;
  spx_in.have_rate = true;
  spx_in.underlying[days_from_yyyymmdd(20151222)] = 2038.97;
  spx_in.underlying[days_from_yyyymmdd(20151223)] = 2064.29;
  const std::vector<Quote> spx_panel =
      read_lean_universe({(spx / "20151222.csv").string(), (spx / "20151223.csv").string()}, spx_in);
  const fs::path spx_file = kReal / "cjs-panel-spx-20151222-20151223.csv";
  expect_same_quotes(read_optionmetrics_csv(spx_file.string()), spx_panel);
  EXPECT_EQ(without_comments(slurp(spx_file)), panel_csv(spx_panel, {}));

  std::vector<std::string> days;
  for (const auto& e : fs::directory_iterator(spy)) days.push_back(e.path().string());
  std::sort(days.begin(), days.end());
  ASSERT_EQ(days.size(), 8u);
  ExtraInputs spy_in;
  spy_in.rate = 0.05;
  spy_in.have_rate = true;
  const std::vector<Quote> spy_panel = read_lean_universe(days, spy_in);
  const fs::path spy_file = kReal / "cjs-panel-spy-20231228-20240109.csv";
  expect_same_quotes(read_optionmetrics_csv(spy_file.string()), spy_panel);
  EXPECT_EQ(without_comments(slurp(spy_file)), panel_csv(spy_panel, {}));
}

}  // namespace
}  // namespace odte::analytics::cjs

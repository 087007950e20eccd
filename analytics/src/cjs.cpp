// Seed 003's computation: filters, kernel weights, BSM elasticity, leverage-adjusted daily
// returns and monthly compounding (see cjs.hpp).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "odte/analytics/cjs.hpp"
#include "odte/core/options/black_scholes.hpp"

namespace odte::analytics::cjs {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool has_quotes(const Quote& q) noexcept { return !(std::isnan(q.bid) && std::isnan(q.ask)); }

// Sort key within a day: right, expiry, strike.
bool contract_less(const Quote& a, const Quote& b) noexcept {
  return std::tie(a.right, a.expiry, a.strike) < std::tie(b.right, b.expiry, b.strike);
}
bool same_contract(const Quote& a, const Quote& b) noexcept {
  return a.right == b.right && a.expiry == b.expiry && a.strike == b.strike;
}

// One option that passed every filter on its formation date.
struct Candidate {
  OptionRight right;
  std::uint32_t group;  // kBucket: (moneyness bin, maturity) index; unused for kAll
  double moneyness;
  double days;
  double lev_return;
};

std::int32_t yyyymm(std::int32_t days) { return yyyymmdd_from_days(days) / 100; }

}  // namespace

std::int32_t days_from_yyyymmdd(std::int32_t v) {
  using namespace std::chrono;
  const year_month_day ymd{year{v / 10000}, month{static_cast<unsigned>(v / 100 % 100)}, day{static_cast<unsigned>(v % 100)}};
  if (!ymd.ok() || v < 10000101) throw Error("not a valid date: " + std::to_string(v));
  return static_cast<std::int32_t>(sys_days{ymd}.time_since_epoch().count());
}

std::int32_t yyyymmdd_from_days(std::int32_t d) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{d}}};
  return static_cast<std::int32_t>(int{ymd.year()} * 10000 + static_cast<int>(unsigned{ymd.month()}) * 100 +
                                   static_cast<int>(unsigned{ymd.day()}));
}

std::int32_t parse_date(const std::string& text, const std::string& what) {
  std::string digits;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    digits = text.substr(0, 4) + text.substr(5, 2) + text.substr(8, 2);
  } else if (text.size() == 8) {
    digits = text;
  }
  if (digits.size() != 8 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw Error(what + ": not a date (YYYY-MM-DD or YYYYMMDD): '" + text + "'");
  }
  try {
    return days_from_yyyymmdd(std::stoi(digits));
  } catch (const Error&) {
    throw Error(what + ": not a calendar date: '" + text + "'");
  }
}

std::string format_date(std::int32_t days) {
  const std::int32_t v = yyyymmdd_from_days(days);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", v / 10000, v / 100 % 100, v % 100);
  return buf;
}

void validate(const Params& p) {
  auto bad = [](const std::string& what) { throw Error("parameter " + what); };
  if (p.moneyness.empty()) bad("moneyness: needs at least one target");
  if (p.maturities.empty()) bad("maturities: needs at least one target");
  for (const double m : p.moneyness) {
    if (!(m > 0.0) || !std::isfinite(m)) bad("moneyness: targets must be positive");
  }
  if (!std::is_sorted(p.moneyness.begin(), p.moneyness.end()) ||
      std::adjacent_find(p.moneyness.begin(), p.moneyness.end()) != p.moneyness.end()) {
    bad("moneyness: targets must be strictly increasing");
  }
  for (const int d : p.maturities) {
    if (d <= 0) bad("maturities: targets must be positive days");
  }
  if (!(p.bin_width > 0.0)) bad("bin_width: must be positive");
  if (!(p.bw_moneyness > 0.0) || !(p.bw_days > 0.0)) bad("bandwidths: must be positive");
  if (!(p.min_weight >= 0.0 && p.min_weight < 1.0)) bad("min_weight: must be in [0, 1)");
  if (p.min_days < 0 || p.max_days < p.min_days) bad("min_days/max_days: need 0 <= min <= max");
  if (!(p.min_iv >= 0.0) || !(p.max_iv >= p.min_iv)) bad("min_iv/max_iv: need 0 <= min <= max");
  if (!std::isfinite(p.div_yield)) bad("div_yield: must be finite");
}

double kernel(double m, double days, double m_target, double d_target, const Params& p) noexcept {
  const double x = (m - m_target) / p.bw_moneyness;
  const double y = (days - d_target) / p.bw_days;
  return std::exp(-0.5 * (x * x + y * y));
}

void normalize_weights(std::vector<double>& w, double min_weight) {
  double sum = 0.0;
  for (const double v : w) sum += v;
  if (!(sum > 0.0)) {
    std::fill(w.begin(), w.end(), 0.0);
    return;
  }
  double kept = 0.0;
  for (double& v : w) {
    v /= sum;
    if (v < min_weight) v = 0.0;
    kept += v;
  }
  if (!(kept > 0.0)) {
    std::fill(w.begin(), w.end(), 0.0);
    return;
  }
  for (double& v : w) v /= kept;
}

double elasticity(const Quote& q, double div_yield) noexcept {
  options::BsmInput in;
  in.right = q.right;
  in.spot = q.spot;
  in.strike = q.strike;
  in.t = static_cast<double>(q.expiry - q.date) / 365.0;
  in.r = q.rate;
  in.q = div_yield;
  in.sigma = q.iv;
  return options::bsm_greeks(in).elasticity;
}

PortfolioId Result::portfolio(std::size_t p) const noexcept {
  const std::size_t nm = params.moneyness.size();
  const std::size_t nt = params.maturities.size();
  PortfolioId id;
  id.right = p / (nm * nt) == 0 ? OptionRight::kCall : OptionRight::kPut;
  id.moneyness_index = p / nt % nm;
  id.maturity_index = p % nt;
  return id;
}

std::size_t Result::index(const PortfolioId& id) const noexcept {
  const std::size_t nm = params.moneyness.size();
  const std::size_t nt = params.maturities.size();
  return ((id.right == OptionRight::kCall ? 0 : 1) * nm + id.moneyness_index) * nt + id.maturity_index;
}

std::string Result::name(std::size_t p) const {
  const PortfolioId id = portfolio(p);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%c_%.3f_%d", id.right == OptionRight::kCall ? 'C' : 'P',
                params.moneyness[id.moneyness_index], params.maturities[id.maturity_index]);
  return buf;
}

Result compute(std::vector<Quote> panel, const Params& params) {
  validate(params);
  Result r;
  r.params = params;
  const std::size_t nm = params.moneyness.size();
  const std::size_t nt = params.maturities.size();
  const std::size_t np = 2 * nm * nt;

  const auto order = [](const Quote& a, const Quote& b) {
    return a.date != b.date ? a.date < b.date : contract_less(a, b);
  };
  if (!std::is_sorted(panel.begin(), panel.end(), order)) std::sort(panel.begin(), panel.end(), order);
  // Day boundaries.
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < panel.size(); ++i) {
    if (i == 0 || panel[i].date != panel[i - 1].date) {
      starts.push_back(i);
    } else if (same_contract(panel[i], panel[i - 1])) {
      const Quote& q = panel[i];
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3f%c", q.strike, q.right == OptionRight::kCall ? 'C' : 'P');
      throw Error("the panel has the contract " + std::string(buf) + " expiring " + format_date(q.expiry) +
                  " twice on " + format_date(q.date));
    }
  }
  starts.push_back(panel.size());
  r.counts.rows = panel.size();
  const std::size_t ndays = starts.size() - 1;
  if (ndays == 0) return r;
  r.counts.last_day = starts[ndays] - starts[ndays - 1];
  const std::size_t nd = ndays - 1;  // formation dates
  r.dates.reserve(nd);
  r.next_dates.reserve(nd);
  for (std::size_t d = 0; d < nd; ++d) {
    r.dates.push_back(panel[starts[d]].date);
    r.next_dates.push_back(panel[starts[d + 1]].date);
    const std::int32_t m = yyyymm(r.dates.back());
    if (r.months.empty() || r.months.back() != m) r.months.push_back(m);
  }
  r.daily.assign(np * nd, kNaN);
  r.daily_n.assign(np * nd, 0);

  std::vector<Candidate> cands;
  std::vector<std::vector<std::uint32_t>> groups(np);
  std::vector<double> w;
  for (std::size_t d = 0; d < nd; ++d) {
    cands.clear();
    std::size_t j = starts[d + 1];
    const std::size_t next_end = starts[d + 2];
    for (std::size_t i = starts[d]; i < starts[d + 1]; ++i) {
      Quote q = panel[i];
      const bool quoted = has_quotes(q);
      if ((quoted && (!std::isfinite(q.bid) || !std::isfinite(q.ask) || q.ask < q.bid)) || !std::isfinite(q.price) ||
          !(q.price > 0.0) || !(q.spot > 0.0) || !(q.strike > 0.0) || !std::isfinite(q.rate)) {
        ++r.counts.no_quote;
        continue;
      }
      if (params.require_bid && quoted && !(q.bid > 0.0)) {
        ++r.counts.zero_bid;
        continue;
      }
      const int days = q.expiry - q.date;
      if (days < params.min_days || days > params.max_days) {
        ++r.counts.maturity;
        continue;
      }
      if (std::isnan(q.iv)) {  // the source has none: solve it from the price
        options::BsmInput in;
        in.right = q.right;
        in.spot = q.spot;
        in.strike = q.strike;
        in.t = static_cast<double>(days) / 365.0;
        in.r = q.rate;
        in.q = params.div_yield;
        const options::IvResult iv = options::implied_vol(in, q.price);
        q.iv = iv.ok() ? iv.iv : kNaN;
      }
      if (!(q.iv >= params.min_iv && q.iv <= params.max_iv)) {
        ++r.counts.iv;
        continue;
      }
      while (j < next_end && contract_less(panel[j], q)) ++j;
      if (j >= next_end || !same_contract(panel[j], q) || !(panel[j].price > 0.0) || !std::isfinite(panel[j].price)) {
        ++r.counts.no_next_price;
        continue;
      }
      const double m = q.strike / q.spot;
      std::uint32_t group = 0;
      if (params.candidates == Candidates::kBucket) {
        std::size_t mi = nm;
        for (std::size_t k = 0; k < nm; ++k) {
          const double lower = k == 0 ? params.moneyness[0] - params.bin_width : params.moneyness[k - 1];
          if (m > lower && m <= params.moneyness[k]) {
            mi = k;
            break;
          }
        }
        if (mi == nm) {
          ++r.counts.outside_buckets;
          continue;
        }
        std::size_t ti = 0;
        for (std::size_t k = 1; k < nt; ++k) {
          if (std::abs(days - params.maturities[k]) < std::abs(days - params.maturities[ti])) ti = k;
        }
        group = static_cast<std::uint32_t>(mi * nt + ti);
      }
      const double omega = elasticity(q, params.div_yield);
      if (!std::isfinite(omega) || omega == 0.0) {
        ++r.counts.no_elasticity;
        continue;
      }
      const double ret = panel[j].price / q.price - 1.0;
      double lev = ret / omega;
      if (params.rf_part) {
        const double rf = std::expm1(q.rate * static_cast<double>(panel[j].date - q.date) / 365.0);
        lev += (1.0 - 1.0 / omega) * rf;
      }
      cands.push_back(Candidate{q.right, group, m, static_cast<double>(days), lev});
      ++r.counts.used;
    }

    for (auto& g : groups) g.clear();
    for (std::uint32_t c = 0; c < cands.size(); ++c) {
      const std::size_t side = cands[c].right == OptionRight::kCall ? 0 : 1;
      if (params.candidates == Candidates::kBucket) {
        groups[side * nm * nt + cands[c].group].push_back(c);
      } else {
        for (std::size_t k = 0; k < nm * nt; ++k) groups[side * nm * nt + k].push_back(c);
      }
    }
    for (std::size_t p = 0; p < np; ++p) {
      const auto& g = groups[p];
      if (g.empty()) continue;
      const PortfolioId id = r.portfolio(p);
      const double mt = params.moneyness[id.moneyness_index];
      const double dt = static_cast<double>(params.maturities[id.maturity_index]);
      w.resize(g.size());
      for (std::size_t k = 0; k < g.size(); ++k) w[k] = kernel(cands[g[k]].moneyness, cands[g[k]].days, mt, dt, params);
      normalize_weights(w, params.min_weight);
      double sum = 0.0;
      std::uint32_t n = 0;
      for (std::size_t k = 0; k < g.size(); ++k) {
        if (w[k] == 0.0) continue;
        sum += w[k] * cands[g[k]].lev_return;
        ++n;
      }
      if (n == 0) continue;  // every kernel weight underflowed: no candidate near the target
      r.daily[p * nd + d] = sum;
      r.daily_n[p * nd + d] = n;
    }
  }

  const std::size_t nmo = r.months.size();
  r.monthly.assign(np * nmo, kNaN);
  r.monthly_days.assign(np * nmo, 0);
  for (std::size_t p = 0; p < np; ++p) {
    std::size_t mo = 0;
    double growth = 1.0;
    std::uint32_t days = 0;
    for (std::size_t d = 0; d <= nd; ++d) {
      const bool month_ends = d == nd || (d > 0 && yyyymm(r.dates[d]) != r.months[mo]);
      if (month_ends) {
        if (days > 0) {
          r.monthly[p * nmo + mo] = growth - 1.0;
          r.monthly_days[p * nmo + mo] = days;
        }
        if (d == nd) break;
        ++mo;
        growth = 1.0;
        days = 0;
      }
      const double v = r.daily[p * nd + d];
      if (!std::isnan(v)) {
        growth *= 1.0 + v;
        ++days;
      }
    }
  }
  return r;
}

double mean_monthly(const Result& r, std::size_t p) noexcept {
  const std::size_t nmo = r.months.size();
  double sum = 0.0;
  std::size_t n = 0;
  for (std::size_t m = 0; m < nmo; ++m) {
    const double v = r.monthly[p * nmo + m];
    if (std::isnan(v)) continue;
    sum += v;
    ++n;
  }
  return n == 0 ? kNaN : sum / static_cast<double>(n);
}

}  // namespace odte::analytics::cjs

// Seed 003 over a year of SPX-sized end-of-day panels (252 days, about 20,000 options a day):
// odte::analytics::cjs::compute beside a plain C++ transcription of the seed's own loops (for
// each day, for each of the 48 portfolios, filter the day's whole table, as its pandas code does,
// with the next-day price from a hash map). Both produce the same returns (checked before timing).
// The limit to read against: 10 s on one core for the year (issue 20).

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <unordered_map>
#include <vector>

#include "odte/analytics/cjs.hpp"

namespace {

namespace cjs = odte::analytics::cjs;
using odte::OptionRight;

double ncdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

struct Bs {
  double price;
  double delta;
};
Bs bs(bool call, double s, double k, double t, double r, double v) {
  const double sq = v * std::sqrt(t);
  const double d1 = (std::log(s / k) + (r + 0.5 * v * v) * t) / sq;
  if (call) return {s * ncdf(d1) - k * std::exp(-r * t) * ncdf(d1 - sq), ncdf(d1)};
  return {k * std::exp(-r * t) * ncdf(sq - d1) - s * ncdf(-d1), ncdf(d1) - 1.0};
}

// 252 weekdays from 2023-01-02; SPX-like spot path; weekly expiries for a year ahead plus
// the nearest 28 of them; strikes every 5 points within +/-25% of the day's spot: about 20k options a day,
// in date then contract order (as the readers' files come; compute() sorts only when they are not).
const std::vector<cjs::Quote>& year_panel() {
  static const std::vector<cjs::Quote> panel = [] {
    std::vector<cjs::Quote> out;
    std::mt19937_64 rng(3);
    std::normal_distribution<double> step(0.0, 0.01);
    const std::int32_t start = cjs::days_from_yyyymmdd(20230102);
    std::vector<std::int32_t> expiries;
    for (int d = 4; d < 252 * 7 / 5 + 200; d += 7) expiries.push_back(start + d);
    double spot = 4000.0;
    int trading = 0;
    for (std::int32_t date = start; trading < 252; ++date) {
      const int wd = (date + 4) % 7;  // 1970-01-01 was a Thursday: 0 = Sunday
      if (wd == 0 || wd == 6) continue;
      ++trading;
      spot *= std::exp(step(rng));
      int listed = 0;
      for (const std::int32_t e : expiries) {
        const int days = e - date;
        if (days <= 0 || days > 400 || listed >= 28) continue;
        ++listed;
        for (double k = std::ceil(spot * 0.75 / 5) * 5; k <= spot * 1.25; k += 5.0) {
          for (const bool call : {true, false}) {
            cjs::Quote q;
            q.date = date;
            q.expiry = e;
            q.strike = k;
            q.right = call ? OptionRight::kCall : OptionRight::kPut;
            q.spot = spot;
            q.rate = 0.045;
            const double m = k / spot - 1.0;
            q.iv = 0.16 - 0.2 * m + 0.8 * m * m;
            const double p = bs(call, spot, k, days / 365.0, q.rate, q.iv).price;
            q.bid = std::max(0.0, std::round((p - 0.05) * 20.0) / 20.0);
            q.ask = q.bid + 0.10;
            q.price = 0.5 * (q.bid + q.ask);
            out.push_back(q);
          }
        }
      }
    }
    return out;
  }();
  return panel;
}

// The seed's loops, transcribed: per day, per portfolio, a pass over the whole day.
std::vector<double> seed_loops(const std::vector<cjs::Quote>& panel) {
  const double tm[] = {0.925, 0.950, 0.975, 1.000, 1.025, 1.050, 1.075, 1.100};
  const int tt[] = {30, 60, 90};
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < panel.size(); ++i) {
    if (i == 0 || panel[i].date != panel[i - 1].date) starts.push_back(i);
  }
  starts.push_back(panel.size());
  std::vector<double> out;
  auto key = [](const cjs::Quote& q) {
    return (static_cast<std::uint64_t>(q.expiry) << 32) ^ (static_cast<std::uint64_t>(q.strike * 1000.0) << 1) ^
           (q.right == OptionRight::kCall ? 1u : 0u);
  };
  std::unordered_map<std::uint64_t, double> next;
  std::vector<double> w;
  std::vector<double> lev;
  for (std::size_t d = 0; d + 2 < starts.size(); ++d) {
    next.clear();
    for (std::size_t i = starts[d + 1]; i < starts[d + 2]; ++i) next[key(panel[i])] = panel[i].price;
    const double dt = static_cast<double>(panel[starts[d + 1]].date - panel[starts[d]].date);
    for (const bool call : {true, false}) {
      for (int mi = 0; mi < 8; ++mi) {
        for (int ti = 0; ti < 3; ++ti) {
          w.clear();
          lev.clear();
          for (std::size_t i = starts[d]; i < starts[d + 1]; ++i) {
            const cjs::Quote& q = panel[i];
            if ((q.right == OptionRight::kCall) != call || !(q.bid > 0.0) || q.ask < q.bid) continue;
            const int days = q.expiry - q.date;
            if (days < 7 || days > 180 || !(q.iv >= 0.05 && q.iv <= 1.0)) continue;
            const double m = q.strike / q.spot;
            if (!(m > tm[mi] - 0.025 && m <= tm[mi])) continue;
            int nearest = 0;
            for (int k = 1; k < 3; ++k) {
              if (std::abs(days - tt[k]) < std::abs(days - tt[nearest])) nearest = k;
            }
            if (nearest != ti) continue;
            const auto it = next.find(key(q));
            if (it == next.end() || !(it->second > 0.0)) continue;
            const Bs b = bs(call, q.spot, q.strike, days / 365.0, q.rate, q.iv);
            const double omega = b.delta * q.spot / b.price;
            const double x = (m - tm[mi]) / 0.0125;
            const double y = (days - tt[ti]) / 10.0;
            w.push_back(std::exp(-0.5 * (x * x + y * y)));
            const double rf = std::expm1(q.rate * dt / 365.0);
            lev.push_back((it->second / q.price - 1.0) / omega + (1.0 - 1.0 / omega) * rf);
          }
          double sum = 0;
          for (const double v : w) sum += v;
          double kept = 0;
          for (double& v : w) {
            v = v / sum >= 0.01 ? v / sum : 0.0;
            kept += v;
          }
          double ret = w.empty() ? std::nan("") : 0.0;
          for (std::size_t k = 0; k < w.size(); ++k) ret += w[k] / kept * lev[k];
          out.push_back(ret);
        }
      }
    }
  }
  return out;
}

// The two agree before anything is timed.
void check_same() {
  static bool done = false;
  if (done) return;
  done = true;
  std::vector<cjs::Quote> copy = year_panel();
  const cjs::Result r = cjs::compute(std::move(copy), cjs::Params{});
  const std::vector<double> peer = seed_loops(year_panel());
  const std::size_t nd = r.dates.size();
  std::size_t k = 0;
  for (std::size_t d = 0; d < nd; ++d) {
    for (std::size_t p = 0; p < r.portfolios(); ++p, ++k) {
      const double a = r.daily[p * nd + d];
      const double b = peer[k];
      if (std::isnan(a) != std::isnan(b) || (!std::isnan(a) && std::abs(a - b) > 1e-9)) {
        std::fprintf(stderr, "bench_cjs: odte and the seed loops differ on %s day %zu: %.17g vs %.17g\n",
                     r.name(p).c_str(), d, a, b);
        std::exit(1);
      }
    }
  }
}

void BM_CjsYear_odte(benchmark::State& state) {
  check_same();
  const std::vector<cjs::Quote>& panel = year_panel();
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<cjs::Quote> copy = panel;
    state.ResumeTiming();
    const cjs::Result r = cjs::compute(std::move(copy), cjs::Params{});
    benchmark::DoNotOptimize(r.daily.data());
  }
  state.counters["options"] = static_cast<double>(panel.size());
  state.counters["options_per_s"] = benchmark::Counter(static_cast<double>(panel.size()), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_CjsYear_seed_loops(benchmark::State& state) {
  check_same();
  const std::vector<cjs::Quote>& panel = year_panel();
  for (auto _ : state) {
    const std::vector<double> out = seed_loops(panel);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["options"] = static_cast<double>(panel.size());
  state.counters["options_per_s"] = benchmark::Counter(static_cast<double>(panel.size()), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_CjsYear_odte)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_CjsYear_seed_loops)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

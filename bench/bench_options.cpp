// Options math: ns per price, per greeks set and per implied-volatility solve, beside QuantLib
// 1.29's blackFormula / blackFormulaImpliedStdDev on the same inputs in the same run.
//
// Inputs: the 0DTE grid of the tests (T from 6.5 h down to 1 minute, strikes +-10% of 5000 in
// 0.25% steps, sigma 5%-200%, calls and puts), keeping the points whose price carries time value
// and that QuantLib's solver accepts, so both solvers see exactly the same work. A second set is
// the near-the-money part (|K/S - 1| <= 2%), where a strategy spends most of its solves.
// After the runs the summary prints each figure, the worst relative repricing error of each
// solver, and our speed-up over QuantLib.

#include <benchmark/benchmark.h>
#include <ql/pricingengines/blackformula.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "odte/core/options/black_scholes.hpp"

namespace {

using odte::OptionRight;
using odte::options::BsmInput;

struct Point {
  BsmInput in;
  double price;
  double forward;
  double discount;
};

std::vector<Point> make_grid(double max_moneyness) {
  std::vector<Point> out;
  const double spot = 5000.0, r = 0.045, q = 0.013;
  for (double minutes : {390.0, 240.0, 120.0, 60.0, 30.0, 15.0, 5.0, 2.0, 1.0}) {
    const double t = minutes / 525'600.0;
    for (double m = -0.10; m <= 0.10001; m += 0.0025) {
      if (std::fabs(m) > max_moneyness + 1e-9) continue;
      for (double sigma : {0.05, 0.08, 0.12, 0.2, 0.3, 0.5, 0.8, 1.2, 1.6, 2.0}) {
        for (OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
          const BsmInput in{right, spot, std::round(spot * (1 + m) / 5) * 5, t, r, q, sigma};
          const double price = odte::options::bsm_price(in);
          if (!odte::options::implied_vol(in, price).ok()) continue;
          const double fwd = spot * std::exp((r - q) * t), disc = std::exp(-r * t);
          try {
            (void)QuantLib::blackFormulaImpliedStdDev(
                right == OptionRight::kCall ? QuantLib::Option::Call : QuantLib::Option::Put, in.strike, fwd, price,
                disc, 0.0, QuantLib::Null<QuantLib::Real>(), 1e-12, 200);
          } catch (const std::exception&) {
            continue;  // QuantLib refuses it: keep the comparison like for like
          }
          out.push_back({in, price, fwd, disc});
        }
      }
    }
  }
  return out;
}

const std::vector<Point>& grid() {
  static const std::vector<Point> g = make_grid(0.10);
  return g;
}
const std::vector<Point>& atm() {
  static const std::vector<Point> g = make_grid(0.02);
  return g;
}
const std::vector<Point>& set(int which) { return which == 0 ? grid() : atm(); }

QuantLib::Option::Type ql_type(OptionRight r) {
  return r == OptionRight::kCall ? QuantLib::Option::Call : QuantLib::Option::Put;
}

double ql_iv(const Point& p, double accuracy) {
  try {
    return QuantLib::blackFormulaImpliedStdDev(ql_type(p.in.right), p.in.strike, p.forward, p.price, p.discount, 0.0,
                                               QuantLib::Null<QuantLib::Real>(), accuracy, 200) /
           std::sqrt(p.in.t);
  } catch (const std::exception&) {
    return std::nan("");
  }
}

// Worst |price(iv) - price| / price over a set, for our solver and for QuantLib's at `accuracy`.
std::map<std::string, double>& worst() {
  static std::map<std::string, double> w;
  return w;
}
// Points whose repricing misses 1e-12 relative, per run name.
std::map<std::string, int>& misses() {
  static std::map<std::string, int> m;
  return m;
}
void record_worst(const std::string& name, int which, bool ours, double accuracy) {
  double w = 0;
  int missed = 0;
  for (const Point& p : set(which)) {
    BsmInput back = p.in;
    back.sigma = ours ? odte::options::implied_vol(p.in, p.price).iv : ql_iv(p, accuracy);
    double err = std::fabs(odte::options::bsm_price(back) - p.price) / p.price;
    if (!std::isfinite(err)) err = std::numeric_limits<double>::infinity();
    w = std::max(w, err);
    missed += err > 1e-12 ? 1 : 0;
  }
  worst()[name] = w;
  misses()[name] = missed;
}

void BM_OdtePrice(benchmark::State& state) {
  const auto& g = set(static_cast<int>(state.range(0)));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(odte::options::bsm_price(g[i].in));
    if (++i == g.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_QuantLibPrice(benchmark::State& state) {
  const auto& g = set(static_cast<int>(state.range(0)));
  std::size_t i = 0;
  for (auto _ : state) {
    const Point& p = g[i];
    benchmark::DoNotOptimize(QuantLib::blackFormula(ql_type(p.in.right), p.in.strike, p.forward,
                                                    p.in.sigma * std::sqrt(p.in.t), p.discount));
    if (++i == g.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_OdteGreeks(benchmark::State& state) {
  const auto& g = set(static_cast<int>(state.range(0)));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(odte::options::bsm_greeks(g[i].in));
    if (++i == g.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_OdteImpliedVol(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const auto& g = set(which);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(odte::options::implied_vol(g[i].in, g[i].price));
    if (++i == g.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  const std::string name = "BM_OdteImpliedVol/" + std::to_string(which);
  record_worst(name, which, true, 0);
  state.counters["worst_rel_err"] = worst()[name];
  state.counters["points"] = static_cast<double>(g.size());
}

void BM_QuantLibImpliedVol(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const double accuracy = state.range(1) == 0 ? 1e-12 : 1e-6;  // 1e-6 is QuantLib's default
  const auto& g = set(which);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ql_iv(g[i], accuracy));
    if (++i == g.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  const std::string name = "BM_QuantLibImpliedVol/" + std::to_string(which) + "/" + std::to_string(state.range(1));
  record_worst(name, which, false, accuracy);
  state.counters["worst_rel_err"] = worst()[name];
}

BENCHMARK(BM_OdtePrice)->Arg(0)->Arg(1);
BENCHMARK(BM_QuantLibPrice)->Arg(0)->Arg(1);
BENCHMARK(BM_OdteGreeks)->Arg(0)->Arg(1);
BENCHMARK(BM_OdteImpliedVol)->Arg(0)->Arg(1);
BENCHMARK(BM_QuantLibImpliedVol)->Args({0, 0})->Args({1, 0})->Args({0, 1})->Args({1, 1});

// Keeps ns per item of every run so the summary can print ratios.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type == Run::RT_Iteration && r.iterations > 0) {
        ns_[r.benchmark_name()] = r.GetAdjustedCPUTime();  // CPU ns: the machine is shared
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Summary() const {
    std::printf("\nsummary (CPU ns per call; ratio = QuantLib / odte)\n");
    for (const char* s : {"0", "1"}) {
      const std::string set_name = std::string(s) == "0" ? "0DTE grid" : "near the money (|K/S-1| <= 2%)";
      std::printf("  %s:\n", set_name.c_str());
      const auto get = [&](const std::string& n) {
        const auto it = ns_.find(n);
        return it == ns_.end() ? std::nan("") : it->second;
      };
      const double price = get(std::string("BM_OdtePrice/") + s);
      const double ql_price = get(std::string("BM_QuantLibPrice/") + s);
      const double greeks = get(std::string("BM_OdteGreeks/") + s);
      const double iv = get(std::string("BM_OdteImpliedVol/") + s);
      const double ql_iv_full = get(std::string("BM_QuantLibImpliedVol/") + s + "/0");
      const double ql_iv_default = get(std::string("BM_QuantLibImpliedVol/") + s + "/1");
      const auto w = [&](const std::string& n) {
        const auto it = worst().find(n);
        return it == worst().end() ? std::nan("") : it->second;
      };
      std::printf("    price            odte %8.1f   QuantLib blackFormula %8.1f   ratio %6.1fx\n", price, ql_price,
                  ql_price / price);
      std::printf("    greeks set       odte %8.1f\n", greeks);
      const auto m = [&](const std::string& n) { return misses()[n]; };
      const std::string ours = std::string("BM_OdteImpliedVol/") + s;
      const std::string full = std::string("BM_QuantLibImpliedVol/") + s + "/0";
      const std::string dflt = std::string("BM_QuantLibImpliedVol/") + s + "/1";
      std::printf("    implied vol      odte %8.1f   worst rel. price error %.1e, %d points over 1e-12\n", iv,
                  w(ours), m(ours));
      std::printf("    QuantLib IV 1e-12     %8.1f   worst rel. price error %.1e, %d points over 1e-12   ratio %5.1fx\n",
                  ql_iv_full, w(full), m(full), ql_iv_full / iv);
      std::printf("    QuantLib IV default   %8.1f   worst rel. price error %.1e, %d points over 1e-12   ratio %5.1fx\n",
                  ql_iv_default, w(dflt), m(dflt), ql_iv_default / iv);
    }
  }

 private:
  std::map<std::string, double> ns_;
};

// One pass of implied_vol over a set, out of line so `valgrind --tool=callgrind
// --toggle-collect=*iv_pass*` counts only the solves: instructions per solve are then repeatable
// on a loaded machine, unlike nanoseconds.
[[gnu::noinline]] double iv_pass(const std::vector<Point>& g) {
  double sum = 0;
  for (const Point& p : g) sum += odte::options::implied_vol(p.in, p.price).iv;
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  // --iv-pass: build both sets, solve each point once, print the counts and exit (for callgrind).
  if (argc == 2 && std::string(argv[1]) == "--iv-pass") {
    const double a = iv_pass(grid());
    const double b = iv_pass(atm());
    std::printf("iv pass: 0DTE grid %zu points, near the money %zu points (checksum %.17g)\n", grid().size(),
                atm().size(), a + b);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::printf("points: 0DTE grid %zu, near the money %zu\n", grid().size(), atm().size());
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.Summary();
  benchmark::Shutdown();
  return 0;
}

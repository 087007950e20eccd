#include "odte/core/options/forward.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "odte/core/options/black_scholes.hpp"

namespace odte::options {
namespace {

// A chain priced by BSM at one flat volatility, quoted with bid = ask = model price.
std::vector<ChainQuote> model_chain(double spot, double r, double q, double t, double sigma, double lo, double hi,
                                    double step) {
  std::vector<ChainQuote> chain;
  for (double k = lo; k <= hi + 1e-9; k += step) {
    const double c = bsm_price({OptionRight::kCall, spot, k, t, r, q, sigma});
    const double p = bsm_price({OptionRight::kPut, spot, k, t, r, q, sigma});
    chain.push_back({k, c, c, p, p});
  }
  return chain;
}

TEST(ForwardTest, shouldRecoverTheForwardFromParityWithAGivenDiscount) {
  const double t = 30.0 / 525'600.0;
  const auto chain = model_chain(5000, 0.05, 0.013, t, 0.15, 4900, 5100, 5);
  const ForwardResult f = implied_forward(chain, std::exp(-0.05 * t));
  ASSERT_TRUE(f.ok()) << to_string(f.status);
  EXPECT_NEAR(f.forward, 5000 * std::exp((0.05 - 0.013) * t), 1e-9);
  EXPECT_EQ(f.atm_strike, 5000);
}

TEST(ForwardTest, shouldFitTheDiscountFromTheParityLine) {
  const double t = 0.25;
  const auto chain = model_chain(100, 0.06, 0.02, t, 0.3, 80, 120, 1);
  const ForwardResult f = implied_forward_and_discount(chain);
  ASSERT_TRUE(f.ok()) << to_string(f.status);
  EXPECT_NEAR(f.discount, std::exp(-0.06 * t), 1e-12);
  EXPECT_NEAR(f.forward, 100 * std::exp(0.04 * t), 1e-10);
  EXPECT_EQ(f.fit_strikes, 2 * kParityFitHalfWidth + 1);
}

TEST(ForwardTest, shouldReportUnusableChains) {
  std::vector<ChainQuote> chain{{100, 1, 1.1, 1, 1.1}, {95, 5, 5.2, 0.2, 0.3}};
  EXPECT_EQ(implied_forward(chain, 1.0).status, ChainStatus::kUnsorted);
  EXPECT_EQ(implied_forward({}, 1.0).status, ChainStatus::kNoTwoSidedStrike);
  std::vector<ChainQuote> one_sided{{100, 1, 1.1, -1, -1}};
  EXPECT_EQ(implied_forward(one_sided, 1.0).status, ChainStatus::kNoTwoSidedStrike);
  std::vector<ChainQuote> single{{100, 1, 1.1, 1, 1.1}};
  EXPECT_EQ(implied_forward_and_discount(single).status, ChainStatus::kBadFit);
  std::vector<ChainQuote> bad_strike{{-5, 1, 1.1, 1, 1.1}};
  EXPECT_EQ(implied_forward(bad_strike, 1.0).status, ChainStatus::kBadInput);
  EXPECT_EQ(variance_swap_rate(single, 0.0, 0.0).status, ChainStatus::kBadInput);
}

// The Cboe VIX white paper's worked example, near term: T1 = 0.0683486, R1 = 0.000305, the
// smallest call/put difference at the 1965 strike (mids 21.05 vs 23.15), F1 = 1962.89996, K0 = 1960.
// The other rows are fillers with larger differences, not the paper's quotes.
TEST(ForwardTest, shouldReproduceTheWhitePaperNearTermForward) {
  const std::vector<ChainQuote> chain{
      {1955, 26.95, 27.25, 19.50, 19.80},
      {1960, 23.85, 24.15, 21.15, 21.45},
      {1965, 20.90, 21.20, 23.00, 23.30},
      {1970, 18.10, 18.40, 25.20, 25.50},
  };
  const double t = 0.0683486, r = 0.000305;
  const ForwardResult f = implied_forward(chain, std::exp(-r * t));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f.atm_strike, 1965);
  EXPECT_NEAR(f.forward, 1962.89996, 5e-6);
  const VarianceSwapResult v = variance_swap_rate(chain, t, r);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.k0, 1960);
}

// The white paper's rules, worked by hand on a small chain (r = 0, T = 1).
TEST(VarianceSwapTest, shouldFollowTheCboeStrikeSelectionAndWeights) {
  const std::vector<ChainQuote> chain{
      {80, 20.4, 20.6, 0.1, 0.2},   // excluded: below two consecutive zero put bids
      {85, 15.4, 15.6, 0.0, 0.05},  // zero bid
      {90, 10.4, 10.6, 0.0, 0.05},  // zero bid: the put side stops here
      {95, 6.4, 6.6, 1.0, 1.2},
      {100, 2.9, 3.1, 2.4, 2.6},    // smallest |C - P| = 0.5: F = 100.5, K0 = 100
      {105, 0.9, 1.1, 5.4, 5.6},
      {110, 0.0, 0.1, 10.0, 10.2},  // a single zero call bid: skipped, the walk goes on
      {115, 0.2, 0.3, 15.0, 15.2},
      {120, 0.0, 0.05, 20.0, 20.2},
      {125, 0.0, 0.05, 25.0, 25.2},  // second zero in a row: the call side stops
  };
  const VarianceSwapResult v = variance_swap_rate(chain, 1.0, 0.0);
  ASSERT_TRUE(v.ok()) << to_string(v.status);
  EXPECT_DOUBLE_EQ(v.forward, 100.5);
  EXPECT_EQ(v.k0, 100);
  EXPECT_EQ(v.puts, 1);
  EXPECT_EQ(v.calls, 2);
  EXPECT_EQ(v.lowest_strike, 95);
  EXPECT_EQ(v.highest_strike, 115);
  const double sum = 5.0 / (95 * 95) * 1.1 + 5.0 / (100 * 100) * 2.75 + 7.5 / (105 * 105) * 1.0 +
                     10.0 / (115 * 115) * 0.25;
  EXPECT_NEAR(v.adjustment, 0.005 * 0.005, 1e-15);
  EXPECT_NEAR(v.variance, 2 * sum - 0.005 * 0.005, 1e-15);
  EXPECT_NEAR(v.volatility, std::sqrt(v.variance), 1e-15);

  const VarianceSwapResult bid = variance_swap_rate(chain, 1.0, 0.0, QuoteSide::kBid);
  const VarianceSwapResult ask = variance_swap_rate(chain, 1.0, 0.0, QuoteSide::kAsk);
  EXPECT_LT(bid.variance, v.variance);
  EXPECT_GT(ask.variance, v.variance);
}

struct FlatVolCase {
  double minutes;
  double sigma;
  double step;
  double tolerance;  // relative, from strike spacing and truncation
};
class VarianceSwapFlatVolTest : public ::testing::TestWithParam<FlatVolCase> {};

TEST_P(VarianceSwapFlatVolTest, shouldReturnTheFlatVolatilitySquared) {
  const FlatVolCase& c = GetParam();
  const double t = c.minutes / 525'600.0;
  const double move = 5000 * c.sigma * std::sqrt(t);
  auto chain = model_chain(5000, 0.045, 0.013, t, c.sigma, 5000 - 12 * move, 5000 + 12 * move, c.step);
  // Quote a tick of spread and zero bids where the model price is below half a cent, as a
  // market would; the selection must stop there without losing variance.
  for (ChainQuote& q : chain) {
    for (auto [bid, ask] : {std::pair{&q.call_bid, &q.call_ask}, std::pair{&q.put_bid, &q.put_ask}}) {
      if (*bid < 0.005) {
        *bid = 0;
        *ask = 0.01;
      }
    }
  }
  const VarianceSwapResult v = variance_swap_rate(chain, t, 0.045);
  ASSERT_TRUE(v.ok()) << to_string(v.status);
  EXPECT_NEAR(v.variance, c.sigma * c.sigma, c.tolerance * c.sigma * c.sigma)
      << "minutes=" << c.minutes << " vol=" << v.volatility;
}

INSTANTIATE_TEST_SUITE_P(Expiries, VarianceSwapFlatVolTest,
                         ::testing::Values(FlatVolCase{390, 0.15, 1, 5e-3},      // SPX 0DTE, $1 strikes
                                           FlatVolCase{390, 0.15, 5, 5e-2},      // $5 strikes: coarse
                                           FlatVolCase{60, 0.25, 1, 5e-2},       // last hour
                                           FlatVolCase{43'200, 0.2, 5, 5e-3}));  // 30 days

}  // namespace
}  // namespace odte::options

#include "odte/core/options/black_scholes.hpp"

#include <gtest/gtest.h>
#include <ql/exercise.hpp>
#include <ql/instruments/payoffs.hpp>
#include <ql/pricingengines/blackcalculator.hpp>
#include <ql/pricingengines/blackformula.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <string>

namespace odte::options {
namespace {

constexpr OptionRight kC = OptionRight::kCall;
constexpr OptionRight kP = OptionRight::kPut;
constexpr double kMinute = 1.0 / 525'600.0;

// Haug, "The Complete Guide to Option Pricing Formulas" (2nd ed.), chapter 1 examples, given to
// four decimals. b is Haug's cost of carry, so q = r - b.
struct HaugCase {
  const char* what;
  OptionRight right;
  double s, k, t, r, b, sigma;
  double value;
  double Greeks::*field;
};

class HaugReferenceTest : public ::testing::TestWithParam<HaugCase> {};

TEST_P(HaugReferenceTest, shouldMatchThePublishedValue) {
  const HaugCase& c = GetParam();
  const BsmInput in{c.right, c.s, c.k, c.t, c.r, c.r - c.b, c.sigma};
  const Greeks g = bsm_greeks(in);
  EXPECT_NEAR(g.*c.field, c.value, 5e-5) << c.what;
  EXPECT_EQ(g.price, bsm_price(in));
}

INSTANTIATE_TEST_SUITE_P(
    Haug, HaugReferenceTest,
    ::testing::Values(
        HaugCase{"BSM call (1.1.1)", kC, 60, 65, 0.25, 0.08, 0.08, 0.30, 2.1334, &Greeks::price},
        HaugCase{"Merton index put (1.1.2)", kP, 100, 95, 0.5, 0.10, 0.05, 0.20, 2.4648, &Greeks::price},
        HaugCase{"Black-76 call (1.1.3)", kC, 19, 19, 0.75, 0.10, 0.0, 0.28, 1.7011, &Greeks::price},
        HaugCase{"Black-76 put (1.1.3)", kP, 19, 19, 0.75, 0.10, 0.0, 0.28, 1.7011, &Greeks::price},
        HaugCase{"generalised put (1.1.6)", kP, 75, 70, 0.5, 0.10, 0.05, 0.35, 4.0870, &Greeks::price},
        HaugCase{"delta call (2.1.1)", kC, 105, 100, 0.5, 0.10, 0.0, 0.36, 0.5946, &Greeks::delta},
        HaugCase{"delta put (2.1.1)", kP, 105, 100, 0.5, 0.10, 0.0, 0.36, -0.3566, &Greeks::delta},
        HaugCase{"gamma (2.3.1)", kC, 55, 60, 0.75, 0.10, 0.10, 0.30, 0.0278, &Greeks::gamma},
        HaugCase{"theta put (2.5.1)", kP, 430, 405, 0.0833, 0.07, 0.02, 0.20, -31.1924, &Greeks::theta},
        HaugCase{"rho call (2.6.1)", kC, 72, 75, 1.0, 0.09, 0.09, 0.19, 38.7325, &Greeks::rho}),
    [](const auto& param_info) {
      std::string name = param_info.param.what;
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

TEST(BlackScholesTest, shouldSatisfyPutCallParity) {
  for (double k : {80.0, 99.0, 100.0, 101.0, 120.0}) {
    BsmInput in{kC, 100, k, 0.3, 0.05, 0.02, 0.25};
    const double c = bsm_price(in);
    in.right = kP;
    const double p = bsm_price(in);
    const double parity = 100 * std::exp(-0.02 * 0.3) - k * std::exp(-0.05 * 0.3);
    EXPECT_NEAR(c - p, parity, 1e-13 * 100) << k;
  }
}

TEST(BlackScholesTest, shouldGiveElasticityAboveOneForCallsAndBelowMinusOneForPuts) {
  for (double k : {5400.0, 5500.0, 5600.0}) {
    const Greeks c = bsm_greeks({kC, 5500, k, 30 * kMinute * 60, 0.05, 0.013, 0.15});
    const Greeks p = bsm_greeks({kP, 5500, k, 30 * kMinute * 60, 0.05, 0.013, 0.15});
    EXPECT_GT(c.elasticity, 1.0) << k;
    EXPECT_LT(p.elasticity, -1.0) << k;
    EXPECT_DOUBLE_EQ(c.elasticity, c.delta * 5500 / c.price);
  }
}

TEST(BlackScholesTest, shouldMatchFiniteDifferenceGreeks) {
  const BsmInput in{kP, 5500, 5480, 2.5 / (365 * 24), 0.045, 0.012, 0.18};
  const Greeks g = bsm_greeks(in);
  const auto bump = [&](auto mutate, double h) {
    BsmInput up = in, dn = in;
    mutate(up, h);
    mutate(dn, -h);
    return (bsm_price(up) - bsm_price(dn)) / (2 * h);
  };
  EXPECT_NEAR(g.delta, bump([](BsmInput& b, double h) { b.spot += h; }, 1e-3), 1e-6);
  EXPECT_NEAR(g.vega, bump([](BsmInput& b, double h) { b.sigma += h; }, 1e-6), 1e-4);
  EXPECT_NEAR(g.rho, bump([](BsmInput& b, double h) { b.r += h; }, 1e-6), 1e-4);
  EXPECT_NEAR(g.theta, -bump([](BsmInput& b, double h) { b.t += h; }, 1e-9), 1e-2 * std::fabs(g.theta));
  const double gamma = (bsm_price({kP, 5500.5, 5480, in.t, in.r, in.q, in.sigma}) - 2 * g.price +
                        bsm_price({kP, 5499.5, 5480, in.t, in.r, in.q, in.sigma})) / 0.25;
  EXPECT_NEAR(g.gamma, gamma, 1e-5);
}

TEST(ImpliedVolTest, shouldReportStatusesInsteadOfNaN) {
  const BsmInput in{kC, 100, 90, 0.1, 0.05, 0.0, 0};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double intrinsic = 100 - 90 * std::exp(-0.05 * 0.1);
  EXPECT_EQ(implied_vol(in, intrinsic - 0.01).status, IvStatus::kBelowIntrinsic);
  EXPECT_EQ(implied_vol(in, intrinsic).status, IvStatus::kNoTimeValue);
  EXPECT_EQ(implied_vol(in, 100.0).status, IvStatus::kAboveUpperBound);
  EXPECT_EQ(implied_vol(in, nan).status, IvStatus::kBadInput);
  EXPECT_EQ(implied_vol({kC, 100, 90, 0.0, 0.05, 0, 0}, 11).status, IvStatus::kBadInput);
  EXPECT_EQ(implied_vol({kC, -1, 90, 0.1, 0.05, 0, 0}, 11).status, IvStatus::kBadInput);
  EXPECT_EQ(implied_vol({kC, 100, 0, 0.1, 0.05, 0, 0}, 11).status, IvStatus::kBadInput);
  EXPECT_EQ(implied_vol({kC, 100, 90, 0.1, nan, 0, 0}, 11).status, IvStatus::kBadInput);
  EXPECT_EQ(implied_vol({kP, 100, 110, 0.1, 0.0, 0, 0}, 0.0 + 10 - 1e-9).status, IvStatus::kBelowIntrinsic);
  EXPECT_EQ(implied_vol({kP, 100, 110, 0.1, 0.0, 0, 0}, 110).status, IvStatus::kAboveUpperBound);
  EXPECT_EQ(implied_vol({kC, 100, 110, 0.1, 0.0, 0, 0}, 0).status, IvStatus::kNoTimeValue);
  EXPECT_EQ(to_string(IvStatus::kBelowIntrinsic), "below_intrinsic");
}

TEST(ImpliedVolTest, shouldRecoverVolatilityOfHaugCall) {
  const BsmInput in{kC, 60, 65, 0.25, 0.08, 0.0, 0.30};
  const IvResult r = implied_vol(in, bsm_price(in));
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r.iv, 0.30, 1e-14);
}

// ---- the 0DTE grid, side by side with QuantLib ------------------------------------------------

// Independent reference for b(x, s), x < 0: the integral of its s-derivative,
// b = int_0^s phi-like(u) du with phi-like(u) = exp(-(x^2/u^2 + u^2/4)/2)/sqrt(2 pi) > 0, by
// composite 8-point Gauss-Legendre in 80-bit arithmetic. No cancellation anywhere. Near the money
// (|h| < 2) it integrates in u; further out it substitutes x^2/(2u^2) = h^2/2 + w so the peak at
// u = s becomes e^{-w} times a smooth function.
long double reference_b(double xd, double sd) {
  using L = long double;
  static constexpr std::array<L, 4> kNode{0.18343464249564980494L, 0.52553240991632898582L,
                                          0.79666647741362673959L, 0.96028985649753623168L};
  static constexpr std::array<L, 4> kWeight{0.36268378337836198297L, 0.31370664587788728734L,
                                            0.22238103445337447054L, 0.10122853629037625915L};
  const L x = static_cast<L>(xd), s = static_cast<L>(sd), h = x / s;
  const L c = 1 / std::sqrt(2 * 3.14159265358979323846264338327950288L);
  const auto gauss = [&](auto f, L a, L b) {
    const L m = (a + b) / 2, r = (b - a) / 2;
    L sum = 0;
    for (std::size_t i = 0; i < 4; ++i) sum += kWeight[i] * (f(m - r * kNode[i]) + f(m + r * kNode[i]));
    return sum * r;
  };
  L total = 0;
  constexpr int kPanels = 400;
  if (std::fabs(h) < 2) {
    const auto f = [&](L u) { return c * std::exp(-(x * x / (u * u) + u * u / 4) / 2); };
    // Geometric panels resolve the rise of the integrand near u ~ |x|, however small x is.
    for (int k = 80; k > 0; --k) {
      const L a = s * std::ldexp(L{1}, -k), b = 2 * a;
      for (int j = 0; j < 4; ++j) total += gauss(f, a + (b - a) * j / 4, a + (b - a) * (j + 1) / 4);
    }
  } else {
    const auto f = [&](L w) {
      const L q = 2 * w + h * h;
      const L u = -x / std::sqrt(q);
      return c * std::exp(-h * h / 2 - w - u * u / 8) * (-x) / (q * std::sqrt(q));
    };
    for (int j = 0; j < kPanels; ++j) {
      const L a = 60.0L * j * j / (kPanels * kPanels), b = 60.0L * (j + 1) * (j + 1) / (kPanels * kPanels);
      total += gauss(f, a, b);
    }
  }
  return total;
}

TEST(BlackScholesTest, shouldMatchAnIndependentQuadratureOfTheNormalisedPrice) {
  double worst = 0;
  for (double x : {-1e-6, -1e-4, -1e-3, -0.005, -0.01, -0.02, -0.05, -0.1, -0.2}) {
    for (double s : {1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 0.6}) {
      const long double ref = reference_b(x, s);
      if (ref < 1e-290L) continue;
      const double b = normalized_otm_black(x, s);
      const double err = static_cast<double>(std::fabs((static_cast<long double>(b) - ref) / ref));
      worst = std::max(worst, err);
      EXPECT_LT(err, 2e-14) << "x=" << x << " s=" << s << " h=" << x / s;
    }
  }
  std::printf("worst relative error of b(x, s) against quadrature: %.2e\n", worst);
}

// The series behind b for s < 0.5 rests on piecewise polynomials for A_1 = R'(-z) and
// A_2 = R''(-z) (z = |x|/s, 64 pieces up to z = 64) and a term count chosen from tau = s^2/4, plus
// an inline exponential: sweep the whole domain densely (every piece, every term count, z up to
// where b underflows, |x| to 20) against the quadrature.
TEST(BlackScholesTest, shouldKeepTheTabulatedSeriesWithinAFewUlpOfQuadratureEverywhere) {
  double worst = 0;
  int points = 0;
  for (int i = 0; i <= 26; ++i) {
    const double x = -std::pow(10.0, -7.0 + 0.3 * i);  // 1e-7 .. 12.6
    for (int j = 0; j <= 40; ++j) {
      const double s = std::pow(10.0, -6.0 + 0.142 * j);  // 1e-6 .. 0.47
      if (-x / s > 60.0) continue;
      const long double ref = reference_b(x, s);
      if (ref < 1e-290L) continue;
      const double b = normalized_otm_black(x, s);
      const double err = static_cast<double>(std::fabs((static_cast<long double>(b) - ref) / ref));
      worst = std::max(worst, err);
      ++points;
      EXPECT_LT(err, 3e-15) << "x=" << x << " s=" << s << " z=" << -x / s;
    }
  }
  EXPECT_GT(points, 500);
  std::printf("%d points: worst relative error of the tabulated series against quadrature %.2e\n", points, worst);
}

struct GridStats {
  int points = 0;
  int solved = 0;
  int no_time_value = 0;
  double worst_ql_price_error = 0;
};

class ZeroDteGridTest : public ::testing::TestWithParam<double> {};

TEST_P(ZeroDteGridTest, shouldPriceAndInvertAcrossTheGridBesideQuantLib) {
  using QuantLib::Option;
  const double t = GetParam() * kMinute;
  const double spot = 5000.0;
  const double r = 0.045;
  const double q = 0.013;
  GridStats st;
  for (double m = -0.10; m <= 0.10001; m += 0.0025) {
    for (double sigma : {0.05, 0.08, 0.12, 0.2, 0.3, 0.5, 0.8, 1.2, 1.6, 2.0}) {
      for (OptionRight right : {kC, kP}) {
        const double strike = std::round(spot * (1.0 + m) / 5.0) * 5.0;
        const BsmInput in{right, spot, strike, t, r, q, sigma};
        const double price = bsm_price(in);
        ++st.points;
        // 1. Price against QuantLib's blackFormula. QuantLib forms F N(d1) - K N(d2) in double,
        // so it loses digits to cancellation far out of the money: compare to 1e-12 of spot.
        const double fwd = spot * std::exp((r - q) * t);
        const double disc = std::exp(-r * t);
        const Option::Type type = right == kC ? Option::Call : Option::Put;
        const double ql = QuantLib::blackFormula(type, strike, fwd, sigma * std::sqrt(t), disc);
        st.worst_ql_price_error = std::max(st.worst_ql_price_error, std::fabs(ql - price) / spot);
        EXPECT_NEAR(ql, price, 1e-12 * spot) << "K=" << strike << " sigma=" << sigma;
        // 2. Implied volatility: back to the price to 1e-12 relative when the time value carries
        // information; otherwise a clear no_time_value status.
        const IvResult iv = implied_vol(in, price);
        if (iv.status == IvStatus::kNoTimeValue) {
          ++st.no_time_value;
          continue;
        }
        ASSERT_EQ(iv.status, IvStatus::kOk) << "K=" << strike << " sigma=" << sigma;
        ++st.solved;
        BsmInput back = in;
        back.sigma = iv.iv;
        const double repriced = bsm_price(back);
        EXPECT_LE(std::fabs(repriced - price), 1e-12 * price)
            << "K=" << strike << " sigma=" << sigma << " iv=" << iv.iv << " T(min)=" << GetParam()
            << " iterations=" << int{iv.iterations};
        EXPECT_LE(iv.iterations, 12);
        // Where vega is not negligible the volatility itself comes back, and QuantLib agrees.
        const Greeks g = bsm_greeks(in);
        if (g.vega * sigma > 1e-6 * price && price > 1e-8 * spot) {
          EXPECT_NEAR(iv.iv, sigma, 1e-7 * sigma) << "K=" << strike << " sigma=" << sigma;
          try {
            const double ql_sd = QuantLib::blackFormulaImpliedStdDev(type, strike, fwd, price, disc, 0.0,
                                                                     QuantLib::Null<QuantLib::Real>(), 1e-12, 200);
            EXPECT_NEAR(ql_sd / std::sqrt(t), iv.iv, 1e-6 * sigma) << "K=" << strike << " sigma=" << sigma;
          } catch (const std::exception&) {
            // QuantLib's solver refuses some extreme points; ours must not, which is checked above.
          }
        }
      }
    }
  }
  EXPECT_GT(st.solved, st.points / 5);
  RecordProperty("points", st.points);
  RecordProperty("solved", st.solved);
  RecordProperty("no_time_value", st.no_time_value);
  std::printf("T=%g min: %d points, %d solved, %d no time value, worst difference to QuantLib %.2e of spot\n",
              GetParam(), st.points, st.solved, st.no_time_value, st.worst_ql_price_error);
}

// The implied-vol start (tabulated inverse of the first-order model plus a first-order tau
// correction) is within ~1e-8 of the root on the 0DTE grid, so every solve there is one precise
// evaluation and one third-order step, and reprices far inside 1e-12.
TEST(ImpliedVolTest, shouldSolveEveryZeroDtePointWithOnePreciseStep) {
  double worst = 0;
  int solved = 0;
  for (double minutes : {390.0, 300.0, 240.0, 120.0, 60.0, 30.0, 15.0, 5.0, 2.0, 1.0}) {
    for (double m = -0.10; m <= 0.10001; m += 0.00125) {
      for (double sigma : {0.05, 0.065, 0.08, 0.1, 0.12, 0.16, 0.2, 0.3, 0.5, 0.8, 1.2, 1.6, 2.0}) {
        for (OptionRight right : {kC, kP}) {
          const BsmInput in{right, 5000, std::round(5000 * (1 + m)), minutes * kMinute, 0.045, 0.013, sigma};
          const double price = bsm_price(in);
          const IvResult iv = implied_vol(in, price);
          if (iv.status == IvStatus::kNoTimeValue) continue;
          ASSERT_TRUE(iv.ok()) << in.strike << ' ' << sigma << ' ' << minutes;
          EXPECT_EQ(iv.iterations, 1) << in.strike << ' ' << sigma << ' ' << minutes;
          BsmInput back = in;
          back.sigma = iv.iv;
          const double err = std::fabs(bsm_price(back) - price) / price;
          worst = std::max(worst, err);
          EXPECT_LE(err, 2e-14) << in.strike << ' ' << sigma << ' ' << minutes;
          ++solved;
        }
      }
    }
  }
  EXPECT_GT(solved, 15000);
  std::printf("%d solves, each one step; worst repricing error %.2e\n", solved, worst);
}

// T from 6.5 hours (a full session) down to one minute.
INSTANTIATE_TEST_SUITE_P(Minutes, ZeroDteGridTest, ::testing::Values(390.0, 240.0, 120.0, 60.0, 30.0, 15.0, 5.0, 2.0, 1.0),
                         [](const auto& param_info) { return std::to_string(static_cast<int>(param_info.param)) + "min"; });

TEST(ImpliedVolTest, shouldInvertDeepInAndOutOfTheMoneyOverLongerHorizons) {
  for (double t : {1.0 / 365, 0.25, 2.0}) {
    for (double k : {20.0, 50.0, 80.0, 100.0, 125.0, 200.0, 500.0}) {
      for (double sigma : {0.01, 0.1, 0.4, 1.5, 4.0}) {
        for (OptionRight right : {kC, kP}) {
          const BsmInput in{right, 100, k, t, 0.03, 0.01, sigma};
          const double price = bsm_price(in);
          const IvResult iv = implied_vol(in, price);
          if (iv.status == IvStatus::kNoTimeValue) continue;
          ASSERT_TRUE(iv.ok()) << k << ' ' << sigma << ' ' << t;
          BsmInput back = in;
          back.sigma = iv.iv;
          EXPECT_LE(std::fabs(bsm_price(back) - price), 1e-12 * price) << k << ' ' << sigma << ' ' << t;
        }
      }
    }
  }
}

TEST(ImpliedVolTest, shouldInvertAtTheExtremesOfTimeAndVolatility) {
  int solved = 0;
  for (double k : {1.0, 50.0, 99.999, 100.0, 100.001, 150.0, 1000.0}) {
    for (double t : {1.0 / (525'600.0 * 60), kMinute, 0.01, 1.0, 10.0, 30.0}) {  // 1 s to 30 y
      for (double sigma : {1e-4, 0.01, 0.2, 1.0, 5.0, 20.0}) {
        for (double r : {0.0, 0.05, -0.01}) {
          for (OptionRight right : {kC, kP}) {
            const BsmInput in{right, 100, k, t, r, 0.02, sigma};
            const double price = bsm_price(in);
            ASSERT_TRUE(std::isfinite(price));
            const IvResult iv = implied_vol(in, price);
            if (iv.status == IvStatus::kNoTimeValue) continue;
            if (iv.status == IvStatus::kAboveUpperBound) {  // only when the price rounded onto the bound
              const double bound = right == kC ? 100 * std::exp(-0.02 * t) : k * std::exp(-r * t);
              EXPECT_GE(price, bound * (1 - 1e-15)) << k << ' ' << t << ' ' << sigma;
              continue;
            }
            ASSERT_TRUE(iv.ok()) << k << ' ' << t << ' ' << sigma << ' ' << to_string(iv.status);
            BsmInput back = in;
            back.sigma = iv.iv;
            EXPECT_LE(std::fabs(bsm_price(back) - price), 1e-12 * price) << k << ' ' << t << ' ' << sigma;
            ++solved;
          }
        }
      }
    }
  }
  EXPECT_GT(solved, 500);
}

}  // namespace
}  // namespace odte::options

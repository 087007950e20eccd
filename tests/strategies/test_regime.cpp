#include "odte/strategies/regime.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "odte/strategies/factory.hpp"
#include "sim.hpp"

namespace odte::strategies {
namespace {

using namespace price_literals;
using namespace odte::testing_sim;

struct TableRow {
  int spy, vix, vvix;
  RegimeTrade expect;
};
class RegimeTableTest : public ::testing::TestWithParam<TableRow> {};

TEST_P(RegimeTableTest, shouldMapRegimesToTheSeedsTrades) {
  const auto& r = GetParam();
  EXPECT_EQ(classify(r.spy, r.vix, r.vvix), r.expect) << r.spy << r.vix << r.vvix;
}

INSTANTIATE_TEST_SUITE_P(
    Seed001, RegimeTableTest,
    ::testing::Values(TableRow{1, -1, -1, RegimeTrade::kLongCall}, TableRow{1, 1, 1, RegimeTrade::kDebitCallSpread},
                      TableRow{-1, -1, -1, RegimeTrade::kCreditPutSpread}, TableRow{1, 1, -1, RegimeTrade::kIronButterfly},
                      TableRow{-1, 1, -1, RegimeTrade::kIronButterfly}, TableRow{-1, 1, 1, RegimeTrade::kNone},
                      TableRow{1, -1, 1, RegimeTrade::kNone}, TableRow{-1, -1, 1, RegimeTrade::kNone},
                      TableRow{0, 1, -1, RegimeTrade::kNone}, TableRow{1, 0, -1, RegimeTrade::kNone},
                      TableRow{1, -1, 0, RegimeTrade::kNone}),
    [](const ::testing::TestParamInfo<TableRow>& row_info) {
      // e.g. spy_up_vix_down_vvix_flat: readable in ctest output.
      const auto dir = [](int d) { return d > 0 ? "up" : d < 0 ? "down" : "flat"; };
      return std::string("spy_") + dir(row_info.param.spy) + "_vix_" + dir(row_info.param.vix) + "_vvix_" + dir(row_info.param.vvix);
    });

// A morning of 1-minute prints for SPY, VIX and VVIX with the given drifts, then a chain of SPY
// 0DTE quotes around 500.
class RegimeDayTest : public ::testing::Test {
 protected:
  void build(const RegimeParams& p) {
    std::vector<std::unique_ptr<Strategy>> s;
    auto strat = std::make_unique<RegimeStrategy>(0, p);
    regime_ = strat.get();
    s.push_back(std::move(strat));
    sim_ = std::make_unique<Sim>(std::move(s));
    spy_ = sim_->symbol("SPY");
    vix_ = sim_->symbol("I:VIX");
    vvix_ = sim_->symbol("I:VVIX");
    for (int k = 494; k <= 506; ++k) {
      calls_[k] = sim_->option("SPY", OptionRight::kCall, Price::from_dollars(k));
      puts_[k] = sim_->option("SPY", OptionRight::kPut, Price::from_dollars(k));
    }
    sim_->start(at(9, 30));
  }
  void morning(double spy_drift, double vix_drift, double vvix_drift, bool with_vvix = true) {
    for (int m = 0; m < 30; ++m) {
      const TimestampNs t = at(9, 30 + m, 30);
      sim_->trade(spy_, t, Price::from_double(498.0 + spy_drift * m));
      sim_->index(vix_, t, Price::from_double(15.0 + vix_drift * m));
      if (with_vvix) sim_->index(vvix_, t, Price::from_double(90.0 + vvix_drift * m));
    }
  }
  // Quotes every strike with SPY at `spot` (SPY itself is not printed: its bars are the morning's).
  void chain(TimestampNs t, double spot) {
    for (const auto& [k, id] : calls_) {
      const double intrinsic = std::max(spot - k, 0.0);
      sim_->quote(id, t, Price::from_double(intrinsic + 0.50), Price::from_double(intrinsic + 0.55));
    }
    for (const auto& [k, id] : puts_) {
      const double intrinsic = std::max(k - spot, 0.0);
      sim_->quote(id, t, Price::from_double(intrinsic + 0.50), Price::from_double(intrinsic + 0.55));
    }
  }
  // Quotes at 09:59:59, one VIX print at 10:00:01 that runs the 10:00 decision, and one a second
  // later, after the paper broker's latency, that lets the order fill.
  void open_at_ten(double spot) {
    chain(at(9, 59, 59), spot);
    sim_->index(vix_, at(10, 0, 1), Price::from_double(15.0));
    sim_->index(vix_, at(10, 0, 2), Price::from_double(15.0));
  }
  std::unique_ptr<Sim> sim_;
  RegimeStrategy* regime_ = nullptr;
  InstrumentId spy_ = kNoInstrument, vix_ = kNoInstrument, vvix_ = kNoInstrument;
  std::map<int, InstrumentId> calls_, puts_;
};

TEST_F(RegimeDayTest, shouldBuyTheAtmCallWhenSpyRisesAndVolatilityFalls) {
  build(RegimeParams{});
  morning(+0.05, -0.02, -0.1);  // SPY ends the morning at 499.45
  open_at_ten(499.45);
  ASSERT_EQ(regime_->decision(), RegimeTrade::kLongCall);
  ASSERT_EQ(sim_->commands().size(), 1u);
  const OrderCommand& c = sim_->commands()[0];
  EXPECT_EQ(c.leg_count, 1);
  EXPECT_EQ(c.legs[0].instrument, calls_[499]);  // strike nearest 499.45
  EXPECT_EQ(c.legs[0].side, Side::kBuy);
  EXPECT_EQ(c.quantity, 2u);
  EXPECT_EQ(regime_->state(), StrategyState::kInPosition);
  // Closed at 15:00.
  chain(at(15, 0, 1), 501.0);
  sim_->index(vix_, at(15, 0, 2), Price::from_double(14.0));
  EXPECT_EQ(sim_->commands().size(), 2u);
  EXPECT_EQ(sim_->commands()[1].legs[0].side, Side::kSell);
  EXPECT_EQ(regime_->state(), StrategyState::kDone);
  EXPECT_EQ(sim_->engine().book().totals().open_positions, 0u);
}

RegimeParams one_contract() {
  RegimeParams p;
  p.quantity = 1;
  return p;
}

TEST_F(RegimeDayTest, shouldSellTheIronButterflyWithThreeDollarWings) {
  build(one_contract());
  morning(-0.05, +0.02, -0.1);  // SPY ends at 496.55: ATM 497, wings 500 and 494
  open_at_ten(496.55);
  ASSERT_EQ(regime_->decision(), RegimeTrade::kIronButterfly);
  ASSERT_EQ(sim_->commands().size(), 1u);
  const OrderCommand& c = sim_->commands()[0];
  ASSERT_EQ(c.leg_count, 4);
  EXPECT_EQ(c.legs[0].instrument, calls_[497]);
  EXPECT_EQ(c.legs[0].side, Side::kSell);
  EXPECT_EQ(c.legs[1].instrument, puts_[497]);
  EXPECT_EQ(c.legs[1].side, Side::kSell);
  EXPECT_EQ(c.legs[2].instrument, calls_[500]);
  EXPECT_EQ(c.legs[2].side, Side::kBuy);
  EXPECT_EQ(c.legs[3].instrument, puts_[494]);
  EXPECT_EQ(c.legs[3].side, Side::kBuy);
  EXPECT_LT(c.limit, Price::zero());  // a credit
}

TEST_F(RegimeDayTest, shouldSellTheCreditPutSpreadWhenEverythingFalls) {
  build(one_contract());
  morning(-0.05, -0.02, -0.1);
  open_at_ten(496.55);
  ASSERT_EQ(regime_->decision(), RegimeTrade::kCreditPutSpread);
  const OrderCommand& c = sim_->commands().at(0);
  ASSERT_EQ(c.leg_count, 2);
  EXPECT_EQ(c.legs[0].instrument, puts_[497]);
  EXPECT_EQ(c.legs[0].side, Side::kSell);
  EXPECT_EQ(c.legs[1].instrument, puts_[494]);
  EXPECT_EQ(c.legs[1].side, Side::kBuy);
}

TEST_F(RegimeDayTest, shouldLetRiskRefuseAFlyThatRisksMoreThanHalfAPercent) {
  build(RegimeParams{});  // two contracts: (3 - ~0.35 credit) x 100 x 2 = ~530 > 0.5% of 100,000
  morning(-0.05, +0.02, -0.1);
  open_at_ten(496.55);
  EXPECT_EQ(regime_->decision(), RegimeTrade::kIronButterfly);
  EXPECT_TRUE(sim_->commands().empty());
  EXPECT_TRUE(sim_->noted("entry refused by risk: capital_at_risk"));
  EXPECT_EQ(regime_->state(), StrategyState::kDone);
  EXPECT_EQ(sim_->engine().risk().rejections(RiskReason::kCapitalAtRisk), 1u);
}

TEST_F(RegimeDayTest, shouldNotTradeWhenNoRuleMatches) {
  build(RegimeParams{});
  morning(-0.05, +0.02, +0.1);
  open_at_ten(496.55);
  EXPECT_EQ(regime_->decision(), RegimeTrade::kNone);
  EXPECT_TRUE(sim_->commands().empty());
  EXPECT_EQ(regime_->state(), StrategyState::kDone);
  EXPECT_TRUE(sim_->noted("regime: SPY - VIX + VVIX + -> none"));
}

TEST_F(RegimeDayTest, shouldSaySoAndNotTradeWhenVvixIsMissing) {
  build(RegimeParams{});
  morning(+0.05, -0.02, 0.0, /*with_vvix=*/false);
  open_at_ten(499.45);
  EXPECT_EQ(regime_->state(), StrategyState::kMissingInput);
  EXPECT_TRUE(sim_->commands().empty());
  EXPECT_TRUE(sim_->noted("0 one-minute bars of I:VVIX by 10:00"));
  int said = 0;
  for (const auto& n : sim_->engine().notes()) said += n.find("one-minute bars of I:VVIX by") != std::string::npos ? 1 : 0;
  EXPECT_EQ(said, 1);  // said once (beside the start's "no previous-session bars" notes: no history here)
}

TEST(StrategyFactoryTest, shouldBuildRegimeFromParams) {
  const auto s = make_strategy("regime", "wing = 5\nquantity = 1\nentry_time = \"10:30\"\n", 0, "test.toml");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name(), "regime");
}

TEST(StrategyFactoryTest, shouldRejectUnknownNamesAndBadParamsWithTheKey) {
  try {
    (void)make_strategy("martingale", "", 0, "test.toml");
    FAIL();
  } catch (const StrategyConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("strategy name \"martingale\" is not known; known: \"iron_condor\""), std::string::npos)
        << e.what();
    for (const std::string_view name : strategy_names()) {
      EXPECT_NE(std::string(e.what()).find("\"" + std::string(name) + "\""), std::string::npos) << e.what();
    }
  }
  try {
    (void)make_strategy("regime", "wing = 0.1\nquantity = 0\nwings = 3\nregime_rule = \"astrology\"\n", 0, "test.toml");
    FAIL();
  } catch (const StrategyConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("strategy \"regime\".params.wing: 0.1 is out of range"), std::string::npos) << what;
    EXPECT_NE(what.find("params.quantity: 0 is out of range"), std::string::npos) << what;
    EXPECT_NE(what.find("params.wings: unknown key"), std::string::npos) << what;
    EXPECT_NE(what.find("params.regime_rule: \"astrology\" is not allowed; allowed \"price_vs_ema\", \"ema_slope\""),
              std::string::npos)
        << what;
  }
}

}  // namespace
}  // namespace odte::strategies

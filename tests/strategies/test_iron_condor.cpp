#include "odte/strategies/iron_condor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "odte/strategies/factory.hpp"
#include "sim.hpp"

namespace odte::strategies {
namespace {

using namespace price_literals;
using namespace odte::testing_sim;

class IronCondorTest : public ::testing::Test {
 protected:
  void build(bool with_vix_before_entry = true) {
    IronCondorParams p;
    p.short_otm = 0.01;  // 505 / 495 with SPY at 500
    p.long_otm = 0.016;  // 508 / 492: 3-wide wings keep one condor under 0.5% of 100,000
    p.entry_minute = 10 * 60;
    p.entry_deadline_minute = 10 * 60 + 15;
    p.price_slack = 0.10_usd;  // four legs 5 cents wide: natural is mid + 0.10
    std::vector<std::unique_ptr<Strategy>> s;
    auto strat = std::make_unique<IronCondorStrategy>(0, p);
    condor_ = strat.get();
    s.push_back(std::move(strat));
    sim_ = std::make_unique<Sim>(std::move(s));
    spy_ = sim_->symbol("SPY");
    vix_ = sim_->symbol("I:VIX");
    for (int k = 486; k <= 514; ++k) {
      calls_[k] = sim_->option("SPY", OptionRight::kCall, Price::from_dollars(k));
      puts_[k] = sim_->option("SPY", OptionRight::kPut, Price::from_dollars(k));
    }
    sim_->start(at(9, 30));
    // Calm VIX: alternating +-0.05 every minute from 9:30.
    if (with_vix_before_entry) {
      for (int m = 0; m < 30; ++m) sim_->index(vix_, at(9, 30 + m, 30), Price::from_double(15.0 + (m % 2 ? 0.05 : 0.0)));
    }
    sim_->trade(spy_, at(9, 59, 50), 500_usd);
    // Time value decaying away from the money, so the condor takes in a credit.
    for (const auto& [k, id] : calls_) {
      const double v = std::max(500.0 - k, 0.0) + 2.0 * std::exp(-std::abs(k - 500.0) / 3.0);
      sim_->quote(id, at(9, 59, 55), Price::from_double(v).round_to(0.01_usd), Price::from_double(v + 0.05).round_to(0.01_usd));
    }
    for (const auto& [k, id] : puts_) {
      const double v = std::max(k - 500.0, 0.0) + 2.0 * std::exp(-std::abs(k - 500.0) / 3.0);
      sim_->quote(id, at(9, 59, 55), Price::from_double(v).round_to(0.01_usd), Price::from_double(v + 0.05).round_to(0.01_usd));
    }
  }
  std::unique_ptr<Sim> sim_;
  IronCondorStrategy* condor_ = nullptr;
  InstrumentId spy_ = kNoInstrument, vix_ = kNoInstrument;
  std::map<int, InstrumentId> calls_, puts_;
};

TEST_F(IronCondorTest, shouldSellTheCondorAtTheConfiguredDistances) {
  build();
  sim_->index(vix_, at(10, 0, 1), 15_usd);
  sim_->index(vix_, at(10, 0, 2), 15_usd);
  ASSERT_EQ(sim_->commands().size(), 1u);
  const OrderCommand& c = sim_->commands()[0];
  ASSERT_EQ(c.leg_count, 4);
  EXPECT_EQ(c.legs[0].instrument, calls_[505]);
  EXPECT_EQ(c.legs[0].side, Side::kSell);
  EXPECT_EQ(c.legs[1].instrument, puts_[495]);
  EXPECT_EQ(c.legs[1].side, Side::kSell);
  EXPECT_EQ(c.legs[2].instrument, calls_[508]);
  EXPECT_EQ(c.legs[2].side, Side::kBuy);
  EXPECT_EQ(c.legs[3].instrument, puts_[492]);
  EXPECT_LT(c.limit, Price::zero());
  EXPECT_EQ(c.legs[3].side, Side::kBuy);
  EXPECT_EQ(condor_->state(), StrategyState::kInPosition);
}

TEST_F(IronCondorTest, shouldOffsetWhenTheVixMovingAverageJumpsBeyondTwoSigma) {
  build();
  sim_->index(vix_, at(10, 0, 1), 15_usd);
  sim_->index(vix_, at(10, 0, 2), 15_usd);
  ASSERT_EQ(condor_->state(), StrategyState::kInPosition);
  for (int m = 1; m < 10; ++m) sim_->index(vix_, at(10, m, 30), Price::from_double(15.0 + (m % 2 ? 0.05 : 0.0)));
  EXPECT_FALSE(condor_->offset_fired());
  sim_->index(vix_, at(10, 10, 30), 18_usd);  // VIX +3: the 3-bar MA jumps by ~1
  sim_->index(vix_, at(10, 11, 30), 18_usd);  // closes the 10:10 bar
  sim_->index(vix_, at(10, 11, 31), 18_usd);  // lets the closing order fill
  EXPECT_TRUE(condor_->offset_fired());
  EXPECT_TRUE(sim_->noted("3-period MA changed"));
  ASSERT_EQ(sim_->commands().size(), 2u);
  EXPECT_EQ(sim_->commands()[1].legs[0].side, Side::kBuy);  // the short call bought back
  EXPECT_EQ(condor_->state(), StrategyState::kDone);
  EXPECT_EQ(sim_->engine().book().totals().open_positions, 0u);
}

TEST_F(IronCondorTest, shouldNotTradeWithoutTheVixSeries) {
  build(/*with_vix_before_entry=*/false);
  sim_->trade(spy_, at(10, 0, 1), 500_usd);
  EXPECT_EQ(condor_->state(), StrategyState::kMissingInput);
  EXPECT_TRUE(sim_->commands().empty());
  EXPECT_TRUE(sim_->noted("no one-minute bars of I:VIX"));
}

TEST(IronCondorFactoryTest, shouldRejectWingsInsideTheShortStrikes) {
  try {
    (void)make_strategy("iron_condor", "short_otm = 0.02\nlong_otm = 0.01\n", 0, "t.toml");
    FAIL();
  } catch (const StrategyConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("params.long_otm: must be further out than short_otm"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(make_strategy("iron_condor", "short_otm = 0.004\nlong_otm = 0.008\n", 1, "t.toml")->name(), "iron_condor");
}

}  // namespace
}  // namespace odte::strategies

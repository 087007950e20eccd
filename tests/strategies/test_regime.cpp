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
  // `strikes`: the listed strikes (SPY's $1 grid 494..506 unless given); `cfg`: the engine's
  // config (a 13:00 close, an engine-wide safety exit).
  void build(const RegimeParams& p, std::vector<int> strikes = {}, EngineConfig cfg = Sim::default_config()) {
    std::vector<std::unique_ptr<Strategy>> s;
    auto strat = std::make_unique<RegimeStrategy>(0, p);
    regime_ = strat.get();
    s.push_back(std::move(strat));
    sim_ = std::make_unique<Sim>(std::move(s), cfg);
    spy_ = sim_->symbol(p.underlying.c_str());
    vix_ = sim_->symbol("I:VIX");
    vvix_ = sim_->symbol("I:VVIX");
    spxw_ = p.option_root == "SPXW";
    if (strikes.empty()) {
      for (int k = 494; k <= 506; ++k) strikes.push_back(k);
    }
    for (const int k : strikes) {
      calls_[k] = sim_->option(p.option_root.c_str(), OptionRight::kCall, Price::from_dollars(k));
      puts_[k] = sim_->option(p.option_root.c_str(), OptionRight::kPut, Price::from_dollars(k));
    }
    sim_->start(at(9, 30));
  }
  void morning(double spy_drift, double vix_drift, double vvix_drift, bool with_vvix = true, double spy_open = 498.0) {
    for (int m = 0; m < 30; ++m) {
      const TimestampNs t = at(9, 30 + m, 30);
      if (spy_open > 1000.0) {
        sim_->index(spy_, t, Price::from_double(spy_open + spy_drift * m));  // I:SPX
      } else {
        sim_->trade(spy_, t, Price::from_double(spy_open + spy_drift * m));
      }
      sim_->index(vix_, t, Price::from_double(15.0 + vix_drift * m));
      if (with_vvix) sim_->index(vvix_, t, Price::from_double(90.0 + vvix_drift * m));
    }
  }
  // Quotes every strike with SPY at `spot` (SPY itself is not printed: its bars are the morning's):
  // intrinsic + 0.50 bid, + 0.55 ask; on an SPXW chain moved onto its grid.
  void chain(TimestampNs t, double spot) {
    for (const auto& [k, id] : calls_) {
      const double intrinsic = std::max(spot - k, 0.0);
      sim_->quote(id, t, on_grid(intrinsic + 0.50, false), on_grid(intrinsic + 0.55, true));
    }
    for (const auto& [k, id] : puts_) {
      const double intrinsic = std::max(k - spot, 0.0);
      sim_->quote(id, t, on_grid(intrinsic + 0.50, false), on_grid(intrinsic + 0.55, true));
    }
  }
  // SPXW's single-leg grid ($0.05 under $3, $0.10 from $3), which SPY's $0.01 grid contains.
  Price on_grid(double v, bool up) const {
    const Price p = Price::from_double(v);
    if (!spxw_) return p;
    const Price step = p < Price::from_dollars(3) ? Price::from_cents(5) : Price::from_cents(10);
    const Price down = Price::from_ticks(p.ticks() / step.ticks() * step.ticks());
    return up && down < p ? down + step : down;
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
  bool spxw_ = false;
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

TEST_F(RegimeDayTest, shouldTakeTheNearestListedWingAtLeastTheWidthAwayWhenTheExactStrikeIsMissing) {
  // SPY's $1 grid with 500 not listed: the fly at 497 buys the 501 call (the nearest listed call at
  // least $3 above) and the 494 put (exactly $3 below).
  std::vector<int> strikes;
  for (int k = 494; k <= 506; ++k) {
    if (k != 500) strikes.push_back(k);
  }
  build(one_contract(), strikes);
  morning(-0.05, +0.02, -0.1);
  open_at_ten(496.55);
  ASSERT_EQ(regime_->decision(), RegimeTrade::kIronButterfly);
  ASSERT_EQ(sim_->commands().size(), 1u);
  const OrderCommand& c = sim_->commands()[0];
  ASSERT_EQ(c.leg_count, 4);
  EXPECT_EQ(c.legs[0].instrument, calls_[497]);
  EXPECT_EQ(c.legs[2].instrument, calls_[501]);
  EXPECT_EQ(c.legs[3].instrument, puts_[494]);
}

// SPXW on its 5-point grid, I:SPX as the underlying: the strikes 7600..7740 are listed SPXW 0DTE
// strikes of 2026-08-21 (SPX 0DTE open-interest profile, ../shared/data/spx-0dte-archive-yahoo-cboe
// gex/profile/2026-08-21_0930.csv: 7490..7790 every 5 points); the index path and the quotes are
// built here (intrinsic + 0.50 / + 0.55 moved onto the SPXW grid), not recorded.
RegimeParams spxw(std::uint32_t quantity) {
  RegimeParams p;
  p.underlying = "I:SPX";
  p.option_root = "SPXW";
  p.quantity = quantity;
  return p;
}
std::vector<int> spxw_strikes() {
  std::vector<int> k;
  for (int s = 7600; s <= 7740; s += 5) k.push_back(s);
  return k;
}

TEST_F(RegimeDayTest, shouldPutTheThreeDollarWingsOfAnSpxwFlyOnTheNextListedStrikes) {
  build(spxw(1), spxw_strikes());
  // SPX falls from 7680 to 7665.5 while VIX rises and VVIX falls: iron butterfly at 7665.
  morning(-0.5, +0.02, -0.1, true, 7680.0);
  open_at_ten(7665.5);
  ASSERT_EQ(regime_->decision(), RegimeTrade::kIronButterfly);
  ASSERT_EQ(sim_->commands().size(), 1u) << (sim_->engine().notes().empty() ? "" : sim_->engine().notes().back());
  const OrderCommand& c = sim_->commands()[0];
  ASSERT_EQ(c.leg_count, 4);
  EXPECT_EQ(c.legs[0].instrument, calls_[7665]);
  EXPECT_EQ(c.legs[1].instrument, puts_[7665]);
  EXPECT_EQ(c.legs[2].instrument, calls_[7670]);  // 7668 is not listed: the next listed call, 5 points up
  EXPECT_EQ(c.legs[3].instrument, puts_[7660]);   // 7662 is not listed: the next listed put, 5 points down
  // A credit on SPXW's complex-order grid ($0.05; the Sim also checks every command against it).
  EXPECT_LT(c.limit, Price::zero());
  EXPECT_EQ(c.limit.ticks() % Price::from_cents(5).ticks(), 0);
}

TEST_F(RegimeDayTest, shouldSellAnSpxwCreditPutSpreadOnTheGrid) {
  build(spxw(1), spxw_strikes());
  // SPX ends at 7662.6: ATM 7665 (an in-the-money put, so the spread takes a credit), wing 7660.
  morning(-0.6, -0.02, -0.1, true, 7680.0);
  open_at_ten(7662.6);
  ASSERT_EQ(regime_->decision(), RegimeTrade::kCreditPutSpread);
  ASSERT_EQ(sim_->commands().size(), 1u);
  const OrderCommand& c = sim_->commands()[0];
  ASSERT_EQ(c.leg_count, 2);
  EXPECT_EQ(c.legs[0].instrument, puts_[7665]);
  EXPECT_EQ(c.legs[1].instrument, puts_[7660]);
}

TEST_F(RegimeDayTest, shouldHoldPastTheOldEngineExitsAndCloseAtItsOwnTime) {
  // No engine-wide 3x stop or 15:00 exit any more: the long call is held with a 500%+ gain (no
  // target in the seed) and closed by its own 15:00 exit, enforced by the engine.
  build(RegimeParams{});
  morning(+0.05, -0.02, -0.1);
  open_at_ten(499.45);
  ASSERT_EQ(sim_->commands().size(), 1u);
  chain(at(14, 59, 0), 520.0);  // the 499 call worth ~21: +4000%
  sim_->index(vix_, at(14, 59, 1), Price::from_double(14.0));
  EXPECT_EQ(sim_->commands().size(), 1u);
  chain(at(15, 0, 0), 520.0);
  sim_->index(vix_, at(15, 0, 1), Price::from_double(14.0));
  ASSERT_EQ(sim_->commands().size(), 2u);
  EXPECT_EQ(sim_->commands()[1].created_ns, at(15, 0, 0));
  EXPECT_EQ(regime_->state(), StrategyState::kDone);
}

TEST_F(RegimeDayTest, shouldMoveItsTimeExitWithAnEarlyClose) {
  EngineConfig cfg = Sim::default_config();
  cfg.session_close_minute = 13 * 60;  // 13:00 close: the 15:00 exit is at 12:00
  build(RegimeParams{}, {}, cfg);
  EXPECT_EQ(regime_->exit_minute(), 12 * 60);
  morning(+0.05, -0.02, -0.1);
  open_at_ten(499.45);
  ASSERT_EQ(sim_->commands().size(), 1u);
  chain(at(11, 59, 0), 501.0);
  sim_->index(vix_, at(11, 59, 1), Price::from_double(14.0));
  EXPECT_EQ(sim_->commands().size(), 1u);
  chain(at(12, 0, 0), 501.0);
  sim_->index(vix_, at(12, 0, 1), Price::from_double(14.0));
  ASSERT_EQ(sim_->commands().size(), 2u);
  EXPECT_EQ(sim_->commands()[1].created_ns, at(12, 0, 0));
  EXPECT_EQ(sim_->commands()[1].legs[0].side, Side::kSell);
}

TEST_F(RegimeDayTest, shouldApplyTheEngineWideSafetyExitOnlyWhenConfigured) {
  EngineConfig cfg = Sim::default_config();
  cfg.exits.exit_minute = 11 * 60;  // [risk] exit_time = "11:00": a documented safety option
  build(RegimeParams{}, {}, cfg);
  morning(+0.05, -0.02, -0.1);
  open_at_ten(499.45);
  ASSERT_EQ(sim_->commands().size(), 1u);
  chain(at(11, 0, 0), 501.0);
  sim_->index(vix_, at(11, 0, 1), Price::from_double(14.0));
  ASSERT_EQ(sim_->commands().size(), 2u);
  EXPECT_EQ(sim_->commands()[1].created_ns, at(11, 0, 0));
  EXPECT_EQ(regime_->state(), StrategyState::kDone);
}

TEST(StrategyFactoryTest, shouldReadEachStrategysExitsWithTheSeedsDefaults) {
  const auto regime = make_strategy("regime", "", 0, "test.toml");
  EXPECT_EQ(regime->exit_minute(), 15 * 60);  // seed 001: closed at 3 pm
  EXPECT_DOUBLE_EQ(regime->exit_rules().profit_target_fraction, 0.0);
  EXPECT_DOUBLE_EQ(regime->exit_rules().stop_credit_multiple, 0.0);
  const auto fly = make_strategy("iv_spike_butterfly", "", 0, "test.toml");
  EXPECT_DOUBLE_EQ(fly->exit_rules().profit_target_fraction, 5.0);  // seed 000: 500%
  EXPECT_EQ(fly->exit_minute(), 14 * 60);
  const auto spread = make_strategy("vix1d_credit_spread", "", 0, "test.toml");
  EXPECT_EQ(spread->exit_minute(), -1);  // held to the end of the day
  const auto condor = make_strategy("iron_condor", "", 0, "test.toml");
  EXPECT_EQ(to_string(condor->exit_time()), "close-15m");
  EXPECT_EQ(condor->exit_minute(), 15 * 60 + 45);
  const auto custom = make_strategy(
      "regime", "exit_time = \"close-60m\"\nprofit_target = 2.0\nstop_credit_multiple = 3.0\ndebit_stop = 0.5\n", 0,
      "test.toml");
  EXPECT_EQ(custom->exit_minute(), 15 * 60);
  EXPECT_TRUE(custom->exit_time().before_close);
  EXPECT_DOUBLE_EQ(custom->exit_rules().profit_target_fraction, 2.0);
  EXPECT_DOUBLE_EQ(custom->exit_rules().stop_credit_multiple, 3.0);
  EXPECT_DOUBLE_EQ(custom->exit_rules().debit_stop_fraction, 0.5);
  EXPECT_EQ(make_strategy("short_strangle", "exit_time = \"none\"\n", 0, "test.toml")->exit_minute(), -1);
}

TEST(StrategyFactoryTest, shouldRefuseAnExitTimeAtOrAfterTheCloseNamingTheKey) {
  for (const char* name : {"regime", "iron_condor", "iv_spike_butterfly", "vix1d_credit_spread", "short_strangle"}) {
    for (const char* value : {"16:00", "16:30"}) {
      try {
        (void)make_strategy(name, std::string("exit_time = \"") + value + "\"\n", 0, "test.toml");
        FAIL() << name << " " << value;
      } catch (const StrategyConfigError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(std::string("strategy \"") + name + "\".params.exit_time: \"" + value +
                            "\" is at or after the session close (16:00)"),
                  std::string::npos)
            << what;
      }
    }
  }
  try {
    (void)make_strategy("regime", "exit_time = \"close+5m\"\n", 0, "test.toml");
    FAIL();
  } catch (const StrategyConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("params.exit_time: must be a time \"HH:MM\""), std::string::npos) << e.what();
  }
  try {
    (void)make_strategy("regime", "exit_time = \"close-390m\"\n", 0, "test.toml");  // 09:30: before the 10:00 entry
    FAIL();
  } catch (const StrategyConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("params.exit_time: must be after entry_time"), std::string::npos) << e.what();
  }
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

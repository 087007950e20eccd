#include "odte/core/engine/risk.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <unordered_map>

namespace odte {
namespace {

using namespace price_literals;

struct FakeMarket {
  std::unordered_map<InstrumentId, Nbbo> quotes;
  const Nbbo* nbbo(InstrumentId id) const noexcept {
    const auto it = quotes.find(id);
    return it == quotes.end() ? nullptr : &it->second;
  }
};

// SPY 0DTE chain around 500: calls and puts at 497, 500, 503.
class RiskEngineTest : public ::testing::Test {
 protected:
  RiskEngineTest() : registry_(64), engine_(limits(), registry_) {
    for (int k : {497, 500, 503}) {
      for (OptionRight r : {OptionRight::kCall, OptionRight::kPut}) {
        InstrumentInfo info;
        info.asset = AssetClass::kOption;
        std::snprintf(info.option.root, sizeof info.option.root, "SPY");
        info.option.expiry_yyyymmdd = 20260821;
        info.option.right = r;
        info.option.strike = Price::from_dollars(k);
        info.option.multiplier = 100;
        char sym[32];
        std::snprintf(sym, sizeof sym, "O:SPY260821%c%08d", static_cast<char>(r), k * 1000);
        ids_[{k, r}] = registry_.intern(sym, info);
      }
    }
    spy_ = registry_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    quote(500, OptionRight::kCall, 1.00_usd, 1.05_usd);
    quote(503, OptionRight::kCall, 0.20_usd, 0.25_usd);
    quote(497, OptionRight::kCall, 3.10_usd, 3.20_usd);
    quote(500, OptionRight::kPut, 1.10_usd, 1.15_usd);
    quote(497, OptionRight::kPut, 0.30_usd, 0.35_usd);
    quote(503, OptionRight::kPut, 3.20_usd, 3.30_usd);
  }
  static RiskLimits limits() {
    RiskLimits l;
    l.max_risk_fraction = 0.005;
    l.daily_loss_limit = 1000_usd;
    l.max_open_positions = 2;
    l.max_orders_per_second = 3;
    l.no_trade_windows[0] = MinuteWindow{9 * 60 + 30, 9 * 60 + 35};
    l.no_trade_window_count = 1;
    return l;
  }
  InstrumentId id(int strike, OptionRight r) { return ids_.at({strike, r}); }
  void quote(int strike, OptionRight r, Price bid, Price ask) {
    market_.quotes[id(strike, r)] = Nbbo{bid, ask, 10, 10, 0};
  }
  Intent intent(std::initializer_list<OrderLeg> legs, std::uint32_t qty, Price limit,
                IntentAction action = IntentAction::kOpen) {
    Intent in{};
    in.action = action;
    in.quantity = qty;
    in.limit = limit;
    for (const auto& l : legs) in.legs[in.leg_count++] = l;
    return in;
  }
  // Credit put spread: sell 500P, buy 497P; natural credit 0.75..0.85, max loss 3 - credit.
  Intent credit_put_spread(std::uint32_t qty, Price limit = Price::from_cents(-80)) {  // Clang 14: no consteval in default args
    return intent({OrderLeg{id(500, OptionRight::kPut), Side::kSell, 0, 1},
                   OrderLeg{id(497, OptionRight::kPut), Side::kBuy, 0, 1}},
                  qty, limit);
  }
  AccountState account() const { return AccountState{100'000_usd, Price::zero(), 0, 10 * 60, false}; }

  struct Key {
    int k;
    OptionRight r;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const { return static_cast<std::size_t>(key.k) * 2 + (key.r == OptionRight::kCall); }
  };
  InstrumentRegistry registry_;
  RiskEngine engine_;
  FakeMarket market_;
  std::unordered_map<Key, InstrumentId, KeyHash> ids_;
  InstrumentId spy_ = kNoInstrument;
};

TEST(SpreadRiskTest, shouldComputeWingWidthMinusCreditForCreditSpread) {
  const std::array<LegForRisk, 2> legs{LegForRisk{OptionRight::kPut, 500_usd, Side::kSell, 1},
                                       LegForRisk{OptionRight::kPut, 497_usd, Side::kBuy, 1}};
  const auto r = spread_risk(legs, -(0.80_usd));
  EXPECT_TRUE(r.defined);
  EXPECT_EQ(r.max_loss, 2.20_usd);
}

TEST(SpreadRiskTest, shouldComputeDebitPaidForDebitSpreadAndLongCall) {
  const std::array<LegForRisk, 2> spread{LegForRisk{OptionRight::kCall, 500_usd, Side::kBuy, 1},
                                         LegForRisk{OptionRight::kCall, 503_usd, Side::kSell, 1}};
  EXPECT_EQ(spread_risk(spread, 0.85_usd).max_loss, 0.85_usd);
  EXPECT_EQ(spread_risk(spread, 0.85_usd).max_payoff_at_expiry, 3_usd);
  const std::array<LegForRisk, 1> call{LegForRisk{OptionRight::kCall, 500_usd, Side::kBuy, 1}};
  const auto r = spread_risk(call, 1.05_usd);
  EXPECT_TRUE(r.defined);
  EXPECT_EQ(r.max_loss, 1.05_usd);
}

TEST(SpreadRiskTest, shouldComputeIronButterflyLossAsWingMinusCredit) {
  const std::array<LegForRisk, 4> fly{LegForRisk{OptionRight::kCall, 500_usd, Side::kSell, 1},
                                      LegForRisk{OptionRight::kPut, 500_usd, Side::kSell, 1},
                                      LegForRisk{OptionRight::kCall, 503_usd, Side::kBuy, 1},
                                      LegForRisk{OptionRight::kPut, 497_usd, Side::kBuy, 1}};
  const auto r = spread_risk(fly, -(1.65_usd));
  EXPECT_TRUE(r.defined);
  EXPECT_EQ(r.max_loss, 1.35_usd);
}

TEST(SpreadRiskTest, shouldFlagNakedShortCallAsUndefinedAndStressIt) {
  const std::array<LegForRisk, 2> strangle{LegForRisk{OptionRight::kCall, 503_usd, Side::kSell, 1},
                                           LegForRisk{OptionRight::kPut, 497_usd, Side::kSell, 1}};
  EXPECT_FALSE(spread_risk(strangle, -(0.50_usd)).defined);
  // At +10% beyond 503 (553.3) the short call loses 50.30, minus the 0.50 credit.
  EXPECT_EQ(spread_risk(strangle, -(0.50_usd), 0.10).max_loss, 49.80_usd);
}

TEST(SpreadRiskTest, shouldChargeANakedShortPutItsStrikeLessCredit) {
  const std::array<LegForRisk, 1> put{LegForRisk{OptionRight::kPut, 497_usd, Side::kSell, 1}};
  const auto r = spread_risk(put, -(0.30_usd));
  EXPECT_TRUE(r.defined);  // bounded: the underlying cannot fall below zero
  EXPECT_EQ(r.max_loss, 496.70_usd);
}

TEST(SpreadRiskTest, shouldWeighRatiosInThePayoff) {
  // 1x2 call ratio spread: long 500C, short 2x 503C -> net short one call above 503: unbounded.
  const std::array<LegForRisk, 2> ratio{LegForRisk{OptionRight::kCall, 500_usd, Side::kBuy, 1},
                                        LegForRisk{OptionRight::kCall, 503_usd, Side::kSell, 2}};
  EXPECT_FALSE(spread_risk(ratio, 0.60_usd).defined);
  // Long 2x 500C, short 1x 503C is bounded below by the debit.
  const std::array<LegForRisk, 2> back{LegForRisk{OptionRight::kCall, 500_usd, Side::kBuy, 2},
                                       LegForRisk{OptionRight::kCall, 503_usd, Side::kSell, 1}};
  EXPECT_TRUE(spread_risk(back, 1.85_usd).defined);
  EXPECT_EQ(spread_risk(back, 1.85_usd).max_loss, 1.85_usd);
}

TEST_F(RiskEngineTest, shouldAcceptSpreadWithinCapitalAtRiskCap) {
  // Cap: 0.5% of 100,000 = 500. Max loss per unit 2.20 x 100 = 220; two units = 440.
  const auto d = engine_.check(credit_put_spread(2), account(), market_, 0);
  EXPECT_EQ(d.reason, RiskReason::kNone);
  EXPECT_EQ(d.max_loss_dollars, 440_usd);
}

TEST_F(RiskEngineTest, shouldRejectOrderOverRiskCap) {
  const auto d = engine_.check(credit_put_spread(3), account(), market_, 0);  // 660 > 500
  EXPECT_EQ(d.reason, RiskReason::kCapitalAtRisk);
  EXPECT_EQ(d.max_loss_dollars, 660_usd);
  EXPECT_EQ(engine_.rejections(RiskReason::kCapitalAtRisk), 1u);
}

TEST_F(RiskEngineTest, shouldRejectUndefinedRiskUnlessAllowed) {
  const auto naked = intent({OrderLeg{id(503, OptionRight::kCall), Side::kSell, 0, 1}}, 1, -(0.20_usd));
  EXPECT_EQ(engine_.check(naked, account(), market_, 0).reason, RiskReason::kUndefinedRisk);
  const auto with_stock = intent({OrderLeg{spy_, Side::kBuy, 0, 1}}, 1, 500_usd);
  market_.quotes[spy_] = Nbbo{499.99_usd, 500.01_usd, 100, 100, 0};
  EXPECT_EQ(engine_.check(with_stock, account(), market_, 0).reason, RiskReason::kUndefinedRisk);
}

TEST_F(RiskEngineTest, shouldBlockOpeningButNotClosingWhenKilled) {
  engine_.set_kill_switch(true);
  EXPECT_EQ(engine_.check(credit_put_spread(1), account(), market_, 0).reason, RiskReason::kKillSwitch);
  auto close = credit_put_spread(1, 0.85_usd);
  close.action = IntentAction::kClose;
  close.legs[0].side = Side::kBuy;
  close.legs[1].side = Side::kSell;
  EXPECT_EQ(engine_.check(close, account(), market_, 0).reason, RiskReason::kNone);
  engine_.set_kill_switch(false);
  EXPECT_EQ(engine_.check(credit_put_spread(1), account(), market_, 0).reason, RiskReason::kNone);
}

TEST_F(RiskEngineTest, shouldRejectWhenPaused) {
  engine_.set_paused(true);
  EXPECT_EQ(engine_.check(credit_put_spread(1), account(), market_, 0).reason, RiskReason::kPaused);
}

TEST_F(RiskEngineTest, shouldRejectOpeningAfterDailyLossLimit) {
  auto acct = account();
  acct.day_pnl = -(1000_usd);
  EXPECT_EQ(engine_.check(credit_put_spread(1), acct, market_, 0).reason, RiskReason::kDailyLoss);
  acct.day_pnl = -(999.99_usd);
  EXPECT_EQ(engine_.check(credit_put_spread(1), acct, market_, 0).reason, RiskReason::kNone);
}

TEST_F(RiskEngineTest, shouldRejectBeyondMaxOpenPositions) {
  auto acct = account();
  acct.open_positions = 2;
  EXPECT_EQ(engine_.check(credit_put_spread(1), acct, market_, 0).reason, RiskReason::kMaxOpenPositions);
}

// 0 turns a limit off, as it does every other limit: a daily_loss_limit of 0 no longer refuses
// every opening at a flat day P&L, and max_open_positions = 0 no longer refuses them all.
TEST_F(RiskEngineTest, shouldTreatAZeroDailyLossOrPositionLimitAsOff) {
  RiskLimits l = limits();
  l.daily_loss_limit = Price::zero();
  l.max_open_positions = 0;
  engine_.set_limits(l);
  auto acct = account();
  EXPECT_EQ(engine_.check(credit_put_spread(1), acct, market_, 0).reason, RiskReason::kNone);
  acct.day_pnl = -(50'000_usd);
  acct.open_positions = 40;
  EXPECT_EQ(engine_.check(credit_put_spread(1), acct, market_, 0).reason, RiskReason::kNone);
}

TEST_F(RiskEngineTest, shouldRejectFourthOrderInOneSecond) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(engine_.check(credit_put_spread(1), account(), market_, i * 100'000'000).reason, RiskReason::kNone);
    engine_.on_order_sent(i * 100'000'000);
  }
  EXPECT_EQ(engine_.check(credit_put_spread(1), account(), market_, 300'000'000).reason, RiskReason::kOrderRate);
  // One second after the first order, a slot frees up.
  EXPECT_EQ(engine_.check(credit_put_spread(1), account(), market_, 1'000'000'000).reason, RiskReason::kNone);
}

TEST_F(RiskEngineTest, shouldRejectFatFingerLimitThroughTheBand) {
  // Natural credit 0.75 (bid side) .. 0.85; band max(0.50, 25% of 0.80) = 0.50.
  EXPECT_EQ(engine_.check(credit_put_spread(1, -(0.25_usd)), account(), market_, 0).reason, RiskReason::kNone);
  EXPECT_EQ(engine_.check(credit_put_spread(1, -(0.20_usd)), account(), market_, 0).reason, RiskReason::kPriceBand);
  EXPECT_EQ(engine_.check(credit_put_spread(1, -(1.40_usd)), account(), market_, 0).reason, RiskReason::kPriceBand);
}

// A leg needs an offer: a bid with no offer is no market, nor is a missing quote. An offer with no
// bid (the feed's bid of 0, a far wing late in the day) is one: its bid counts as 0 in the band.
TEST_F(RiskEngineTest, shouldRejectWithoutTwoSidedQuote) {
  quote(497, OptionRight::kPut, 0.05_usd, Price::invalid());
  EXPECT_EQ(engine_.check(credit_put_spread(1), account(), market_, 0).reason, RiskReason::kNoQuote);
  quote(497, OptionRight::kPut, 0.10_usd, 0.05_usd);  // crossed
  EXPECT_EQ(engine_.check(credit_put_spread(1), account(), market_, 0).reason, RiskReason::kNoQuote);
  quote(497, OptionRight::kPut, Price::invalid(), 0.05_usd);
  EXPECT_NE(engine_.check(credit_put_spread(1), account(), market_, 0).reason, RiskReason::kNoQuote);
  market_.quotes.erase(id(497, OptionRight::kPut));
  EXPECT_EQ(engine_.check(credit_put_spread(1), account(), market_, 0).reason, RiskReason::kNoQuote);
}

TEST_F(RiskEngineTest, shouldRejectOpeningOnStaleData) {
  auto acct = account();
  acct.data_stale = true;
  EXPECT_EQ(engine_.check(credit_put_spread(1), acct, market_, 0).reason, RiskReason::kStaleData);
}

TEST_F(RiskEngineTest, shouldRejectInsideNoTradeWindow) {
  auto acct = account();
  acct.local_minute = 9 * 60 + 32;
  EXPECT_EQ(engine_.check(credit_put_spread(1), acct, market_, 0).reason, RiskReason::kNoTradeWindow);
  acct.local_minute = 9 * 60 + 35;
  EXPECT_EQ(engine_.check(credit_put_spread(1), acct, market_, 0).reason, RiskReason::kNone);
}

TEST_F(RiskEngineTest, shouldRejectMalformedIntents) {
  EXPECT_EQ(engine_.check(intent({}, 1, 1_usd), account(), market_, 0).reason, RiskReason::kBadIntent);
  EXPECT_EQ(engine_.check(credit_put_spread(0), account(), market_, 0).reason, RiskReason::kBadIntent);
  EXPECT_EQ(engine_.check(credit_put_spread(1, Price::invalid()), account(), market_, 0).reason, RiskReason::kBadIntent);
  EXPECT_EQ(engine_.check(intent({OrderLeg{999, Side::kBuy, 0, 1}}, 1, 1_usd), account(), market_, 0).reason,
            RiskReason::kBadIntent);
  EXPECT_EQ(engine_.rejections(RiskReason::kBadIntent), 4u);
}

TEST_F(RiskEngineTest, shouldRefuseALimitOffTheVenuesGridWithItsOwnReason) {
  // SPY options trade in pennies: a half-penny net credit never leaves, opening or closing.
  EXPECT_EQ(engine_.check(credit_put_spread(1, -(0.805_usd)), account(), market_, 0).reason, RiskReason::kOffGrid);
  Intent close = credit_put_spread(1, -(0.805_usd));
  close.action = IntentAction::kClose;
  EXPECT_EQ(engine_.check(close, account(), market_, 0).reason, RiskReason::kOffGrid);
  EXPECT_EQ(engine_.check(credit_put_spread(1, -(0.81_usd)), account(), market_, 0).reason, RiskReason::kNone);
  EXPECT_EQ(engine_.rejections(RiskReason::kOffGrid), 2u);
  EXPECT_EQ(to_string(RiskReason::kOffGrid), "off_grid");
}

TEST_F(RiskEngineTest, shouldRefuseLegsWhoseRootHasNoTickTable) {
  InstrumentInfo info;
  info.asset = AssetClass::kOption;
  std::snprintf(info.option.root, sizeof info.option.root, "XSP");
  info.option.expiry_yyyymmdd = 20260821;
  info.option.right = OptionRight::kCall;
  info.option.strike = 50_usd;
  info.option.multiplier = 100;
  const InstrumentId xsp = registry_.intern("O:XSP260821C00050000", info);
  market_.quotes[xsp] = Nbbo{1_usd, 1.05_usd, 10, 10, 0};
  EXPECT_EQ(engine_.check(intent({OrderLeg{xsp, Side::kBuy, 0, 1}}, 1, 1_usd), account(), market_, 0).reason,
            RiskReason::kOffGrid);
}

// A delta hedge: one stock leg, 120 shares. It offsets option delta, so no spread cap and no
// open-position count apply; kill switch, pause, stale data, order rate and price band do.
class HedgeRiskTest : public RiskEngineTest {
 protected:
  void SetUp() override { market_.quotes[spy_] = Nbbo{499.99_usd, 500.01_usd, 1000, 1000, 0}; }
  Intent hedge(Price limit = Price::from_cents(50006)) {  // Clang 14: no consteval in default args
    return intent({OrderLeg{spy_, Side::kBuy, kLegShares, 1}}, 120, limit, IntentAction::kHedge);
  }
};

TEST_F(HedgeRiskTest, shouldAcceptAStockHedgeWithoutASpreadMaxLoss) {
  // 120 x 500 = $60,000 of stock would be far over a 0.5% cap if it were judged as a spread.
  auto acct = account();
  acct.open_positions = 2;       // at max_open_positions
  acct.day_pnl = -(1000_usd);    // at the daily loss limit
  acct.local_minute = 9 * 60 + 32;  // inside the no-trade window
  const RiskDecision d = engine_.check(hedge(), acct, market_, 0);
  EXPECT_EQ(d.reason, RiskReason::kNone);
  EXPECT_EQ(d.max_loss_dollars, Price::zero());
}

TEST_F(HedgeRiskTest, shouldRefuseTheHedgeWhenKilledPausedOrStale) {
  engine_.set_kill_switch(true);
  EXPECT_EQ(engine_.check(hedge(), account(), market_, 0).reason, RiskReason::kKillSwitch);
  engine_.set_kill_switch(false);
  engine_.set_paused(true);
  EXPECT_EQ(engine_.check(hedge(), account(), market_, 0).reason, RiskReason::kPaused);
  engine_.set_paused(false);
  auto acct = account();
  acct.data_stale = true;
  EXPECT_EQ(engine_.check(hedge(), acct, market_, 0).reason, RiskReason::kStaleData);
  // Flattening the stock is a close: it passes the kill switch.
  engine_.set_kill_switch(true);
  auto flat = intent({OrderLeg{spy_, Side::kSell, kLegShares, 1}}, 120, -(499.89_usd), IntentAction::kClose);
  EXPECT_EQ(engine_.check(flat, account(), market_, 0).reason, RiskReason::kNone);
}

TEST_F(HedgeRiskTest, shouldHoldTheHedgeToTheAbsoluteBandAndTheOrderRate) {
  // Natural 500.01 to buy; band 0.50 absolute (25% of a $500 stock would be $125).
  EXPECT_EQ(engine_.check(hedge(500.51_usd), account(), market_, 0).reason, RiskReason::kNone);
  EXPECT_EQ(engine_.check(hedge(500.52_usd), account(), market_, 0).reason, RiskReason::kPriceBand);
  for (int i = 0; i < 3; ++i) engine_.on_order_sent(i);
  EXPECT_EQ(engine_.check(hedge(), account(), market_, 10).reason, RiskReason::kOrderRate);
}

TEST_F(HedgeRiskTest, shouldRefuseAHedgeThatIsNotOneStockLeg) {
  const auto option = intent({OrderLeg{id(500, OptionRight::kCall), Side::kBuy, 0, 1}}, 1, 1.05_usd, IntentAction::kHedge);
  EXPECT_EQ(engine_.check(option, account(), market_, 0).reason, RiskReason::kBadIntent);
  // Stock in an opening spread is still undefined risk.
  const auto open = intent({OrderLeg{spy_, Side::kBuy, kLegShares, 1}}, 1, 500.01_usd);
  EXPECT_EQ(engine_.check(open, account(), market_, 0).reason, RiskReason::kUndefinedRisk);
}

// The seeds' rules, set explicitly: every rule is off by default (each strategy sets its own).
ExitRules seed_rules() {
  ExitRules r;
  r.profit_target_fraction = 5.0;
  r.stop_credit_multiple = 3.0;
  r.exit_minute = 15 * 60;
  return r;
}

TEST(ExitRulesTest, shouldHitProfitTargetAtFiveTimesTheDebit) {
  const ExitRules rules = seed_rules();
  EXPECT_EQ(evaluate_exit(rules, 0.50_usd, 2.99_usd, 600), ExitReason::kNone);
  EXPECT_EQ(evaluate_exit(rules, 0.50_usd, 3.00_usd, 600), ExitReason::kProfitTarget);  // +2.50 = 500%
}

TEST(ExitRulesTest, shouldStopCreditSpreadAtThreeTimesTheCredit) {
  const ExitRules rules = seed_rules();
  EXPECT_EQ(evaluate_exit(rules, -(0.80_usd), -(2.39_usd), 600), ExitReason::kNone);
  EXPECT_EQ(evaluate_exit(rules, -(0.80_usd), -(2.40_usd), 600), ExitReason::kStop);
}

TEST(ExitRulesTest, shouldApplyOptionalDebitStopAndTimeExit) {
  ExitRules rules = seed_rules();
  rules.debit_stop_fraction = 0.5;
  EXPECT_EQ(evaluate_exit(rules, 1_usd, 0.50_usd, 600), ExitReason::kStop);
  EXPECT_EQ(evaluate_exit(rules, 1_usd, 0.60_usd, 600), ExitReason::kNone);
  EXPECT_EQ(evaluate_exit(rules, 1_usd, 0.60_usd, 15 * 60), ExitReason::kTime);
  rules.exit_minute = -1;
  EXPECT_EQ(evaluate_exit(rules, 1_usd, 0.60_usd, 16 * 60), ExitReason::kNone);
}

TEST(ExitRulesTest, shouldFireNothingByDefault) {
  const ExitRules off;
  EXPECT_EQ(evaluate_exit(off, 0.50_usd, 50_usd, 15 * 60 + 59), ExitReason::kNone);       // +9,900%
  EXPECT_EQ(evaluate_exit(off, -(0.80_usd), -(50_usd), 15 * 60 + 59), ExitReason::kNone);  // 62x the credit
  EXPECT_EQ(evaluate_exit(off, 1_usd, 0.01_usd, 15 * 60 + 59), ExitReason::kNone);
}

TEST(ExitTimeTest, shouldParseFixedRelativeAndNone) {
  ExitTime t;
  ASSERT_TRUE(parse_exit_time("15:00", t));
  EXPECT_EQ(t.minute, 15 * 60);
  EXPECT_FALSE(t.before_close);
  ASSERT_TRUE(parse_exit_time("close-60m", t));
  EXPECT_EQ(t.minute, 60);
  EXPECT_TRUE(t.before_close);
  EXPECT_EQ(to_string(t), "close-60m");
  ASSERT_TRUE(parse_exit_time("none", t));
  EXPECT_FALSE(t.set());
  EXPECT_EQ(to_string(t), "none");
  for (const char* bad : {"", "15", "3pm", "25:00", "15:60", "close", "close-0m", "close-60", "close+10m", "close-391m",
                          "close-6xm", "close--5m"}) {
    ExitTime keep{123, false};
    EXPECT_FALSE(parse_exit_time(bad, keep)) << bad;
    EXPECT_EQ(keep.minute, 123) << bad;  // untouched
  }
}

TEST(ExitTimeTest, shouldMoveEveryTimeExitWithAnEarlyClose) {
  ExitTime fixed;
  ASSERT_TRUE(parse_exit_time("15:00", fixed));
  ExitTime relative;
  ASSERT_TRUE(parse_exit_time("close-15m", relative));
  EXPECT_EQ(fixed.resolve(16 * 60), 15 * 60);
  EXPECT_EQ(relative.resolve(16 * 60), 15 * 60 + 45);
  // 13:00 close (day after Thanksgiving): both keep their distance from the close.
  EXPECT_EQ(fixed.resolve(13 * 60), 12 * 60);
  EXPECT_EQ(relative.resolve(13 * 60), 12 * 60 + 45);
  EXPECT_EQ(ExitTime{}.resolve(13 * 60), -1);
}
}  // namespace
}  // namespace odte

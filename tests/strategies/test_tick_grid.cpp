// Every strategy's orders on the venue's grid (tick_table.hpp): each strategy is run to its entry
// on a synthetic SPXW chain quoted one increment wide (so mids fall between grid prices) with a
// price slack of $0.035, so the price it wants is off the grid; what leaves is that price rounded
// toward the passive side, one increment at most. (Sim also checks every command of every
// strategy test against the grid.)

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "odte/core/engine/tick_table.hpp"
#include "odte/strategies/iron_condor.hpp"
#include "odte/strategies/iv_spike_butterfly.hpp"
#include "odte/strategies/regime.hpp"
#include "odte/strategies/short_strangle.hpp"
#include "odte/strategies/vix1d_credit_spread.hpp"
#include "synthetic_chain.hpp"

namespace odte::strategies {
namespace {

using namespace price_literals;
using namespace odte::testing_sim;

constexpr Price kSlack = 0.035_usd;

struct ComboPrices {
  Price natural;
  Price mid;
};
// The command's combo priced from the quotes the engine holds now (as price_legs does).
ComboPrices combo(Sim& sim, const OrderCommand& c) {
  Price::Rep natural = 0;
  Price::Rep mid = 0;
  for (int i = 0; i < c.leg_count; ++i) {
    const Nbbo* q = sim.engine().market_state().nbbo(c.legs[i].instrument);
    EXPECT_TRUE(q != nullptr && q->two_sided());
    if (q == nullptr) return {};
    const bool buy = c.legs[i].side == Side::kBuy;
    const auto r = static_cast<Price::Rep>(c.legs[i].ratio);
    natural += r * (buy ? q->ask.ticks() : -q->bid.ticks());
    mid += r * (buy ? q->mid().ticks() : -q->mid().ticks());
  }
  return {Price::from_ticks(natural), Price::from_ticks(mid)};
}

// `wanted` is off the grid; the command carries it rounded toward the passive side.
void expect_rounded_passive(Sim& sim, const OrderCommand& c, Price wanted) {
  const std::span<const OrderLeg> legs(c.legs, c.leg_count);
  const OrderGrid grid = order_grid(sim.registry(), legs);
  ASSERT_TRUE(grid.known);
  EXPECT_FALSE(on_grid(grid, wanted)) << "the test wants an off-grid price: " << wanted.to_string();
  EXPECT_TRUE(on_grid(grid, c.limit)) << c.limit.to_string();
  EXPECT_EQ(c.limit, round_passive(grid, wanted)) << "wanted " << wanted.to_string();
  EXPECT_LT(c.limit, wanted);  // a debit pays less, a credit asks more
  EXPECT_GT(c.limit, wanted - tick_for(grid.root_view(), grid.kind, wanted) * grid.ratio);
}

// An entry: the better of natural and mid + slack, then onto the grid.
void expect_entry_on_grid(Sim& sim, const OrderCommand& c) {
  const ComboPrices p = combo(sim, c);
  expect_rounded_passive(sim, c, std::min(p.natural, p.mid + kSlack));
}

std::vector<std::unique_ptr<Strategy>> one(std::unique_ptr<Strategy> s) {
  std::vector<std::unique_ptr<Strategy>> v;
  v.push_back(std::move(s));
  return v;
}

SyntheticChain spxw_chain() {
  SyntheticChain chain;
  chain.root = "SPXW";
  chain.venue_grid = true;
  return chain;
}

TEST(TickGridStrategyTest, shouldSendTheIvSpikeButterflyOnTheComplexGrid) {
  IvSpikeButterflyParams p;
  p.option_root = "SPXW";
  p.price_slack = kSlack;
  Sim sim(one(std::make_unique<IvSpikeButterflyStrategy>(0, p)));
  const InstrumentId spy = sim.symbol("SPY");
  SyntheticChain chain = spxw_chain();
  chain.list(sim);
  sim.start(at(9, 30));
  sim.trade(spy, at(9, 44, 50), 500_usd);
  chain.quote(sim, at(9, 44, 55), 500.0, 0.20);
  sim.trade(spy, at(9, 45, 1), 500_usd);
  ASSERT_FALSE(sim.commands().empty());
  ASSERT_EQ(sim.commands()[0].leg_count, 4);
  expect_entry_on_grid(sim, sim.commands()[0]);
}

TEST(TickGridStrategyTest, shouldSendTheVix1dCreditSpreadOnTheComplexGrid) {
  Vix1dCreditSpreadParams p;
  p.option_root = "SPXW";
  p.price_slack = kSlack;
  p.vix1d_source = Vix1dSource::kFeed;
  Sim sim(one(std::make_unique<Vix1dCreditSpreadStrategy>(0, p)));
  const InstrumentId spy = sim.symbol("SPY");
  const InstrumentId vix1d = sim.symbol("I:VIX1D");
  SyntheticChain chain = spxw_chain();
  chain.list(sim);
  sim.start(at(9, 30));
  sim.index(vix1d, at(9, 30, 1), 16_usd);
  sim.trade(spy, at(9, 31), 500_usd);
  chain.quote(sim, at(9, 31, 1), 500.0, 0.30);
  for (const TimestampNs t : {at(9, 44, 59), at(9, 45), at(9, 46)}) sim.trade(spy, t, 500_usd);
  ASSERT_FALSE(sim.commands().empty());
  ASSERT_EQ(sim.commands()[0].leg_count, 2);
  EXPECT_LT(sim.commands()[0].limit, Price::zero());  // a credit, rounded to more credit
  expect_entry_on_grid(sim, sim.commands()[0]);
}

TEST(TickGridStrategyTest, shouldSendTheIronCondorOnTheComplexGrid) {
  IronCondorParams p;
  p.option_root = "SPXW";
  // 502/498 shorts, 504/496 wings: at 1% / 1.6% OTM (the old distances) every leg of the 20% chain
  // quotes the nickel minimum and the condor takes no credit, which the strategy refuses to sell.
  p.short_otm = 0.004;
  p.long_otm = 0.008;
  p.entry_minute = 10 * 60;
  p.entry_deadline_minute = 10 * 60 + 15;
  p.price_slack = kSlack;
  Sim sim(one(std::make_unique<IronCondorStrategy>(0, p)));
  const InstrumentId spy = sim.symbol("SPY");
  const InstrumentId vix = sim.symbol("I:VIX");
  SyntheticChain chain = spxw_chain();
  chain.list(sim, 486, 514);
  sim.start(at(9, 30));
  for (int m = 0; m < 30; ++m) sim.index(vix, at(9, 30 + m, 30), Price::from_double(15.0 + (m % 2 ? 0.05 : 0.0)));
  sim.trade(spy, at(9, 59, 50), 500_usd);
  chain.quote(sim, at(9, 59, 55), 500.0, 0.20);
  sim.index(vix, at(10, 0, 1), 15_usd);
  ASSERT_FALSE(sim.commands().empty()) << (sim.engine().notes().empty() ? "" : sim.engine().notes().back());
  ASSERT_EQ(sim.commands()[0].leg_count, 4);
  EXPECT_LT(sim.commands()[0].limit, Price::zero());  // a credit
  expect_entry_on_grid(sim, sim.commands()[0]);
}

// The regime strategy prices its own combo (not price_legs); its 15:00 exit is the engine's
// closing order, natural + close_slack, rounded the same way.
TEST(TickGridStrategyTest, shouldSendTheRegimeFlyAndItsEngineCloseOnTheComplexGrid) {
  RegimeParams p;
  p.option_root = "SPXW";
  p.quantity = 1;
  p.price_slack = kSlack;
  EngineConfig cfg = Sim::default_config();
  cfg.close_slack = kSlack;
  Sim sim(one(std::make_unique<RegimeStrategy>(0, p)), cfg);
  const InstrumentId spy = sim.symbol("SPY");
  const InstrumentId vix = sim.symbol("I:VIX");
  const InstrumentId vvix = sim.symbol("I:VVIX");
  SyntheticChain chain = spxw_chain();
  chain.list(sim);
  sim.start(at(9, 30));
  for (int m = 0; m < 30; ++m) {  // SPY down, VIX up, VVIX down: the iron butterfly
    const TimestampNs t = at(9, 30 + m, 30);
    sim.trade(spy, t, Price::from_double(498.0 - 0.05 * m));
    sim.index(vix, t, Price::from_double(15.0 + 0.02 * m));
    sim.index(vvix, t, Price::from_double(90.0 - 0.1 * m));
  }
  chain.quote(sim, at(9, 59, 59), 496.55, 0.20);
  sim.index(vix, at(10, 0, 1), 15_usd);
  sim.index(vix, at(10, 0, 2), 15_usd);
  ASSERT_EQ(sim.commands().size(), 1u);
  ASSERT_EQ(sim.commands()[0].leg_count, 4);
  expect_entry_on_grid(sim, sim.commands()[0]);
  // The passive credit is under the natural one; volatility rises, the fly's credit with it, and
  // the working order fills.
  chain.quote(sim, at(10, 0, 3), 496.55, 0.30);
  sim.index(vix, at(10, 0, 4), 15_usd);
  ASSERT_EQ(sim.engine().book().totals().open_positions, 4u);

  chain.quote(sim, at(14, 59, 59), 497.0, 0.20);  // all quoted before the 15:00 exit reads them
  sim.index(vix, at(15, 0, 2), 15_usd);
  ASSERT_EQ(sim.commands().size(), 2u);
  const OrderCommand& close = sim.commands()[1];
  expect_rounded_passive(sim, close, combo(sim, close).natural + kSlack);
}

// The short strangle's entry, and its SPY delta hedge on the stock's penny grid: the offer plus
// a $0.035 slack is a sub-penny price; the hedge bids the penny under it.
TEST(TickGridStrategyTest, shouldSendTheShortStrangleAndItsStockHedgeOnTheirGrids) {
  ShortStrangleParams p;
  p.option_root = "SPXW";
  p.price_slack = kSlack;
  p.target_delta = 0.30;
  p.equity_per_share = 5.0;  // 200 of the seed's units a contract on 100,000
  p.hedge = HedgeMode::kSend;
  p.hedge_interval_minutes = 1;
  EngineConfig cfg = Sim::default_config();
  cfg.risk.allow_undefined_risk = true;
  cfg.risk.undefined_risk_stress = 0.02;
  cfg.risk.max_risk_fraction = 1.0;
  Sim sim(one(std::make_unique<ShortStrangleStrategy>(0, p)), cfg);
  const InstrumentId spy = sim.symbol("SPY");
  SyntheticChain chain = spxw_chain();
  chain.list(sim);
  sim.start(at(9, 30));
  sim.trade(spy, at(9, 44), 500_usd);
  chain.quote(sim, at(9, 44, 1), 500.0, 0.20);
  sim.trade(spy, at(9, 45), 500_usd);
  sim.trade(spy, at(9, 46), 500_usd);
  ASSERT_EQ(sim.commands().size(), 1u);
  ASSERT_EQ(sim.commands()[0].leg_count, 2);
  expect_entry_on_grid(sim, sim.commands()[0]);

  sim.event(MarketEvent::make_quote(spy, StreamId::kStocks, at(10, 0), at(10, 0), 503_usd, 5000, 503.02_usd, 5000));
  sim.trade(spy, at(10, 0), 503_usd);
  chain.quote(sim, at(10, 0, 1), 503.0, 0.20);
  sim.trade(spy, at(10, 1), 503_usd);
  ASSERT_EQ(sim.commands().size(), 2u);
  const OrderCommand& hedge = sim.commands()[1];
  ASSERT_EQ(hedge.leg_count, 1);
  ASSERT_EQ(hedge.legs[0].side, Side::kBuy);
  expect_rounded_passive(sim, hedge, 503.02_usd + kSlack);
  EXPECT_EQ(hedge.limit, 503.05_usd);
}

}  // namespace
}  // namespace odte::strategies

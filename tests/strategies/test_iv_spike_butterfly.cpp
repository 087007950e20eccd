#include "odte/strategies/iv_spike_butterfly.hpp"

#include <gtest/gtest.h>

#include "odte/strategies/factory.hpp"
#include "real_day.hpp"
#include "synthetic_chain.hpp"

namespace odte::strategies {
namespace {

using namespace price_literals;
using namespace odte::testing_sim;
namespace real = odte::testing_real;

// ---- a real recorded day -------------------------------------------------------------------

// 2026-07-20: SPY snapshots every ~5 minutes from 09:33. Entry at 09:45 with 5-dollar wings,
// the volume-peak exit after 10:30 with a 30-minute confirmation, the 14:00 exit as backstop.
constexpr const char* kDay = "2026-07-20";
constexpr const char* kParams = "entry_time = \"09:45\"\nwing = 5.0\nprice_slack = 0.10\n";

std::vector<std::unique_ptr<Strategy>> one(std::string_view params) {
  std::vector<std::unique_ptr<Strategy>> s;
  s.push_back(make_strategy("iv_spike_butterfly", params, 0, "test"));
  return s;
}

TEST(IvSpikeButterflyRealDayTest, shouldBuyTheAtmStraddleAndSellTheWingsAtEntryTimeOnTheLastSnapshot) {
  const auto snaps = real::read_snapshots(real::chain_recording(kDay));
  ASSERT_FALSE(snaps.empty()) << "committed recording missing or unreadable: " << real::chain_recording(kDay);
  // By hand from the day's snapshots (the CSV rows, as the committed recording holds them): the
  // timer fires at 09:45:00 on the last snapshot at or before then, its spot, the nearest strike.
  constexpr int kEntry = 9 * 60 + 45;
  const real::Snapshot* entry = real::last_at_or_before(snaps, kEntry);
  ASSERT_NE(entry, nullptr);
  const double atm = entry->nearest_strike(entry->spot);
  const double call_wing = entry->nearest_strike(atm + 5.0);
  const double put_wing = entry->nearest_strike(atm - 5.0);

  const real::DayRun run = real::replay_day(kDay, one(kParams), "butterfly");
  ASSERT_TRUE(run.ok) << run.error;
  ASSERT_GE(run.orders.size(), 2u) << run.final_state;
  const Order& open = run.orders[0];
  EXPECT_EQ(run.order_minutes[0], kEntry);
  ASSERT_EQ(open.leg_count, 4);
  EXPECT_EQ(run.leg_symbols[0][0], real::occ(kDay, 'C', atm));
  EXPECT_EQ(open.legs[0].side, Side::kBuy);
  EXPECT_EQ(run.leg_symbols[0][1], real::occ(kDay, 'P', atm));
  EXPECT_EQ(open.legs[1].side, Side::kBuy);
  EXPECT_EQ(run.leg_symbols[0][2], real::occ(kDay, 'C', call_wing));
  EXPECT_EQ(open.legs[2].side, Side::kSell);
  EXPECT_EQ(run.leg_symbols[0][3], real::occ(kDay, 'P', put_wing));
  EXPECT_EQ(open.legs[3].side, Side::kSell);
  EXPECT_GT(open.limit, Price::zero());  // a debit
  EXPECT_EQ(open.state, OrderState::kFilled) << run.final_state;

  // The exit, by hand: the strategy samples the chain's day volume at every minute from the entry
  // on -- the volume of the last snapshot at or before that minute -- and credits each rise to the
  // minute the interval began; it exits at the first minute at or after 10:30 that is 30 minutes
  // past the biggest rise so far (else at 14:00).
  auto chain_volume = [&](int minute) {
    const real::Snapshot* s = real::last_at_or_before(snaps, minute);
    double v = 0;
    if (s != nullptr) {
      for (const auto& r : s->rows) v += r.volume;
    }
    return v;
  };
  double peak = 0;
  int peak_minute = -1;
  int exit_minute = -1;
  for (int m = kEntry + 1; m < 16 * 60 && exit_minute < 0; ++m) {
    const double rise = chain_volume(m) - chain_volume(m - 1);
    if (rise > peak) {
      peak = rise;
      peak_minute = m - 1;
    }
    if (m >= 14 * 60 || (m >= 10 * 60 + 30 && peak_minute >= 0 && m - peak_minute >= 30)) exit_minute = m;
  }
  ASSERT_GT(exit_minute, 0);
  std::printf("iv_spike_butterfly %s: entry %02d:%02d spot %.2f, long %.0f straddle, short %.0f call / %.0f put; "
              "volume peak interval %02d:%02d, exit %02d:%02d\n",
              kDay, kEntry / 60, kEntry % 60, entry->spot, atm, call_wing, put_wing, peak_minute / 60,
              peak_minute % 60, exit_minute / 60, exit_minute % 60);
  const Order& close = run.orders[1];
  EXPECT_EQ(run.order_minutes[1], exit_minute) << "peak minute " << peak_minute;
  EXPECT_EQ(run.leg_symbols[1][0], run.leg_symbols[0][0]);
  EXPECT_EQ(close.legs[0].side, Side::kSell);
}

TEST(IvSpikeButterflyRealDayTest, shouldWriteTheSameJournalBytesOnEveryRun) {
  const real::DayRun a = real::replay_day(kDay, one(kParams), "butterfly-a");
  const real::DayRun b = real::replay_day(kDay, one(kParams), "butterfly-b");
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_GT(a.journal_bytes.size(), 1000u);
  EXPECT_TRUE(a.journal_bytes == b.journal_bytes);
  EXPECT_EQ(a.final_state, b.final_state);
}

// ---- edge cases on a synthetic chain ---------------------------------------------------------

class IvSpikeButterflyTest : public ::testing::Test {
 protected:
  void build(IvSpikeButterflyParams p, EngineConfig cfg = Sim::default_config()) {
    std::vector<std::unique_ptr<Strategy>> s;
    auto strat = std::make_unique<IvSpikeButterflyStrategy>(0, p);
    fly_ = strat.get();
    s.push_back(std::move(strat));
    sim_ = std::make_unique<Sim>(std::move(s), cfg);
    spy_ = sim_->symbol("SPY");
  }
  std::unique_ptr<Sim> sim_;
  IvSpikeButterflyStrategy* fly_ = nullptr;
  InstrumentId spy_ = kNoInstrument;
  SyntheticChain chain_;
};

TEST_F(IvSpikeButterflyTest, shouldNoteOnceAndNotTradeWithoutAnOptionChain) {
  build({});
  sim_->start(at(9, 30));
  for (int m = 0; m < 90; ++m) sim_->trade(spy_, at(9, 31 + m), 500_usd);
  EXPECT_EQ(fly_->state(), StrategyState::kMissingInput);
  EXPECT_TRUE(sim_->commands().empty());
  int notes = 0;
  for (const auto& n : sim_->engine().notes()) notes += n.find("0DTE chain") != std::string::npos ? 1 : 0;
  EXPECT_EQ(notes, 1);
}

TEST_F(IvSpikeButterflyTest, shouldNotTradeWhenTheLegsHaveNoQuotes) {
  build({});
  chain_.list(*sim_);
  sim_->start(at(9, 30));
  for (int m = 0; m < 90; ++m) sim_->trade(spy_, at(9, 31 + m), 500_usd);
  EXPECT_EQ(fly_->state(), StrategyState::kDone);
  EXPECT_TRUE(sim_->commands().empty());
  EXPECT_TRUE(sim_->noted("no two-sided quotes"));
}

TEST_F(IvSpikeButterflyTest, shouldGiveUpWhenRiskRefusesTheEntry) {
  IvSpikeButterflyParams p;
  p.quantity = 50;  // 50 butterflies cost far more than 0.5% of 100,000
  build(p);
  chain_.list(*sim_);
  sim_->start(at(9, 30));
  sim_->trade(spy_, at(9, 44, 50), 500_usd);
  chain_.quote(*sim_, at(9, 44, 55), 500.0, 0.20);
  sim_->trade(spy_, at(9, 45, 1), 500_usd);
  EXPECT_EQ(fly_->state(), StrategyState::kDone);
  EXPECT_TRUE(sim_->commands().empty());
  EXPECT_TRUE(sim_->noted("refused by risk: "));
  EXPECT_EQ(sim_->engine().risk().rejections(RiskReason::kCapitalAtRisk), 1u);
}

TEST_F(IvSpikeButterflyTest, shouldEnterOnlyWhenAtmIvSpikesInSpikeMode) {
  IvSpikeButterflyParams p;
  p.entry_mode = ButterflyEntry::kIvSpike;
  p.iv_spike_z = 0.0;
  p.iv_spike_pct = 0.15;
  p.entry_deadline_minute = 11 * 60;
  build(p);
  chain_.list(*sim_);
  sim_->start(at(9, 30));
  // Calm: ATM IV wobbles 20% -> 20.4% for 40 minutes (baseline of 30 changes fills by 10:02).
  for (int m = 0; m < 40; ++m) {
    sim_->trade(spy_, at(9, 31 + m), 500_usd);
    chain_.quote(*sim_, at(9, 31 + m, 1), 500.0, m % 2 ? 0.204 : 0.20);
    sim_->trade(spy_, at(9, 31 + m, 2), 500_usd);
  }
  EXPECT_TRUE(sim_->commands().empty());
  EXPECT_EQ(fly_->state(), StrategyState::kWaiting);
  // A 25% jump in IV.
  sim_->trade(spy_, at(10, 11), 500_usd);
  chain_.quote(*sim_, at(10, 11, 1), 500.0, 0.25);
  sim_->trade(spy_, at(10, 11, 2), 500_usd);
  sim_->trade(spy_, at(10, 12), 500_usd);  // the next minute's sample sees the new quotes
  ASSERT_EQ(sim_->commands().size(), 1u);
  EXPECT_TRUE(fly_->spike_seen());
  const OrderCommand& c = sim_->commands()[0];
  EXPECT_EQ(c.legs[0].instrument, chain_.calls[500]);
  EXPECT_EQ(c.legs[2].instrument, chain_.calls[505]);
  EXPECT_EQ(c.legs[3].instrument, chain_.puts[495]);
}

TEST_F(IvSpikeButterflyTest, shouldCloseAtTheAlgorithmicDumpTime) {
  IvSpikeButterflyParams p;
  p.exit_on_volume_peak = false;
  build(p);
  chain_.list(*sim_);
  sim_->start(at(9, 30));
  sim_->trade(spy_, at(9, 44, 50), 500_usd);
  chain_.quote(*sim_, at(9, 44, 55), 500.0, 0.20);
  sim_->trade(spy_, at(9, 45, 1), 500_usd);
  sim_->trade(spy_, at(9, 46), 500_usd);
  ASSERT_EQ(fly_->state(), StrategyState::kInPosition);
  for (int m = 0; m < 5; ++m) chain_.quote(*sim_, at(13, 58 + m), 500.0, 0.20);
  EXPECT_STREQ(fly_->exit_reason(), "iv_spike_butterfly:exit_time");
  EXPECT_EQ(sim_->commands().size(), 2u);
}

TEST(IvSpikeButterflyConfigTest, shouldNameTheKeyOfABadParameter) {
  try {
    (void)make_strategy("iv_spike_butterfly", "entry_mode = \"sometimes\"\nwing = -1\n", 0, "test.toml");
    FAIL() << "accepted bad params";
  } catch (const StrategyConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("entry_mode"), std::string::npos) << what;
    EXPECT_NE(what.find("wing"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace odte::strategies

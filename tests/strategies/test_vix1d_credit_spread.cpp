#include "odte/strategies/vix1d_credit_spread.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "odte/core/options/calendar.hpp"
#include "odte/core/options/forward.hpp"
#include "odte/strategies/factory.hpp"
#include "real_day.hpp"
#include "synthetic_chain.hpp"

namespace odte::strategies {
namespace {

using namespace price_literals;
using namespace odte::testing_sim;
namespace real = odte::testing_real;

// ---- a real recorded day -------------------------------------------------------------------

// 2026-07-22 has no VIX1D (no data set here does): the strategy must take the named stand-in from
// the first complete chain of the day and say so.
constexpr const char* kDay = "2026-07-22";
// The shipped defaults (deploy/odted.replay.toml: entry 09:45, width 2, min_credit 0.05).
constexpr const char* kParams = "entry_time = \"09:45\"\nwidth = 2.0\n";

std::vector<std::unique_ptr<Strategy>> one(std::string_view params) {
  std::vector<std::unique_ptr<Strategy>> s;
  s.push_back(make_strategy("vix1d_credit_spread", params, 0, "test"));
  return s;
}

TEST(Vix1dCreditSpreadRealDayTest, shouldSellTheSpreadBeyondTheExpectedMoveOfTheStandInIndex) {
  const auto snaps = real::read_snapshots(real::chain_recording(kDay));
  ASSERT_GE(snaps.size(), 3u) << "committed recording missing or unreadable: " << real::chain_recording(kDay);
  // By hand from the day's snapshots (the CSV rows, as the committed recording holds them). The
  // chain is first complete at the first timer tick after the first snapshot (contracts are listed
  // as their first quotes come, all at the snapshot's time; the timer ticks on each whole second):
  // the stand-in is the Cboe variance sum over the first snapshot's quotes at that tick's time.
  std::vector<options::ChainQuote> q;
  {
    std::map<double, options::ChainQuote> by_strike;
    for (const auto& r : snaps[0].rows) {
      auto& c = by_strike[r.strike];
      c.strike = r.strike;
      (r.right == 'C' ? c.call_bid : c.put_bid) = r.bid;
      (r.right == 'C' ? c.call_ask : c.put_ask) = r.ask;
    }
    for (const auto& [k, c] : by_strike) q.push_back(c);
  }
  const int tick_s = snaps[0].minute * 60 + snaps[0].second + 1;  // the snapshot's time is a whole second
  const int tick_minute = tick_s / 60;
  const double t = (16 * 60 * 60.0 - tick_s) / 60.0 / 525'600.0;
  const auto vs = options::variance_swap_rate(q, t, 0.0);
  ASSERT_TRUE(vs.ok());
  const double index = 100.0 * vs.volatility;
  // On VIX1D's one-day scale: the variance to the settlement over 1/365 of a year.
  const double vix1d = index * std::sqrt(365.0 * t);
  // The entry: the timer at 09:45:00, on the last snapshot at or before it.
  constexpr int kEntry = 9 * 60 + 45;
  const real::Snapshot* entry = real::last_at_or_before(snaps, kEntry);
  ASSERT_NE(entry, nullptr);
  const double s = entry->spot;
  const double em = s * vix1d / 100.0 / std::sqrt(252.0);
  const bool puts = s >= snaps[0].spot;
  std::set<double> listed;  // strikes seen up to the entry snapshot
  for (const real::Snapshot* p = snaps.data(); p != entry + 1; ++p) {
    for (const auto& r : p->rows) listed.insert(r.strike);
  }
  double short_k = 0, long_k = 0;
  if (puts) {
    for (double k : listed) if (k <= s - em) short_k = k;
    for (double k : listed) if (k < short_k && (long_k == 0 || std::fabs(k - (short_k - 2)) < std::fabs(long_k - (short_k - 2)))) long_k = k;
  } else {
    for (auto it = listed.rbegin(); it != listed.rend(); ++it) if (*it >= s + em) short_k = *it;
    for (double k : listed) if (k > short_k && (long_k == 0 || std::fabs(k - (short_k + 2)) < std::fabs(long_k - (short_k + 2)))) long_k = k;
  }
  ASSERT_GT(short_k, 0.0);

  const real::DayRun run = real::replay_day(kDay, one(kParams), "vix1d");
  ASSERT_TRUE(run.ok) << run.error;
  EXPECT_TRUE(run.noted("no I:VIX1D prior close in the history; using the odte 1-day variance index from the 0DTE chain"))
      << (run.notes.empty() ? "" : run.notes[0]);
  char used[160];
  std::snprintf(used, sizeof used, "(%.2f, first complete chain of the day at %02d:%02d; on VIX1D's one-day scale %.2f = ",
                index, tick_minute / 60, tick_minute % 60, vix1d);
  EXPECT_TRUE(run.noted(used)) << used;
  ASSERT_GE(run.orders.size(), 1u) << run.final_state;
  const Order& open = run.orders[0];
  EXPECT_EQ(run.order_minutes[0], kEntry);
  ASSERT_EQ(open.leg_count, 2);
  const char right = puts ? 'P' : 'C';
  EXPECT_EQ(run.leg_symbols[0][0], real::occ(kDay, right, short_k)) << "index " << index << " em " << em;
  EXPECT_EQ(open.legs[0].side, Side::kSell);
  EXPECT_EQ(run.leg_symbols[0][1], real::occ(kDay, right, long_k));
  EXPECT_EQ(open.legs[1].side, Side::kBuy);
  // The credit: the natural price of the legs' quotes at the entry snapshot (SPY's $0.01 grid),
  // at least the default min_credit -- the raw index put the short strike ~2.4 standard deviations
  // out, where this spread paid 0.01 (issue 16).
  const real::Row* sq = entry->find(right, short_k);
  const real::Row* lq = entry->find(right, long_k);
  ASSERT_NE(sq, nullptr);
  ASSERT_NE(lq, nullptr);
  const Price natural = Price::from_double(lq->ask) - Price::from_double(sq->bid);
  EXPECT_EQ(open.limit, natural) << "short " << sq->bid << " x " << sq->ask << ", long " << lq->bid << " x " << lq->ask;
  EXPECT_LE(open.limit, -Price::from_cents(5));
  EXPECT_EQ(open.state, OrderState::kFilled);
  // Held to the end of the day: SPY settles physically, so the default [expiry] physical = "close"
  // buys it back 10 minutes before the close (the recording ends earlier; the clock runs on to it).
  ASSERT_EQ(run.orders.size(), 2u) << run.final_state;
  EXPECT_EQ(run.order_minutes[1], 15 * 60 + 50);
  EXPECT_EQ(run.orders[1].legs[0].side, Side::kBuy);  // the short leg bought back
  std::printf("vix1d_credit_spread %s: stand-in %.2f (VIX1D scale %.2f) at %02d:%02d, spot %.2f (first %.2f), EM %.2f, %s %.0f/%.0f\n",
              kDay, index, vix1d, tick_minute / 60, tick_minute % 60, s, snaps[0].spot, em, puts ? "puts" : "calls",
              short_k, long_k);
}

TEST(Vix1dCreditSpreadRealDayTest, shouldWriteTheSameJournalBytesOnEveryRun) {
  const real::DayRun a = real::replay_day(kDay, one(kParams), "vix1d-a");
  const real::DayRun b = real::replay_day(kDay, one(kParams), "vix1d-b");
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_GT(a.journal_bytes.size(), 1000u);
  EXPECT_TRUE(a.journal_bytes == b.journal_bytes);
}

// ---- edge cases on a synthetic chain ---------------------------------------------------------

class Vix1dCreditSpreadTest : public ::testing::Test {
 protected:
  void build(Vix1dCreditSpreadParams p, const std::optional<SessionHistory>& history = std::nullopt) {
    std::vector<std::unique_ptr<Strategy>> s;
    auto strat = std::make_unique<Vix1dCreditSpreadStrategy>(0, p);
    strat_ = strat.get();
    s.push_back(std::move(strat));
    sim_ = std::make_unique<Sim>(std::move(s));
    spy_ = sim_->symbol("SPY");
    vix1d_ = sim_->symbol("I:VIX1D");
    chain_.list(*sim_);
    if (history) sim_->set_history(*history);
    sim_->start(at(9, 30));
  }
  // VIX1D closed at `close` the session before the sim's day.
  static SessionHistory prior_close(Price close) {
    SessionHistory h;
    h.trading_day = 20260821;  // the sim's day
    SeriesHistory& s = h.series("I:VIX1D");
    s.source = "rest";
    s.daily.push_back(DailyClose{options::previous_trading_day(20260821), close});
    h.normalize();
    return h;
  }
  void open_day(bool with_vix1d) {
    if (with_vix1d) sim_->index(vix1d_, at(9, 30, 1), 16_usd);
    sim_->trade(spy_, at(9, 31), 500_usd);
    chain_.quote(*sim_, at(9, 31, 1), 500.0, 0.30);
    sim_->trade(spy_, at(9, 44, 59), 500_usd);
    sim_->trade(spy_, at(9, 45), 500_usd);
    sim_->trade(spy_, at(9, 46), 500_usd);
  }
  std::unique_ptr<Sim> sim_;
  Vix1dCreditSpreadStrategy* strat_ = nullptr;
  InstrumentId spy_ = kNoInstrument, vix1d_ = kNoInstrument;
  SyntheticChain chain_;
};

TEST_F(Vix1dCreditSpreadTest, shouldSellThePutSpreadBeyondTheFeedsVix1dExpectedMove) {
  Vix1dCreditSpreadParams p;
  p.vix1d_source = Vix1dSource::kFeed;
  build(p);
  open_day(true);
  // EM = 500 x 0.16 / sqrt(252) = 5.04: the short put is 494 (<= 494.96), the long 492.
  EXPECT_NEAR(strat_->expected_move(), 500.0 * 0.16 / std::sqrt(252.0), 1e-9);
  EXPECT_FALSE(strat_->used_stand_in());
  ASSERT_EQ(sim_->commands().size(), 1u);
  EXPECT_EQ(sim_->commands()[0].legs[0].instrument, chain_.puts[494]);
  EXPECT_EQ(sim_->commands()[0].legs[1].instrument, chain_.puts[492]);
  EXPECT_EQ(strat_->state(), StrategyState::kInPosition);
}

// The seed's rule: VIX1D's prior close (REST previous close at start-up, journaled), not its live
// value: the feed shows 16 at 09:30, the prior close was 12, so EM = 500 x 0.12 / sqrt(252) = 3.78
// and the short put is 496 (<= 496.22), the long 494.
TEST_F(Vix1dCreditSpreadTest, shouldUseVix1dsPriorCloseFromTheHistoryNotItsLiveValue) {
  build({}, prior_close(12_usd));
  open_day(true);
  EXPECT_DOUBLE_EQ(strat_->vix1d_used(), 12.0);
  EXPECT_NEAR(strat_->expected_move(), 500.0 * 0.12 / std::sqrt(252.0), 1e-9);
  EXPECT_FALSE(strat_->used_stand_in());
  EXPECT_TRUE(sim_->noted("VIX1D prior close 12.00 ("));
  ASSERT_EQ(sim_->commands().size(), 1u);
  EXPECT_EQ(sim_->commands()[0].legs[0].instrument, chain_.puts[496]);
  EXPECT_EQ(sim_->commands()[0].legs[1].instrument, chain_.puts[494]);
}

TEST_F(Vix1dCreditSpreadTest, shouldNotTradeWithoutAPriorCloseWhenThePriorCloseIsRequired) {
  Vix1dCreditSpreadParams p;
  p.vix1d_source = Vix1dSource::kPriorClose;
  build(p);
  open_day(true);  // a live VIX1D is not the rule's input
  EXPECT_EQ(strat_->state(), StrategyState::kMissingInput);
  EXPECT_TRUE(sim_->commands().empty());
  EXPECT_TRUE(sim_->noted("no prior close of I:VIX1D in the history and vix1d_source = \"prior_close\""));
}

TEST_F(Vix1dCreditSpreadTest, shouldSellTheCallSpreadWhenTheUnderlyingFellSinceTheFirstPrice) {
  Vix1dCreditSpreadParams p;
  p.vix1d_prior_close = 16.0;
  build(p);
  sim_->trade(spy_, at(9, 31), 501_usd);
  chain_.quote(*sim_, at(9, 31, 1), 500.0, 0.30);
  sim_->trade(spy_, at(9, 45), 500_usd);
  ASSERT_EQ(sim_->commands().size(), 1u);
  EXPECT_EQ(sim_->commands()[0].legs[0].instrument, chain_.calls[506]);  // >= 505.04
  EXPECT_EQ(sim_->commands()[0].legs[1].instrument, chain_.calls[508]);
}

TEST_F(Vix1dCreditSpreadTest, shouldNoteOnceAndNotTradeWithoutVix1dWhenTheFeedIsRequired) {
  Vix1dCreditSpreadParams p;
  p.vix1d_source = Vix1dSource::kFeed;
  build(p);
  open_day(false);
  for (int m = 0; m < 30; ++m) sim_->trade(spy_, at(9, 47 + m), 500_usd);
  EXPECT_EQ(strat_->state(), StrategyState::kMissingInput);
  EXPECT_TRUE(sim_->commands().empty());
  int notes = 0;
  for (const auto& n : sim_->engine().notes()) notes += n.find("no I:VIX1D series") != std::string::npos ? 1 : 0;
  EXPECT_EQ(notes, 1);
}

TEST_F(Vix1dCreditSpreadTest, shouldNameTheStandInWhenTheFeedHasNoVix1d) {
  build({});
  open_day(false);
  EXPECT_TRUE(strat_->used_stand_in());
  EXPECT_NEAR(strat_->stand_in_raw(), 30.0, 2.0);  // the synthetic chain's flat 30% vol
  // On VIX1D's one-day scale. The Sim runs timers on its events: the chain quoted at 09:31:01 is
  // first seen complete at the next event, 09:44:59 (open_day), 375 minutes 1 second before 16:00.
  const double t = (16 * 3600.0 - (9 * 3600.0 + 44 * 60.0 + 59.0)) / 60.0 / 525'600.0;
  EXPECT_NEAR(strat_->vix1d_used(), strat_->stand_in_raw() * std::sqrt(365.0 * t), 1e-9);
  EXPECT_LT(strat_->vix1d_used(), 16.0);
  EXPECT_TRUE(sim_->noted("odte 1-day variance index from the 0DTE chain"));
  EXPECT_TRUE(sim_->noted("not Cboe's VIX1D"));
}

TEST_F(Vix1dCreditSpreadTest, shouldGiveUpWhenRiskRefusesTheSpread) {
  Vix1dCreditSpreadParams p;
  p.vix1d_prior_close = 16.0;
  p.quantity = 20;  // 20 x (2 - credit) x 100 is far over 0.5% of 100,000
  build(p);
  open_day(false);
  EXPECT_EQ(strat_->state(), StrategyState::kDone);
  EXPECT_TRUE(sim_->commands().empty());
  EXPECT_EQ(sim_->engine().risk().rejections(RiskReason::kCapitalAtRisk), 1u);
}

TEST_F(Vix1dCreditSpreadTest, shouldNotTradeWithoutQuotes) {
  Vix1dCreditSpreadParams p;
  p.vix1d_prior_close = 16.0;
  build(p);
  for (int m = 0; m < 80; ++m) sim_->trade(spy_, at(9, 31 + m), 500_usd);
  EXPECT_EQ(strat_->state(), StrategyState::kDone);
  EXPECT_TRUE(sim_->commands().empty());
  EXPECT_TRUE(sim_->noted("no two-sided quotes"));
}

}  // namespace
}  // namespace odte::strategies

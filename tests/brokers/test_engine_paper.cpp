// The core engine driven the way replay drives it: events in order, the paper broker stepped
// inline on the same clock, commands drained from the engine's ring into the broker.

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "odte/brokers/paper_broker.hpp"
#include "odte/core/engine/engine.hpp"
#include "stock_orders.hpp"

namespace odte {
namespace {

using namespace price_literals;
using test_support::StockOrders;

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kMin = 60 * kSec;
// 2026-08-21 00:00 UTC; EDT = UTC-4, so 10:00 local is 14:00 UTC.
constexpr TimestampNs kDay = 1'787'270'400LL * kSec;
constexpr TimestampNs at(int hh, int mm, int ss = 0) { return kDay + (hh + 4) * 60 * kMin + mm * kMin + ss * kSec; }

// Buys one debit call spread at 10:00 local; nothing else.
class DebitSpreadAtTen final : public Strategy {
 public:
  DebitSpreadAtTen(InstrumentId long_leg, InstrumentId short_leg) : long_{long_leg}, short_{short_leg} {}
  std::string_view name() const noexcept override { return "debit_at_ten"; }
  void on_timer(StrategyContext& ctx) override {
    if (state() != StrategyState::kWaiting || ctx.local_minute() < 10 * 60) return;
    Intent in{};
    in.strategy = 0;
    in.action = IntentAction::kOpen;
    in.quantity = 2;
    in.leg_count = 2;
    in.legs[0] = OrderLeg{long_, Side::kBuy, 0, 1};
    in.legs[1] = OrderLeg{short_, Side::kSell, 0, 1};
    in.limit = 0.90_usd;
    in.set_reason("test:entry");
    opened = ctx.submit(in);
    set_state(opened.valid() ? StrategyState::kEntering : StrategyState::kDone);
  }
  void on_fill(const Order&, const FillDelta& f, StrategyContext&) override { fills += f.qty; }
  void on_order(const Order& o, StrategyContext&) override {
    if (o.id == opened && o.state == OrderState::kFilled) set_state(StrategyState::kInPosition);
  }
  void on_rejected(const Intent&, RiskReason r, StrategyContext&) override { last_reject = r; }
  void on_exit(const Order&, ExitReason r, StrategyContext&) override {
    exit_reason = r;
    set_state(StrategyState::kExiting);
  }
  ClientOrderId opened;
  std::uint32_t fills = 0;
  RiskReason last_reject = RiskReason::kNone;
  ExitReason exit_reason = ExitReason::kNone;

 private:
  InstrumentId long_;
  InstrumentId short_;
};

struct VectorJournal final : JournalSink {
  std::vector<std::byte> bytes;
  std::vector<JournalRecordType> types;
  void record(JournalRecordType type, std::span<const std::byte> payload) noexcept override {
    types.push_back(type);
    bytes.insert(bytes.end(), payload.begin(), payload.end());
  }
};

class EnginePaperTest : public ::testing::Test {
 protected:
  EnginePaperTest() : registry_(64), ring_(std::make_unique<CommandRing>()), broker_(broker_config()) {
    c500_ = option("O:SPY260821C00500000", 500_usd);
    c503_ = option("O:SPY260821C00503000", 503_usd);
    spy_ = registry_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    remake([](EngineConfig&) {});
  }
  // A fresh engine (same instruments, broker and journal) with `cfg` changed by the test.
  template <typename Tweak>
  void remake(Tweak&& tweak) {
    std::vector<std::unique_ptr<Strategy>> strategies;
    auto s = std::make_unique<DebitSpreadAtTen>(c500_, c503_);
    // The strategy's own exits (the engine enforces them): 500% of the debit, or 15:00.
    ExitRules own;
    own.profit_target_fraction = 5.0;
    s->set_exits(own, ExitTime{15 * 60, false});
    strategy_ = s.get();
    strategies.push_back(std::move(s));
    EngineConfig cfg;
    cfg.orders.trading_day = 20260821;
    cfg.utc_offset_minutes = -240;
    tweak(cfg);
    engine_ = std::make_unique<Engine>(cfg, registry_, std::move(strategies), *ring_, &journal_);
    engine_->start(at(9, 30));
  }
  static brokers::PaperBrokerConfig broker_config() {
    brokers::PaperBrokerConfig c;
    c.latency_ns = 50'000'000;
    return c;
  }
  InstrumentId option(const char* sym, Price strike) {
    InstrumentInfo info;
    info.asset = AssetClass::kOption;
    std::snprintf(info.option.root, sizeof info.option.root, "SPY");
    info.option.expiry_yyyymmdd = 20260821;
    info.option.right = OptionRight::kCall;
    info.option.strike = strike;
    info.option.multiplier = 100;
    info.option.underlying = kNoInstrument;
    return registry_.intern(sym, info);
  }
  void quote(InstrumentId id, TimestampNs t, Price bid, Price ask) {
    step(MarketEvent::make_quote(id, StreamId::kOptions, t, t, bid, 50, ask, 50), t);
  }
  // One replay step: the event, then the broker, then the timer; commands go to the broker.
  void step(const MarketEvent& e, TimestampNs t) {
    engine_->on_market_event(e, t);
    pump(t);
  }
  void pump(TimestampNs t) {
    for (int round = 0; round < 4; ++round) {
      ring_->drain([&](const OrderCommand& c) {
        sent_.push_back(c);
        broker_.submit(c, t);
      });
      broker_.poll(engine_->market_state(), t, [&](const ExecutionReport& r) { engine_->on_exec_report(r, t); });
      engine_->on_timer(t);
    }
  }
  // Quotes on both legs every second from `from` to `to`.
  void run(TimestampNs from, TimestampNs to, Price bid500, Price ask500, Price bid503, Price ask503) {
    for (TimestampNs t = from; t <= to; t += kSec) {
      quote(c500_, t, bid500, ask500);
      quote(c503_, t, bid503, ask503);
    }
  }

  InstrumentRegistry registry_;
  std::unique_ptr<CommandRing> ring_;
  brokers::PaperBroker broker_;
  VectorJournal journal_;
  std::unique_ptr<Engine> engine_;
  DebitSpreadAtTen* strategy_ = nullptr;
  InstrumentId c500_ = kNoInstrument, c503_ = kNoInstrument, spy_ = kNoInstrument;
  std::vector<OrderCommand> sent_;  // every command the engine sent, in order
};

// An entry decided at 10:00 below the market (limit 0.90, natural 1.00) has a time in force: at
// 10:05 the engine cancels it, the cancel says why, and the 13:24 market that would have filled
// it finds nothing working. As a day order (expiry -1) it rests and fills there -- what the issue
// saw: an entry decided at 09:49 filled 3.5 hours later.
TEST_F(EnginePaperTest, shouldCancelAWorkingEntryWhenItsTimeInForceEnds) {
  for (const bool expires : {true, false}) {
    SCOPED_TRACE(expires ? "expires at 10:05" : "day order");
    engine_.reset();
    ring_ = std::make_unique<CommandRing>();
    sent_.clear();
    broker_ = brokers::PaperBroker(broker_config());
    std::vector<std::unique_ptr<Strategy>> strategies;
    auto s = std::make_unique<DebitSpreadAtTen>(c500_, c503_);
    strategy_ = s.get();
    strategy_->set_entry_expiry_minute(expires ? static_cast<std::int16_t>(10 * 60 + 5) : std::int16_t{-1});
    strategies.push_back(std::move(s));
    EngineConfig cfg;
    cfg.orders.trading_day = 20260821;
    cfg.utc_offset_minutes = -240;
    cfg.exits.exit_minute = -1;
    engine_ = std::make_unique<Engine>(cfg, registry_, std::move(strategies), *ring_, &journal_);
    engine_->start(at(9, 30));

    run(at(9, 59, 58), at(10, 4, 59), 1.15_usd, 1.20_usd, 0.20_usd, 0.25_usd);
    ASSERT_TRUE(strategy_->opened.valid());
    ASSERT_EQ(engine_->orders().find(strategy_->opened)->state, OrderState::kNew) << "resting, as the test needs";
    run(at(10, 5), at(10, 5, 2), 1.15_usd, 1.20_usd, 0.20_usd, 0.25_usd);
    const auto cancel = std::find_if(sent_.begin(), sent_.end(), [](const OrderCommand& c) { return c.kind == CommandKind::kCancel; });
    if (expires) {
      ASSERT_NE(cancel, sent_.end());
      EXPECT_EQ(cancel->orig_id, strategy_->opened);
      EXPECT_EQ(cancel->cancel_reason, static_cast<std::uint8_t>(CancelReason::kTimeInForce));
      EXPECT_EQ(cancel->created_ns, at(10, 5));
      EXPECT_EQ(engine_->orders().find(strategy_->opened)->state, OrderState::kCancelled);
      ASSERT_FALSE(engine_->notes().empty());
      EXPECT_NE(engine_->notes().back().find("debit_at_ten: entry order " + strategy_->opened.to_string() +
                                             " cancelled at 10:05: its time in force ended at 10:05"),
                std::string::npos)
          << engine_->notes().back();
    } else {
      EXPECT_EQ(cancel, sent_.end());
    }
    run(at(13, 24), at(13, 24, 1), 0.95_usd, 1.00_usd, 0.20_usd, 0.25_usd);  // natural 0.80
    EXPECT_EQ(strategy_->fills, expires ? 0u : 4u);
    EXPECT_EQ(engine_->book().totals().open_positions, expires ? 0u : 2u);
  }
}

TEST_F(EnginePaperTest, shouldEnterAtTenFillAndTakeProfitAtFiveTimesTheDebit) {
  run(at(9, 59, 50), at(10, 0, 5), 1.00_usd, 1.05_usd, 0.20_usd, 0.25_usd);
  ASSERT_TRUE(strategy_->opened.valid());
  EXPECT_EQ(strategy_->state(), StrategyState::kInPosition);
  EXPECT_EQ(strategy_->fills, 4u);  // two legs x two contracts
  const Order* open = engine_->orders().find(strategy_->opened);
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->state, OrderState::kFilled);
  EXPECT_EQ(engine_->open_spreads(), 1u);
  // Debit 0.85. The spread rallies to 5.30 mid (5.25..5.35 on the long leg, 0.00..0.05 short):
  // worth ~5.3 > 6 x 0.85 = 5.10, so the profit target fires and the spread is sold.
  run(at(11, 0), at(11, 0, 3), 5.30_usd, 5.40_usd, 0.00_usd, 0.05_usd);
  EXPECT_EQ(strategy_->exit_reason, ExitReason::kProfitTarget);
  EXPECT_EQ(engine_->open_spreads(), 0u);
  const PnlTotals t = engine_->book().totals();
  EXPECT_EQ(t.open_positions, 0u);
  // Bought at 1.05 - 0.20 = 0.85, sold at 5.30 - 0.05 = 5.25: +4.40 x 2 x 100 = 880.
  EXPECT_EQ(t.realized, 880_usd);
  EXPECT_EQ(t.fees, (0.65_usd + 0.025_usd) * 8);
  EXPECT_EQ(engine_->stats().exits, 1u);
}

TEST_F(EnginePaperTest, shouldCloseAtTheTimeExit) {
  run(at(9, 59, 58), at(10, 0, 3), 1.00_usd, 1.05_usd, 0.20_usd, 0.25_usd);
  ASSERT_EQ(strategy_->state(), StrategyState::kInPosition);
  run(at(14, 59, 58), at(15, 0, 3), 1.10_usd, 1.15_usd, 0.20_usd, 0.25_usd);
  EXPECT_EQ(strategy_->exit_reason, ExitReason::kTime);
  EXPECT_EQ(engine_->open_spreads(), 0u);
  // Sold at 1.10 - 0.25 = 0.85: flat before fees.
  EXPECT_EQ(engine_->book().totals().realized, 0_usd);
}

// At the exit the short 503 call is bid at zero (the feed's bid of 0: no bid) and offered at 0.05,
// as a far out-of-the-money 0DTE wing is late in the day. The spread is still marked (the wing at
// half its offer) and closed: the long leg sold at its bid, the wing bought back at its offer.
// Before, one leg without a bid left the spread unmarked, so no exit rule ever fired.
TEST_F(EnginePaperTest, shouldCloseAtTheTimeExitWhenTheShortLegIsBidAtZero) {
  run(at(9, 59, 58), at(10, 0, 3), 1.00_usd, 1.05_usd, 0.20_usd, 0.25_usd);
  ASSERT_EQ(strategy_->state(), StrategyState::kInPosition);
  run(at(14, 59, 58), at(15, 0, 3), 1.10_usd, 1.15_usd, Price::invalid(), 0.05_usd);
  EXPECT_EQ(strategy_->exit_reason, ExitReason::kTime);
  EXPECT_EQ(engine_->open_spreads(), 0u);
  EXPECT_EQ(engine_->book().totals().open_positions, 0u);
}

TEST_F(EnginePaperTest, shouldRefuseOpeningOrdersUnderKillSwitchAndJournalIt) {
  ControlCommand kill{};
  kill.request_id = 7;
  kill.kind = ControlKind::kKill;
  const ControlReply reply = engine_->on_control(kill, at(9, 45));
  EXPECT_TRUE(reply.ok);
  EXPECT_EQ(reply.request_id, 7u);
  run(at(9, 59, 58), at(10, 0, 2), 1.00_usd, 1.05_usd, 0.20_usd, 0.25_usd);
  EXPECT_FALSE(strategy_->opened.valid());
  EXPECT_EQ(strategy_->last_reject, RiskReason::kKillSwitch);
  EXPECT_EQ(engine_->risk().rejections(RiskReason::kKillSwitch), 1u);
  // start() journaled the day's account first; the kill switch is the next record.
  ASSERT_GE(journal_.types.size(), 2u);
  EXPECT_EQ(journal_.types[0], JournalRecordType::kAccount);
  EXPECT_EQ(journal_.types[1], JournalRecordType::kKillSwitch);
}

TEST_F(EnginePaperTest, shouldFlattenOnOperatorCommand) {
  run(at(9, 59, 58), at(10, 0, 3), 1.00_usd, 1.05_usd, 0.20_usd, 0.25_usd);
  ASSERT_EQ(engine_->open_spreads(), 1u);
  ControlCommand flat{};
  flat.kind = ControlKind::kFlatten;
  const ControlReply reply = engine_->on_control(flat, at(10, 30));
  EXPECT_TRUE(reply.ok);
  EXPECT_STREQ(reply.message, "flatten: 0 opening orders cancelled, 1 closing orders sent, 0 already closing");
  // Asked again while that close works: nothing new is sent, and the reply says why.
  const ControlReply again = engine_->on_control(flat, at(10, 30));
  EXPECT_TRUE(again.ok);
  EXPECT_STREQ(again.message, "flatten: 0 opening orders cancelled, 0 closing orders sent, 1 already closing");
  run(at(10, 30), at(10, 30, 2), 1.00_usd, 1.05_usd, 0.20_usd, 0.25_usd);
  EXPECT_EQ(engine_->open_spreads(), 0u);
  EXPECT_EQ(engine_->book().totals().open_positions, 0u);
}

TEST_F(EnginePaperTest, shouldSayAFlattenWithNothingOpenHasNothingToDo) {
  ControlCommand flat{};
  flat.kind = ControlKind::kFlatten;
  const ControlReply reply = engine_->on_control(flat, at(9, 45));
  EXPECT_TRUE(reply.ok);
  EXPECT_STREQ(reply.message, "flatten: nothing to do: no working opening order, no open position");
  EXPECT_TRUE(ring_->empty_approx());
}

TEST_F(EnginePaperTest, shouldSayAFlattenThatCouldNotSendAClose) {
  run(at(9, 59, 58), at(10, 0, 3), 1.00_usd, 1.05_usd, 0.20_usd, 0.25_usd);
  ASSERT_EQ(engine_->open_spreads(), 1u);
  // One leg loses its offer: no closing price, so no closing order.
  quote(c500_, at(10, 30), 1.00_usd, Price::invalid());
  ControlCommand flat{};
  flat.kind = ControlKind::kFlatten;
  const ControlReply reply = engine_->on_control(flat, at(10, 30));
  EXPECT_FALSE(reply.ok);
  EXPECT_STREQ(reply.message, "flatten: 1 positions NOT closed (no quote or refused); 0 closing sent, 0 cancelled");
}

TEST_F(EnginePaperTest, shouldRefuseWhatReopensTradingWhileReconcilingAndChangeNothing) {
  ControlCommand c{};
  c.kind = ControlKind::kPause;
  ASSERT_TRUE(engine_->on_control(c, at(9, 40)).ok);
  c.kind = ControlKind::kKill;
  ASSERT_TRUE(engine_->on_control(c, at(9, 40)).ok);
  c.kind = ControlKind::kDisableStrategy;
  ASSERT_TRUE(engine_->on_control(c, at(9, 40)).ok);
  ASSERT_TRUE(engine_->begin_reconciliation(at(9, 41), 0));
  const std::size_t records = journal_.types.size();
  for (const ControlKind k : {ControlKind::kResume, ControlKind::kUnkill, ControlKind::kEnableStrategy}) {
    c.kind = k;
    const ControlReply r = engine_->on_control(c, at(9, 42));
    EXPECT_FALSE(r.ok) << to_string(k);
    EXPECT_STREQ(r.message, "reconciling with the broker: no opening order until it ends; nothing changed");
  }
  EXPECT_EQ(journal_.types.size(), records);  // nothing journaled
  auto snap = std::make_unique<CoreSnapshot>();
  engine_->fill_snapshot(*snap, at(9, 42));
  EXPECT_TRUE(snap->paused);
  EXPECT_TRUE(snap->killed);
  EXPECT_FALSE(snap->strategies[0].enabled);
  // Halted (no answer by the deadline): refused with that reason; what stops trading still applies.
  engine_->reconciliation_timed_out(at(9, 43));
  ASSERT_EQ(engine_->state(), CoreState::kHalted);
  c.kind = ControlKind::kResume;
  const ControlReply halted = engine_->on_control(c, at(9, 44));
  EXPECT_FALSE(halted.ok);
  EXPECT_STREQ(halted.message, "halted: no opening order until a restart reconciles; nothing changed");
  c.kind = ControlKind::kPause;
  EXPECT_TRUE(engine_->on_control(c, at(9, 44)).ok);
}

TEST_F(EnginePaperTest, shouldPublishASnapshotOfOrdersPositionsAndStrategies) {
  run(at(9, 59, 58), at(10, 0, 3), 1.00_usd, 1.05_usd, 0.20_usd, 0.25_usd);
  auto snap = std::make_unique<CoreSnapshot>();
  engine_->fill_snapshot(*snap, at(10, 0, 3));
  EXPECT_EQ(snap->strategy_count, 1u);
  EXPECT_STREQ(snap->strategies[0].name, "debit_at_ten");
  EXPECT_EQ(snap->position_count, 2u);
  EXPECT_STREQ(snap->positions[0].symbol, "O:SPY260821C00500000");
  EXPECT_EQ(snap->positions[0].quantity, 2);
  EXPECT_EQ(snap->order_count, 1u);
  EXPECT_EQ(snap->orders[0].state, OrderState::kFilled);
  EXPECT_EQ(snap->intents, 1u);
}

// [risk] daily_loss_action = "flatten": the day's P&L through -daily_loss_limit turns the kill
// switch on (journaled, marked as the engine's own) and closes the spread; "halt" only refuses
// new openings and leaves it on.
class DailyLossTest : public EnginePaperTest, public ::testing::WithParamInterface<bool> {};

TEST_P(DailyLossTest, shouldFlattenAtTheDailyLossLimitOnlyWhenConfiguredTo) {
  const bool flatten = GetParam();
  remake([&](EngineConfig& c) {
    c.risk.daily_loss_limit = 100_usd;
    c.flatten_on_daily_loss = flatten;
  });
  run(at(9, 59, 58), at(10, 0, 3), 1.00_usd, 1.05_usd, 0.20_usd, 0.25_usd);
  ASSERT_EQ(engine_->open_spreads(), 1u);
  // Paid 0.85 x 2 x 100 = 170; now worth 0.10 a spread: -150 (and fees) beyond the -100 limit.
  run(at(10, 10), at(10, 10, 3), 0.10_usd, 0.15_usd, 0.00_usd, 0.05_usd);
  const bool killed_record =
      std::find(journal_.types.begin(), journal_.types.end(), JournalRecordType::kKillSwitch) != journal_.types.end();
  EXPECT_EQ(killed_record, flatten);
  EXPECT_EQ(engine_->risk().kill_switch(), flatten);
  EXPECT_EQ(engine_->open_spreads(), flatten ? 0u : 1u);
  const bool noted = std::any_of(engine_->notes().begin(), engine_->notes().end(), [](const std::string& n) {
    return n.rfind("daily loss limit: day P&L -", 0) == 0;
  });
  EXPECT_EQ(noted, flatten);
}
INSTANTIATE_TEST_SUITE_P(HaltOrFlatten, DailyLossTest, ::testing::Bool());

// The snapshot's greeks in dollars (from the implied vol of each leg's mid against SPY) and the
// worst loss at expiry of what is open: a 500/503 call spread bought for 0.85 loses at most its
// debit, 2 x 85 = 170.
TEST_F(EnginePaperTest, shouldPublishGreeksInDollarsAndTheMaxLossAtExpiry) {
  step(MarketEvent::make_quote(spy_, StreamId::kStocks, at(9, 59, 57), at(9, 59, 57), 500.00_usd, 100, 500.02_usd, 100),
       at(9, 59, 57));
  run(at(9, 59, 58), at(10, 0, 3), 1.00_usd, 1.05_usd, 0.20_usd, 0.25_usd);
  auto snap = std::make_unique<CoreSnapshot>();
  engine_->fill_snapshot(*snap, at(10, 0, 3));
  ASSERT_EQ(snap->position_count, 2u);
  const PositionSnapshot& atm = snap->positions[0];
  EXPECT_GT(atm.iv, 0.01);
  EXPECT_LT(atm.iv, 2.0);
  EXPECT_FALSE(atm.greeks.partial);
  // A long ATM call: about half the underlying's exposure, 2 x 100 x 500 x ~0.5 = ~50,000 dollars.
  EXPECT_GT(atm.greeks.delta, 20'000.0);
  EXPECT_LT(atm.greeks.delta, 80'000.0);
  EXPECT_GT(atm.greeks.gamma, 0.0);
  EXPECT_LT(atm.greeks.theta, 0.0);
  EXPECT_GT(atm.greeks.vega, 0.0);
  const StrategySnapshot& st = snap->strategies[0];
  EXPECT_TRUE(st.max_loss_defined);
  EXPECT_EQ(st.max_loss, 170_usd);
  EXPECT_EQ(snap->max_loss, 170_usd);
  // The spread: long delta less the short leg's, and both add up in the strategy and the total.
  EXPECT_NEAR(st.greeks.delta, snap->positions[0].greeks.delta + snap->positions[1].greeks.delta, 1e-6);
  EXPECT_NEAR(snap->greeks.delta, st.greeks.delta, 1e-6);
  EXPECT_LT(snap->positions[1].greeks.delta, 0.0);
}

TEST_F(EnginePaperTest, shouldProduceTheSameJournalBytesOnEveryRun) {
  auto once = [this]() {
    InstrumentRegistry reg(64);
    (void)reg.intern("O:SPY260821C00500000", registry_.get(c500_).info);
    (void)reg.intern("O:SPY260821C00503000", registry_.get(c503_).info);
    auto ring = std::make_unique<CommandRing>();
    brokers::PaperBroker broker(broker_config());
    VectorJournal j;
    std::vector<std::unique_ptr<Strategy>> s;
    s.push_back(std::make_unique<DebitSpreadAtTen>(c500_, c503_));
    EngineConfig cfg;
    cfg.orders.trading_day = 20260821;
    Engine e(cfg, reg, std::move(s), *ring, &j);
    e.start(at(9, 30));
    for (TimestampNs t = at(9, 59, 50); t <= at(11, 0, 5); t += 7 * kSec) {
      const Price lift = Price::from_cents((t - at(9, 59, 50)) / kMin * 8);
      for (const auto& [id, bid, ask] : {std::tuple{c500_, 1.00_usd + lift, 1.05_usd + lift}, std::tuple{c503_, 0.20_usd, 0.25_usd}}) {
        e.on_market_event(MarketEvent::make_quote(id, StreamId::kOptions, t, t, bid, 50, ask, 50), t);
      }
      ring->drain([&](const OrderCommand& c) { broker.submit(c, t); });
      broker.poll(e.market_state(), t, [&](const ExecutionReport& r) { e.on_exec_report(r, t); });
      e.on_timer(t);
    }
    return j.bytes;
  };
  const auto a = once();
  const auto b = once();
  EXPECT_GT(a.size(), 0u);
  EXPECT_EQ(a, b);
}

// ---- short sales (Reg SHO): the engine marks a stock sell the account is not long ----

// The journal as a file, for restore.
class FileSink final : public JournalSink {
 public:
  explicit FileSink(const std::string& path) { ok_ = !writer_.open(path, 20260821, at(9, 30)); }
  void record(JournalRecordType type, std::span<const std::byte> payload) noexcept override {
    if (writer_.append(type, payload, false)) ok_ = false;
  }
  [[nodiscard]] bool ok() const noexcept { return ok_; }

 private:
  JournalWriter writer_;
  bool ok_ = false;
};

// Two strategies trading SPY through the engine and the paper broker (fills at the touch after
// 50 ms); the commands the engine sends are kept, the journal is a file.
class EngineShortSaleTest : public ::testing::Test {
 protected:
  EngineShortSaleTest()
      : journal_path_((std::filesystem::temp_directory_path() /
                       ("odte-short-" + std::to_string(::getpid()) + "-" +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".odj"))
                          .string()),
        registry_(16),
        ring_(std::make_unique<CommandRing>()),
        broker_(broker_config()) {
    std::filesystem::remove(journal_path_);
    journal_ = std::make_unique<FileSink>(journal_path_);
    spy_ = registry_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    engine_ = make_engine(registry_, *ring_, journal_.get(), traders_);
    engine_->start(at(9, 30));
  }
  ~EngineShortSaleTest() override { std::filesystem::remove(journal_path_); }
  static std::unique_ptr<Engine> make_engine(InstrumentRegistry& registry, CommandRing& ring, JournalSink* journal,
                                             StockOrders* (&traders)[2]) {
    const InstrumentId spy = registry.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    std::vector<std::unique_ptr<Strategy>> strategies;
    for (std::uint16_t i = 0; i < 2; ++i) {
      auto s = std::make_unique<StockOrders>(spy, i);
      traders[i] = s.get();
      strategies.push_back(std::move(s));
    }
    EngineConfig cfg;
    cfg.orders.trading_day = 20260821;
    cfg.utc_offset_minutes = -240;
    cfg.risk.max_orders_per_second = 50;
    return std::make_unique<Engine>(cfg, registry, std::move(strategies), ring, journal);
  }
  static brokers::PaperBrokerConfig broker_config() {
    brokers::PaperBrokerConfig c;
    c.latency_ns = 50'000'000;
    return c;
  }
  // A SPY quote at `t` (500.00 x 500.02), then the broker and the timer, as replay steps them.
  void step(TimestampNs t) {
    engine_->on_market_event(MarketEvent::make_quote(spy_, StreamId::kStocks, t, t, 500_usd, 5000, 500.02_usd, 5000),
                             t);
    for (int round = 0; round < 4; ++round) {
      ring_->drain([&](const OrderCommand& c) {
        commands_.push_back(c);
        // Write-ahead, as the run loop does: journaled, then sent.
        journal_->record(JournalRecordType::kOrderCommand, std::as_bytes(std::span<const OrderCommand>(&c, 1)));
        broker_.submit(c, t);
      });
      broker_.poll(engine_->market_state(), t, [&](const ExecutionReport& r) { engine_->on_exec_report(r, t); });
      engine_->on_timer(t);
    }
  }
  // Queued orders go at `t`; the paper broker fills them one second later.
  void trade_at(TimestampNs t) {
    step(t);
    step(t + kSec);
  }
  const OrderCommand& command_of(ClientOrderId id) const {
    for (const OrderCommand& c : commands_) {
      if (c.id == id) return c;
    }
    ADD_FAILURE() << "no command " << id.to_string();
    return commands_.front();
  }
  std::int64_t shares(std::uint16_t strategy) const {
    const Position* p = engine_->book().find(strategy, spy_);
    return p == nullptr ? 0 : p->quantity;
  }

  std::string journal_path_;
  InstrumentRegistry registry_;
  std::unique_ptr<CommandRing> ring_;
  brokers::PaperBroker broker_;
  std::unique_ptr<FileSink> journal_;
  std::unique_ptr<Engine> engine_;
  StockOrders* traders_[2] = {nullptr, nullptr};
  std::vector<OrderCommand> commands_;
  InstrumentId spy_ = kNoInstrument;
};

TEST_F(EngineShortSaleTest, shouldMarkASellWithoutALongPositionShortAndBookItNegative) {
  traders_[0]->queue(Side::kSell, 100, 499.95_usd);
  trade_at(at(10, 0));
  ASSERT_EQ(traders_[0]->sent.size(), 1u);
  const OrderCommand& c = command_of(traders_[0]->sent[0]);
  EXPECT_EQ(c.short_sale, 1);
  EXPECT_EQ(c.legs[0].side, Side::kSell);  // still a sell: the mark is beside the side
  EXPECT_EQ(engine_->orders().find(c.id)->state, OrderState::kFilled);
  EXPECT_EQ(shares(0), -100);
  // Buying back is never a short sale.
  traders_[0]->queue(Side::kBuy, 100, 500.05_usd);
  trade_at(at(10, 1));
  EXPECT_EQ(command_of(traders_[0]->sent[1]).short_sale, 0);
  EXPECT_EQ(shares(0), 0);
}

TEST_F(EngineShortSaleTest, shouldMarkASellCoveredByTheLongPositionAsAPlainSell) {
  traders_[0]->queue(Side::kBuy, 200, 500.05_usd);
  trade_at(at(10, 0));
  ASSERT_EQ(shares(0), 200);
  traders_[0]->queue(Side::kSell, 200, 499.95_usd);  // exactly the long: covered
  trade_at(at(10, 1));
  EXPECT_EQ(command_of(traders_[0]->sent[1]).short_sale, 0);
  EXPECT_EQ(shares(0), 0);
}

// Working sells use up the long position before they fill; a sale that is only partly covered by
// what is left is marked short as a whole (the conservative rule: never split).
TEST_F(EngineShortSaleTest, shouldCountWorkingSellsAndMarkAPartlyCoveredSaleShortAsAWhole) {
  traders_[0]->queue(Side::kBuy, 200, 500.05_usd);
  trade_at(at(10, 0));
  ASSERT_EQ(shares(0), 200);
  traders_[0]->queue(Side::kSell, 150, 499.95_usd);  // covered: 200 long
  traders_[0]->queue(Side::kSell, 100, 499.95_usd);  // 50 left after the working 150: short
  traders_[0]->queue(Side::kSell, 1, 499.95_usd);    // nothing left: short
  trade_at(at(10, 1));
  ASSERT_EQ(traders_[0]->sent.size(), 4u);
  EXPECT_EQ(command_of(traders_[0]->sent[1]).short_sale, 0);
  EXPECT_EQ(command_of(traders_[0]->sent[2]).short_sale, 1);
  EXPECT_EQ(command_of(traders_[0]->sent[3]).short_sale, 1);
  EXPECT_EQ(shares(0), -51);  // filled as sells all the same
}

// The broker account is the seller: another strategy's shares cover a sale, and another
// strategy's short uncovers one.
TEST_F(EngineShortSaleTest, shouldJudgeCoverAcrossTheStrategiesOfTheAccount) {
  traders_[1]->queue(Side::kBuy, 300, 500.05_usd);
  trade_at(at(10, 0));
  traders_[0]->queue(Side::kSell, 100, 499.95_usd);  // strategy 0 holds nothing; the account 300
  trade_at(at(10, 1));
  EXPECT_EQ(command_of(traders_[0]->sent[0]).short_sale, 0);
  EXPECT_EQ(shares(0), -100);
  // The account is long 200 now (300 - 100): strategy 1 selling its 300 is 100 short.
  traders_[1]->queue(Side::kSell, 300, 499.95_usd);
  trade_at(at(10, 2));
  EXPECT_EQ(command_of(traders_[1]->sent[1]).short_sale, 1);
  EXPECT_EQ(shares(1), 0);
}

// A cancel restates the order it cancels, short mark included (venues match the side).
TEST_F(EngineShortSaleTest, shouldCarryTheShortMarkOnTheCancelOfAShortSale) {
  traders_[0]->queue(Side::kSell, 100, 499.95_usd);
  step(at(10, 0));  // sent, not yet acknowledged
  ASSERT_EQ(traders_[0]->sent.size(), 1u);
  ControlCommand kill{};
  kill.kind = ControlKind::kKill;  // cancels working opening orders and hedges
  ASSERT_TRUE(engine_->on_control(kill, at(10, 0)).ok);
  step(at(10, 0, 1));
  const OrderCommand& cancel = commands_.back();
  ASSERT_EQ(cancel.kind, CommandKind::kCancel);
  EXPECT_EQ(cancel.orig_id, traders_[0]->sent[0]);
  EXPECT_EQ(cancel.short_sale, 1);
}

// The mark is in the journaled command: a restarted engine restores it on the working order (so
// its cancel still says 54=5) and counts the order as a working sell.
TEST_F(EngineShortSaleTest, shouldRestoreTheShortMarkOfAWorkingSaleFromTheJournal) {
  traders_[0]->queue(Side::kSell, 100, 499.95_usd);
  step(at(10, 0));  // sent, not yet acknowledged
  ASSERT_EQ(traders_[0]->sent.size(), 1u);
  ASSERT_TRUE(journal_->ok());
  JournalReader reader;
  const JournalScan scan = reader.read(journal_path_);
  ASSERT_EQ(scan.status, JournalStatus::kOk) << scan.error;
  InstrumentRegistry registry(16);
  const auto ring = std::make_unique<CommandRing>();
  StockOrders* traders[2] = {nullptr, nullptr};
  const std::unique_ptr<Engine> restored = make_engine(registry, *ring, nullptr, traders);
  const RestoreResult r = restored->restore(scan, at(10, 0, 1));
  ASSERT_TRUE(r.ok) << r.error;
  const Order* o = restored->orders().find(traders_[0]->sent[0]);
  ASSERT_NE(o, nullptr) << restored->describe();
  EXPECT_TRUE(o->is_live());
  EXPECT_EQ(o->short_sale, 1);
  EXPECT_EQ(restored->describe(), engine_->describe());
  EXPECT_NE(restored->describe().find(":SS:"), std::string::npos) << restored->describe();
}

}  // namespace
}  // namespace odte

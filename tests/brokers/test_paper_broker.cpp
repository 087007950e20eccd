#include "odte/brokers/paper_broker.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "odte/core/engine/order_manager.hpp"
#include "odte/core/engine/positions.hpp"

namespace odte::brokers {
namespace {

using namespace price_literals;

constexpr std::int32_t kDay = 20260821;
constexpr std::int64_t kMs = 1'000'000;

struct Market {
  std::unordered_map<InstrumentId, Nbbo> quotes;
  const Nbbo* nbbo(InstrumentId id) const noexcept {
    const auto it = quotes.find(id);
    return it == quotes.end() ? nullptr : &it->second;
  }
};

// Order manager + paper broker + position book wired as the core will wire them.
class PaperBrokerTest : public ::testing::Test {
 protected:
  PaperBrokerTest() : registry_(16), book_(registry_), om_(om_config()), broker_(broker_config()) {
    call500_ = option("O:SPY260821C00500000", OptionRight::kCall, 500_usd);
    call503_ = option("O:SPY260821C00503000", OptionRight::kCall, 503_usd);
    market_.quotes[call500_] = Nbbo{1.00_usd, 1.05_usd, 10, 10, 0};
    market_.quotes[call503_] = Nbbo{0.20_usd, 0.25_usd, 10, 10, 0};
  }
  static OrderManagerConfig om_config() {
    OrderManagerConfig c;
    c.trading_day = kDay;
    return c;
  }
  static PaperBrokerConfig broker_config() {
    PaperBrokerConfig c;
    c.latency_ns = 50 * kMs;
    c.max_pending = 4;
    return c;
  }
  InstrumentId option(const char* sym, OptionRight right, Price strike) {
    InstrumentInfo info;
    info.asset = AssetClass::kOption;
    std::snprintf(info.option.root, sizeof info.option.root, "SPY");
    info.option.expiry_yyyymmdd = kDay;
    info.option.right = right;
    info.option.strike = strike;
    info.option.multiplier = 100;
    info.option.underlying = kNoInstrument;
    return registry_.intern(sym, info);
  }
  // Debit call spread: buy 500C, sell 503C. Natural debit 1.05 - 0.20 = 0.85.
  ClientOrderId send_spread(std::uint32_t qty, Price limit, TimestampNs now) {
    const std::array<OrderLeg, 2> legs{OrderLeg{call500_, Side::kBuy, 0, 1}, OrderLeg{call503_, Side::kSell, 0, 1}};
    OrderCommand cmd;
    EXPECT_EQ(om_.create(NewOrder{0, qty, limit, legs}, now, cmd), RequestStatus::kOk);
    broker_.submit(cmd, now);
    return cmd.id;
  }
  void step(TimestampNs now) {
    broker_.poll(market_, now, [&](const ExecutionReport& r) {
      reports_.push_back(r);
      const ApplyResult a = om_.apply(r, now);
      statuses_.push_back(a.status);
      if (a.fill.qty > 0 && a.fill.leg != kComboLeg) {
        const OrderLeg& leg = a.order->legs[a.fill.leg];
        EXPECT_EQ(book_.book_fill(a.order->strategy, leg.instrument, leg.side, a.fill.qty, a.fill.price, r.commission),
                  BookStatus::kOk);
      }
    });
  }

  InstrumentRegistry registry_;
  PositionBook book_;
  OrderManager om_;
  PaperBroker broker_;
  Market market_;
  InstrumentId call500_ = kNoInstrument, call503_ = kNoInstrument;
  std::vector<ExecutionReport> reports_;
  std::vector<ApplyStatus> statuses_;
};

// The run loop polls at next_due_ns, so an order submitted at t is accepted and (marketable)
// filled at exactly t + latency, against the market of that moment.
TEST_F(PaperBrokerTest, shouldSayWhenItsNextCommandIsDueAndFillThenAtOrderTimePlusLatency) {
  EXPECT_EQ(broker_.next_due_ns(), INT64_MAX);
  const TimestampNs t = 1'000 * kMs;
  send_spread(1, 0.90_usd, t);
  send_spread(1, 0.90_usd, t + 7 * kMs);
  EXPECT_EQ(broker_.next_due_ns(), t + 50 * kMs);
  step(t + 49 * kMs);
  EXPECT_TRUE(reports_.empty());
  step(broker_.next_due_ns());
  ASSERT_FALSE(reports_.empty());
  for (const ExecutionReport& r : reports_) EXPECT_EQ(r.transact_ns, t + 50 * kMs);
  EXPECT_EQ(reports_.back().kind, ExecKind::kFill);
  EXPECT_EQ(broker_.next_due_ns(), t + 57 * kMs);
  step(t + 57 * kMs);
  EXPECT_EQ(reports_.back().kind, ExecKind::kFill);
  EXPECT_EQ(reports_.back().transact_ns, t + 57 * kMs);
  EXPECT_EQ(broker_.next_due_ns(), INT64_MAX);
}

TEST_F(PaperBrokerTest, shouldAcceptAndFillMarketableSpreadAfterLatency) {
  const auto id = send_spread(2, 0.90_usd, 0);
  step(49 * kMs);
  EXPECT_TRUE(reports_.empty());  // still on its way to the venue
  step(50 * kMs);
  ASSERT_EQ(reports_.size(), 3u);  // accepted + one report per leg
  EXPECT_EQ(reports_[0].kind, ExecKind::kAccepted);
  EXPECT_EQ(reports_[1].leg, 0);
  EXPECT_EQ(reports_[1].last_price, 1.05_usd);  // fills at the touch, not at the limit
  EXPECT_EQ(reports_[2].last_price, 0.20_usd);
  EXPECT_EQ(reports_[2].kind, ExecKind::kFill);
  EXPECT_EQ(om_.find(id)->state, OrderState::kFilled);
  for (const auto s : statuses_) EXPECT_EQ(s, ApplyStatus::kApplied);
  // Debit 0.85 x 2 x 100 = 170 paid; marked at mids (1.025 - 0.225) the spread is worth 160.
  book_.mark(market_);
  const auto t = book_.totals();
  EXPECT_EQ(t.unrealized, -(10_usd));
  EXPECT_EQ(t.fees, 2.70_usd);  // 4 contracts x (0.65 + 0.025)
}

// A delta hedge: one stock leg counted in shares, charged per share, booked at multiplier 1.
TEST_F(PaperBrokerTest, shouldFillAStockHedgeAtTheTouchAndChargePerShare) {
  PaperBrokerConfig cfg = broker_config();
  cfg.commission_per_share = Price::from_ticks(50);  // $0.005
  cfg.fee_per_share = Price::from_ticks(1);          // $0.0001
  PaperBroker broker(cfg);
  const InstrumentId spy = registry_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
  market_.quotes[spy] = Nbbo{499.99_usd, 500.01_usd, 1000, 1000, 0};
  auto send = [&](Side side, Price limit, TimestampNs now) {
    const std::array<OrderLeg, 1> legs{OrderLeg{spy, side, kLegShares, 1}};
    OrderCommand cmd;
    EXPECT_EQ(om_.create(NewOrder{0, 120, limit, legs}, now, cmd), RequestStatus::kOk);
    broker.submit(cmd, now);
    return cmd.id;
  };
  auto poll = [&](TimestampNs now) {
    broker.poll(market_, now, [&](const ExecutionReport& r) {
      reports_.push_back(r);
      const ApplyResult a = om_.apply(r, now);
      if (a.fill.qty > 0) {
        const OrderLeg& leg = a.order->legs[a.fill.leg];
        EXPECT_EQ(book_.book_fill(0, leg.instrument, leg.side, a.fill.qty, a.fill.price, r.commission), BookStatus::kOk);
      }
    });
  };
  const auto buy = send(Side::kBuy, 500.06_usd, 0);
  poll(50 * kMs);
  EXPECT_EQ(om_.find(buy)->state, OrderState::kFilled);
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[1].last_qty, 120u);
  EXPECT_EQ(reports_[1].last_price, 500.01_usd);
  EXPECT_EQ(reports_[1].commission, 0.612_usd);  // 120 x (0.005 + 0.0001)
  const Position* p = book_.find(0, spy);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->multiplier, 1u);
  EXPECT_EQ(p->quantity, 120);
  // SPY moves to 501.00 x 501.02: marked at 501.01, up 120 x 1.00.
  market_.quotes[spy] = Nbbo{501_usd, 501.02_usd, 1000, 1000, 0};
  book_.mark(market_);
  EXPECT_EQ(p->unrealized(), 120_usd);
  // Sold at the 501.00 bid: realized 120 x (501.00 - 500.01) = 118.80, fees 2 x 0.612.
  const auto sell = send(Side::kSell, -(500.95_usd), 100 * kMs);
  poll(150 * kMs);
  EXPECT_EQ(om_.find(sell)->state, OrderState::kFilled);
  EXPECT_EQ(p->quantity, 0);
  EXPECT_EQ(p->realized, 118.80_usd);
  EXPECT_EQ(p->fees, 1.224_usd);
  EXPECT_EQ(book_.totals().net(), 117.576_usd);
}

// A sale the engine marked short (Reg SHO, OrderCommand::short_sale) is for the venue's books; the
// paper broker fills it exactly as the same sale unmarked, and it books a short position.
TEST_F(PaperBrokerTest, shouldFillAShortSaleExactlyAsAPlainSell) {
  const InstrumentId spy = registry_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
  market_.quotes[spy] = Nbbo{499.99_usd, 500.01_usd, 1000, 1000, 0};
  const std::array<OrderLeg, 1> legs{OrderLeg{spy, Side::kSell, kLegShares, 1}};
  OrderCommand cmd;
  ASSERT_EQ(om_.create(NewOrder{0, 150, -(499.90_usd), legs}, 0, cmd), RequestStatus::kOk);
  std::vector<ExecutionReport> got[2];
  for (int marked = 0; marked < 2; ++marked) {
    PaperBroker broker(broker_config());
    OrderCommand c = cmd;
    c.short_sale = static_cast<std::uint8_t>(marked);
    broker.submit(c, 0);
    broker.poll(market_, 50 * kMs, [&](const ExecutionReport& r) { got[marked].push_back(r); });
  }
  ASSERT_EQ(got[0].size(), 2u);  // ack, fill
  ASSERT_EQ(got[1].size(), got[0].size());
  for (std::size_t i = 0; i < got[0].size(); ++i) {
    EXPECT_EQ(std::memcmp(&got[0][i], &got[1][i], sizeof(ExecutionReport)), 0) << "report " << i;
  }
  for (const ExecutionReport& r : got[1]) {
    const ApplyResult a = om_.apply(r, 50 * kMs);
    if (a.fill.qty == 0) continue;
    const OrderLeg& leg = a.order->legs[a.fill.leg];
    ASSERT_EQ(book_.book_fill(0, leg.instrument, leg.side, a.fill.qty, a.fill.price, r.commission), BookStatus::kOk);
  }
  const Position* p = book_.find(0, spy);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->quantity, -150);  // sold at the 499.99 bid, short 150 shares
  EXPECT_EQ(p->open_cost, -(499.99_usd * 150));
}

TEST_F(PaperBrokerTest, shouldWorkUntilQuotesMakeTheLimitMarketable) {
  const auto id = send_spread(1, 0.80_usd, 0);
  step(50 * kMs);
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(om_.find(id)->state, OrderState::kNew);
  market_.quotes[call500_] = Nbbo{0.95_usd, 1.00_usd, 10, 10, 0};
  step(60 * kMs);
  EXPECT_EQ(om_.find(id)->state, OrderState::kFilled);
  EXPECT_EQ(om_.find(id)->leg_notional[0], 1.00_usd);
}

// A working order meets a bad tick -- a bid of 99,999 on the 0.20 x 0.25 call it sells -- and is
// not filled there: the fill band holds each leg to its prevailing market. The next sane quote
// fills it at the touch. Without the band it fills at 99,999.
TEST_F(PaperBrokerTest, shouldNotFillAWorkingOrderOnAQuoteFarOutsideTheBand) {
  for (const bool band : {true, false}) {
    PaperBrokerConfig cfg = broker_config();
    cfg.fill_band = band;
    PaperBroker broker(cfg);
    market_.quotes[call503_] = Nbbo{0.20_usd, 0.25_usd, 10, 10, 0};
    const std::array<OrderLeg, 2> legs{OrderLeg{call500_, Side::kBuy, 0, 1}, OrderLeg{call503_, Side::kSell, 0, 1}};
    OrderCommand cmd;
    ASSERT_EQ(om_.create(NewOrder{0, 1, 0.80_usd, legs}, 0, cmd), RequestStatus::kOk);
    broker.submit(cmd, 0);
    std::vector<ExecutionReport> reports;
    auto poll = [&](TimestampNs now) {
      broker.poll(market_, now, [&](const ExecutionReport& r) { reports.push_back(r); });
    };
    poll(50 * kMs);  // accepted; natural 0.85 is above the 0.80 limit: working
    ASSERT_EQ(reports.size(), 1u);
    market_.quotes[call503_] = Nbbo{99'999_usd, 100'000_usd, 10, 10, 1};
    poll(60 * kMs);
    if (!band) {
      ASSERT_EQ(reports.size(), 3u);
      EXPECT_EQ(reports[2].last_price, 99'999_usd);  // what the band is for
      continue;
    }
    EXPECT_EQ(reports.size(), 1u) << "filled on the bad tick";
    EXPECT_EQ(broker.stats().band_refusals, 1u);
    market_.quotes[call503_] = Nbbo{0.30_usd, 0.35_usd, 10, 10, 2};  // natural 0.75: marketable
    poll(70 * kMs);
    ASSERT_EQ(reports.size(), 3u);
    EXPECT_EQ(reports[1].last_price, 1.10_usd);  // resting: the net is its 0.80 limit, not 0.75
    EXPECT_EQ(reports[2].last_price, 0.30_usd);
    EXPECT_EQ(reports[2].kind, ExecKind::kFill);
  }
}

// A market that really moved is not refused for ever: once successive quote updates agree on a
// level outside the band, it becomes the prevailing market and the order fills there.
TEST_F(PaperBrokerTest, shouldAdoptALevelThatSuccessiveQuotesAgreeOn) {
  PaperBrokerConfig cfg = broker_config();
  cfg.band_reanchor_after = 3;
  PaperBroker broker(cfg);
  const std::array<OrderLeg, 2> legs{OrderLeg{call500_, Side::kBuy, 0, 1}, OrderLeg{call503_, Side::kSell, 0, 1}};
  OrderCommand cmd;
  ASSERT_EQ(om_.create(NewOrder{0, 1, 0.80_usd, legs}, 0, cmd), RequestStatus::kOk);
  broker.submit(cmd, 0);
  std::vector<ExecutionReport> reports;
  auto poll = [&](TimestampNs now) { broker.poll(market_, now, [&](const ExecutionReport& r) { reports.push_back(r); }); };
  poll(50 * kMs);
  // The 503 call goes from 0.20 x 0.25 to 4.00 x 4.10: beyond the band (mid 0.225 x 5 + $1).
  for (int update = 1; update <= 3; ++update) {
    market_.quotes[call503_] = Nbbo{4.00_usd, 4.10_usd, 10, 10, update};
    poll((50 + update) * kMs);
    poll((50 + update) * kMs);  // the same quote again counts once
    if (update < 3) {
      EXPECT_EQ(reports.size(), 1u) << "update " << update;
    }
  }
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[2].last_price, 4.00_usd);
  EXPECT_EQ(reports[1].last_price - reports[2].last_price, 0.80_usd);  // resting: at its limit
}

TEST_F(PaperBrokerTest, shouldFillPartiallyWhenDisplayedSizeIsShort) {
  market_.quotes[call503_] = Nbbo{0.20_usd, 0.25_usd, 3, 10, 0};
  const auto id = send_spread(5, 1_usd, 0);
  step(50 * kMs);
  EXPECT_EQ(om_.find(id)->state, OrderState::kPartiallyFilled);
  EXPECT_EQ(om_.find(id)->filled_units(), 3u);
  step(51 * kMs);  // the same size is there again: the book is a snapshot, refreshed each poll
  EXPECT_EQ(om_.find(id)->state, OrderState::kFilled);
  EXPECT_EQ(om_.find(id)->filled_units(), 5u);
  EXPECT_EQ(book_.find(0, call503_)->quantity, -5);
}

TEST_F(PaperBrokerTest, shouldCancelWorkingOrderAndRefuseCancelOfFilledOne) {
  const auto id = send_spread(1, 0.10_usd, 0);
  step(50 * kMs);
  OrderCommand cancel;
  ASSERT_EQ(om_.request_cancel(id, 60 * kMs, cancel), RequestStatus::kOk);
  broker_.submit(cancel, 60 * kMs);
  step(110 * kMs);
  EXPECT_EQ(om_.find(id)->state, OrderState::kCancelled);
  EXPECT_EQ(broker_.working(), 0u);

  const auto filled = send_spread(1, 1_usd, 200 * kMs);
  step(250 * kMs);
  ASSERT_EQ(om_.find(filled)->state, OrderState::kFilled);
  // Cancel sent as if raced with the fill: the broker answers too-late-to-cancel.
  OrderCommand late = cancel;
  late.id = ClientOrderId::make(kDay, 99);
  late.orig_id = filled;
  broker_.submit(late, 260 * kMs);
  reports_.clear();
  step(310 * kMs);
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].kind, ExecKind::kCancelRejected);
  EXPECT_EQ(reports_[0].reason, PaperBroker::kRejectTooLateToCancel);
}

TEST_F(PaperBrokerTest, shouldReplaceLimitAndThenFill) {
  const auto id = send_spread(1, 0.50_usd, 0);
  step(50 * kMs);
  OrderCommand rep;
  ASSERT_EQ(om_.request_replace(id, 0.85_usd, 1, 60 * kMs, rep), RequestStatus::kOk);
  broker_.submit(rep, 60 * kMs);
  step(110 * kMs);
  EXPECT_EQ(om_.find(id)->state, OrderState::kFilled);
  EXPECT_EQ(om_.find(id)->working_id, rep.id);
}

// A venue's book: an order marketable when it arrives (new or replace) takes the touch; one that
// rests fills at its own limit when the market comes through it -- a 0.80 credit limit is not
// filled at the 0.85 credit the market moved to. Debits and credits, new orders and replaces.
struct RestingCase {
  const char* name;
  bool credit;      // sell the 500 call, buy the 503 call (else the debit spread of send_spread)
  bool replace;     // reach `limit` by replacing a far-off order instead of sending it new
  Price limit;      // net per unit
  bool moves;       // the 500 call's quote moves 0.10 in the order's favour after it arrives
  Price net;        // expected net fill per unit
};
class PaperBrokerRestingTest : public PaperBrokerTest, public ::testing::WithParamInterface<RestingCase> {};

TEST_P(PaperBrokerRestingTest, shouldFillRestingAtTheLimitAndArrivingAtTheTouch) {
  const RestingCase& c = GetParam();
  // Debit: buy 500C 1.05 ask, sell 503C 0.20 bid = 0.85. Credit: sell 500C 1.00 bid, buy 503C
  // 0.25 ask = 0.75 credit (-0.75).
  const Side near = c.credit ? Side::kSell : Side::kBuy;
  const std::array<OrderLeg, 2> legs{OrderLeg{call500_, near, 0, 1}, OrderLeg{call503_, opposite(near), 0, 1}};
  OrderCommand cmd;
  const Price first = c.replace ? (c.credit ? -(2_usd) : 0.05_usd) : c.limit;  // the far-off order rests
  ASSERT_EQ(om_.create(NewOrder{0, 1, first, legs}, 0, cmd), RequestStatus::kOk);
  broker_.submit(cmd, 0);
  step(50 * kMs);
  if (c.replace) {
    ASSERT_EQ(om_.find(cmd.id)->state, OrderState::kNew);
    OrderCommand rep;
    ASSERT_EQ(om_.request_replace(cmd.id, c.limit, 1, 60 * kMs, rep), RequestStatus::kOk);
    broker_.submit(rep, 60 * kMs);
    step(110 * kMs);
  }
  if (c.moves) {
    ASSERT_EQ(om_.find(cmd.id)->state, OrderState::kNew) << "not resting";
    // The buyer's offer falls, the seller's bid rises: 0.10 through the limit either way.
    market_.quotes[call500_] = c.credit ? Nbbo{1.10_usd, 1.15_usd, 10, 10, 1} : Nbbo{0.90_usd, 0.95_usd, 10, 10, 1};
    step(200 * kMs);
  }
  const Order* o = om_.find(cmd.id);
  ASSERT_EQ(o->state, OrderState::kFilled);
  const Price net = (near == Side::kBuy ? o->leg_notional[0] - o->leg_notional[1] : o->leg_notional[1] - o->leg_notional[0]);
  EXPECT_EQ(net, c.net);
  // The legs stay on their own side of zero and the book agrees with the net.
  EXPECT_GT(o->leg_notional[0], Price::zero());
  EXPECT_GT(o->leg_notional[1], Price::zero());
}

INSTANTIATE_TEST_SUITE_P(
    PaperBroker, PaperBrokerRestingTest,
    ::testing::Values(RestingCase{"debitArrivingTakesTheTouch", false, false, 0.90_usd, false, 0.85_usd},
                      RestingCase{"debitRestingFillsAtItsLimit", false, false, 0.80_usd, true, 0.80_usd},
                      RestingCase{"creditArrivingTakesTheTouch", true, false, -(0.70_usd), false, -(0.75_usd)},
                      RestingCase{"creditRestingFillsAtItsLimit", true, false, -(0.80_usd), true, -(0.80_usd)},
                      RestingCase{"debitReplaceArrivingTakesTheTouch", false, true, 0.90_usd, false, 0.85_usd},
                      RestingCase{"debitReplaceRestingFillsAtItsLimit", false, true, 0.80_usd, true, 0.80_usd},
                      RestingCase{"creditReplaceArrivingTakesTheTouch", true, true, -(0.70_usd), false, -(0.75_usd)},
                      RestingCase{"creditReplaceRestingFillsAtItsLimit", true, true, -(0.80_usd), true, -(0.80_usd)}),
    [](const ::testing::TestParamInfo<RestingCase>& i) { return std::string(i.param.name); });

TEST_F(PaperBrokerTest, shouldRejectMalformedOrders) {
  OrderCommand bad;
  std::memset(static_cast<void*>(&bad), 0, sizeof bad);
  bad.kind = CommandKind::kNew;
  bad.id = ClientOrderId::make(kDay, 50);
  bad.quantity = 1;
  bad.limit = 1_usd;
  broker_.submit(bad, 0);  // no legs
  step(50 * kMs);
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].kind, ExecKind::kRejected);
  EXPECT_EQ(reports_[0].reason, PaperBroker::kRejectBadOrder);
  EXPECT_EQ(statuses_[0], ApplyStatus::kUnknownOrder);  // the core never issued that id

  OrderCommand cancel = bad;
  cancel.kind = CommandKind::kCancel;
  cancel.id = ClientOrderId::make(kDay, 51);
  cancel.orig_id = ClientOrderId::make(kDay, 777);
  broker_.submit(cancel, 60 * kMs);
  step(110 * kMs);
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[1].kind, ExecKind::kCancelRejected);
  EXPECT_EQ(reports_[1].reason, PaperBroker::kRejectUnknownOrder);
}

TEST_F(PaperBrokerTest, shouldAnswerEveryCommandEvenWhenTheQueueIsFull) {
  std::vector<ClientOrderId> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(send_spread(1, 0.10_usd, 0));
  EXPECT_EQ(broker_.stats().dropped_commands, 2u);
  step(1);  // the refused two are answered at once
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[0].kind, ExecKind::kRejected);
  EXPECT_EQ(reports_[0].reason, PaperBroker::kRejectQueueFull);
  EXPECT_EQ(om_.find(ids[4])->state, OrderState::kRejected);
  EXPECT_EQ(om_.find(ids[5])->state, OrderState::kRejected);
  step(50 * kMs);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(om_.find(ids[static_cast<std::size_t>(i)])->state, OrderState::kNew);
}

// The status contract (core/engine/orders.hpp): one kStatus per leg of every order the venue knows,
// working or finished, each with orig_id = the request, then one kStatusEnd with the count.
TEST_F(PaperBrokerTest, shouldAnswerStatusPerLegForWorkingAndFinishedOrdersThenEnd) {
  const ClientOrderId resting = send_spread(2, 0.10_usd, 0);   // below the natural 0.85: works
  const ClientOrderId filled = send_spread(3, 0.90_usd, 0);    // marketable: fills at 1.05 / 0.20
  step(50 * kMs);
  step(51 * kMs);
  ASSERT_EQ(om_.find(filled)->state, OrderState::kFilled);
  OrderCommand status;
  std::memset(static_cast<void*>(&status), 0, sizeof status);
  status.kind = CommandKind::kStatusRequest;
  status.id = om_.reserve_request_id();
  broker_.submit(status, 60 * kMs);
  reports_.clear();
  step(110 * kMs);
  ASSERT_EQ(reports_.size(), 5u);
  // The finished order first, then the working one; every report names the request.
  for (const ExecutionReport& r : reports_) EXPECT_EQ(r.orig_id, status.id);
  EXPECT_EQ(reports_[0].kind, ExecKind::kStatus);
  EXPECT_EQ(reports_[0].id, filled);
  EXPECT_EQ(reports_[0].leg, 0);
  EXPECT_EQ(reports_[0].cum_qty, 3u);
  EXPECT_EQ(reports_[0].last_price, 1.05_usd);
  EXPECT_EQ(reports_[0].leaves_qty, 0u);
  EXPECT_EQ(reports_[0].commission, (0.65_usd + Price::from_ticks(250)) * 3);
  EXPECT_EQ(reports_[1].id, filled);
  EXPECT_EQ(reports_[1].leg, 1);
  EXPECT_EQ(reports_[1].last_price, 0.20_usd);
  EXPECT_EQ(reports_[2].id, resting);
  EXPECT_EQ(reports_[2].cum_qty, 0u);
  EXPECT_EQ(reports_[2].leaves_qty, 2u);
  EXPECT_EQ(reports_[3].id, resting);
  EXPECT_EQ(reports_[3].leg, 1);
  EXPECT_EQ(reports_[4].kind, ExecKind::kStatusEnd);
  EXPECT_EQ(reports_[4].last_qty, 4u);
  EXPECT_FALSE(reports_[4].id.valid());
  EXPECT_EQ(om_.find(resting)->state, OrderState::kNew) << "a status answer moves no order";
}

TEST_F(PaperBrokerTest, shouldAnswerStatusWithTheEndAloneWhenItKnowsNoOrders) {
  OrderCommand status;
  std::memset(static_cast<void*>(&status), 0, sizeof status);
  status.kind = CommandKind::kStatusRequest;
  status.id = om_.reserve_request_id();
  broker_.submit(status, 0);
  step(50 * kMs);
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].kind, ExecKind::kStatusEnd);
  EXPECT_EQ(reports_[0].orig_id, status.id);
  EXPECT_EQ(reports_[0].last_qty, 0u);
}

TEST_F(PaperBrokerTest, shouldCancelEveryWorkingOrderOnMassCancel) {
  const ClientOrderId a = send_spread(1, 0.10_usd, 0);
  const ClientOrderId b = send_spread(2, 0.20_usd, 0);
  step(50 * kMs);
  ASSERT_EQ(broker_.working(), 2u);
  OrderCommand all;
  std::memset(static_cast<void*>(&all), 0, sizeof all);
  all.kind = CommandKind::kCancelAll;
  broker_.submit(all, 50 * kMs);
  reports_.clear();
  step(100 * kMs);
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[0].kind, ExecKind::kCancelled);
  EXPECT_EQ(reports_[0].id, a);
  EXPECT_EQ(reports_[1].id, b);
  EXPECT_EQ(broker_.working(), 0u);
  EXPECT_EQ(om_.live_count(), 0u);
}

TEST_F(PaperBrokerTest, shouldProduceByteIdenticalReportsForIdenticalInputs) {
  auto run = [this]() {
    PaperBroker b(broker_config());
    OrderManager om(om_config());
    std::vector<unsigned char> bytes;
    const std::array<OrderLeg, 2> legs{OrderLeg{call500_, Side::kBuy, 0, 1}, OrderLeg{call503_, Side::kSell, 0, 1}};
    Market m = market_;
    for (int i = 0; i < 20; ++i) {
      OrderCommand cmd;
      EXPECT_EQ(om.create(NewOrder{0, static_cast<std::uint32_t>(1 + i % 3), Price::from_cents(70 + i * 2), legs}, i * kMs, cmd),
                RequestStatus::kOk);
      b.submit(cmd, i * kMs);
      m.quotes[call500_].ask = Price::from_cents(100 + (i * 7) % 11);
      b.poll(m, (i + 40) * kMs, [&](const ExecutionReport& r) {
        const auto* p = reinterpret_cast<const unsigned char*>(&r);
        bytes.insert(bytes.end(), p, p + sizeof r);
      });
    }
    return bytes;
  };
  const auto a = run();
  const auto b = run();
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace odte::brokers

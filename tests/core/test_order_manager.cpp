#include "odte/core/engine/order_manager.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <vector>

namespace odte {
namespace {

using namespace price_literals;

constexpr std::int32_t kDay = 20260821;

ExecutionReport report(ExecKind kind, ClientOrderId id, std::uint8_t leg = kComboLeg,
                       std::uint32_t last_qty = 0, Price price = Price::zero(), std::uint32_t cum = 0) {
  ExecutionReport r;
  std::memset(static_cast<void*>(&r), 0, sizeof r);
  r.kind = kind;
  r.id = id;
  r.leg = leg;
  r.last_qty = last_qty;
  r.last_price = price;
  r.cum_qty = cum;
  return r;
}

class OrderManagerTest : public ::testing::Test {
 protected:
  OrderManagerTest() : om_{config()} {}
  static OrderManagerConfig config() {
    OrderManagerConfig c;
    c.trading_day = kDay;
    c.max_orders = 8;
    c.max_requests = 32;
    c.ack_timeout_ns = 1000;
    c.cancel_timeout_ns = 500;
    return c;
  }
  // An iron butterfly: sell ATM call and put, buy wings.
  ClientOrderId new_butterfly(std::uint32_t qty = 2, Price limit = Price::from_cents(-120)) {  // Clang 14: no consteval in default args
    const std::array<OrderLeg, 4> legs{OrderLeg{10, Side::kSell, 0, 1}, OrderLeg{11, Side::kSell, 0, 1},
                                       OrderLeg{12, Side::kBuy, 0, 1}, OrderLeg{13, Side::kBuy, 0, 1}};
    OrderCommand cmd;
    EXPECT_EQ(om_.create(NewOrder{3, qty, limit, legs}, 100, cmd), RequestStatus::kOk);
    return cmd.id;
  }
  OrderManager om_;
};

TEST_F(OrderManagerTest, shouldIssueDeterministicSequentialIdsAndNewCommand) {
  const std::array<OrderLeg, 2> legs{OrderLeg{1, Side::kBuy, 0, 1}, OrderLeg{2, Side::kSell, 0, 1}};
  OrderCommand cmd;
  ASSERT_EQ(om_.create(NewOrder{7, 5, 0.85_usd, legs}, 42, cmd), RequestStatus::kOk);
  EXPECT_EQ(cmd.kind, CommandKind::kNew);
  EXPECT_EQ(cmd.id, ClientOrderId::make(kDay, 1));
  EXPECT_EQ(cmd.id.to_string(), "OD20260821-000001");
  EXPECT_EQ(cmd.quantity, 5u);
  EXPECT_EQ(cmd.limit, 0.85_usd);
  EXPECT_EQ(cmd.leg_count, 2);
  EXPECT_EQ(cmd.legs[1].side, Side::kSell);
  EXPECT_EQ(cmd.strategy, 7);
  const Order* o = om_.find(cmd.id);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->state, OrderState::kPendingNew);
  ASSERT_EQ(om_.create(NewOrder{7, 5, 0.85_usd, legs}, 43, cmd), RequestStatus::kOk);
  EXPECT_EQ(cmd.id, ClientOrderId::make(kDay, 2));
}

TEST(ClientOrderIdTest, shouldRoundTripTextAndRejectOtherForms) {
  const auto id = ClientOrderId::make(kDay, 1234567);
  EXPECT_EQ(id.to_string(), "OD20260821-1234567");
  EXPECT_EQ(ClientOrderId::parse(id.to_string()), id);
  EXPECT_EQ(ClientOrderId::parse("OD20260821-000042"), ClientOrderId::make(kDay, 42));
  for (const char* bad : {"", "OD20260821", "OX20260821-000001", "OD2026082a-000001", "OD20260821-00000x",
                          "OD20260821-000000", "OD20260821_000001", "OD20260821-99999999999"}) {
    EXPECT_FALSE(ClientOrderId::parse(bad).has_value()) << bad;
  }
}

struct BadRequest {
  const char* name;
  std::vector<OrderLeg> legs;
  std::uint32_t qty;
  Price limit;
  RequestStatus expect;
};
class OrderManagerRejectTest : public ::testing::TestWithParam<BadRequest> {};

TEST_P(OrderManagerRejectTest, shouldRefuseMalformedRequestWithoutConsumingAnId) {
  OrderManagerConfig c;
  c.trading_day = kDay;
  OrderManager om(c);
  const auto& p = GetParam();
  OrderCommand cmd;
  EXPECT_EQ(om.create(NewOrder{0, p.qty, p.limit, p.legs}, 1, cmd), p.expect) << p.name;
  EXPECT_EQ(om.next_seq(), 1u);
  EXPECT_TRUE(om.orders().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, OrderManagerRejectTest,
    ::testing::Values(
        BadRequest{"no legs", {}, 1, 1_usd, RequestStatus::kBadLegs},
        BadRequest{"five legs", std::vector<OrderLeg>(5, OrderLeg{1, Side::kBuy, 0, 1}), 1, 1_usd, RequestStatus::kBadLegs},
        BadRequest{"zero ratio", {OrderLeg{1, Side::kBuy, 0, 0}}, 1, 1_usd, RequestStatus::kBadLegs},
        BadRequest{"no instrument", {OrderLeg{kNoInstrument, Side::kBuy, 0, 1}}, 1, 1_usd, RequestStatus::kBadLegs},
        BadRequest{"zero qty", {OrderLeg{1, Side::kBuy, 0, 1}}, 0, 1_usd, RequestStatus::kBadQuantity},
        BadRequest{"invalid price", {OrderLeg{1, Side::kBuy, 0, 1}}, 1, Price::invalid(), RequestStatus::kBadPrice}),
    [](const auto& param_info) {
      std::string n = param_info.param.name;
      for (auto& ch : n) if (ch == ' ') ch = '_';
      return n;
    });

TEST_F(OrderManagerTest, shouldWalkFullLifecycleWithComboFills) {
  const auto id = new_butterfly(2);
  auto r = om_.apply(report(ExecKind::kAccepted, id), 110);
  EXPECT_EQ(r.status, ApplyStatus::kApplied);
  EXPECT_EQ(r.after, OrderState::kNew);
  r = om_.apply(report(ExecKind::kPartialFill, id, kComboLeg, 1, -(1.25_usd), 1), 120);
  EXPECT_EQ(r.status, ApplyStatus::kApplied);
  EXPECT_EQ(r.after, OrderState::kPartiallyFilled);
  EXPECT_EQ(r.fill.qty, 1u);
  r = om_.apply(report(ExecKind::kFill, id, kComboLeg, 1, -(1.20_usd), 2), 130);
  EXPECT_EQ(r.after, OrderState::kFilled);
  const Order* o = om_.find(id);
  EXPECT_EQ(o->filled_units(), 2u);
  EXPECT_EQ(o->combo_notional, -(2.45_usd));
  EXPECT_FALSE(o->legged);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(o->leg_filled[i], 2u);
  EXPECT_EQ(om_.live_count(), 0u);
}

TEST_F(OrderManagerTest, shouldIgnoreResentFillsByCumulativeQuantity) {
  const auto id = new_butterfly(3);
  (void)om_.apply(report(ExecKind::kAccepted, id), 110);
  EXPECT_EQ(om_.apply(report(ExecKind::kPartialFill, id, kComboLeg, 1, -(1_usd), 1), 120).status, ApplyStatus::kApplied);
  EXPECT_EQ(om_.apply(report(ExecKind::kPartialFill, id, kComboLeg, 1, -(1_usd), 1), 121).status, ApplyStatus::kDuplicate);
  EXPECT_EQ(om_.find(id)->filled_units(), 1u);
}

TEST_F(OrderManagerTest, shouldRecoverAMissedFillFromCumulativeQuantity) {
  const auto id = new_butterfly(3);
  (void)om_.apply(report(ExecKind::kAccepted, id), 110);
  // The report for cum=1 was lost; cum=3 carries both fills.
  const auto r = om_.apply(report(ExecKind::kFill, id, kComboLeg, 2, -(1_usd), 3), 120);
  EXPECT_EQ(r.fill.qty, 3u);
  EXPECT_EQ(r.after, OrderState::kFilled);
}

TEST_F(OrderManagerTest, shouldBookLegFillsAndDetectLeggedCancel) {
  const auto id = new_butterfly(2);
  (void)om_.apply(report(ExecKind::kAccepted, id), 110);
  (void)om_.apply(report(ExecKind::kPartialFill, id, 0, 2, 2.10_usd, 2), 120);  // short call x2
  (void)om_.apply(report(ExecKind::kPartialFill, id, 2, 1, 0.40_usd, 1), 121);  // long call x1
  EXPECT_EQ(om_.find(id)->state, OrderState::kPartiallyFilled);
  OrderCommand cancel;
  ASSERT_EQ(om_.request_cancel(id, 130, cancel), RequestStatus::kOk);
  EXPECT_EQ(cancel.kind, CommandKind::kCancel);
  EXPECT_EQ(cancel.orig_id, id);
  const auto r = om_.apply(report(ExecKind::kCancelled, cancel.id), 140);
  EXPECT_EQ(r.after, OrderState::kCancelled);
  EXPECT_TRUE(r.became_legged);
  const Order* o = om_.find(id);
  EXPECT_TRUE(o->legged);
  EXPECT_EQ(o->filled_units(), 0u);
  EXPECT_EQ(o->max_leg_units(), 2u);

  OrderLeg repair[kMaxLegs];
  const int n_complete = legging_repair(*o, LeggingPolicy::kComplete, repair);
  ASSERT_EQ(n_complete, 3);  // put 2, long call 1 more, long put 2
  EXPECT_EQ(repair[0].instrument, 11u);
  EXPECT_EQ(repair[0].side, Side::kSell);
  EXPECT_EQ(repair[0].ratio, 2);
  EXPECT_EQ(repair[1].instrument, 12u);
  EXPECT_EQ(repair[1].ratio, 1);
  EXPECT_EQ(repair[2].instrument, 13u);
  const int n_flatten = legging_repair(*o, LeggingPolicy::kFlatten, repair);
  ASSERT_EQ(n_flatten, 2);  // buy back 2 short calls, sell 1 long call
  EXPECT_EQ(repair[0].instrument, 10u);
  EXPECT_EQ(repair[0].side, Side::kBuy);
  EXPECT_EQ(repair[0].ratio, 2);
  EXPECT_EQ(repair[1].instrument, 12u);
  EXPECT_EQ(repair[1].side, Side::kSell);
}

TEST_F(OrderManagerTest, shouldReturnToWorkingStateWhenCancelIsRefused) {
  const auto id = new_butterfly();
  (void)om_.apply(report(ExecKind::kAccepted, id), 110);
  OrderCommand cancel;
  ASSERT_EQ(om_.request_cancel(id, 120, cancel), RequestStatus::kOk);
  EXPECT_EQ(om_.request_cancel(id, 121, cancel), RequestStatus::kNotWorking);
  const auto r = om_.apply(report(ExecKind::kCancelRejected, ClientOrderId::make(kDay, 2)), 130);
  EXPECT_EQ(r.status, ApplyStatus::kApplied);
  EXPECT_EQ(r.after, OrderState::kNew);
}

TEST_F(OrderManagerTest, shouldFinishFilledWhenFillBeatsCancel) {
  const auto id = new_butterfly(1);
  (void)om_.apply(report(ExecKind::kAccepted, id), 110);
  OrderCommand cancel;
  ASSERT_EQ(om_.request_cancel(id, 120, cancel), RequestStatus::kOk);
  const auto r = om_.apply(report(ExecKind::kFill, id, kComboLeg, 1, -(1.2_usd), 1), 125);
  EXPECT_EQ(r.after, OrderState::kFilled);
  // The venue's late answer to the cancel changes nothing.
  EXPECT_EQ(om_.apply(report(ExecKind::kCancelRejected, cancel.id), 130).status, ApplyStatus::kInvalidTransition);
  EXPECT_EQ(om_.find(id)->state, OrderState::kFilled);
}

TEST_F(OrderManagerTest, shouldReplaceLimitAndQuantityUnderNewId) {
  const auto id = new_butterfly(2, -(1.20_usd));
  (void)om_.apply(report(ExecKind::kAccepted, id), 110);
  OrderCommand rep;
  ASSERT_EQ(om_.request_replace(id, -(1.10_usd), 3, 120, rep), RequestStatus::kOk);
  EXPECT_EQ(rep.kind, CommandKind::kReplace);
  EXPECT_EQ(rep.orig_id, id);
  EXPECT_EQ(om_.find(id)->state, OrderState::kPendingReplace);
  const auto r = om_.apply(report(ExecKind::kReplaced, rep.id), 130);
  EXPECT_EQ(r.after, OrderState::kNew);
  const Order* o = om_.find(rep.id);
  ASSERT_EQ(o, om_.find(id));
  EXPECT_EQ(o->working_id, rep.id);
  EXPECT_EQ(o->limit, -(1.10_usd));
  EXPECT_EQ(o->quantity, 3u);
  // Fills reported under the new id land on the same order.
  EXPECT_EQ(om_.apply(report(ExecKind::kFill, rep.id, kComboLeg, 3, -(1.1_usd), 3), 140).after, OrderState::kFilled);
}

TEST_F(OrderManagerTest, shouldRefuseReplaceBelowFilledQuantity) {
  const auto id = new_butterfly(3);
  (void)om_.apply(report(ExecKind::kAccepted, id), 110);
  (void)om_.apply(report(ExecKind::kPartialFill, id, kComboLeg, 2, -(1_usd), 2), 120);
  OrderCommand rep;
  EXPECT_EQ(om_.request_replace(id, -(1_usd), 1, 130, rep), RequestStatus::kBadQuantity);
  EXPECT_EQ(om_.request_replace(id, Price::invalid(), 3, 130, rep), RequestStatus::kBadPrice);
  EXPECT_EQ(om_.request_replace(ClientOrderId::make(kDay, 99), -(1_usd), 3, 130, rep), RequestStatus::kUnknownOrder);
}

TEST_F(OrderManagerTest, shouldRejectPendingOrderAndKeepReason) {
  const auto id = new_butterfly();
  auto rej = report(ExecKind::kRejected, id);
  rej.reason = 17;
  const auto r = om_.apply(rej, 110);
  EXPECT_EQ(r.after, OrderState::kRejected);
  EXPECT_EQ(om_.find(id)->reject_reason, 17);
  EXPECT_EQ(om_.apply(rej, 111).status, ApplyStatus::kDuplicate);
}

TEST_F(OrderManagerTest, shouldExpireWorkingOrders) {
  const auto id = new_butterfly();
  (void)om_.apply(report(ExecKind::kAccepted, id), 110);
  EXPECT_EQ(om_.apply(report(ExecKind::kExpired, id), 200).after, OrderState::kExpired);
  EXPECT_EQ(om_.apply(report(ExecKind::kExpired, id), 201).status, ApplyStatus::kDuplicate);
}

TEST_F(OrderManagerTest, shouldBookLateFillOnCancelledOrderAndFlagIt) {
  const auto id = new_butterfly(2);
  (void)om_.apply(report(ExecKind::kAccepted, id), 110);
  (void)om_.apply(report(ExecKind::kCancelled, id), 120);
  const auto r = om_.apply(report(ExecKind::kPartialFill, id, kComboLeg, 1, -(1_usd), 1), 130);
  EXPECT_EQ(r.status, ApplyStatus::kLateFill);
  EXPECT_EQ(r.fill.qty, 1u);
  EXPECT_EQ(om_.find(id)->filled_units(), 1u);
  EXPECT_EQ(om_.find(id)->state, OrderState::kCancelled);
}

TEST_F(OrderManagerTest, shouldBookOverfillAndFlagIt) {
  const auto id = new_butterfly(1);
  (void)om_.apply(report(ExecKind::kAccepted, id), 110);
  const auto r = om_.apply(report(ExecKind::kFill, id, kComboLeg, 2, -(1_usd), 2), 120);
  EXPECT_EQ(r.status, ApplyStatus::kOverfill);
  EXPECT_EQ(om_.find(id)->filled_units(), 2u);
}

TEST_F(OrderManagerTest, shouldTreatMixedLegAndComboReportsAsShadows) {
  const auto id = new_butterfly(1);
  (void)om_.apply(report(ExecKind::kAccepted, id), 110);
  EXPECT_EQ(om_.apply(report(ExecKind::kFill, id, kComboLeg, 1, -(1_usd), 1), 120).status, ApplyStatus::kApplied);
  EXPECT_EQ(om_.apply(report(ExecKind::kPartialFill, id, 0, 1, 2_usd, 1), 121).status, ApplyStatus::kShadowReport);
}

TEST_F(OrderManagerTest, shouldReportUnknownIdsAndBadLegIndexWithoutCrashing) {
  EXPECT_EQ(om_.apply(report(ExecKind::kFill, ClientOrderId::make(kDay, 55), kComboLeg, 1, 1_usd, 1), 1).status,
            ApplyStatus::kUnknownOrder);
  EXPECT_EQ(om_.apply(report(ExecKind::kFill, ClientOrderId::make(20260820, 1), kComboLeg, 1, 1_usd, 1), 1).status,
            ApplyStatus::kUnknownOrder);
  EXPECT_EQ(om_.apply(report(ExecKind::kFill, ClientOrderId{}, kComboLeg, 1, 1_usd, 1), 1).status,
            ApplyStatus::kUnknownOrder);
  const auto id = new_butterfly();
  EXPECT_EQ(om_.apply(report(ExecKind::kFill, id, 7, 1, 1_usd, 1), 1).status, ApplyStatus::kInvalidTransition);
  EXPECT_EQ(om_.apply(report(ExecKind::kReplaced, id), 1).status, ApplyStatus::kInvalidTransition);
  EXPECT_EQ(om_.find(id)->state, OrderState::kPendingNew);
}

TEST_F(OrderManagerTest, shouldFireAckAndCancelTimeoutsOnce) {
  const auto a = new_butterfly();  // created at 100, ack deadline 1100
  const auto b = new_butterfly();
  (void)om_.apply(report(ExecKind::kAccepted, b), 110);
  OrderCommand cancel;
  ASSERT_EQ(om_.request_cancel(b, 200, cancel), RequestStatus::kOk);  // cancel deadline 700
  std::vector<ClientOrderId> fired;
  om_.check_timeouts(699, [&](Order& o) { fired.push_back(o.id); });
  EXPECT_TRUE(fired.empty());
  om_.check_timeouts(700, [&](Order& o) { fired.push_back(o.id); });
  EXPECT_EQ(fired, (std::vector<ClientOrderId>{b}));
  om_.check_timeouts(1100, [&](Order& o) { fired.push_back(o.id); });
  EXPECT_EQ(fired, (std::vector<ClientOrderId>{b, a}));
  om_.check_timeouts(5000, [&](Order& o) { fired.push_back(o.id); });
  EXPECT_EQ(fired.size(), 2u);
}

TEST_F(OrderManagerTest, shouldReportFullTablesInsteadOfOverwriting) {
  for (int i = 0; i < 8; ++i) (void)new_butterfly();
  const std::array<OrderLeg, 1> legs{OrderLeg{1, Side::kBuy, 0, 1}};
  OrderCommand cmd;
  EXPECT_EQ(om_.create(NewOrder{0, 1, 1_usd, legs}, 1, cmd), RequestStatus::kTableFull);
  EXPECT_EQ(om_.orders().size(), 8u);
}

// ---- restart recovery: commands re-created from the journal with their ids ------------------

// The journal of one process: a new order, a cancel, a second order (ids 1, 2, 3) and a status
// request (4); seq 5 was reserved in memory but its command never reached the journal.
TEST_F(OrderManagerTest, shouldRestoreJournaledCommandsWithTheirIdsAndContinueAfterTheLast) {
  const ClientOrderId a = new_butterfly(2);
  OrderCommand cancel;
  ASSERT_EQ(om_.request_cancel(a, 200, cancel), RequestStatus::kOk);
  const std::array<OrderLeg, 2> legs{OrderLeg{1, Side::kBuy, 0, 1}, OrderLeg{2, Side::kSell, 0, 1}};
  OrderCommand b_cmd;
  ASSERT_EQ(om_.create(NewOrder{4, 1, 0.50_usd, legs}, 300, b_cmd), RequestStatus::kOk);
  OrderCommand status;
  std::memset(static_cast<void*>(&status), 0, sizeof status);
  status.kind = CommandKind::kStatusRequest;
  status.id = om_.reserve_request_id();
  ASSERT_EQ(status.id, ClientOrderId::make(kDay, 4));
  EXPECT_EQ(om_.find(status.id), nullptr) << "a request id names no order";
  OrderCommand a_cmd = cancel;  // rebuild a's new command as the journal holds it
  a_cmd.kind = CommandKind::kNew;
  a_cmd.id = a;
  a_cmd.orig_id = ClientOrderId{};
  a_cmd.quantity = 2;
  a_cmd.limit = Price::from_cents(-120);
  a_cmd.strategy = 3;

  OrderManager restored{config()};
  Order* o = nullptr;
  ASSERT_EQ(restored.restore_command(a_cmd, 100, &o), RequestStatus::kOk);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->id, a);
  ASSERT_EQ(restored.restore_command(cancel, 200, &o), RequestStatus::kOk);
  EXPECT_EQ(o->state, OrderState::kPendingCancel);
  EXPECT_EQ(o->pending_id, cancel.id);
  ASSERT_EQ(restored.restore_command(b_cmd, 300, &o), RequestStatus::kOk);
  EXPECT_EQ(o->id, b_cmd.id);
  EXPECT_EQ(o->strategy, 4);
  ASSERT_EQ(restored.restore_command(status, 400), RequestStatus::kOk);
  EXPECT_EQ(restored.next_seq(), 5u);
  // New ids continue after everything the journal holds; old ones still find their orders.
  OrderCommand next;
  ASSERT_EQ(restored.create(NewOrder{4, 1, 0.50_usd, legs}, 500, next), RequestStatus::kOk);
  EXPECT_EQ(next.id, ClientOrderId::make(kDay, 5));
  EXPECT_EQ(restored.find(cancel.id)->id, a);
  // The cancel's answer applies to the restored order as it would have to the original.
  ExecutionReport done = report(ExecKind::kCancelled, cancel.id);
  done.orig_id = a;
  EXPECT_EQ(restored.apply(done, 600).status, ApplyStatus::kApplied);
  EXPECT_EQ(restored.find(a)->state, OrderState::kCancelled);
}

// A cancel the order could no longer take when the journal recorded it (a fill completed the
// order in the same batch) still leads its answer to the order.
TEST_F(OrderManagerTest, shouldMapARestoredCancelOfAFinishedOrderToIt) {
  const std::array<OrderLeg, 1> legs{OrderLeg{1, Side::kBuy, 0, 1}};
  OrderCommand n;
  ASSERT_EQ(om_.create(NewOrder{0, 1, 1.00_usd, legs}, 1, n), RequestStatus::kOk);
  OrderCommand c;
  ASSERT_EQ(om_.request_cancel(n.id, 2, c), RequestStatus::kOk);

  OrderManager restored{config()};
  ASSERT_EQ(restored.restore_command(n, 1), RequestStatus::kOk);
  ASSERT_EQ(restored.apply(report(ExecKind::kFill, n.id, 0, 1, 1.00_usd, 1), 2).status, ApplyStatus::kApplied);
  ASSERT_EQ(restored.find(n.id)->state, OrderState::kFilled);
  ASSERT_EQ(restored.restore_command(c, 3), RequestStatus::kOk);
  EXPECT_EQ(restored.find(n.id)->state, OrderState::kFilled);
  EXPECT_EQ(restored.find(c.id), restored.find(n.id));
  EXPECT_EQ(restored.next_seq(), 3u);
}

// A short sale (marked by the engine on the order and its new command) stays one: its cancel and
// replace requests restate the mark, and a journaled new command restores it.
TEST_F(OrderManagerTest, shouldCarryTheShortSaleMarkToTheOrdersRequestsAndThroughARestore) {
  const std::array<OrderLeg, 1> legs{OrderLeg{1, Side::kSell, kLegShares, 1}};
  OrderCommand n;
  Order* o = nullptr;
  ASSERT_EQ(om_.create(NewOrder{0, 100, -(500_usd), legs}, 1, n, &o), RequestStatus::kOk);
  EXPECT_EQ(n.short_sale, 0);  // the order manager does not judge; its creator marks
  EXPECT_EQ(o->short_sale, 0);
  n.short_sale = 1;
  o->short_sale = 1;
  ASSERT_EQ(om_.apply(report(ExecKind::kAccepted, n.id), 2).status, ApplyStatus::kApplied);
  OrderCommand rep;
  ASSERT_EQ(om_.request_replace(n.id, -(499_usd), 80, 3, rep), RequestStatus::kOk);
  EXPECT_EQ(rep.short_sale, 1);
  ASSERT_EQ(om_.apply(report(ExecKind::kReplaced, rep.id), 4).status, ApplyStatus::kApplied);
  OrderCommand cancel;
  ASSERT_EQ(om_.request_cancel(n.id, 5, cancel), RequestStatus::kOk);
  EXPECT_EQ(cancel.short_sale, 1);

  OrderManager restored{config()};
  Order* r = nullptr;
  ASSERT_EQ(restored.restore_command(n, 1, &r), RequestStatus::kOk);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->short_sale, 1);
  OrderCommand plain = n;
  plain.short_sale = 0;
  plain.id = ClientOrderId::make(kDay, 10);
  ASSERT_EQ(restored.restore_command(plain, 6, &r), RequestStatus::kOk);
  EXPECT_EQ(r->short_sale, 0);
}

TEST_F(OrderManagerTest, shouldRefuseRestoringCommandsOutOfOrderOrOfAnotherDay) {
  const std::array<OrderLeg, 1> legs{OrderLeg{1, Side::kBuy, 0, 1}};
  OrderCommand n1, n2;
  ASSERT_EQ(om_.create(NewOrder{0, 1, 1.00_usd, legs}, 1, n1), RequestStatus::kOk);
  ASSERT_EQ(om_.create(NewOrder{0, 1, 1.00_usd, legs}, 1, n2), RequestStatus::kOk);
  OrderManager restored{config()};
  ASSERT_EQ(restored.restore_command(n2, 1), RequestStatus::kOk);
  EXPECT_EQ(restored.restore_command(n1, 1), RequestStatus::kUnknownOrder) << "ids go forward only";
  OrderCommand other = n2;
  other.id = ClientOrderId::make(kDay - 1, 7);
  EXPECT_EQ(restored.restore_command(other, 1), RequestStatus::kUnknownOrder);
}

}  // namespace
}  // namespace odte

namespace odte {
namespace {

// With the registry (as the engine builds it), the order manager is the last check before a
// command exists: an off-grid new order or replace is refused, nothing is sent, the order keeps
// working at its old limit.
class OrderManagerGridTest : public ::testing::Test {
 protected:
  OrderManagerGridTest() : registry_(16), om_{config(), &registry_} {
    for (std::size_t i = 0; i < legs_.size(); ++i) {
      InstrumentInfo info;
      info.asset = AssetClass::kOption;
      std::snprintf(info.option.root, sizeof info.option.root, "SPXW");
      info.option.expiry_yyyymmdd = kDay;
      info.option.right = i == 0 ? OptionRight::kPut : OptionRight::kCall;
      info.option.strike = Price::from_dollars(5600);
      info.option.multiplier = 100;
      legs_[i] = OrderLeg{registry_.intern(i == 0 ? "O:SPXW260821P05600000" : "O:SPXW260821C05600000", info),
                          Side::kSell, 0, 1};
    }
  }
  static OrderManagerConfig config() {
    OrderManagerConfig c;
    c.trading_day = kDay;
    c.max_orders = 8;
    c.max_requests = 32;
    return c;
  }
  InstrumentRegistry registry_;
  OrderManager om_;
  std::array<OrderLeg, 2> legs_{};
};

TEST_F(OrderManagerGridTest, shouldRefuseAnOffGridReplaceAndKeepTheOrderWorking) {
  OrderCommand cmd;
  ASSERT_EQ(om_.create(NewOrder{0, 1, -(30.05_usd), legs_}, 1, cmd), RequestStatus::kOk);
  ASSERT_EQ(om_.apply(report(ExecKind::kAccepted, cmd.id), 2).status, ApplyStatus::kApplied);
  const std::uint32_t seq = om_.next_seq();
  OrderCommand rep;
  // A short straddle is a complex order: a nickel grid at any price.
  EXPECT_EQ(om_.request_replace(cmd.id, -(29.97_usd), 1, 3, rep), RequestStatus::kOffGrid);
  EXPECT_EQ(om_.next_seq(), seq);  // no id spent: nothing to send
  EXPECT_EQ(om_.find(cmd.id)->state, OrderState::kNew);
  EXPECT_EQ(om_.find(cmd.id)->limit, -(30.05_usd));
  ASSERT_EQ(om_.request_replace(cmd.id, -(29.95_usd), 1, 3, rep), RequestStatus::kOk);
  EXPECT_EQ(rep.kind, CommandKind::kReplace);
  EXPECT_EQ(rep.limit, -(29.95_usd));
}

TEST_F(OrderManagerGridTest, shouldRefuseAnOffGridNewOrderOnTheSingleLegDimeGrid) {
  OrderCommand cmd;
  const std::span<const OrderLeg> call(&legs_[1], 1);
  EXPECT_EQ(om_.create(NewOrder{0, 1, -(3.05_usd), call}, 1, cmd), RequestStatus::kOffGrid);
  EXPECT_TRUE(om_.orders().empty());
  EXPECT_EQ(om_.create(NewOrder{0, 1, -(3.10_usd), call}, 1, cmd), RequestStatus::kOk);
}

TEST_F(OrderManagerGridTest, shouldRestoreAJournaledCommandAsItWasSent) {
  // A journal written before the grid check may hold an off-grid price: restart recovery
  // re-creates what was sent, it does not re-judge it.
  OrderCommand old;
  std::memset(static_cast<void*>(&old), 0, sizeof old);
  old.kind = CommandKind::kNew;
  old.id = ClientOrderId::make(kDay, 1);
  old.quantity = 1;
  old.limit = -(30.03_usd);
  old.leg_count = 2;
  old.legs[0] = legs_[0];
  old.legs[1] = legs_[1];
  Order* o = nullptr;
  ASSERT_EQ(om_.restore_command(old, 1, &o), RequestStatus::kOk);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->limit, -(30.03_usd));
  // ...and the next live request is checked again.
  ASSERT_EQ(om_.apply(report(ExecKind::kAccepted, old.id), 2).status, ApplyStatus::kApplied);
  OrderCommand rep;
  EXPECT_EQ(om_.request_replace(old.id, -(30.02_usd), 1, 3, rep), RequestStatus::kOffGrid);
}

}  // namespace
}  // namespace odte

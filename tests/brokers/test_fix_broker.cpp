// FixBroker against the test acceptor on loopback, both in this process: order lifecycles,
// partial combo fills, rejects, cancel, replace, mass cancel, reconnect with resend, restart with
// reconciliation, and bad messages from the venue; the same for single stock orders (35=D, the
// short strangle's delta hedge), short sales (54=5 with the locate, decided by the engine), and
// the refusal of commands FIX cannot carry.

#include "odte/brokers/fix_broker.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <memory>

#include "odte/core/engine/engine.hpp"

#include "fix_harness.hpp"
#include "fix_test_acceptor.hpp"
#include "stock_orders.hpp"

namespace odte::testing {
namespace {

using brokers::FixBroker;
using brokers::FixSettings;
using test_support::StockOrders;

class FixBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    intern_options(registry_, ids_);
    spy_ = intern_stock(registry_, "SPY");
    port_ = pick_free_port();
  }

  void TearDown() override {
    broker_.reset();
    acceptor_.reset();
    if (std::getenv("ODTE_KEEP_TEST_DIRS") == nullptr) std::filesystem::remove_all(dir_);
  }

  FixSettings settings() const {
    FixSettings s;
    s.host = "127.0.0.1";
    s.port = port_;
    s.sender_comp_id = "ODTE";
    s.target_comp_id = "BROKER";
    s.store_dir = (dir_ / "initiator" / "store").string();
    s.log_dir = (dir_ / "initiator" / "log").string();
    s.heartbeat_s = 5;
    s.reconnect_s = 1;
    s.start_time = "00:00:00";
    s.end_time = "00:00:00";
    s.status_timeout_ms = 5000;
    s.replace_message = replace_message_;
    s.locate_broker = locate_broker_;
    return s;
  }

  void start_acceptor() {
    acceptor_ = std::make_unique<FixTestAcceptor>(AcceptorSettings{port_, (dir_ / "acceptor").string()});
    acceptor_->start();
  }

  void start_broker() {
    broker_ = std::make_unique<FixBroker>(settings(), registry_);
    broker_->start();
  }

  void pump() { broker_->poll(market_, 0, sink_); }

  bool wait(const std::function<bool()>& done) { return wait_for(done, [this] { pump(); }); }

  bool wait_up() {
    return wait([this] { return broker_->link() == BrokerLinkState::kUp; });
  }

  void start_both() {
    start_acceptor();
    start_broker();
    ASSERT_TRUE(wait_up()) << "no logon and reconciliation; last anomaly: " << broker_->last_anomaly();
  }

  bool submit(const OrderCommand& c) {
    return wait([&] { return broker_->submit(c, 0); });
  }

  ClientOrderId send_new(std::vector<OrderLeg> legs, std::uint32_t qty, Price limit) {
    OrderCommand c;
    EXPECT_EQ(om_.create(NewOrder{0, qty, limit, legs}, 0, c), RequestStatus::kOk);
    c.opening = 1;
    EXPECT_TRUE(submit(c));
    return c.id;
  }

  OrderState state(ClientOrderId id) const { return om_.find(id)->state; }

  bool wait_state(ClientOrderId id, OrderState s) {
    return wait([&] { return state(id) == s; });
  }

  std::vector<OrderLeg> vertical() const {
    return {OrderLeg{ids_[0], Side::kBuy, 0, 1}, OrderLeg{ids_[1], Side::kSell, 0, 1}};
  }

  // A single stock order as the engine makes a delta hedge: one SPY leg, quantity in shares, the
  // limit signed (a buy pays, a sell receives).
  std::vector<OrderLeg> stock(Side side) const { return {OrderLeg{spy_, side, kLegShares, 1}}; }

  std::vector<ExecutionReport> reports_of(ClientOrderId id, ExecKind kind) const {
    std::vector<ExecutionReport> out;
    for (const ExecutionReport& r : sink_.reports) {
      if (r.id == id && r.kind == kind) out.push_back(r);
    }
    return out;
  }

  std::size_t anomalies() const {
    std::size_t n = 0;
    for (const ApplyStatus s : sink_.statuses) {
      n += s != ApplyStatus::kApplied && s != ApplyStatus::kDuplicate && s != ApplyStatus::kShadowReport ? 1 : 0;
    }
    return n;
  }

  std::filesystem::path dir_;
  InstrumentRegistry registry_{1024};
  std::vector<InstrumentId> ids_;
  InstrumentId spy_ = kNoInstrument;
  std::uint16_t port_ = 0;
  brokers::FixReplaceMessage replace_message_ = brokers::FixReplaceMessage::kMultilegCancelReplace;
  std::string locate_broker_;  // FixSettings::locate_broker: none unless a test sets one
  MarketState market_{1024};
  OrderManager om_{OrderManagerConfig{kFixTestDay, 1, 256, 1024, 2'000'000'000, 2'000'000'000}};
  OmSink sink_{om_};
  std::unique_ptr<FixTestAcceptor> acceptor_;
  std::unique_ptr<FixBroker> broker_;
};

TEST_F(FixBrokerTest, shouldTakeAnOrderThroughAckPartialFillAndFill) {
  start_both();
  const ClientOrderId id = send_new(vertical(), 3, Price::from_cents(120));
  ASSERT_TRUE(wait_state(id, OrderState::kNew));
  ASSERT_TRUE(acceptor_->fill(id.to_string(), 1));
  ASSERT_TRUE(wait_state(id, OrderState::kPartiallyFilled));
  // The unit is whole once both legs' reports are in; the first one alone makes the order partial.
  ASSERT_TRUE(wait([&] { return om_.find(id)->filled_units() >= 1u; }));
  EXPECT_EQ(om_.find(id)->filled_units(), 1u);
  ASSERT_TRUE(acceptor_->fill(id.to_string(), 2));
  ASSERT_TRUE(wait_state(id, OrderState::kFilled));
  const Order& o = *om_.find(id);
  EXPECT_EQ(o.leg_filled[0], 3u);
  EXPECT_EQ(o.leg_filled[1], 3u);
  EXPECT_FALSE(o.legged);
  EXPECT_EQ(o.leg_notional[0], Price::from_cents(100) * 3);  // the acceptor's scripted leg prices
  EXPECT_EQ(o.leg_notional[1], Price::from_cents(105) * 3);
  EXPECT_NE(o.broker_order_id, 0u);
  EXPECT_EQ(anomalies(), 0u);
  EXPECT_EQ(acceptor_->new_orders(), 1u);
  // Commission arrives with each leg fill: $0.65 per contract.
  Price commission = Price::zero();
  for (const ExecutionReport& r : sink_.reports) commission += r.commission;
  EXPECT_EQ(commission, Price::from_cents(65) * 6);
}

TEST_F(FixBrokerTest, shouldBookPartialComboFillsPerLegWithRatios) {
  start_acceptor();
  acceptor_->set_rule([](const AcceptorOrder&) { return FillPlan{false, 4, 1}; });
  start_broker();
  ASSERT_TRUE(wait_up());
  const ClientOrderId id =
      send_new({OrderLeg{ids_[0], Side::kBuy, 0, 1}, OrderLeg{ids_[1], Side::kSell, 0, 2}}, 4, Price::from_cents(-30));
  ASSERT_TRUE(wait_state(id, OrderState::kFilled));
  const Order& o = *om_.find(id);
  EXPECT_EQ(o.leg_filled[0], 4u);
  EXPECT_EQ(o.leg_filled[1], 8u);
  EXPECT_FALSE(o.legged);
  std::size_t partials = 0;
  for (const ExecutionReport& r : sink_.reports) partials += r.kind == ExecKind::kPartialFill ? 1 : 0;
  EXPECT_EQ(partials, 6u);  // three rounds of one unit on two legs before the last round
  EXPECT_EQ(anomalies(), 0u);
  // The venue saw the legs as sent: root, expiry, strike, right, side, ratio; net credit signed.
  const auto book = acceptor_->orders();
  ASSERT_EQ(book.size(), 1u);
  EXPECT_EQ(book[0].limit, Price::from_cents(-30));
  EXPECT_STREQ(book[0].legs[1].root, "SPXW");
  EXPECT_EQ(book[0].legs[1].expiry, kFixTestDay);
  EXPECT_EQ(book[0].legs[1].strike, Price::from_dollars(5610));
  EXPECT_EQ(book[0].legs[1].right, 'C');
  EXPECT_EQ(book[0].legs[1].side, '2');
  EXPECT_EQ(book[0].legs[1].ratio, 2);
}

TEST_F(FixBrokerTest, shouldReportAVenueRejectAsRejected) {
  start_acceptor();
  acceptor_->set_rule([](const AcceptorOrder&) { return FillPlan{true, 0, 0}; });
  start_broker();
  ASSERT_TRUE(wait_up());
  const ClientOrderId id = send_new(vertical(), 1, Price::from_cents(50));
  ASSERT_TRUE(wait_state(id, OrderState::kRejected));
  EXPECT_EQ(anomalies(), 0u);
}

TEST_F(FixBrokerTest, shouldCancelAWorkingOrder) {
  start_both();
  const ClientOrderId id = send_new(vertical(), 2, Price::from_cents(50));
  ASSERT_TRUE(wait_state(id, OrderState::kNew));
  OrderCommand cancel;
  ASSERT_EQ(om_.request_cancel(id, 0, cancel), RequestStatus::kOk);
  ASSERT_TRUE(submit(cancel));
  ASSERT_TRUE(wait_state(id, OrderState::kCancelled));
  EXPECT_EQ(acceptor_->orders().at(0).status, '4');
  EXPECT_EQ(anomalies(), 0u);
}

TEST_F(FixBrokerTest, shouldAnswerACancelRejectWhenTheOrderIsAlreadyFilled) {
  start_both();
  const ClientOrderId id = send_new(vertical(), 1, Price::from_cents(50));
  ASSERT_TRUE(wait_state(id, OrderState::kNew));
  OrderCommand cancel;
  ASSERT_EQ(om_.request_cancel(id, 0, cancel), RequestStatus::kOk);
  ASSERT_TRUE(acceptor_->fill(id.to_string(), 1));  // the venue fills before the cancel arrives
  ASSERT_TRUE(submit(cancel));
  ASSERT_TRUE(wait([&] {
    for (const ExecutionReport& r : sink_.reports) {
      if (r.kind == ExecKind::kCancelRejected) return true;
    }
    return false;
  }));
  ASSERT_TRUE(wait_state(id, OrderState::kFilled));
}

class FixReplaceTest : public FixBrokerTest, public ::testing::WithParamInterface<brokers::FixReplaceMessage> {};

TEST_P(FixReplaceTest, shouldReplaceLimitAndQuantity) {
  replace_message_ = GetParam();
  start_both();
  const ClientOrderId id = send_new(vertical(), 2, Price::from_cents(50));
  ASSERT_TRUE(wait_state(id, OrderState::kNew));
  OrderCommand replace;
  ASSERT_EQ(om_.request_replace(id, Price::from_cents(55), 5, 0, replace), RequestStatus::kOk);
  ASSERT_TRUE(submit(replace));
  ASSERT_TRUE(wait_state(id, OrderState::kNew));
  ASSERT_TRUE(wait([&] { return om_.find(id)->quantity == 5; }));
  EXPECT_EQ(om_.find(id)->limit, Price::from_cents(55));
  EXPECT_EQ(om_.find(id)->working_id, replace.id);
  EXPECT_EQ(acceptor_->orders().at(0).limit, Price::from_cents(55));
  EXPECT_EQ(acceptor_->received(GetParam() == brokers::FixReplaceMessage::kCancelReplace ? "G" : "AC"), 1u);
  // Fills after the replace come under the new ClOrdID and still name the right legs.
  ASSERT_TRUE(acceptor_->fill(replace.id.to_string(), 5));
  ASSERT_TRUE(wait_state(id, OrderState::kFilled));
  EXPECT_EQ(om_.find(id)->leg_filled[1], 5u);
  EXPECT_EQ(anomalies(), 0u);
}

// 35=AC is multileg only: a stock order is replaced with 35=G whatever replace_message says.
TEST_P(FixReplaceTest, shouldReplaceAStockOrderWithACancelReplaceRequest) {
  replace_message_ = GetParam();
  start_both();
  const ClientOrderId id = send_new(stock(Side::kBuy), 100, Price::from_dollars(500));
  ASSERT_TRUE(wait_state(id, OrderState::kNew));
  ASSERT_TRUE(acceptor_->fill(id.to_string(), 30));
  ASSERT_TRUE(wait_state(id, OrderState::kPartiallyFilled));
  OrderCommand replace;
  const Price higher = Price::parse("500.10").value();
  ASSERT_EQ(om_.request_replace(id, higher, 150, 0, replace), RequestStatus::kOk);
  ASSERT_TRUE(submit(replace));
  ASSERT_TRUE(wait([&] { return om_.find(id)->quantity == 150; }));
  EXPECT_EQ(state(id), OrderState::kPartiallyFilled);
  EXPECT_EQ(om_.find(id)->limit, higher);
  EXPECT_EQ(acceptor_->received("G"), 1u);
  EXPECT_EQ(acceptor_->received("AC"), 0u);
  EXPECT_EQ(acceptor_->orders().at(0).limit, higher);
  EXPECT_EQ(acceptor_->orders().at(0).quantity, 150u);
  ASSERT_TRUE(acceptor_->fill(replace.id.to_string(), 120));
  ASSERT_TRUE(wait_state(id, OrderState::kFilled));
  EXPECT_EQ(om_.find(id)->leg_filled[0], 150u);
  EXPECT_EQ(om_.find(id)->leg_notional[0], Price::from_dollars(500) * 30 + higher * 120);
  EXPECT_EQ(anomalies(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Messages, FixReplaceTest,
                         ::testing::Values(brokers::FixReplaceMessage::kMultilegCancelReplace,
                                           brokers::FixReplaceMessage::kCancelReplace));

TEST_F(FixBrokerTest, shouldMassCancelEveryWorkingOrder) {
  start_both();
  const ClientOrderId a = send_new(vertical(), 1, Price::from_cents(50));
  const ClientOrderId b = send_new({OrderLeg{ids_[2], Side::kSell, 0, 1}, OrderLeg{ids_[3], Side::kBuy, 0, 1}}, 1,
                                   Price::from_cents(-40));
  ASSERT_TRUE(wait_state(a, OrderState::kNew));
  ASSERT_TRUE(wait_state(b, OrderState::kNew));
  OrderCommand all{};
  all.kind = CommandKind::kCancelAll;
  ASSERT_TRUE(submit(all));
  ASSERT_TRUE(wait_state(a, OrderState::kCancelled));
  ASSERT_TRUE(wait_state(b, OrderState::kCancelled));
  EXPECT_EQ(acceptor_->received("q"), 1u);
}

TEST_F(FixBrokerTest, shouldRefuseCommandsWhileTheLinkIsDown) {
  start_broker();  // nobody listens
  EXPECT_EQ(broker_->link(), BrokerLinkState::kDown);
  OrderCommand c;
  ASSERT_EQ(om_.create(NewOrder{0, 1, Price::from_cents(10), vertical()}, 0, c), RequestStatus::kOk);
  EXPECT_FALSE(broker_->submit(c, 0));
  EXPECT_EQ(broker_->stats().refused_link_down.load(), 1u);
  // The venue comes up later: logon, reconciliation, then the same command goes through once.
  start_acceptor();
  ASSERT_TRUE(wait_up());
  ASSERT_TRUE(submit(c));
  ASSERT_TRUE(wait_state(c.id, OrderState::kNew));
  EXPECT_EQ(acceptor_->new_orders(), 1u);
}

TEST_F(FixBrokerTest, shouldRefuseAtOnceWhatNoFixMessageCarries) {
  start_both();
  const InstrumentId spx = registry_.intern("I:SPX", InstrumentInfo{AssetClass::kIndex, {}});
  struct Case {
    std::vector<OrderLeg> legs;
    Price limit;
    std::uint16_t reason;
    const char* text;
  };
  const std::vector<Case> cases = {
      // An index is not tradable.
      {{OrderLeg{spx, Side::kBuy, 0, 1}}, Price::from_cents(10), 3, "fix: leg not tradable"},
      // Stock and option legs together: the engine never makes one (risk refuses stock in an
      // opening spread, a hedge is one stock leg); FIX would need a 35=AB with a stock leg.
      {{OrderLeg{ids_[0], Side::kBuy, 0, 1}, OrderLeg{spy_, Side::kSell, kLegShares, 100}}, Price::from_cents(10),
       brokers::kFixReasonUnsupported, "fix: stock+option legs"},
      {{OrderLeg{spy_, Side::kBuy, kLegShares, 1}, OrderLeg{spy_, Side::kSell, kLegShares, 1}}, Price::from_cents(1),
       brokers::kFixReasonUnsupported, "fix: 2+ stock legs"},
      {{OrderLeg{spy_, Side::kBuy, kLegShares, 100}}, Price::from_dollars(500), brokers::kFixReasonUnsupported,
       "fix: stock ratio not 1"},
      // A buy that would be paid to buy: no per-share price says that.
      {{OrderLeg{spy_, Side::kBuy, kLegShares, 1}}, -Price::from_dollars(500), brokers::kFixReasonUnsupported,
       "fix: stock limit sign"},
  };
  for (const Case& k : cases) {
    OrderCommand c;
    ASSERT_EQ(om_.create(NewOrder{0, 1, k.limit, k.legs}, 0, c), RequestStatus::kOk);
    EXPECT_TRUE(broker_->submit(c, 0));
    pump();
    EXPECT_EQ(state(c.id), OrderState::kRejected) << k.text;
    EXPECT_EQ(om_.find(c.id)->reject_reason, k.reason) << k.text;
    const auto rejects = reports_of(c.id, ExecKind::kRejected);
    ASSERT_EQ(rejects.size(), 1u) << k.text;
    EXPECT_STREQ(rejects[0].text, k.text);
  }
  EXPECT_EQ(broker_->stats().refused_bad_command.load(), cases.size());
  // Nothing reached the venue: an order sent after them is its first.
  const ClientOrderId ok = send_new(stock(Side::kBuy), 10, Price::from_dollars(500));
  ASSERT_TRUE(wait_state(ok, OrderState::kNew));
  EXPECT_EQ(acceptor_->new_orders(), 1u);
  EXPECT_EQ(acceptor_->received("AB"), 0u);
  EXPECT_EQ(acceptor_->received("D"), 1u);
}

TEST_F(FixBrokerTest, shouldSendAStockOrderAsNewOrderSingleAndBookItsFillsInShares) {
  start_both();
  const Price limit = Price::parse("500.25").value();
  const ClientOrderId id = send_new(stock(Side::kBuy), 100, limit);
  ASSERT_TRUE(wait_state(id, OrderState::kNew));
  ASSERT_TRUE(acceptor_->fill(id.to_string(), 40));
  ASSERT_TRUE(wait_state(id, OrderState::kPartiallyFilled));
  EXPECT_EQ(om_.find(id)->leg_filled[0], 40u);
  ASSERT_TRUE(acceptor_->fill(id.to_string(), 60));
  ASSERT_TRUE(wait_state(id, OrderState::kFilled));
  const Order& o = *om_.find(id);
  EXPECT_EQ(o.leg_filled[0], 100u);
  EXPECT_EQ(o.leg_notional[0], limit * 100);  // booked on the leg, per share
  EXPECT_NE(o.broker_order_id, 0u);
  Price commission = Price::zero();
  for (const ExecutionReport& r : sink_.reports) {
    commission += r.commission;
    if (r.kind == ExecKind::kPartialFill || r.kind == ExecKind::kFill) {
      EXPECT_EQ(r.leg, 0);
    }
  }
  EXPECT_EQ(commission, Price::from_cents(1) * 100);  // the acceptor's $0.01 per share
  EXPECT_EQ(anomalies(), 0u);
  // On the wire: 35=D, the symbol, side buy, shares, the limit per share.
  EXPECT_EQ(acceptor_->received("D"), 1u);
  EXPECT_EQ(acceptor_->received("AB"), 0u);
  const auto book = acceptor_->orders();
  ASSERT_EQ(book.size(), 1u);
  EXPECT_EQ(book[0].single, 1);
  EXPECT_STREQ(book[0].legs[0].root, "SPY");
  EXPECT_EQ(book[0].legs[0].side, '1');
  EXPECT_EQ(book[0].quantity, 100u);
  EXPECT_EQ(book[0].limit, limit);
}

TEST_F(FixBrokerTest, shouldSellStockAtAPositivePerSharePriceAndTakeItsFillsInRounds) {
  start_acceptor();
  acceptor_->set_rule([](const AcceptorOrder&) { return FillPlan{false, 100, 30}; });
  start_broker();
  ASSERT_TRUE(wait_up());
  const Price bid = Price::parse("499.95").value();
  const ClientOrderId id = send_new(stock(Side::kSell), 100, -bid);  // a sell receives: negative net
  ASSERT_TRUE(wait_state(id, OrderState::kFilled));
  const Order& o = *om_.find(id);
  EXPECT_EQ(o.leg_filled[0], 100u);
  EXPECT_EQ(o.leg_notional[0], bid * 100);
  EXPECT_EQ(reports_of(id, ExecKind::kPartialFill).size(), 3u);  // 30, 30, 30, then the last 10
  EXPECT_EQ(reports_of(id, ExecKind::kFill).size(), 1u);
  EXPECT_EQ(anomalies(), 0u);
  const auto book = acceptor_->orders();
  ASSERT_EQ(book.size(), 1u);
  EXPECT_EQ(book[0].legs[0].side, '2');  // not marked short: a plain sell, no locate
  EXPECT_EQ(book[0].locate_reqd, '\0');
  EXPECT_EQ(book[0].limit, bid);
}

TEST_F(FixBrokerTest, shouldReportAVenueRejectOfAStockOrderAsRejected) {
  start_acceptor();
  acceptor_->set_rule([](const AcceptorOrder&) { return FillPlan{true, 0, 0}; });
  start_broker();
  ASSERT_TRUE(wait_up());
  const ClientOrderId id = send_new(stock(Side::kBuy), 50, Price::from_dollars(500));
  ASSERT_TRUE(wait_state(id, OrderState::kRejected));
  EXPECT_EQ(acceptor_->received("D"), 1u);
  EXPECT_EQ(anomalies(), 0u);
}

TEST_F(FixBrokerTest, shouldRejectAStockOrderNamedByABusinessReject) {
  start_both();
  OrderCommand c;  // created, not sent: the venue's 35=j answers it as if it had refused the 35=D
  ASSERT_EQ(om_.create(NewOrder{0, 10, Price::from_dollars(500), stock(Side::kBuy)}, 0, c), RequestStatus::kOk);
  acceptor_->send_raw("j", {{45, "7"}, {372, "D"}, {379, c.id.to_string()}, {380, "5"}, {58, "no such account"}});
  ASSERT_TRUE(wait_state(c.id, OrderState::kRejected));
  EXPECT_EQ(om_.find(c.id)->reject_reason, brokers::kFixReasonBusinessReject);
  EXPECT_EQ(broker_->stats().business_rejects.load(), 1u);
}

TEST_F(FixBrokerTest, shouldCancelAWorkingStockOrder) {
  start_both();
  const ClientOrderId id = send_new(stock(Side::kSell), 60, -Price::from_dollars(499));
  ASSERT_TRUE(wait_state(id, OrderState::kNew));
  ASSERT_TRUE(acceptor_->fill(id.to_string(), 20));
  ASSERT_TRUE(wait_state(id, OrderState::kPartiallyFilled));
  OrderCommand cancel;
  ASSERT_EQ(om_.request_cancel(id, 0, cancel), RequestStatus::kOk);
  ASSERT_TRUE(submit(cancel));
  ASSERT_TRUE(wait_state(id, OrderState::kCancelled));
  EXPECT_EQ(om_.find(id)->leg_filled[0], 20u);
  EXPECT_EQ(acceptor_->received("F"), 1u);
  EXPECT_EQ(acceptor_->orders().at(0).status, '4');
  EXPECT_EQ(anomalies(), 0u);
}

TEST_F(FixBrokerTest, shouldReceiveFillsMadeWhileDisconnectedOnceAfterResend) {
  start_both();
  const ClientOrderId id = send_new(vertical(), 3, Price::from_cents(50));
  ASSERT_TRUE(wait_state(id, OrderState::kNew));
  const auto logons = broker_->stats().logons.load();
  acceptor_->disconnect();
  ASSERT_TRUE(acceptor_->fill(id.to_string(), 2));  // stored by the venue's session, sent on resend
  ASSERT_TRUE(wait([&] { return broker_->stats().logons.load() > logons && broker_->link() == BrokerLinkState::kUp; }));
  ASSERT_TRUE(wait([&] { return om_.find(id)->filled_units() == 2; }));
  ASSERT_TRUE(acceptor_->fill(id.to_string(), 1));
  ASSERT_TRUE(wait_state(id, OrderState::kFilled));
  EXPECT_EQ(om_.find(id)->leg_filled[0], 3u);
  EXPECT_EQ(acceptor_->new_orders(), 1u);
  EXPECT_EQ(acceptor_->duplicate_new_orders(), 0u);
  EXPECT_EQ(anomalies(), 0u);
}

TEST_F(FixBrokerTest, shouldReconcileWithAMassStatusAfterTheAdapterRestarts) {
  start_acceptor();
  acceptor_->set_rule([](const AcceptorOrder& o) { return FillPlan{false, o.quantity == 2 ? 2u : 0u, 0}; });
  start_broker();
  ASSERT_TRUE(wait_up());
  const ClientOrderId filled = send_new(vertical(), 2, Price::from_cents(50));
  const ClientOrderId working = send_new(vertical(), 3, Price::from_cents(40));
  ASSERT_TRUE(wait_state(filled, OrderState::kFilled));
  ASSERT_TRUE(wait_state(working, OrderState::kNew));

  broker_.reset();  // the daemon goes away; the venue keeps trading
  ASSERT_TRUE(wait_for([&] { return !acceptor_->logged_on(); }, [] {}));
  ASSERT_TRUE(acceptor_->fill(working.to_string(), 1));
  const std::size_t before = sink_.reports.size();

  start_broker();  // same store: same sequence numbers, same order file
  ASSERT_TRUE(wait_up());
  ASSERT_TRUE(wait([&] { return om_.find(working)->filled_units() == 1; }));
  EXPECT_EQ(state(working), OrderState::kPartiallyFilled);
  EXPECT_EQ(state(filled), OrderState::kFilled);
  EXPECT_EQ(om_.find(filled)->leg_filled[0], 2u);  // nothing booked twice
  bool saw_status = false;
  for (std::size_t i = before; i < sink_.reports.size(); ++i) saw_status |= sink_.reports[i].kind == ExecKind::kStatus;
  EXPECT_TRUE(saw_status);
  EXPECT_EQ(anomalies(), 0u);
  EXPECT_EQ(acceptor_->duplicate_new_orders(), 0u);
  EXPECT_GE(acceptor_->received("AF"), 2u);
}

// The order file covers both kinds of new order: a spread (35=AB) and a single stock order (35=D).
class FixDuplicateTest : public FixBrokerTest, public ::testing::WithParamInterface<bool> {};

TEST_P(FixDuplicateTest, shouldNeverSendTheSameClOrdIdTwiceAsANewOrderEvenAcrossARestart) {
  const bool single = GetParam();
  start_both();
  OrderCommand c;
  const std::vector<OrderLeg> legs = single ? stock(Side::kBuy) : vertical();  // NewOrder holds a span
  const Price limit = single ? Price::from_dollars(500) : Price::from_cents(50);
  ASSERT_EQ(om_.create(NewOrder{0, single ? 10u : 1u, limit, legs}, 0, c), RequestStatus::kOk);
  ASSERT_TRUE(submit(c));
  ASSERT_TRUE(wait_state(c.id, OrderState::kNew));
  ASSERT_TRUE(submit(c));  // a caller bug: the same new order again
  ASSERT_TRUE(wait([&] { return broker_->stats().duplicate_ids.load() == 1; }));

  broker_.reset();  // the order file outlives the process
  start_broker();
  ASSERT_TRUE(wait_up());
  ASSERT_TRUE(submit(c));
  ASSERT_TRUE(wait([&] { return broker_->stats().duplicate_ids.load() == 1; }));
  EXPECT_EQ(acceptor_->received(single ? "D" : "AB"), 1u);
  EXPECT_EQ(acceptor_->new_orders(), 1u);
  EXPECT_EQ(acceptor_->duplicate_new_orders(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Orders, FixDuplicateTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "Stock" : "Spread"; });

TEST_F(FixBrokerTest, shouldReconcileStockOrdersAfterTheAdapterRestarts) {
  start_acceptor();
  acceptor_->set_rule([](const AcceptorOrder& o) { return FillPlan{false, o.quantity == 50 ? 50u : 0u, 0}; });
  start_broker();
  ASSERT_TRUE(wait_up());
  const Price ask = Price::from_dollars(500);
  const Price bid = Price::from_dollars(499);
  const ClientOrderId filled = send_new(stock(Side::kBuy), 50, ask);
  const ClientOrderId working = send_new(stock(Side::kSell), 80, -bid);
  ASSERT_TRUE(wait_state(filled, OrderState::kFilled));
  ASSERT_TRUE(wait_state(working, OrderState::kNew));

  broker_.reset();  // the daemon goes away; the venue keeps trading
  ASSERT_TRUE(wait_for([&] { return !acceptor_->logged_on(); }, [] {}));
  ASSERT_TRUE(acceptor_->fill(working.to_string(), 30));

  start_broker();  // same store, same order file: the adapter knows both are single orders
  ASSERT_TRUE(wait_up());
  ASSERT_TRUE(wait([&] { return om_.find(working)->leg_filled[0] == 30; }));
  EXPECT_EQ(state(working), OrderState::kPartiallyFilled);
  EXPECT_EQ(om_.find(working)->leg_notional[0], bid * 30);  // recovered at the venue's average
  EXPECT_EQ(state(filled), OrderState::kFilled);
  EXPECT_EQ(om_.find(filled)->leg_filled[0], 50u);  // nothing booked twice
  EXPECT_EQ(om_.find(filled)->leg_notional[0], ask * 50);
  EXPECT_EQ(broker_->stats().lost_orders.load(), 0u);
  EXPECT_EQ(anomalies(), 0u);
  EXPECT_EQ(acceptor_->duplicate_new_orders(), 0u);

  // The core's own status request (restart reconciliation): one kStatus per stock order on its
  // leg 0 in shares, then one kStatusEnd that counts them (the contract in orders.hpp).
  const std::size_t mark = sink_.reports.size();
  OrderCommand status{};
  status.kind = CommandKind::kStatusRequest;
  status.id = ClientOrderId::make(kFixTestDay, 900);
  ASSERT_TRUE(submit(status));
  auto ended = [&] {
    for (std::size_t i = mark; i < sink_.reports.size(); ++i) {
      if (sink_.reports[i].kind == ExecKind::kStatusEnd) return true;
    }
    return false;
  };
  ASSERT_TRUE(wait(ended));
  std::vector<ExecutionReport> lines;
  ExecutionReport end{};
  for (std::size_t i = mark; i < sink_.reports.size(); ++i) {
    const ExecutionReport& r = sink_.reports[i];
    EXPECT_EQ(r.orig_id, status.id);
    if (r.kind == ExecKind::kStatus) lines.push_back(r);
    if (r.kind == ExecKind::kStatusEnd) end = r;
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(end.last_qty, 2u);
  for (const ExecutionReport& r : lines) {
    EXPECT_EQ(r.leg, 0);
    if (r.id == filled) {
      EXPECT_EQ(r.cum_qty, 50u);
      EXPECT_EQ(r.leaves_qty, 0u);
      EXPECT_EQ(r.last_price, ask);
    } else {
      EXPECT_EQ(r.id, working);
      EXPECT_EQ(r.cum_qty, 30u);
      EXPECT_EQ(r.leaves_qty, 50u);
      EXPECT_EQ(r.last_price, bid);
    }
  }
}

TEST_F(FixBrokerTest, shouldCountAndReportBadMessagesWithoutCrashing) {
  start_both();
  const ClientOrderId id = send_new(vertical(), 2, Price::from_cents(50));
  ASSERT_TRUE(wait_state(id, OrderState::kNew));
  const std::string ours = id.to_string();
  const auto& st = broker_->stats();
  const auto bad0 = st.bad_messages.load();
  const auto unknown0 = st.unknown_orders.load();

  // No ClOrdID.
  acceptor_->send_raw("8", {{37, "B-1"}, {17, "Z1"}, {150, "F"}, {39, "1"}, {54, "1"}, {55, "SPXW"},
                            {32, "1"}, {31, "1.00"}, {14, "1"}, {151, "1"}, {6, "1.00"}});
  // A ClOrdID that is not ours.
  acceptor_->send_raw("8", {{37, "B-2"}, {17, "Z2"}, {11, "SOMEONE-ELSE"}, {150, "0"}, {39, "0"}, {54, "1"},
                            {55, "SPXW"}, {14, "0"}, {151, "1"}, {6, "0"}});
  // Unparseable quantity.
  acceptor_->send_raw("8", {{37, "B-3"}, {17, "Z3"}, {11, ours}, {150, "F"}, {39, "1"}, {54, "1"}, {55, "SPXW"},
                            {32, "one"}, {31, "1.00"}, {14, "abc"}, {151, "1"}, {6, "1.00"}, {442, "3"}});
  // A leg fill whose instrument is not a leg of the order.
  acceptor_->send_raw("8", {{37, "B-4"}, {17, "Z4"}, {11, ours}, {150, "F"}, {39, "1"}, {54, "1"}, {55, "SPY"},
                            {541, "20260821"}, {202, "1"}, {201, "1"}, {32, "1"}, {31, "1.00"}, {14, "1"},
                            {151, "1"}, {6, "1.00"}, {442, "2"}});
  // No ExecType; a bad MultiLegReportingType; a message type the adapter does not take.
  acceptor_->send_raw("8", {{37, "B-5"}, {17, "Z5"}, {11, ours}, {39, "1"}});
  acceptor_->send_raw("8", {{37, "B-6"}, {17, "Z6"}, {11, ours}, {150, "0"}, {39, "0"}, {442, "x"}});
  acceptor_->send_raw("AE", {{571, "T1"}});

  ASSERT_TRUE(wait([&] { return st.bad_messages.load() >= bad0 + 6 && st.unknown_orders.load() >= unknown0 + 1; }))
      << "bad " << st.bad_messages.load() << " unknown " << st.unknown_orders.load();
  EXPECT_FALSE(broker_->last_anomaly().empty());
  EXPECT_EQ(state(id), OrderState::kNew);  // nothing bad reached the order
  EXPECT_EQ(om_.find(id)->filled_units(), 0u);
  // And the session still works.
  ASSERT_TRUE(acceptor_->fill(ours, 2));
  ASSERT_TRUE(wait_state(id, OrderState::kFilled));
  EXPECT_EQ(broker_->link(), BrokerLinkState::kUp);
}

// ---- short sales (Reg SHO) ----

// A short sale as the engine marks it: the command and the order both carry the mark, so the
// order's cancel and replace requests restate it.
// The last check before a price goes on the wire: a limit off the venue's grid (SPXW: a nickel
// for complex orders, a nickel under $3 and a dime from $3 for one leg, a penny for SPY shares)
// never leaves, new or replace. The order manager here has no registry, so only the adapter checks.
TEST_F(FixBrokerTest, shouldRefuseANewOrderOrReplaceOffThePriceGrid) {
  start_both();
  struct Off {
    std::vector<OrderLeg> legs;
    Price limit;
  };
  const std::vector<Off> off = {
      {vertical(), Price::from_ticks(5'200 + 100)},                    // 0.53 debit, complex
      {vertical(), -Price::from_ticks(4'000 + 250)},                   // 0.425 credit, complex
      {{OrderLeg{ids_[0], Side::kBuy, 0, 1}}, Price::from_cents(305)},  // 3.05: the dime grid
      {stock(Side::kBuy), Price::parse("500.015").value()},            // sub-penny shares
  };
  for (const Off& k : off) {
    OrderCommand c;
    ASSERT_EQ(om_.create(NewOrder{0, 1, k.limit, k.legs}, 0, c), RequestStatus::kOk);
    EXPECT_TRUE(broker_->submit(c, 0));
    pump();
    EXPECT_EQ(state(c.id), OrderState::kRejected) << k.limit.to_string();
    EXPECT_EQ(om_.find(c.id)->reject_reason, brokers::kFixReasonOffGrid);
    const auto rejects = reports_of(c.id, ExecKind::kRejected);
    ASSERT_EQ(rejects.size(), 1u);
    EXPECT_STREQ(rejects[0].text, "fix: price off grid");
  }
  EXPECT_EQ(acceptor_->new_orders(), 0u);

  // On the grid it goes; a replace off the grid is refused and the order keeps working as it was.
  const ClientOrderId id = send_new(vertical(), 2, Price::from_cents(50));
  ASSERT_TRUE(wait_state(id, OrderState::kNew));
  OrderCommand replace;
  ASSERT_EQ(om_.request_replace(id, Price::from_cents(52), 2, 0, replace), RequestStatus::kOk);
  EXPECT_TRUE(broker_->submit(replace, 0));
  pump();
  const auto refused = reports_of(replace.id, ExecKind::kCancelRejected);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].reason, brokers::kFixReasonOffGrid);
  EXPECT_EQ(state(id), OrderState::kNew);
  EXPECT_EQ(om_.find(id)->limit, Price::from_cents(50));
  EXPECT_EQ(acceptor_->received("AC"), 0u);
  EXPECT_EQ(broker_->stats().refused_bad_command.load(), off.size() + 1);
  OrderCommand on_grid;
  ASSERT_EQ(om_.request_replace(id, Price::from_cents(55), 2, 0, on_grid), RequestStatus::kOk);
  ASSERT_TRUE(submit(on_grid));
  ASSERT_TRUE(wait([&] { return om_.find(id)->limit == Price::from_cents(55); }));
  EXPECT_EQ(acceptor_->orders().at(0).limit, Price::from_cents(55));
}

TEST_F(FixBrokerTest, shouldKeepSellShortOnTheCancelAndReplaceOfAShortSale) {
  locate_broker_ = "GSCO";
  replace_message_ = brokers::FixReplaceMessage::kMultilegCancelReplace;  // a stock order uses 35=G anyway
  start_both();
  OrderCommand c;
  ASSERT_EQ(om_.create(NewOrder{0, 100, -Price::from_dollars(501), stock(Side::kSell)}, 0, c), RequestStatus::kOk);
  c.short_sale = 1;
  om_.find(c.id)->short_sale = 1;
  ASSERT_TRUE(submit(c));
  ASSERT_TRUE(wait_state(c.id, OrderState::kNew));
  OrderCommand replace;
  ASSERT_EQ(om_.request_replace(c.id, -Price::from_dollars(500), 80, 0, replace), RequestStatus::kOk);
  EXPECT_EQ(replace.short_sale, 1);
  ASSERT_TRUE(submit(replace));
  ASSERT_TRUE(wait_state(c.id, OrderState::kNew));
  ASSERT_EQ(acceptor_->received("G"), 1u);
  OrderCommand cancel;
  ASSERT_EQ(om_.request_cancel(c.id, 0, cancel), RequestStatus::kOk);
  EXPECT_EQ(cancel.short_sale, 1);
  ASSERT_TRUE(submit(cancel));
  ASSERT_TRUE(wait_state(c.id, OrderState::kCancelled));
  // The acceptor refuses (35=9) a request whose 54 is not the order's: none was.
  EXPECT_EQ(acceptor_->side_mismatches(), 0u);
  const auto book = acceptor_->orders();
  ASSERT_EQ(book.size(), 1u);
  EXPECT_EQ(book[0].legs[0].side, '5');
  EXPECT_EQ(book[0].quantity, 80u);
  EXPECT_EQ(book[0].status, '4');
  EXPECT_EQ(anomalies(), 0u);
}

TEST_F(FixBrokerTest, shouldRefuseAShortSaleWithoutALocateNamingTheReason) {
  start_both();  // no locate_broker
  OrderCommand c;
  ASSERT_EQ(om_.create(NewOrder{0, 100, -Price::from_dollars(500), stock(Side::kSell)}, 0, c), RequestStatus::kOk);
  c.short_sale = 1;
  EXPECT_TRUE(broker_->submit(c, 0));  // taken and answered at once
  pump();
  EXPECT_EQ(state(c.id), OrderState::kRejected);
  EXPECT_EQ(om_.find(c.id)->reject_reason, brokers::kFixReasonNoLocate);
  const auto rejects = reports_of(c.id, ExecKind::kRejected);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_STREQ(rejects[0].text, "fix: short, no locate");
  EXPECT_EQ(broker_->stats().refused_bad_command.load(), 1u);
  // The same sale unmarked goes out as a plain sell.
  const ClientOrderId plain = send_new(stock(Side::kSell), 100, -Price::from_dollars(500));
  ASSERT_TRUE(wait_state(plain, OrderState::kNew));
  EXPECT_EQ(acceptor_->received("D"), 1u);
  EXPECT_EQ(acceptor_->orders().at(0).legs[0].side, '2');
}

// The mark belongs on a stock sell; on anything else it is a caller bug, refused rather than guessed.
TEST_F(FixBrokerTest, shouldRefuseAShortMarkOnAnythingButAStockSell) {
  locate_broker_ = "GSCO";
  start_both();
  auto refused = [&](const std::vector<OrderLeg>& legs, Price limit, const char* text) {
    OrderCommand c;
    ASSERT_EQ(om_.create(NewOrder{0, 1, limit, legs}, 0, c), RequestStatus::kOk);
    c.short_sale = 1;
    EXPECT_TRUE(broker_->submit(c, 0));
    pump();
    EXPECT_EQ(state(c.id), OrderState::kRejected) << text;
    EXPECT_EQ(om_.find(c.id)->reject_reason, brokers::kFixReasonUnsupported) << text;
    const auto rejects = reports_of(c.id, ExecKind::kRejected);
    ASSERT_EQ(rejects.size(), 1u) << text;
    EXPECT_STREQ(rejects[0].text, text);
  };
  refused(stock(Side::kBuy), Price::from_dollars(500), "fix: short, not a sell");
  refused(vertical(), Price::from_cents(50), "fix: short, not stock");
  EXPECT_EQ(acceptor_->new_orders(), 0u);
}

TEST_F(FixBrokerTest, shouldRefuseALocateBrokerThatIsNotAPlainName) {
  for (const char* bad : {"GS|CO", "A=B", "with space", "0123456789012345678901234567890123"}) {
    locate_broker_ = bad;
    EXPECT_THROW(FixBroker(settings(), registry_), brokers::FixConfigError) << bad;
  }
  locate_broker_ = "GS.CO-1_x";
  EXPECT_NO_THROW(FixBroker(settings(), registry_));
}

// The engine decides what is a short sale, the adapter says it, the acceptor checks it: the core
// wired to FixBroker as paper-live and live wire them (engine time advances 10 ms per step).
class FixShortSaleTest : public FixBrokerTest {
 protected:
  class EngineSink final : public ReportSink {
   public:
    explicit EngineSink(FixShortSaleTest& t) : t_{t} {}
    void on_report(const ExecutionReport& r) noexcept override { t_.engine_->on_exec_report(r, t_.now_); }

   private:
    FixShortSaleTest& t_;
  };

  void start_engine() {
    start_acceptor();
    acceptor_->set_rule([](const AcceptorOrder& o) { return FillPlan{false, o.quantity, 0}; });  // fill at once
    start_broker();
    ASSERT_TRUE(wait_up());
    std::vector<std::unique_ptr<Strategy>> strategies;
    auto t = std::make_unique<StockOrders>(spy_);
    trader_ = t.get();
    strategies.push_back(std::move(t));
    EngineConfig cfg;
    cfg.orders.trading_day = kFixTestDay;
    cfg.orders.ack_timeout_ns = 600'000'000'000;  // engine time runs ahead of the loopback's
    cfg.orders.cancel_timeout_ns = 600'000'000'000;
    cfg.utc_offset_minutes = -240;
    cfg.risk.max_orders_per_second = 50;
    ring_ = std::make_unique<CommandRing>();
    engine_ = std::make_unique<Engine>(cfg, registry_, std::move(strategies), *ring_, nullptr);
    engine_->start(now_);
  }

  void engine_step() {
    now_ += 10'000'000;
    engine_->on_market_event(MarketEvent::make_quote(spy_, StreamId::kStocks, now_, now_, Price::from_dollars(500), 5000,
                                                     Price::parse("500.02").value(), 5000),
                             now_);
    ring_->drain([&](const OrderCommand& c) { held_.push_back(c); });
    while (!held_.empty() && broker_->submit(held_.front(), now_)) held_.pop_front();
    broker_->poll(market_, now_, engine_sink_);
    engine_->on_timer(now_);
  }

  // Queues one stock order and steps the engine until the order is finished (filled or refused).
  const Order* trade(Side side, std::uint32_t shares, Price per_share) {
    trader_->queue(side, shares, per_share);
    const std::size_t n = trader_->sent.size();
    const bool done = wait_for(
        [&] {
          if (trader_->sent.size() <= n) return false;
          const Order* o = engine_->orders().find(trader_->sent[n]);
          return o != nullptr && is_terminal(o->state);
        },
        [&] { engine_step(); });
    EXPECT_TRUE(done) << "last anomaly: " << broker_->last_anomaly();
    return trader_->sent.size() > n ? engine_->orders().find(trader_->sent[n]) : nullptr;
  }

  std::int64_t shares_held() const {
    const Position* p = engine_->book().find(0, spy_);
    return p == nullptr ? 0 : p->quantity;
  }

  TimestampNs now_ = (1'787'270'400LL + 14 * 3600) * 1'000'000'000LL;  // 2026-08-21 10:00 EDT
  std::unique_ptr<CommandRing> ring_;
  std::unique_ptr<Engine> engine_;
  StockOrders* trader_ = nullptr;
  std::deque<OrderCommand> held_;
  EngineSink engine_sink_{*this};
};

TEST_F(FixShortSaleTest, shouldSendAHedgeSellWithoutALongAsSellShortWithTheLocateAndBookItShort) {
  locate_broker_ = "GSCO";
  start_engine();
  const Price bid = Price::parse("499.95").value();
  const Order* sold = trade(Side::kSell, 100, bid);
  ASSERT_NE(sold, nullptr);
  EXPECT_EQ(sold->state, OrderState::kFilled);
  EXPECT_EQ(sold->short_sale, 1);
  // On the wire: 35=D with 54=5, 114=N and 5700, echoed by the acceptor on its reports.
  auto book = acceptor_->orders();
  ASSERT_EQ(book.size(), 1u);
  EXPECT_EQ(book[0].legs[0].side, '5');
  EXPECT_EQ(book[0].locate_reqd, 'N');
  EXPECT_STREQ(book[0].locate_broker, "GSCO");
  EXPECT_EQ(book[0].quantity, 100u);
  EXPECT_EQ(book[0].limit, bid);
  // The fill of the 54=5 order books a short position at the per-share price.
  const Position* p = engine_->book().find(0, spy_);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->quantity, -100);
  EXPECT_EQ(p->open_cost, -(bid * 100));
  EXPECT_EQ(p->multiplier, 1u);
  EXPECT_EQ(p->fees, Price::from_cents(1) * 100);  // the acceptor's $0.01 a share
  // Buying back is a buy: 54=1, no locate.
  const Order* bought = trade(Side::kBuy, 100, Price::parse("500.05").value());
  ASSERT_NE(bought, nullptr);
  EXPECT_EQ(bought->state, OrderState::kFilled);
  book = acceptor_->orders();
  ASSERT_EQ(book.size(), 2u);
  EXPECT_EQ(book[1].legs[0].side, '1');
  EXPECT_EQ(book[1].locate_reqd, '\0');
  EXPECT_EQ(shares_held(), 0);
  EXPECT_EQ(engine_->stats().report_anomalies, 0u);
}

TEST_F(FixShortSaleTest, shouldSendASellCoveredByALongAsAPlainSellWithoutALocate) {
  locate_broker_ = "GSCO";
  start_engine();
  ASSERT_NE(trade(Side::kBuy, 200, Price::parse("500.05").value()), nullptr);
  ASSERT_EQ(shares_held(), 200);
  const Order* sold = trade(Side::kSell, 200, Price::parse("499.95").value());
  ASSERT_NE(sold, nullptr);
  EXPECT_EQ(sold->state, OrderState::kFilled);
  EXPECT_EQ(sold->short_sale, 0);
  const auto book = acceptor_->orders();
  ASSERT_EQ(book.size(), 2u);
  EXPECT_EQ(book[1].legs[0].side, '2');
  EXPECT_EQ(book[1].locate_reqd, '\0');
  EXPECT_STREQ(book[1].locate_broker, "");
  EXPECT_EQ(shares_held(), 0);
}

// No locate configured: a short sale is refused by the adapter, with a reason the operator can act
// on, and never reaches the venue; sales covered by a long position still go.
TEST_F(FixShortSaleTest, shouldRefuseAShortSaleWhenNoLocateIsConfigured) {
  start_engine();
  const Order* refused = trade(Side::kSell, 100, Price::parse("499.95").value());
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->state, OrderState::kRejected);
  EXPECT_EQ(refused->reject_reason, brokers::kFixReasonNoLocate);
  EXPECT_EQ(broker_->stats().refused_bad_command.load(), 1u);
  EXPECT_EQ(acceptor_->received("D"), 0u);
  EXPECT_EQ(shares_held(), 0);
  ASSERT_NE(trade(Side::kBuy, 100, Price::parse("500.05").value()), nullptr);
  const Order* sold = trade(Side::kSell, 100, Price::parse("499.95").value());
  ASSERT_NE(sold, nullptr);
  EXPECT_EQ(sold->state, OrderState::kFilled);
  EXPECT_EQ(acceptor_->received("D"), 2u);
  EXPECT_EQ(acceptor_->orders().at(1).legs[0].side, '2');
  EXPECT_EQ(shares_held(), 0);
}

TEST_F(FixBrokerTest, shouldRefuseSettingsWithoutAStoreOrCompIds) {
  FixSettings s = settings();
  s.store_dir.clear();
  EXPECT_THROW(FixBroker(s, registry_), brokers::FixConfigError);
  s = settings();
  s.sender_comp_id.clear();
  EXPECT_THROW(FixBroker(s, registry_), brokers::FixConfigError);
  s = settings();
  s.port = 0;
  EXPECT_THROW(FixBroker(s, registry_), brokers::FixConfigError);
}

}  // namespace
}  // namespace odte::testing

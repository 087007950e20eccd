// FixBroker against the test acceptor on loopback, both in this process: order lifecycles,
// partial combo fills, rejects, cancel, replace, mass cancel, reconnect with resend, restart with
// reconciliation, and bad messages from the venue.

#include "odte/brokers/fix_broker.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "fix_harness.hpp"
#include "fix_test_acceptor.hpp"

namespace odte::testing {
namespace {

using brokers::FixBroker;
using brokers::FixSettings;

class FixBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    intern_options(registry_, ids_);
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
  std::uint16_t port_ = 0;
  brokers::FixReplaceMessage replace_message_ = brokers::FixReplaceMessage::kMultilegCancelReplace;
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

TEST_F(FixBrokerTest, shouldAnswerAnOrderWithANonOptionLegWithAReject) {
  start_both();
  const InstrumentId spy = registry_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
  OrderCommand c;
  ASSERT_EQ(om_.create(NewOrder{0, 1, Price::from_cents(10), std::vector<OrderLeg>{{spy, Side::kBuy, 0, 1}}}, 0, c),
            RequestStatus::kOk);
  EXPECT_TRUE(broker_->submit(c, 0));
  pump();
  EXPECT_EQ(state(c.id), OrderState::kRejected);
  EXPECT_EQ(broker_->stats().refused_bad_command.load(), 1u);
  EXPECT_EQ(acceptor_->new_orders(), 0u);
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

TEST_F(FixBrokerTest, shouldNeverSendTheSameClOrdIdTwiceAsANewOrderEvenAcrossARestart) {
  start_both();
  OrderCommand c;
  ASSERT_EQ(om_.create(NewOrder{0, 1, Price::from_cents(50), vertical()}, 0, c), RequestStatus::kOk);
  ASSERT_TRUE(submit(c));
  ASSERT_TRUE(wait_state(c.id, OrderState::kNew));
  ASSERT_TRUE(submit(c));  // a caller bug: the same new order again
  ASSERT_TRUE(wait([&] { return broker_->stats().duplicate_ids.load() == 1; }));

  broker_.reset();  // the order file outlives the process
  start_broker();
  ASSERT_TRUE(wait_up());
  ASSERT_TRUE(submit(c));
  ASSERT_TRUE(wait([&] { return broker_->stats().duplicate_ids.load() == 1; }));
  EXPECT_EQ(acceptor_->received("AB"), 1u);
  EXPECT_EQ(acceptor_->new_orders(), 1u);
  EXPECT_EQ(acceptor_->duplicate_new_orders(), 0u);
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

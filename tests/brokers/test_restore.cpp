// Restart recovery in the non-deterministic modes: Engine::restore from the journal and
// reconciliation with the broker (paper broker, and scripted broker answers for each case).

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "restore_harness.hpp"

namespace odte::restore_test {
namespace {

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("odte-restore-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // The whole morning, uninterrupted, with the journal's record count and the engine's
  // description after every step.
  struct Reference {
    std::string journal;
    std::vector<std::uint64_t> records_after;  // by step
    std::vector<std::string> state_after;      // by step
    std::vector<std::uint64_t> offsets;        // file offset of record k (1-based: offsets[k-1]); then the size
  };
  Reference run_reference() {
    Reference ref;
    ref.journal = path("reference.odj");
    Session a(ref.journal, false);
    a.engine->start(kOpen);
    for (int s = 0; s < kSteps; ++s) {
      a.step(s);
      ref.records_after.push_back(a.journal->records());
      ref.state_after.push_back(a.engine->describe());
    }
    EXPECT_TRUE(a.journal->ok());
    JournalReader reader;
    const JournalScan scan = reader.read(ref.journal);
    EXPECT_EQ(scan.status, JournalStatus::kOk);
    for (const JournalRecord& r : scan.records) ref.offsets.push_back(r.offset);
    ref.offsets.push_back(scan.valid_bytes);
    EXPECT_EQ(scan.records.size(), a.journal->records());
    // The morning must exercise what recovery has to rebuild.
    const EngineStats& st = a.engine->stats();
    EXPECT_GT(st.fills, 20u);
    EXPECT_GT(st.rejected, 0u);
    std::size_t cancelled = 0, partial_then_done = 0, closing = 0;
    for (const Order& o : a.engine->orders().orders()) {
      cancelled += o.state == OrderState::kCancelled ? 1u : 0u;
      partial_then_done += (o.state == OrderState::kCancelled && o.filled_units() > 0) ? 1u : 0u;
      closing += o.legs[0].side == Side::kSell ? 1u : 0u;
    }
    EXPECT_GT(cancelled, 2u);
    EXPECT_GT(closing, 3u);
    std::printf("reference morning: %zu orders, %llu fills, %llu refusals, %zu cancelled (%zu after partial fills), "
                "%zu closing, %zu records\n",
                a.engine->orders().orders().size(), static_cast<unsigned long long>(st.fills),
                static_cast<unsigned long long>(st.rejected), cancelled, partial_then_done, closing,
                scan.records.size());
    return ref;
  }
  // The step during which record k (1-based) was written.
  static int step_of_record(const Reference& ref, std::uint64_t k) {
    for (std::size_t s = 0; s < ref.records_after.size(); ++s) {
      if (ref.records_after[s] >= k) return static_cast<int>(s);
    }
    return kSteps - 1;
  }

  fs::path dir_;
};

// A restored engine equals the uninterrupted one at the moment its journal ended: every order
// (state, ids, leg fills and notionals), spread, position, realized P&L and fees, risk flags and
// limits, strategy flags and counters -- with the instruments interned in another order, as in
// a new process.
TEST_F(RestoreTest, shouldEqualTheUninterruptedEngineAtEveryStepBoundary) {
  const Reference ref = run_reference();
  const std::string bytes = read_bytes(ref.journal);
  int compared = 0;
  for (int s = 0; s < kSteps; ++s) {
    const bool activity = s == 0 || ref.records_after[static_cast<std::size_t>(s)] != ref.records_after[static_cast<std::size_t>(s - 1)];
    if (!activity && s % 97 != 0) continue;
    const std::uint64_t n = ref.records_after[static_cast<std::size_t>(s)];
    const std::string cut = path("cut.odj");
    write_bytes(cut, std::string_view(bytes).substr(0, ref.offsets[n]));
    JournalReader reader;
    const JournalScan scan = reader.read(cut);
    ASSERT_EQ(scan.status, JournalStatus::kOk);
    ASSERT_EQ(scan.records.size(), n);
    fs::remove(path("restored.odj"));
    Session b(path("restored.odj"), true);
    const RestoreResult r = b.engine->restore(scan, step_time(s));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.tail_booked, 0u);
    EXPECT_EQ(b.journal->records(), 0u) << "restore wrote records";
    EXPECT_EQ(b.engine->state(), CoreState::kStarting);
    ASSERT_EQ(b.engine->describe(), ref.state_after[static_cast<std::size_t>(s)]) << "step " << s << ", " << n << " records";
    EXPECT_TRUE(b.ring->empty_approx()) << "restore sent a command";
    ++compared;
  }
  EXPECT_GT(compared, 100);
}

// The process and its paper broker die together (cancel-on-disconnect venue). The journal is cut
// at random record boundaries and mid-record; the restarted engine restores, reconciles against a
// new paper broker (which knows no orders: everything left working is closed), finishes the
// morning, and the journal it leaves holds every fill exactly once, ids never repeat, positions
// are the sum of the fills, and restoring it again gives the same engine.
TEST_F(RestoreTest, shouldRecoverFromACrashAtAnyRecordWithAFreshPaperBroker) {
  const Reference ref = run_reference();
  const std::string bytes = read_bytes(ref.journal);
  const std::uint64_t total = ref.offsets.size() - 1;
  std::mt19937_64 rng(20260821);
  for (int round = 0; round < 24; ++round) {
    const std::uint64_t k = 1 + rng() % total;  // records kept
    const bool torn = round % 2 == 1 && k < total;
    std::size_t cut_at = ref.offsets[k];
    if (torn) cut_at += 1 + rng() % (ref.offsets[k + 1] - ref.offsets[k] - 1);
    const std::string p = path("crash-" + std::to_string(round) + ".odj");
    write_bytes(p, std::string_view(bytes).substr(0, cut_at));
    const int crash_step = step_of_record(ref, std::max<std::uint64_t>(k, 1));
    const std::string context = "round " + std::to_string(round) + ": " + std::to_string(k) + " records" +
                                (torn ? " + torn tail" : "") + ", crash in step " + std::to_string(crash_step);
    SCOPED_TRACE(context);
    Session b(p, true);
    const RestoreResult r = b.restart(p, crash_step + 1);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(b.engine->state(), CoreState::kRunning) << b.engine->describe();
    EXPECT_EQ(static_cast<ReconcileStatus>(b.engine->reconciliation().status), ReconcileStatus::kOk);
    EXPECT_EQ(b.engine->reconciliation().orders_closed, r.live_orders);
    for (const Order& o : b.engine->orders().orders()) {
      if (o.id.seq() < b.engine->reconciliation().request.seq()) {
        EXPECT_FALSE(o.is_live()) << o.id.to_string();
      }
    }
    for (int s = crash_step + 1; s < kSteps; ++s) b.step(s);
    ASSERT_TRUE(b.journal->ok());
    // Every fill the new broker made is in the engine.
    std::map<std::pair<std::uint64_t, int>, std::uint32_t> broker_cum;
    for (const ExecutionReport& e : b.broker_reports) {
      if (e.kind != ExecKind::kFill && e.kind != ExecKind::kPartialFill) continue;
      const Order* o = b.engine->orders().find(e.id);
      ASSERT_NE(o, nullptr) << e.id.to_string();
      auto& c = broker_cum[{o->id.value, e.leg}];
      c = std::max(c, e.cum_qty);
    }
    for (const auto& [key, cum] : broker_cum) {
      const Order* o = b.engine->orders().find(ClientOrderId{key.first});
      EXPECT_EQ(o->leg_filled[key.second], cum) << o->id.to_string();
    }
    check_invariants(p, *b.engine, context);
  }
}

// The broker survives the crash (a real venue, or FIX): only records after the last order command
// can be missing from the journal (commands are durable before they are sent), and every fill the
// broker made while the journal lost it is applied by reconciliation -- none lost, none twice.
TEST_F(RestoreTest, shouldApplyEveryFillASurvivingBrokerMadeThatTheJournalLost) {
  std::mt19937_64 rng(7);
  int fills_recovered = 0;
  for (int round = 0; round < 16; ++round) {
    const int crash_step = 200 + static_cast<int>(rng() % (kSteps - 400));
    const std::string p = path("survive-" + std::to_string(round) + ".odj");
    brokers::PaperBroker venue(broker_config());
    std::vector<ExecutionReport> all_reports;
    {
      Session a(p, false, &venue);
      a.engine->start(kOpen);
      for (int s = 0; s <= crash_step; ++s) a.step(s);
      all_reports = a.broker_reports;
    }
    JournalReader reader;
    const JournalScan full = reader.read(p);
    ASSERT_EQ(full.status, JournalStatus::kOk);
    std::size_t last_command = 0;
    for (std::size_t i = 0; i < full.records.size(); ++i) {
      if (full.records[i].type == JournalRecordType::kOrderCommand) last_command = i + 1;
    }
    // Keep every command; lose a random part of what followed (exec reports, book fills, marks).
    const std::size_t keep = last_command + static_cast<std::size_t>(rng() % (full.records.size() - last_command + 1));
    const std::uint64_t cut_at = keep < full.records.size() ? full.records[keep].offset : full.valid_bytes;
    const std::string bytes = read_bytes(p);
    write_bytes(p, std::string_view(bytes).substr(0, cut_at));
    const std::string context = "round " + std::to_string(round) + ": crash after step " + std::to_string(crash_step) +
                                ", kept " + std::to_string(keep) + " of " + std::to_string(full.records.size());
    SCOPED_TRACE(context);

    Session b(p, false, &venue);
    const RestoreResult r = b.restart(p, crash_step + 1);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(b.engine->state(), CoreState::kRunning) << b.engine->describe();
    fills_recovered += static_cast<int>(b.engine->reconciliation().fills_applied);
    for (int s = crash_step + 1; s < kSteps; ++s) b.step(s);
    all_reports.insert(all_reports.end(), b.broker_reports.begin(), b.broker_reports.end());
    std::map<std::pair<std::uint64_t, int>, std::uint32_t> broker_cum;
    for (const ExecutionReport& e : all_reports) {
      if (e.kind != ExecKind::kFill && e.kind != ExecKind::kPartialFill) continue;
      const Order* o = b.engine->orders().find(e.id);
      ASSERT_NE(o, nullptr) << e.id.to_string();
      auto& c = broker_cum[{o->id.value, e.leg}];
      c = std::max(c, e.cum_qty);
    }
    for (const auto& [key, cum] : broker_cum) {
      const Order* o = b.engine->orders().find(ClientOrderId{key.first});
      EXPECT_EQ(o->leg_filled[key.second], cum) << "fill lost or doubled on " << o->id.to_string();
    }
    check_invariants(p, *b.engine, context);
  }
  EXPECT_GT(fills_recovered, 0) << "no round lost a fill to recover: the test proves nothing";
}

// ---- each reconciliation case, with the broker's answer scripted ----------------------------

class ReconcileCaseTest : public RestoreTest {
 protected:
  // Runs the morning to the first resting entry (09:40, below the market: works, never fills)
  // after the first marketable one filled, then "crashes" and restores into `b`.
  void crash_with_working_order(std::int64_t timeout_ns = 5 * kSec) {
    journal_ = path("case.odj");
    {
      Session a(journal_, false);
      a.engine->start(kOpen);
      for (int s = 0; s < 330; ++s) a.step(s);  // to 09:41
      for (const Order& o : a.engine->orders().orders()) {
        if (o.is_live()) working_ = o.id;
        if (o.state == OrderState::kFilled && !filled_.valid()) filled_ = o.id;
      }
      ASSERT_TRUE(working_.valid()) << a.engine->describe();
      ASSERT_TRUE(filled_.valid()) << a.engine->describe();
    }
    b_ = std::make_unique<Session>(journal_, true);
    JournalReader reader;
    const RestoreResult r = b_->engine->restore(reader.read(journal_), step_time(330));
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.live_orders, 1u);
    b_->engine->start(step_time(330));
    ASSERT_TRUE(b_->engine->begin_reconciliation(step_time(330), timeout_ns));
    ASSERT_EQ(b_->engine->state(), CoreState::kReconciling);
    b_->ring->drain([&](const OrderCommand& c) {
      b_->journal->record(JournalRecordType::kOrderCommand, std::as_bytes(std::span<const OrderCommand>(&c, 1)));
      EXPECT_EQ(c.kind, CommandKind::kStatusRequest);
      request_ = c.id;
    });
    ASSERT_TRUE(request_.valid());
    EXPECT_GT(request_, working_) << "the request's id continues the journal's sequence";
  }
  ExecutionReport status(ClientOrderId id, std::uint8_t leg, std::uint32_t cum, Price avg, std::uint32_t leaves) const {
    ExecutionReport r;
    std::memset(static_cast<void*>(&r), 0, sizeof r);
    r.kind = ExecKind::kStatus;
    r.id = id;
    r.orig_id = request_;
    r.leg = leg;
    r.cum_qty = cum;
    r.last_price = avg;
    r.commission = Price::from_cents(68) * cum;
    r.leaves_qty = leaves;
    return r;
  }
  void end(std::uint32_t count) {
    ExecutionReport r;
    std::memset(static_cast<void*>(&r), 0, sizeof r);
    r.kind = ExecKind::kStatusEnd;
    r.orig_id = request_;
    r.last_qty = count;
    b_->engine->on_exec_report(r, step_time(330));
  }
  // The filled entry as the broker knows it: both legs complete.
  void report_filled_entry() {
    const Order* o = b_->engine->orders().find(filled_);
    for (std::uint8_t i = 0; i < 2; ++i) {
      b_->engine->on_exec_report(status(filled_, i, o->leg_filled[i], Price::from_ticks(o->leg_notional[i].ticks() / o->leg_filled[i]), 0),
                                 step_time(330));
    }
  }
  bool noted(const std::string& fragment) const {
    for (const std::string& n : b_->engine->notes()) {
      if (n.find(fragment) != std::string::npos) return true;
    }
    return false;
  }
  JournalReconciliation journaled_outcome() const {
    JournalReader reader;
    const JournalScan scan = reader.read(journal_);
    JournalReconciliation out{};
    for (const JournalRecord& r : scan.records) {
      if (r.type == JournalRecordType::kReconciliation) {
        EXPECT_TRUE(r.read_pod(out));
      }
    }
    return out;
  }
  // An opening intent submitted now is refused while not reconciled.
  RiskReason try_to_open() {
    const std::uint64_t before = b_->engine->risk().rejections(RiskReason::kNotReconciled);
    // The churn strategy enters at the next 5-minute slot: 09:45.
    for (int s = 330; s < 460; ++s) b_->step(s);
    return b_->engine->risk().rejections(RiskReason::kNotReconciled) > before ? RiskReason::kNotReconciled : RiskReason::kNone;
  }

  std::string journal_;
  std::unique_ptr<Session> b_;
  ClientOrderId working_, filled_, request_;
};

TEST_F(ReconcileCaseTest, shouldApplyAFillTheBrokerHasAndTheJournalLacks) {
  crash_with_working_order();
  report_filled_entry();
  // The resting order filled at the broker while the process was down: 1 unit at 0.80 / 0.30.
  const Order* w = b_->engine->orders().find(working_);
  const std::uint32_t qty = w->quantity;
  b_->engine->on_exec_report(status(working_, 0, qty, 0.80_usd, 0), step_time(330));
  b_->engine->on_exec_report(status(working_, 1, qty, 0.30_usd, 0), step_time(330));
  const Price fees_before = b_->engine->book().totals().fees;
  end(4);
  EXPECT_EQ(b_->engine->state(), CoreState::kRunning);
  const JournalReconciliation& rc = b_->engine->reconciliation();
  EXPECT_EQ(static_cast<ReconcileStatus>(rc.status), ReconcileStatus::kOk);
  EXPECT_EQ(rc.fills_applied, 2u);
  EXPECT_EQ(rc.orders_matched, 2u);
  EXPECT_EQ(rc.orders_closed, 0u);
  EXPECT_EQ(w->state, OrderState::kFilled);
  EXPECT_EQ(w->leg_filled[0], qty);
  EXPECT_EQ(w->leg_notional[0], 0.80_usd * qty);
  EXPECT_EQ(w->leg_notional[1], 0.30_usd * qty);
  EXPECT_EQ(b_->engine->book().totals().fees - fees_before, Price::from_cents(68) * (2 * qty));
  EXPECT_TRUE(noted("applied a fill the journal lacked"));
  EXPECT_EQ(journaled_outcome().fills_applied, 2u);
  EXPECT_EQ(static_cast<ReconcileStatus>(journaled_outcome().status), ReconcileStatus::kOk);
  // The applied fills are in the journal as ordinary reports and book records: restoring the
  // journal again gives this engine.
  check_invariants(journal_, *b_->engine, "after a missed fill");
}

TEST_F(ReconcileCaseTest, shouldCloseAWorkingOrderTheBrokerDoesNotKnow) {
  crash_with_working_order();
  report_filled_entry();
  end(2);
  EXPECT_EQ(b_->engine->state(), CoreState::kRunning);
  EXPECT_EQ(b_->engine->orders().find(working_)->state, OrderState::kCancelled);
  EXPECT_EQ(b_->engine->reconciliation().orders_closed, 1u);
  EXPECT_TRUE(noted(working_.to_string() + " (new in the journal) is unknown to the broker; closed as cancelled"));
  EXPECT_EQ(try_to_open(), RiskReason::kNone) << "reconciled: openings are allowed again";
  check_invariants(journal_, *b_->engine, "after closing the unknown order");
}

// An entry the journal and a surviving broker both leave working, whose time in force ended while
// the process was down: once reconciled, the first timer tick cancels it, saying why.
TEST_F(ReconcileCaseTest, shouldCancelAnEntryWhoseTimeInForceEndedBeforeTheRestart) {
  crash_with_working_order();
  b_->engine->strategy(0).set_entry_expiry_minute(static_cast<std::int16_t>(local_minute(step_time(330))));
  report_filled_entry();
  const Order* w = b_->engine->orders().find(working_);
  b_->engine->on_exec_report(status(working_, 0, 0, Price::zero(), w->quantity), step_time(330));
  b_->engine->on_exec_report(status(working_, 1, 0, Price::zero(), w->quantity), step_time(330));
  end(4);
  ASSERT_EQ(b_->engine->state(), CoreState::kRunning);
  ASSERT_TRUE(w->is_live()) << "the broker still works it";
  b_->sent.clear();
  b_->step(331);
  const auto cancel = std::find_if(b_->sent.begin(), b_->sent.end(), [&](const OrderCommand& c) {
    return c.kind == CommandKind::kCancel && c.orig_id == working_;
  });
  ASSERT_NE(cancel, b_->sent.end());
  EXPECT_EQ(cancel->cancel_reason, static_cast<std::uint8_t>(CancelReason::kTimeInForce));
  EXPECT_TRUE(noted("churn: entry order " + working_.to_string() + " cancelled at"));
}

TEST_F(ReconcileCaseTest, shouldCloseAWorkingOrderTheBrokerReportsFinished) {
  crash_with_working_order();
  report_filled_entry();
  b_->engine->on_exec_report(status(working_, 0, 0, Price::zero(), 0), step_time(330));
  b_->engine->on_exec_report(status(working_, 1, 0, Price::zero(), 0), step_time(330));
  end(4);
  EXPECT_EQ(b_->engine->state(), CoreState::kRunning);
  EXPECT_EQ(b_->engine->orders().find(working_)->state, OrderState::kCancelled);
  EXPECT_TRUE(noted("is finished at the broker; closed as cancelled"));
}

TEST_F(ReconcileCaseTest, shouldHaltOnAnOrphanOrderAndRefuseOpenings) {
  crash_with_working_order();
  report_filled_entry();
  const Order* w = b_->engine->orders().find(working_);
  b_->engine->on_exec_report(status(working_, 0, 0, Price::zero(), w->quantity), step_time(330));
  b_->engine->on_exec_report(status(working_, 1, 0, Price::zero(), w->quantity), step_time(330));
  const ClientOrderId orphan = ClientOrderId::make(kTradingDay, 9999);
  b_->engine->on_exec_report(status(orphan, 0, 1, 1.00_usd, 0), step_time(330));
  end(5);
  EXPECT_EQ(b_->engine->state(), CoreState::kHalted);
  const JournalReconciliation& rc = b_->engine->reconciliation();
  EXPECT_EQ(static_cast<ReconcileStatus>(rc.status), ReconcileStatus::kOrphans);
  EXPECT_EQ(rc.orphans, 1u);
  EXPECT_EQ(rc.first_problem, orphan);
  EXPECT_EQ(w->state, OrderState::kNew) << "the broker works it: it stays working";
  EXPECT_TRUE(noted("orphan"));
  EXPECT_EQ(static_cast<ReconcileStatus>(journaled_outcome().status), ReconcileStatus::kOrphans);
  auto snap = std::make_unique<CoreSnapshot>();
  b_->engine->fill_snapshot(*snap, step_time(330));
  EXPECT_EQ(snap->state, CoreState::kHalted);
  EXPECT_EQ(try_to_open(), RiskReason::kNotReconciled);
}

TEST_F(ReconcileCaseTest, shouldHaltWhenTheBrokerDoesNotAnswerInTime) {
  crash_with_working_order();
  report_filled_entry();  // part of an answer, never ended
  b_->engine->on_timer(step_time(330) + 4 * kSec);
  EXPECT_EQ(b_->engine->state(), CoreState::kReconciling);
  b_->engine->on_timer(step_time(330) + 6 * kSec);
  EXPECT_EQ(b_->engine->state(), CoreState::kHalted);
  EXPECT_EQ(static_cast<ReconcileStatus>(b_->engine->reconciliation().status), ReconcileStatus::kTimeout);
  EXPECT_TRUE(b_->engine->orders().find(working_)->is_live()) << "without a whole answer nothing is closed";
  EXPECT_TRUE(noted("reconcile timeout"));
  EXPECT_EQ(try_to_open(), RiskReason::kNotReconciled);
}

// The live modes keep the deadline on the monotonic clock themselves: no timeout on the core's
// clock, however far a fast replay moves it, and the run loop's call decides.
TEST_F(ReconcileCaseTest, shouldLeaveTheDeadlineToTheRunLoopWhenGivenNone) {
  crash_with_working_order(0);
  report_filled_entry();
  b_->engine->on_timer(step_time(330) + 3600 * kSec);
  EXPECT_EQ(b_->engine->state(), CoreState::kReconciling) << "no deadline on the core's clock";
  b_->engine->reconciliation_timed_out(step_time(330) + 3600 * kSec);
  EXPECT_EQ(b_->engine->state(), CoreState::kHalted);
  EXPECT_EQ(static_cast<ReconcileStatus>(b_->engine->reconciliation().status), ReconcileStatus::kTimeout);
  EXPECT_TRUE(b_->engine->orders().find(working_)->is_live()) << "without a whole answer nothing is closed";
  EXPECT_TRUE(noted("reconcile timeout"));
  EXPECT_EQ(journaled_outcome().status, static_cast<std::uint8_t>(ReconcileStatus::kTimeout));
}

TEST_F(ReconcileCaseTest, shouldIgnoreALateRunLoopTimeoutOnceReconciled) {
  crash_with_working_order(0);
  report_filled_entry();
  end(2);
  ASSERT_EQ(b_->engine->state(), CoreState::kRunning);
  b_->engine->reconciliation_timed_out(step_time(330) + 20 * kSec);
  EXPECT_EQ(b_->engine->state(), CoreState::kRunning);
  EXPECT_EQ(static_cast<ReconcileStatus>(b_->engine->reconciliation().status), ReconcileStatus::kOk);
}

TEST_F(ReconcileCaseTest, shouldHaltWhenTheAnswerIsShorterThanAnnounced) {
  crash_with_working_order();
  report_filled_entry();
  end(4);
  EXPECT_EQ(b_->engine->state(), CoreState::kHalted);
  EXPECT_EQ(static_cast<ReconcileStatus>(b_->engine->reconciliation().status), ReconcileStatus::kIncomplete);
  EXPECT_TRUE(b_->engine->orders().find(working_)->is_live());
}

TEST_F(ReconcileCaseTest, shouldHaltWhenTheBrokerHasFewerFillsThanTheJournal) {
  crash_with_working_order();
  const Order* o = b_->engine->orders().find(filled_);
  b_->engine->on_exec_report(status(filled_, 0, o->leg_filled[0] - 1, 1.00_usd, 0), step_time(330));
  b_->engine->on_exec_report(status(filled_, 1, o->leg_filled[1], 0.50_usd, 0), step_time(330));
  end(2);
  EXPECT_EQ(b_->engine->state(), CoreState::kHalted);
  EXPECT_EQ(static_cast<ReconcileStatus>(b_->engine->reconciliation().status), ReconcileStatus::kMismatch);
  EXPECT_EQ(b_->engine->reconciliation().first_problem, filled_);
}

TEST_F(ReconcileCaseTest, shouldIgnoreAnswersToOtherRequests) {
  crash_with_working_order();
  ExecutionReport stray = status(working_, 0, 0, Price::zero(), 0);
  stray.orig_id = ClientOrderId{};  // a timer's status request
  b_->engine->on_exec_report(stray, step_time(330));
  ExecutionReport stray_end;
  std::memset(static_cast<void*>(&stray_end), 0, sizeof stray_end);
  stray_end.kind = ExecKind::kStatusEnd;
  b_->engine->on_exec_report(stray_end, step_time(330));
  EXPECT_EQ(b_->engine->state(), CoreState::kReconciling);
  EXPECT_EQ(b_->engine->reconciliation().status_reports, 0u);
}

TEST_F(RestoreTest, shouldKeepTheKillSwitchAndLimitsAcrossARestart) {
  const std::string p = path("kill.odj");
  {
    Session a(p, false);
    a.engine->start(kOpen);
    for (int s = 0; s < 1250; ++s) a.step(s);  // the kill switch went on at step 1200
    ASSERT_TRUE(a.engine->risk().kill_switch());
  }
  Session b(p, true);
  const RestoreResult r = b.restart(p, 1250);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(b.engine->state(), CoreState::kRunning);
  EXPECT_TRUE(b.engine->risk().kill_switch()) << "sticky: survives the restart";
  EXPECT_EQ(b.engine->risk().limits().max_open_positions, 4u) << "the limits of the morning so far";
  // Without the operator's unkill at 10:13, the 10:15 churn entry is refused by the kill switch.
  b.operators = false;
  const std::uint64_t before = b.engine->risk().rejections(RiskReason::kKillSwitch);
  const std::uint64_t sent = b.engine->stats().orders_sent;
  for (int s = 1250; s < 1360; ++s) b.step(s);
  EXPECT_GT(b.engine->risk().rejections(RiskReason::kKillSwitch), before);
  for (const Order& o : b.engine->orders().orders()) {
    if (o.id.seq() > b.engine->reconciliation().request.seq()) {
      EXPECT_EQ(o.legs[0].side, Side::kSell) << "only closing orders under the kill switch: " << o.id.to_string();
    }
  }
  (void)sent;
}

TEST_F(RestoreTest, shouldKeepTheLimitsAndStrategyFlagsTheOperatorSet) {
  const std::string p = path("limits.odj");
  {
    Session a(p, false);
    a.engine->start(kOpen);
    for (int s = 0; s < 2150; ++s) a.step(s);  // limits changed at 1500, strategy disabled at 2100
  }
  Session b(p, true);
  ASSERT_TRUE(b.restart(p, 2150).ok);
  EXPECT_EQ(b.engine->risk().limits().max_open_positions, 3u);
  EXPECT_EQ(b.engine->risk().limits().daily_loss_limit, 1'500_usd);
  EXPECT_EQ(b.engine->strategy(0).state(), StrategyState::kDisabled);
  auto snap = std::make_unique<CoreSnapshot>();
  b.engine->fill_snapshot(*snap, step_time(2150));
  EXPECT_FALSE(snap->strategies[0].enabled);
  EXPECT_EQ(snap->exits.exit_minute, 11 * 60 + 25);
}

TEST_F(RestoreTest, shouldRefuseAJournalOfAnotherDayOrACorruptOne) {
  const std::string p = path("other.odj");
  {
    JournalWriter w;
    ASSERT_FALSE(w.open(p, 20260820, kOpen));
  }
  Session b(path("b.odj"), false);
  JournalReader reader;
  const RestoreResult r = b.engine->restore(reader.read(p), kOpen);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("trading day 20260820"), std::string::npos) << r.error;
  EXPECT_EQ(b.engine->state(), CoreState::kHalted);
  JournalScan corrupt;
  corrupt.status = JournalStatus::kCorrupt;
  corrupt.error = "bad crc at 1234";
  Session c(path("c.odj"), false);
  EXPECT_FALSE(c.engine->restore(corrupt, kOpen).ok);
  EXPECT_EQ(c.engine->state(), CoreState::kHalted);
}

// A first start of the day has no journal: nothing restored, and reconciliation still asks the
// broker (a previous process may have left orders there).
TEST_F(RestoreTest, shouldReconcileAFirstStartWithoutJournal) {
  Session b(path("first.odj"), false);
  JournalScan none;
  none.status = JournalStatus::kMissing;
  const RestoreResult r = b.engine->restore(none, kOpen);
  ASSERT_TRUE(r.ok);
  b.engine->start(kOpen);
  ASSERT_TRUE(b.engine->begin_reconciliation(kOpen, 5 * kSec));
  b.pump(kOpen);
  b.pump(kOpen + kSec);
  EXPECT_EQ(b.engine->state(), CoreState::kRunning);
  EXPECT_EQ(b.engine->reconciliation().expected_reports, 0u);
}

// The live loop's journal thread and command gate write the very bytes the synchronous journal
// writes for the same morning (commands waited for until durable, so the engine sees the same
// sequence of calls).
TEST_F(RestoreTest, shouldWriteTheSameJournalBytesThroughTheJournalThread) {
  const Reference ref = run_reference();
  const std::string p = path("threaded.odj");
  {
    Session a(p, false, nullptr, JournalMode::kThread);
    a.engine->start(kOpen);
    for (int s = 0; s < kSteps; ++s) a.step(s);
    a.thread_journal->async().stop();
    ASSERT_TRUE(a.thread_journal->ok()) << a.thread_journal->async().error();
    EXPECT_GT(a.gate->stats().sent, 20u);
    EXPECT_EQ(a.gate->stats().discarded, 0u);
    EXPECT_LT(a.thread_journal->async().stats().writes.load(), a.thread_journal->async().stats().records.load())
        << "records were batched";
  }
  EXPECT_EQ(read_bytes(p), read_bytes(ref.journal));
}

// kill -9 of a child process that trades the morning and writes the journal, at random moments,
// with the synchronous journal and with the live loop's journal thread (alternate rounds); the
// restarted engine restores what the file holds, reconciles with a new paper broker and finishes
// the morning with every invariant intact.
TEST_F(RestoreTest, shouldRecoverAfterKillMinusNineOfTheTradingProcess) {
  std::mt19937 rng(20261125);
  for (int round = 0; round < 8; ++round) {
    const JournalMode mode = round % 2 == 0 ? JournalMode::kSync : JournalMode::kThread;
    const std::string p = path("kill9-" + std::to_string(round) + ".odj");
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(ready[0]);
      Session a(p, false, nullptr, mode);
      a.engine->start(kOpen);
      for (int s = 0; s < kSteps; ++s) {
        a.step(s);
        if (s == 300) {
          const char one = '1';
          if (::write(ready[1], &one, 1) != 1) ::_exit(4);
          ::close(ready[1]);
        }
        if (s > 300) std::this_thread::sleep_for(std::chrono::microseconds(300));
      }
      ::_exit(0);
    }
    ::close(ready[1]);
    char got = 0;
    const ssize_t n = ::read(ready[0], &got, 1);
    ::close(ready[0]);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 800'000));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_EQ(n, 1) << "the trading process never got going";
    ASSERT_TRUE(WIFSIGNALED(status)) << "the trading process ended before the kill: make it slower";
    JournalReader reader;
    const JournalScan scan = reader.read(p);
    ASSERT_EQ(scan.status, JournalStatus::kOk) << scan.error;
    TimestampNs last = kOpen;
    for (const JournalRecord& r : scan.records) {
      OrderCommand c{};
      JournalFill f{};
      if (r.type == JournalRecordType::kOrderCommand && r.read_pod(c)) last = std::max(last, c.created_ns);
      if (r.type == JournalRecordType::kBookFill && r.read_pod(f)) last = std::max(last, f.at_ns);
    }
    const int crash_step = static_cast<int>((last - kOpen) / kStepNs);
    const std::string context = "round " + std::to_string(round) +
                                (mode == JournalMode::kThread ? " (journal thread)" : " (synchronous journal)") + ": " +
                                std::to_string(scan.records.size()) +
                                " records, torn tail " + std::to_string(scan.torn_tail_bytes) + " bytes, step " +
                                std::to_string(crash_step);
    SCOPED_TRACE(context);
    Session b(p, true);
    const RestoreResult r = b.restart(p, crash_step + 1);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(b.engine->state(), CoreState::kRunning);
    for (int s = crash_step + 1; s < kSteps; ++s) b.step(s);
    check_invariants(p, *b.engine, context);
  }
}

}  // namespace
}  // namespace odte::restore_test

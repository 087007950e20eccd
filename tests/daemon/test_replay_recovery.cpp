#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "odte/core/base/clock.hpp"
#include "odte/strategies/factory.hpp"
#include "synthetic_day.hpp"

namespace odte::daemon {
namespace {

namespace fs = std::filesystem;
using odte::testing_day::SyntheticDay;

constexpr std::uint32_t kSeed = 20260821;

std::vector<std::unique_ptr<Strategy>> strategies() {
  std::vector<std::unique_ptr<Strategy>> s;
  s.push_back(strategies::make_strategy("regime", "quantity = 1\n", 0, "test"));
  s.push_back(strategies::make_strategy(
      "iron_condor", "short_otm = 0.006\nlong_otm = 0.012\nentry_time = \"09:45\"\nprice_slack = 0.10\n", 1, "test"));
  return s;
}

ReplaySetup setup(const std::string& journal) {
  ReplaySetup s;
  s.engine.orders.trading_day = 20260821;
  s.engine.utc_offset_minutes = -240;
  s.engine.stale_after_ns = 10LL * 60 * 1'000'000'000;
  s.journal_path = journal;
  return s;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class ReplayRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("odte-replay-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  ReplayOutcome run(const std::string& journal, std::function<bool(std::uint64_t, Engine&, bool)> after = {}) {
    InstrumentRegistry registry(4096);
    SyntheticDay day(registry, kSeed);
    ReplaySetup s = setup(journal);
    s.after_event = std::move(after);
    return run_replay(s, registry, strategies(), day);
  }
  fs::path dir_;
};

TEST_F(ReplayRecoveryTest, shouldTradeTheSyntheticDayDeterministically) {
  const auto a = run((dir_ / "a.odj").string());
  const auto b = run((dir_ / "b.odj").string());
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_GT(a.events, 10'000u);
  // It traded: the condor at 09:45 and the regime strategy at 10:00, each opened and closed.
  EXPECT_NE(a.final_state.find("order OD20260821-000004"), std::string::npos) << a.final_state;
  EXPECT_NE(a.final_state.find("open=0"), std::string::npos) << a.final_state;
  EXPECT_EQ(a.final_state, b.final_state);
  RecordProperty("final_state", a.final_state);
  EXPECT_EQ(slurp((dir_ / "a.odj").string()), slurp((dir_ / "b.odj").string()));
}

TEST_F(ReplayRecoveryTest, shouldVerifyACompleteJournalAndWriteNothingOnRerun) {
  const std::string j = (dir_ / "j.odj").string();
  const auto first = run(j);
  ASSERT_TRUE(first.ok) << first.error;
  const std::string bytes = slurp(j);
  const auto again = run(j);
  ASSERT_TRUE(again.ok) << again.error;
  EXPECT_EQ(again.verified_records, first.written_records);
  EXPECT_EQ(again.written_records, 0u);
  EXPECT_EQ(again.final_state, first.final_state);
  EXPECT_EQ(slurp(j), bytes);
}

TEST_F(ReplayRecoveryTest, shouldContinueAJournalCutShortAtAnyEvent) {
  const std::string ref = (dir_ / "ref.odj").string();
  const auto full = run(ref);
  ASSERT_TRUE(full.ok) << full.error;
  for (const std::uint64_t stop_at : {1ull, 950ull, 4000ull, 9000ull}) {
    const std::string j = (dir_ / ("cut-" + std::to_string(stop_at) + ".odj")).string();
    const auto partial = run(j, [stop_at](std::uint64_t n, Engine&, bool) { return n < stop_at; });
    ASSERT_TRUE(partial.ok) << partial.error;
    const auto resumed = run(j);
    ASSERT_TRUE(resumed.ok) << resumed.error;
    EXPECT_EQ(resumed.verified_records, partial.written_records);
    EXPECT_EQ(resumed.final_state, full.final_state) << "stopped at " << stop_at;
    EXPECT_EQ(slurp(j), slurp(ref)) << "stopped at " << stop_at;
  }
}

// Operator commands are inputs from outside: the journal records where they were applied and a
// resumed run applies them at the same points.
TEST_F(ReplayRecoveryTest, shouldReapplyOperatorCommandsFromTheJournalWhenResuming) {
  auto operator_actions = [](std::uint64_t n, Engine& engine, bool recovering) {
    ControlCommand c{};
    if (!recovering && n == 2000) c.kind = ControlKind::kPause;
    if (!recovering && n == 2500) c.kind = ControlKind::kResume;
    if (!recovering && n == 7000) {
      c.kind = ControlKind::kSetRiskLimits;
      c.limits = RiskLimits{};
      c.limits.max_open_positions = 1;
      c.exits = ExitRules{};
      c.exits.exit_minute = 14 * 60;
    }
    if (!recovering && n == 9000) {
      c.kind = ControlKind::kKill;
      c.flatten = true;
    }
    if (c.kind != ControlKind{}) (void)engine.on_control(c, engine.market_state().market_time());
    return true;
  };
  const std::string ref = (dir_ / "ref.odj").string();
  const auto full = run(ref, operator_actions);
  ASSERT_TRUE(full.ok) << full.error;
  for (const std::uint64_t stop_at : {2200ull, 8000ull, 12000ull}) {
    const std::string j = (dir_ / ("op-" + std::to_string(stop_at) + ".odj")).string();
    const auto partial = run(j, [&](std::uint64_t n, Engine& e, bool rec) { return operator_actions(n, e, rec) && n < stop_at; });
    ASSERT_TRUE(partial.ok) << partial.error;
    // Resumed without any operator: the journal supplies the commands given before the stop.
    const auto resumed = run(j, [&](std::uint64_t n, Engine& e, bool rec) {
      return n <= stop_at || operator_actions(n, e, rec);  // after the stop point the operator acts again
    });
    ASSERT_TRUE(resumed.ok) << "stopped at " << stop_at << ": " << resumed.error;
    EXPECT_EQ(resumed.final_state, full.final_state) << "stopped at " << stop_at;
    EXPECT_EQ(slurp(j), slurp(ref)) << "stopped at " << stop_at;
  }
}

// The operator's flatten is journaled (who, when, what there was) before the orders it sends, so
// the report shows it and a resumed replay re-applies it at the same point: without the record the
// re-run would not flatten, and its records would differ from the journal's.
TEST_F(ReplayRecoveryTest, shouldJournalTheOperatorsFlattenAndReapplyItWhenResuming) {
  constexpr std::uint64_t kFlattenAt = 8000;
  auto flatten = [](std::uint64_t n, Engine& engine, bool recovering) {
    if (!recovering && n == kFlattenAt) {
      ControlCommand c{};
      c.kind = ControlKind::kFlatten;
      c.peer_uid = 1000;
      c.peer_pid = 4242;
      (void)engine.on_control(c, engine.market_state().market_time());
    }
    return true;
  };
  const std::string ref = (dir_ / "ref.odj").string();
  const auto full = run(ref, flatten);
  ASSERT_TRUE(full.ok) << full.error;

  JournalReader reader;
  const JournalScan scan = reader.read(ref);
  ASSERT_EQ(scan.status, JournalStatus::kOk) << scan.error;
  std::size_t at = scan.records.size();
  for (std::size_t i = 0; i < scan.records.size(); ++i) {
    if (scan.records[i].type == JournalRecordType::kFlatten) {
      ASSERT_EQ(at, scan.records.size()) << "one flatten, one record";
      at = i;
    }
  }
  ASSERT_LT(at, scan.records.size()) << "the operator's flatten is not in the journal";
  JournalFlatten f{};
  ASSERT_TRUE(scan.records[at].read_pod(f));
  EXPECT_EQ(f.peer_uid, 1000u);
  EXPECT_EQ(f.peer_pid, 4242);
  EXPECT_EQ(f.after_events, kFlattenAt);
  EXPECT_GT(f.open_positions, 0u) << "the synthetic day should hold a position at event " << kFlattenAt;
  std::size_t closing = 0;
  for (std::size_t i = at + 1; i < scan.records.size(); ++i) {
    JournalIntent in{};
    if (scan.records[i].type != JournalRecordType::kIntent || !scan.records[i].read_pod(in)) continue;
    if (std::string(in.intent.reason, strnlen(in.intent.reason, sizeof in.intent.reason)) == "operator:flatten") ++closing;
  }
  EXPECT_GT(closing, 0u) << "no closing order after the flatten record";

  for (const std::uint64_t stop_at : {kFlattenAt + 10, kFlattenAt + 3000}) {
    const std::string j = (dir_ / ("flat-" + std::to_string(stop_at) + ".odj")).string();
    const auto partial = run(j, [&](std::uint64_t n, Engine& e, bool rec) { return flatten(n, e, rec) && n < stop_at; });
    ASSERT_TRUE(partial.ok) << partial.error;
    const auto resumed = run(j);  // no operator now: the journal supplies the flatten
    ASSERT_TRUE(resumed.ok) << "stopped at " << stop_at << ": " << resumed.error;
    EXPECT_EQ(resumed.final_state, full.final_state) << "stopped at " << stop_at;
    EXPECT_EQ(slurp(j), slurp(ref)) << "stopped at " << stop_at;
  }
}

TEST_F(ReplayRecoveryTest, shouldRefuseAJournalWrittenByAnotherRun) {
  const std::string j = (dir_ / "other.odj").string();
  {
    InstrumentRegistry registry(4096);
    SyntheticDay other_day(registry, kSeed + 1);
    const auto r = run_replay(setup(j), registry, strategies(), other_day);
    ASSERT_TRUE(r.ok) << r.error;
  }
  const auto r = run(j);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("differs from the re-run"), std::string::npos) << r.error;
}

// kill -9 of a replaying process at random moments; the restarted run ends in the same state, and
// the journal holds the same bytes, as a run that was never interrupted.
TEST_F(ReplayRecoveryTest, shouldRecoverFromKillMinusNineAtRandomPoints) {
  const std::string ref = (dir_ / "ref.odj").string();
  const auto full = run(ref);
  ASSERT_TRUE(full.ok) << full.error;
  const std::string ref_bytes = slurp(ref);
  std::mt19937 rng(kSeed);
  int killed_mid_run = 0;
  for (int round = 0; round < 8; ++round) {
    const std::string j = (dir_ / ("crash-" + std::to_string(round) + ".odj")).string();
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // Slow the child down so the kill lands part-way (about 15k events x 20 us = 0.3 s).
      const auto r = run(j, [](std::uint64_t, Engine&, bool) {
        std::this_thread::sleep_for(std::chrono::microseconds(20));
        return true;
      });
      ::_exit(r.ok ? 0 : 1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 400));
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    if (WIFSIGNALED(status)) ++killed_mid_run;
    const auto resumed = run(j);
    ASSERT_TRUE(resumed.ok) << "round " << round << ": " << resumed.error;
    EXPECT_EQ(resumed.final_state, full.final_state) << "round " << round;
    EXPECT_EQ(slurp(j), ref_bytes) << "round " << round;
  }
  EXPECT_GE(killed_mid_run, 4);  // most kills must land mid-run for the test to mean anything
}

// The feed threads stamp each frame with the wall clock as it is read; this source does the same as
// it hands events out, so tick to order sees live stamps.
class LiveStamped final : public EventSource {
 public:
  explicit LiveStamped(EventSource& inner) : inner_{inner} {}
  bool next(MarketEvent& out) override {
    if (!inner_.next(out)) return false;
    out.header.receive_ns = WallClock{}.now_ns();
    return true;
  }

 private:
  EventSource& inner_;
};

TEST_F(ReplayRecoveryTest, shouldRecordTickToOrderForEveryNewOrderWhenAsked) {
  InstrumentRegistry registry(4096);
  SyntheticDay day(registry, kSeed);
  LiveStamped live(day);
  LatencyHistogram tick_to_order;
  ReplaySetup s = setup((dir_ / "t.odj").string());
  s.tick_to_order = &tick_to_order;
  std::size_t new_orders = 0;
  s.on_finish = [&](const Engine& engine, const ReplayOutcome&) { new_orders = engine.orders().orders().size(); };
  const auto r = run_replay(s, registry, strategies(), live);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_GT(new_orders, 0u);
  EXPECT_EQ(tick_to_order.count(), new_orders);
  EXPECT_LT(tick_to_order.max(), 60'000'000'000ull);  // live stamps: not the recorded day's clock

  // Off unless asked: the same run without a histogram gives the same outcome.
  SyntheticDay again(registry, kSeed);
  ReplaySetup plain = setup((dir_ / "p.odj").string());
  const auto q = run_replay(plain, registry, strategies(), again);
  ASSERT_TRUE(q.ok) << q.error;
  EXPECT_EQ(q.final_state, r.final_state);
}

}  // namespace
}  // namespace odte::daemon

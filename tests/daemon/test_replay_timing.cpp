// Time in replay as in live: a recording whose events are far apart still fires every timer at
// its own time between them (entry times, entry deadlines, strategy exits, bar closes), and the
// paper broker's reports come at order time + latency, not at the next event.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "odte/daemon/replay.hpp"
#include "synthetic_day.hpp"

namespace odte::daemon {
namespace {

namespace fs = std::filesystem;
using odte::testing_day::kOpenUtc;
using odte::testing_day::kSec;

constexpr std::int64_t kMin = 60 * kSec;
constexpr std::int32_t kDay = 20260821;
// Exchange (New York) time of day on the test day, as Unix ns.
constexpr TimestampNs at(int hour, int minute) { return kOpenUtc + ((hour * 60 + minute) - (9 * 60 + 30)) * kMin; }

// Three snapshots of SPY and its 500 call: 09:30, 10:20 and 10:40 -- 50 and 20 minutes apart.
class SparseDay final : public EventSource {
 public:
  explicit SparseDay(InstrumentRegistry& registry) {
    spy_ = registry.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    InstrumentInfo info;
    info.asset = AssetClass::kOption;
    std::snprintf(info.option.root, sizeof info.option.root, "SPY");
    info.option.expiry_yyyymmdd = kDay;
    info.option.right = OptionRight::kCall;
    info.option.strike = Price::from_dollars(500);
    info.option.multiplier = 100;
    info.option.underlying = spy_;
    call_ = registry.intern("O:SPY260821C00500000", info);
    snapshot(at(9, 30), "500.00", "2.00", "2.10");
    snapshot(at(10, 20), "500.10", "2.05", "2.15");
    snapshot(at(10, 40), "500.20", "2.10", "2.20");
  }
  bool next(MarketEvent& out) override {
    if (pos_ >= events_.size()) return false;
    out = events_[pos_++];
    return true;
  }
  [[nodiscard]] InstrumentId call() const noexcept { return call_; }

 private:
  void snapshot(TimestampNs t, const char* spot, const char* bid, const char* ask) {
    events_.push_back(MarketEvent::make_trade(spy_, StreamId::kStocks, t, t, Price::parse(spot).value(), 100));
    events_.push_back(MarketEvent::make_quote(call_, StreamId::kOptions, t, t, Price::parse(bid).value(), 50,
                                              Price::parse(ask).value(), 50));
  }
  InstrumentId spy_ = kNoInstrument, call_ = kNoInstrument;
  std::vector<MarketEvent> events_;
  std::size_t pos_ = 0;
};

// What the test strategy saw, and when (the engine's clock at the call).
struct Seen {
  std::vector<std::pair<TimestampNs, TimestampNs>> bars;  // (bar start, delivered at)
  TimestampNs entered = 0;
  TimestampNs filled = 0;
  TimestampNs deadline = 0;
  TimestampNs exit = 0;
  std::vector<TimestampNs> fills;
};

// Buys one 500 call at `entry`: at the ask (marketable) or a dime under the bid (it rests); cancels
// a resting entry at `deadline`; closes a filled one at `exit`. Every decision on its timer.
class TimedEntry final : public Strategy {
 public:
  TimedEntry(std::uint16_t index, InstrumentId call, bool marketable, int entry, int deadline, int exit, Seen& seen)
      : index_{index}, call_{call}, marketable_{marketable}, entry_{entry}, deadline_{deadline}, exit_{exit}, seen_{seen} {}
  [[nodiscard]] std::string_view name() const noexcept override { return "timed_entry"; }
  void on_start(StrategyContext& ctx) override { (void)ctx.track_bars(ctx.instrument("SPY")); }
  void on_bar(const MinuteBar& b, StrategyContext& ctx) override { seen_.bars.emplace_back(b.start_ns, ctx.now()); }
  void on_timer(StrategyContext& ctx) override {
    const int minute = ctx.local_minute();
    if (state() == StrategyState::kWaiting && minute >= entry_) {
      const Nbbo* q = ctx.market().nbbo(call_);
      ASSERT_NE(q, nullptr);
      ASSERT_TRUE(q->two_sided()) << "the 09:30 quote is the market until 10:20";
      Intent in{};
      in.strategy = index_;
      in.action = IntentAction::kOpen;
      in.quantity = 1;
      in.leg_count = 1;
      in.legs[0] = OrderLeg{call_, Side::kBuy, kLegContracts, 1};
      in.limit = marketable_ ? q->ask : q->bid - Price::from_cents(10);
      in.set_reason("test:entry");
      order_ = ctx.submit(in);
      seen_.entered = ctx.now();
      set_state(StrategyState::kEntering);
      return;
    }
    if (state() == StrategyState::kEntering && minute >= deadline_) {
      (void)ctx.cancel(order_);
      seen_.deadline = ctx.now();
      set_state(StrategyState::kDone);
      return;
    }
    if (state() == StrategyState::kInPosition && minute >= exit_) {
      (void)ctx.close_position(order_, "test:exit");
      seen_.exit = ctx.now();
      set_state(StrategyState::kExiting);
    }
  }
  void on_order(const Order& o, StrategyContext& ctx) override {
    if (o.id == order_ && o.state == OrderState::kFilled && seen_.filled == 0) {
      seen_.filled = ctx.now();
      set_state(StrategyState::kInPosition);
    }
  }
  void on_fill(const Order&, const FillDelta&, StrategyContext& ctx) override { seen_.fills.push_back(ctx.now()); }

 private:
  std::uint16_t index_;
  InstrumentId call_;
  bool marketable_;
  int entry_, deadline_, exit_;
  Seen& seen_;
  ClientOrderId order_;
};

constexpr int kEntry = 9 * 60 + 45;
constexpr int kDeadline = 10 * 60;
constexpr int kExit = 10 * 60 + 10;

class ReplayTimingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("odte-timing-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  // Strategy 0 fills on entry and exits at kExit; strategy 1 rests until its deadline.
  ReplayOutcome run(const std::string& journal, Seen& filled, Seen& resting) {
    InstrumentRegistry registry(64);
    SparseDay day(registry);
    ReplaySetup s;
    s.engine.orders.trading_day = kDay;
    s.engine.utc_offset_minutes = -240;
    s.engine.stale_after_ns = 2 * 60 * kMin;  // snapshots 50 minutes apart are this recording's pace
    s.journal_path = journal;
    latency_ = s.broker.latency_ns;
    std::vector<std::unique_ptr<Strategy>> strategies;
    strategies.push_back(std::make_unique<TimedEntry>(0, day.call(), true, kEntry, kDeadline, kExit, filled));
    strategies.push_back(std::make_unique<TimedEntry>(1, day.call(), false, kEntry, kDeadline, kExit, resting));
    return run_replay(s, registry, std::move(strategies), day);
  }
  static std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  fs::path dir_;
  std::int64_t latency_ = 0;
};

TEST_F(ReplayTimingTest, shouldFireEntryDeadlineAndExitTimersAtTheirTimesBetweenEventsFarApart) {
  Seen filled, resting;
  const ReplayOutcome out = run((dir_ / "a.odj").string(), filled, resting);
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.events, 6u);
  // The entry at 09:45 sharp, on the 09:30 quotes -- not at the 10:20 snapshot.
  EXPECT_EQ(filled.entered, at(9, 45));
  EXPECT_EQ(resting.entered, at(9, 45));
  // Marketable: filled when the order reaches the paper venue, 09:45 + latency.
  EXPECT_EQ(filled.filled, at(9, 45) + latency_);
  // The resting order is cancelled at its deadline, 10:00, with no event anywhere near.
  EXPECT_EQ(resting.deadline, at(10, 0));
  EXPECT_EQ(resting.filled, 0);
  EXPECT_TRUE(resting.fills.empty());
  // The filled entry is closed at 10:10 and the close fills at 10:10 + latency.
  EXPECT_EQ(filled.exit, at(10, 10));
  ASSERT_EQ(filled.fills.size(), 2u);
  EXPECT_EQ(filled.fills[0], at(9, 45) + latency_);
  EXPECT_EQ(filled.fills[1], at(10, 10) + latency_);
  // The 09:30 bar closes at 09:31, not when the next snapshot arrives at 10:20.
  ASSERT_FALSE(filled.bars.empty());
  EXPECT_EQ(filled.bars.front().first, at(9, 30));
  EXPECT_EQ(filled.bars.front().second, at(9, 31));
}

// Every report the paper broker sends in replay is stamped at the time its command reached the
// venue, order time + latency, and the journal holds both.
TEST_F(ReplayTimingTest, shouldStampEveryBrokerAnswerAtOrderTimePlusLatency) {
  Seen filled, resting;
  const std::string path = (dir_ / "a.odj").string();
  ASSERT_TRUE(run(path, filled, resting).ok);
  JournalReader reader;
  const JournalScan scan = reader.read(path);
  ASSERT_EQ(scan.status, JournalStatus::kOk) << scan.error;
  std::map<std::string, TimestampNs> sent;  // command id -> created_ns
  std::size_t answers = 0, fill_reports = 0;
  for (const JournalRecord& r : scan.records) {
    if (r.type == JournalRecordType::kOrderCommand) {
      OrderCommand c{};
      ASSERT_TRUE(r.read_pod(c));
      sent[c.id.to_string()] = c.created_ns;
    } else if (r.type == JournalRecordType::kExecReport) {
      ExecutionReport e{};
      ASSERT_TRUE(r.read_pod(e));
      const auto it = sent.find(e.id.to_string());
      ASSERT_NE(it, sent.end()) << "a report for a command never sent: " << e.id.to_string();
      EXPECT_EQ(e.transact_ns, it->second + latency_) << e.id.to_string() << " kind " << static_cast<int>(e.kind);
      ++answers;
      if (e.kind == ExecKind::kFill || e.kind == ExecKind::kPartialFill) ++fill_reports;
    }
  }
  EXPECT_EQ(sent.size(), 4u);  // two entries, the cancel at the deadline, the close at 10:10
  EXPECT_EQ(fill_reports, 2u);
  EXPECT_GE(answers, 6u);
}

TEST_F(ReplayTimingTest, shouldWriteTheSameJournalBytesEveryRun) {
  Seen a1, a2, b1, b2;
  const std::string a = (dir_ / "a.odj").string(), b = (dir_ / "b.odj").string();
  ASSERT_TRUE(run(a, a1, a2).ok);
  ASSERT_TRUE(run(b, b1, b2).ok);
  EXPECT_EQ(slurp(a), slurp(b));
}

}  // namespace
}  // namespace odte::daemon

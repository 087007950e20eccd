// The end of a SPY 0DTE day in replay, as on the real day 2026-07-29: a short OTM call spread
// (short 749C / long 751C, SPY ~731) held to the physical close before expiry, with nobody bidding
// the long leg. The close buys back the short leg alone and leaves the unbid long to expire (it
// settles at 0); an order still working at the close is cancelled, its cancel answered (the paper
// broker's latency, run as a due time), and only then is the settlement booked; no order is left
// working; the session end is the journal's last record and carries its latest time.
//
// The day is built (synthetic), in the shape of the recording: quotes every few hours, the last
// snapshot at 15:50:23, both calls bid by nobody and offered at 0.01 from 15:45.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "odte/core/engine/journal_records.hpp"
#include "odte/core/journal/journal.hpp"
#include "odte/daemon/replay.hpp"

namespace odte::daemon {
namespace {

namespace fs = std::filesystem;
using namespace price_literals;

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int32_t kDay = 20260729;  // a Wednesday: the calendar closes it at 16:00
// New York time of day on 2026-07-29 (EDT, UTC-4) as Unix ns.
constexpr TimestampNs at(int hh, int mm, int ss = 0) {
  return (1'785'283'200LL + static_cast<std::int64_t>((hh + 4) * 3600 + mm * 60 + ss)) * kSec;
}

// The shape of the day. `reprice_short_at_1550`: just after the physical close is sent at 15:50,
// the short call is offered at 0.30 -- above the close's limit -- so the close rests to the end.
class ExpiryDay final : public EventSource {
 public:
  ExpiryDay(InstrumentRegistry& registry, bool reprice_short_at_1550) {
    spy_ = registry.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    short_ = call(registry, 749);
    long_ = call(registry, 751);
    snapshot(at(9, 44, 30), "731.50", "0.17", "0.19", "0.05", "0.07");
    snapshot(at(12, 0, 0), "730.90", "0.04", "0.06", "0.01", "0.02");
    snapshot(at(15, 45, 23), "731.18", nullptr, "0.01", nullptr, "0.01");
    if (reprice_short_at_1550) quote(short_, at(15, 50) + 20'000'000, "0.25", "0.30");
    snapshot(at(15, 50, 23), "731.04", reprice_short_at_1550 ? "0.25" : nullptr, reprice_short_at_1550 ? "0.30" : "0.01",
             nullptr, "0.01");
  }
  bool next(MarketEvent& out) override {
    if (pos_ >= events_.size()) return false;
    out = events_[pos_++];
    return true;
  }
  [[nodiscard]] InstrumentId short_call() const noexcept { return short_; }
  [[nodiscard]] InstrumentId long_call() const noexcept { return long_; }

 private:
  InstrumentId call(InstrumentRegistry& registry, int strike) {
    InstrumentInfo info;
    info.asset = AssetClass::kOption;
    std::snprintf(info.option.root, sizeof info.option.root, "SPY");
    info.option.expiry_yyyymmdd = kDay;
    info.option.right = OptionRight::kCall;
    info.option.strike = Price::from_dollars(strike);
    info.option.multiplier = 100;
    info.option.underlying = spy_;
    char sym[32];
    std::snprintf(sym, sizeof sym, "O:SPY260729C%08d", strike * 1000);
    return registry.intern(sym, info);
  }
  static Price px(const char* text) { return text == nullptr ? Price::invalid() : Price::parse(text).value(); }
  void quote(InstrumentId id, TimestampNs t, const char* bid, const char* ask) {
    events_.push_back(MarketEvent::make_quote(id, StreamId::kOptions, t, t, px(bid), bid == nullptr ? 0 : 50, px(ask), 50));
  }
  void snapshot(TimestampNs t, const char* spot, const char* sbid, const char* sask, const char* lbid, const char* lask) {
    events_.push_back(MarketEvent::make_trade(spy_, StreamId::kStocks, t, t, px(spot), 100));
    quote(short_, t, sbid, sask);
    quote(long_, t, lbid, lask);
  }
  InstrumentId spy_ = kNoInstrument, short_ = kNoInstrument, long_ = kNoInstrument;
  std::vector<MarketEvent> events_;
  std::size_t pos_ = 0;
};

// Sells one 749/751 call spread at 09:45 for 0.10 credit and holds it (no exit of its own).
class SellSpreadAt945 final : public Strategy {
 public:
  SellSpreadAt945(InstrumentId short_leg, InstrumentId long_leg) : short_{short_leg}, long_{long_leg} {}
  [[nodiscard]] std::string_view name() const noexcept override { return "credit_at_945"; }
  void on_timer(StrategyContext& ctx) override {
    if (state() != StrategyState::kWaiting || ctx.local_minute() < 9 * 60 + 45) return;
    Intent in{};
    in.action = IntentAction::kOpen;
    in.quantity = 1;
    in.leg_count = 2;
    in.legs[0] = OrderLeg{short_, Side::kSell, kLegContracts, 1};
    in.legs[1] = OrderLeg{long_, Side::kBuy, kLegContracts, 1};
    in.limit = -(0.10_usd);
    in.set_reason("test:credit");
    set_state(ctx.submit(in).valid() ? StrategyState::kInPosition : StrategyState::kDone);
  }

 private:
  InstrumentId short_, long_;
};

struct Finished {
  PnlTotals pnl{};
  std::vector<Order> orders;
  std::vector<std::string> notes;
};

// One journal record, with the time it carries.
struct Rec {
  JournalRecordType type;
  TimestampNs at;
  OrderCommand command{};
  ExecutionReport report{};
  JournalFill fill{};
};

class ExpiryCloseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("odte-expiry-close-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  ReplayOutcome run(bool reprice_short, Finished& done) {
    InstrumentRegistry registry(64);
    ExpiryDay day(registry, reprice_short);
    short_ = day.short_call();
    long_ = day.long_call();
    ReplaySetup s;
    s.engine.orders.trading_day = kDay;
    s.engine.utc_offset_minutes = -240;
    s.engine.stale_after_ns = 6 * 3600 * kSec;  // snapshots hours apart are this day's pace
    s.engine.physical_expiry = PhysicalExpiry::kClose;  // the default: closed 10 minutes before
    s.journal_path = (dir_ / "day.odj").string();
    latency_ = s.broker.latency_ns;
    s.on_finish = [&](const Engine& engine, const ReplayOutcome&) {
      done.pnl = engine.book().totals();
      done.orders.assign(engine.orders().orders().begin(), engine.orders().orders().end());
      done.notes = engine.notes();
    };
    std::vector<std::unique_ptr<Strategy>> strategies;
    strategies.push_back(std::make_unique<SellSpreadAt945>(short_, long_));
    return run_replay(s, registry, std::move(strategies), day);
  }
  std::vector<Rec> records() {
    JournalReader reader;
    const JournalScan scan = reader.read((dir_ / "day.odj").string());
    EXPECT_EQ(scan.status, JournalStatus::kOk) << scan.error;
    std::vector<Rec> out;
    for (const JournalRecord& r : scan.records) {
      Rec x{r.type, 0};
      switch (r.type) {
        case JournalRecordType::kOrderCommand:
          EXPECT_TRUE(r.read_pod(x.command));
          x.at = x.command.created_ns;
          break;
        case JournalRecordType::kExecReport:
          EXPECT_TRUE(r.read_pod(x.report));
          x.at = x.report.transact_ns;
          break;
        case JournalRecordType::kBookFill:
          EXPECT_TRUE(r.read_pod(x.fill));
          x.at = x.fill.at_ns;
          break;
        case JournalRecordType::kSettlement: {
          JournalSettlement st{};
          EXPECT_TRUE(r.read_pod(st));
          x.at = st.at_ns;
          break;
        }
        case JournalRecordType::kMark: {
          JournalMark m{};
          EXPECT_TRUE(r.read_pod(m));
          x.at = m.at_ns;
          break;
        }
        case JournalRecordType::kSessionStart:
        case JournalRecordType::kSessionEnd: {
          JournalSessionMarker m{};
          EXPECT_TRUE(r.read_pod(m));
          x.at = m.at_ns;
          break;
        }
        default: break;
      }
      out.push_back(x);
    }
    return out;
  }
  // The session end is the last record and no record before it carries a later time.
  static void expect_session_end_last(const std::vector<Rec>& recs, TimestampNs expected) {
    ASSERT_FALSE(recs.empty());
    EXPECT_EQ(recs.back().type, JournalRecordType::kSessionEnd);
    EXPECT_EQ(recs.back().at, expected);
    for (const Rec& r : recs) EXPECT_LE(r.at, recs.back().at) << "record type " << static_cast<int>(r.type);
  }
  static bool any_live(const Finished& done) {
    return std::any_of(done.orders.begin(), done.orders.end(), [](const Order& o) { return o.is_live(); });
  }

  fs::path dir_;
  std::int64_t latency_ = 0;
  InstrumentId short_ = kNoInstrument, long_ = kNoInstrument;
};

// 2026-07-29's shape: the close at 15:50 buys back the short 749C alone at its 0.01 offer; the
// 751C, bid by nobody, is left to expire and settles at 0 at the close. Nothing is working at the
// end. P&L: sold 0.17, bought 0.07 (0.10 credit); the short bought back at 0.01 (+16), the long
// expires worthless (-7): +9.00, fees 3 contracts x 0.675 = 2.025.
TEST_F(ExpiryCloseTest, shouldBuyBackTheShortLegAndLeaveTheUnbidLongToExpire) {
  Finished done;
  const ReplayOutcome out = run(false, done);
  ASSERT_TRUE(out.ok) << out.error;
  ASSERT_EQ(out.end, ReplayEnd::kFinished);
  const std::vector<Rec> recs = records();

  std::vector<OrderCommand> closes;
  for (const Rec& r : recs) {
    if (r.type == JournalRecordType::kOrderCommand && r.command.kind == CommandKind::kNew && r.command.opening == 0) {
      closes.push_back(r.command);
    }
  }
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].created_ns, at(15, 50));
  ASSERT_EQ(closes[0].leg_count, 1) << "the unbid long leg is not in the close";
  EXPECT_EQ(closes[0].legs[0].instrument, short_);
  EXPECT_EQ(closes[0].legs[0].side, Side::kBuy);
  // Marketable by the close slack (0.10) over the 0.01 offer.
  EXPECT_EQ(closes[0].limit, 0.11_usd);

  // The short leg fills at 15:50 + latency at 0.01; the settlement books only the long, at 0.
  std::vector<JournalFill> settled;
  bool short_bought = false;
  for (const Rec& r : recs) {
    if (r.type != JournalRecordType::kBookFill) continue;
    if (r.fill.settlement != 0) settled.push_back(r.fill);
    if (r.fill.order == closes[0].id) {
      short_bought = true;
      EXPECT_EQ(r.fill.instrument, short_);
      EXPECT_EQ(r.fill.price, 0.01_usd);
      EXPECT_EQ(r.fill.at_ns, at(15, 50) + latency_);
    }
  }
  EXPECT_TRUE(short_bought);
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].instrument, long_);
  EXPECT_EQ(settled[0].side, Side::kSell);
  EXPECT_EQ(settled[0].price, 0_usd);
  EXPECT_EQ(settled[0].at_ns, at(16, 0));

  EXPECT_FALSE(any_live(done));
  EXPECT_EQ(done.pnl.open_positions, 0u);
  EXPECT_EQ(done.pnl.realized, 9_usd);
  EXPECT_EQ(done.pnl.fees, 2.025_usd);
  EXPECT_EQ(done.pnl.realized - done.pnl.fees, 6.975_usd);
  const bool noted = std::any_of(done.notes.begin(), done.notes.end(), [](const std::string& n) {
    return n.find("long O:SPY260729C00751000 has no bid, left to the settlement") != std::string::npos &&
           n.find("out of the money (SPY 731.18)") != std::string::npos;
  });
  EXPECT_TRUE(noted);
  // Nothing happens after the settlement at the close: the session ends there.
  expect_session_end_last(recs, at(16, 0));
}

// A close still working at 16:00 (the short call's offer moved above its limit): the settlement
// first cancels it, the paper venue answers at 16:00 + latency, and only then are the positions
// settled (both calls out of the money: 0). The session end comes after all of it, at its time.
TEST_F(ExpiryCloseTest, shouldCancelWorkingOrdersAndSeeTheirCancelAnsweredBeforeSettling) {
  Finished done;
  const ReplayOutcome out = run(true, done);
  ASSERT_TRUE(out.ok) << out.error;
  ASSERT_EQ(out.end, ReplayEnd::kFinished);
  const std::vector<Rec> recs = records();

  ClientOrderId close_id;
  std::size_t cancel_at = 0, cancelled_at = 0, settlement_at = 0;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const Rec& r = recs[i];
    if (r.type == JournalRecordType::kOrderCommand && r.command.kind == CommandKind::kNew && r.command.opening == 0) {
      close_id = r.command.id;
    }
    if (r.type == JournalRecordType::kOrderCommand && r.command.kind == CommandKind::kCancel && r.command.orig_id == close_id) {
      cancel_at = i;
      EXPECT_EQ(r.command.created_ns, at(16, 0));
    }
    if (r.type == JournalRecordType::kExecReport && r.report.kind == ExecKind::kCancelled &&
        (r.report.id == close_id || r.report.orig_id == close_id)) {
      cancelled_at = i;
      EXPECT_EQ(r.report.transact_ns, at(16, 0) + latency_);
    }
    if (r.type == JournalRecordType::kSettlement) settlement_at = i;
  }
  ASSERT_TRUE(close_id.valid()) << "the physical close was sent at 15:50";
  ASSERT_NE(cancel_at, 0u) << "the close was not cancelled at the close";
  ASSERT_NE(cancelled_at, 0u) << "the cancel was never answered";
  ASSERT_NE(settlement_at, 0u);
  EXPECT_LT(cancel_at, cancelled_at);
  EXPECT_LT(cancelled_at, settlement_at) << "settled while the close was still working";
  std::size_t settlement_fills = 0;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    if (recs[i].type != JournalRecordType::kBookFill || recs[i].fill.settlement == 0) continue;
    ++settlement_fills;
    EXPECT_GT(i, settlement_at);
    EXPECT_EQ(recs[i].fill.price, 0_usd);
    EXPECT_EQ(recs[i].at, at(16, 0)) << "settled as of the close (booked once the cancel was answered)";
  }
  EXPECT_EQ(settlement_fills, 2u);

  EXPECT_FALSE(any_live(done)) << "an order was left working at the end of the day";
  EXPECT_EQ(done.pnl.open_positions, 0u);
  // The 0.10 credit kept whole: both calls expire worthless. Fees: the two opening contracts.
  EXPECT_EQ(done.pnl.realized, 10_usd);
  EXPECT_EQ(done.pnl.fees, 1.35_usd);
  expect_session_end_last(recs, at(16, 0) + latency_);
}

}  // namespace
}  // namespace odte::daemon

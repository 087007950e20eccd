// Positions held to expiry settle at the session close (Engine::settle_expiry): SPXW in cash at the
// SPX index's value at the close, SPY (physical) closed before the close by default or, by config,
// exercised/assigned into shares. The settlement is journaled (a settlement record and book_fill
// records), so a restart restores the settled book and does not settle twice.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "odte/brokers/paper_broker.hpp"
#include "odte/core/engine/engine.hpp"
#include "odte/core/engine/journal_records.hpp"
#include "odte/core/journal/journal.hpp"

namespace odte {
namespace {

using namespace price_literals;

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kMin = 60 * kSec;
constexpr std::int32_t kTradingDay = 20260821;  // a Friday: the calendar closes it at 16:00
constexpr TimestampNs kDay = 1'787'270'400LL * kSec;
constexpr TimestampNs at(int hh, int mm, int ss = 0) { return kDay + (hh + 4) * 60 * kMin + mm * kMin + ss * kSec; }

class FileJournal final : public JournalSink {
 public:
  explicit FileJournal(const std::string& path) { ok_ = !writer_.open(path, kTradingDay, at(9, 30)); }
  void record(JournalRecordType type, std::span<const std::byte> payload) noexcept override {
    ok_ = ok_ && !writer_.append(type, payload, false);
  }
  bool ok_ = true;

 private:
  JournalWriter writer_;
};

// Sells the credit spread (`short_leg` sold, `long_leg` bought) twice at 10:00, marketable.
class CreditSpreadAtTen final : public Strategy {
 public:
  CreditSpreadAtTen(InstrumentId short_leg, InstrumentId long_leg) : short_{short_leg}, long_{long_leg} {}
  std::string_view name() const noexcept override { return "credit_at_ten"; }
  void on_timer(StrategyContext& ctx) override {
    if (state() != StrategyState::kWaiting || ctx.local_minute() < 10 * 60) return;
    Intent in{};
    in.action = IntentAction::kOpen;
    in.quantity = 2;
    in.leg_count = 2;
    in.legs[0] = OrderLeg{short_, Side::kSell, 0, 1};
    in.legs[1] = OrderLeg{long_, Side::kBuy, 0, 1};
    in.limit = -(0.50_usd);
    in.set_reason("test:credit");
    set_state(ctx.submit(in).valid() ? StrategyState::kInPosition : StrategyState::kDone);
  }

 private:
  InstrumentId short_, long_;
};

struct Root {
  const char* root;
  const char* underlying;
  Price short_strike, long_strike;
};

class SettlementTest : public ::testing::Test {
 protected:
  void build(const Root& r, PhysicalExpiry physical, const std::string& tag, bool restore_from_journal = false) {
    journal_path_ = (std::filesystem::path(ODTE_BINARY_DIR) / ("settlement-" + tag + ".odj")).string();
    if (!restore_from_journal) std::filesystem::remove(journal_path_);
    registry_ = std::make_unique<InstrumentRegistry>(64);
    ring_ = std::make_unique<CommandRing>();
    broker_ = std::make_unique<brokers::PaperBroker>(brokers::PaperBrokerConfig{});
    under_ = registry_->intern(r.underlying, InstrumentInfo{r.underlying[0] == 'I' ? AssetClass::kIndex : AssetClass::kStock, {}});
    short_ = option(r.root, r.short_strike);
    long_ = option(r.root, r.long_strike);
    journal_ = std::make_unique<FileJournal>(journal_path_);
    std::vector<std::unique_ptr<Strategy>> s;
    s.push_back(std::make_unique<CreditSpreadAtTen>(short_, long_));
    EngineConfig cfg;
    cfg.orders.trading_day = kTradingDay;
    cfg.utc_offset_minutes = -240;
    cfg.exits.exit_minute = -1;                // held to expiry: no time exit
    cfg.exits.stop_credit_multiple = 100.0;    // nor a stop on the way
    cfg.stale_after_ns = 60 * kMin;
    cfg.physical_expiry = physical;
    cfg.equity = Price::from_dollars(1'000'000);  // the 10-point SPXW spread's 1,800 at risk within 0.5%
    engine_ = std::make_unique<Engine>(cfg, *registry_, std::move(s), *ring_, journal_.get());
  }
  InstrumentId option(const char* root, Price strike) {
    InstrumentInfo info;
    info.asset = AssetClass::kOption;
    std::snprintf(info.option.root, sizeof info.option.root, "%s", root);
    info.option.expiry_yyyymmdd = kTradingDay;
    info.option.right = OptionRight::kPut;
    info.option.strike = strike;
    info.option.multiplier = 100;
    info.option.underlying = kNoInstrument;
    char sym[40];
    std::snprintf(sym, sizeof sym, "O:%s260821P%08lld", root, static_cast<long long>(strike.ticks() / 10));
    return registry_->intern(sym, info);
  }
  void pump(TimestampNs t) {
    for (int round = 0; round < 4; ++round) {
      ring_->drain([&](const OrderCommand& c) {
        sent_.push_back(c);
        broker_->submit(c, t);
      });
      broker_->poll(engine_->market_state(), t, [&](const ExecutionReport& r) { engine_->on_exec_report(r, t); });
      engine_->on_timer(t);
    }
  }
  void event(const MarketEvent& e) {
    engine_->on_market_event(e, e.header.exchange_ns);
    pump(e.header.exchange_ns);
  }
  void underlying(TimestampNs t, Price v) {
    if (registry_->get(under_).info.asset == AssetClass::kIndex) {
      event(MarketEvent::make_index(under_, StreamId::kIndices, t, t, v));
    } else {
      event(MarketEvent::make_trade(under_, StreamId::kStocks, t, t, v, 100));
    }
  }
  // The morning: the spread sold at 10:00 at 2.00 / 1.00 (a 1.00 credit, twice).
  void morning(Price spot) {
    engine_->start(at(9, 30));
    for (TimestampNs t = at(9, 59, 58); t <= at(10, 0, 3); t += kSec) {
      underlying(t, spot);
      event(MarketEvent::make_quote(short_, StreamId::kOptions, t, t, 2.00_usd, 50, 2.10_usd, 50));
      event(MarketEvent::make_quote(long_, StreamId::kOptions, t, t, 0.90_usd, 50, 1.00_usd, 50));
    }
    ASSERT_NE(engine_->book().find(0, short_), nullptr) << engine_->describe();
    ASSERT_EQ(engine_->book().find(0, short_)->quantity, -2);
  }
  // A record's payload points into its reader's buffer: the reader is kept until the next call.
  const std::vector<JournalRecord>& journal_records() {
    reader_ = std::make_unique<JournalReader>();
    records_ = reader_->read(journal_path_).records;
    return records_;
  }
  std::unique_ptr<JournalReader> reader_;
  std::vector<JournalRecord> records_;

  std::string journal_path_;
  std::unique_ptr<InstrumentRegistry> registry_;
  std::unique_ptr<CommandRing> ring_;
  std::unique_ptr<brokers::PaperBroker> broker_;
  std::unique_ptr<FileJournal> journal_;
  std::unique_ptr<Engine> engine_;
  InstrumentId under_ = kNoInstrument, short_ = kNoInstrument, long_ = kNoInstrument;
  std::vector<OrderCommand> sent_;
};

// SPXW, PM-settled in cash: the last SPX value at or before 16:00 (5,595.25 at 15:59:30) is the
// settlement value; the 5600 put settles at 4.75, the 5590 put expires worthless. The first event
// after the close settles on the market as it stood at the close (5,594 at 16:00:01 is not used).
TEST_F(SettlementTest, shouldSettleSpxwInCashAtTheIndexValueAtTheCloseAndJournalIt) {
  build(Root{"SPXW", "I:SPX", 5600_usd, 5590_usd}, PhysicalExpiry::kClose, "spxw");
  morning(5610_usd);
  underlying(at(15, 59, 30), 5595.25_usd);
  EXPECT_FALSE(engine_->settled());
  underlying(at(16, 0, 1), 5594_usd);
  ASSERT_TRUE(engine_->settled());
  const PnlTotals t = engine_->book().totals();
  EXPECT_EQ(t.open_positions, 0u);
  // Credit 1.00 - 4.75 paid at settlement = -3.75 x 2 x 100; fees 4 contracts x 0.675.
  EXPECT_EQ(t.realized, -(750_usd));
  EXPECT_EQ(t.fees, 2.70_usd);
  EXPECT_EQ(engine_->open_spreads(), 0u);
  EXPECT_TRUE(std::none_of(sent_.begin(), sent_.end(), [](const OrderCommand& c) { return c.opening == 0 && c.kind == CommandKind::kNew; }))
      << "cash settlement sends no order";
  ASSERT_FALSE(engine_->notes().empty());
  EXPECT_NE(engine_->notes().back().find("expiry: 2 SPXW position(s) settled against I:SPX 5595.25"), std::string::npos)
      << engine_->notes().back();

  // The journal: one settlement record, then a cash book_fill per leg at the close.
  JournalSettlement st{};
  std::vector<JournalFill> fills;
  for (const JournalRecord& r : journal_records()) {
    if (r.type == JournalRecordType::kSettlement) {
      ASSERT_TRUE(r.read_pod(st));
    }
    JournalFill f{};
    if (r.type == JournalRecordType::kBookFill && r.read_pod(f) && f.settlement != 0) fills.push_back(f);
  }
  EXPECT_EQ(st.value, 5595.25_usd);
  EXPECT_EQ(st.value_ns, at(15, 59, 30));
  EXPECT_EQ(st.at_ns, at(16, 0));
  EXPECT_EQ(st.positions, 2u);
  EXPECT_EQ(std::string(st.underlying), "I:SPX");
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].price, 4.75_usd);
  EXPECT_EQ(fills[0].side, Side::kBuy);  // the short put bought back at intrinsic
  EXPECT_EQ(fills[0].quantity, 2u);
  EXPECT_EQ(fills[1].price, 0_usd);
  EXPECT_EQ(fills[0].settlement, static_cast<std::uint8_t>(FillSettlement::kCash));

  // A restart after the close restores the settled book from the journal and settles nothing again.
  const std::string before = engine_->describe();
  const std::size_t records = journal_records().size();
  engine_.reset();
  journal_.reset();
  build(Root{"SPXW", "I:SPX", 5600_usd, 5590_usd}, PhysicalExpiry::kClose, "spxw", true);
  JournalReader reader;
  const RestoreResult r = engine_->restore(reader.read(journal_path_), at(16, 5));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(engine_->book().totals().realized, -(750_usd));
  EXPECT_EQ(engine_->book().totals().open_positions, 0u);
  engine_->start(at(16, 5));
  ASSERT_TRUE(engine_->begin_reconciliation(at(16, 5), 0));
  pump(at(16, 5));
  pump(at(16, 5, 1));
  EXPECT_EQ(engine_->state(), CoreState::kRunning);
  EXPECT_EQ(engine_->book().totals().realized, -(750_usd));
  EXPECT_EQ(engine_->open_spreads(), 0u);
  std::size_t settlements = 0;
  for (const JournalRecord& rec : journal_records()) settlements += rec.type == JournalRecordType::kSettlement ? 1u : 0u;
  EXPECT_EQ(settlements, 1u) << "settled twice";
  EXPECT_GE(journal_records().size(), records);
  (void)before;
}

// SPY, physically settled, default: the spread is closed 10 minutes before the close with a
// marketable order; nothing is left to exercise.
TEST_F(SettlementTest, shouldCloseSpyBeforeTheCloseByDefault) {
  build(Root{"SPY", "SPY", 560_usd, 559_usd}, PhysicalExpiry::kClose, "spy-close");
  morning(565_usd);
  for (TimestampNs t = at(15, 49, 58); t <= at(15, 50, 3); t += kSec) {
    underlying(t, 559.50_usd);
    event(MarketEvent::make_quote(short_, StreamId::kOptions, t, t, 0.60_usd, 50, 0.65_usd, 50));
    event(MarketEvent::make_quote(long_, StreamId::kOptions, t, t, 0.20_usd, 50, 0.25_usd, 50));
  }
  const auto close = std::find_if(sent_.begin(), sent_.end(), [](const OrderCommand& c) {
    return c.kind == CommandKind::kNew && c.opening == 0;
  });
  ASSERT_NE(close, sent_.end());
  EXPECT_EQ(close->created_ns, at(15, 50));
  EXPECT_EQ(engine_->book().totals().open_positions, 0u);
  // Sold at 1.00 credit, bought back at 0.65 - 0.20 = 0.45: +0.55 x 2 x 100.
  EXPECT_EQ(engine_->book().totals().realized, 110_usd);
  underlying(at(16, 0, 1), 559.50_usd);
  EXPECT_TRUE(engine_->settled());
  EXPECT_EQ(engine_->book().totals().realized, 110_usd);
  EXPECT_EQ(engine_->book().find(0, under_), nullptr) << "no shares";
}

// The close before expiry buys back what carries the assignment risk and does not try to sell a
// long leg nobody bids (the real day 2026-07-29: such a combo rested unfilled to the close). SPY
// 565, both puts far out of the money, the 559 put bid by nobody: the close buys the short 560 put
// alone; the 559 put is left to the settlement and expires at 0, noted.
TEST_F(SettlementTest, shouldBuyBackTheShortLegAndLeaveAnUnbidLongOutOfTheClose) {
  build(Root{"SPY", "SPY", 560_usd, 559_usd}, PhysicalExpiry::kClose, "spy-unbid-long");
  morning(565_usd);
  for (TimestampNs t = at(15, 49, 58); t <= at(15, 50, 3); t += kSec) {
    underlying(t, 565_usd);
    event(MarketEvent::make_quote(short_, StreamId::kOptions, t, t, Price::invalid(), 0, 0.02_usd, 50));
    event(MarketEvent::make_quote(long_, StreamId::kOptions, t, t, Price::invalid(), 0, 0.01_usd, 50));
  }
  std::vector<OrderCommand> closes;
  for (const OrderCommand& c : sent_) {
    if (c.kind == CommandKind::kNew && c.opening == 0) closes.push_back(c);
  }
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].created_ns, at(15, 50));
  ASSERT_EQ(closes[0].leg_count, 1);
  EXPECT_EQ(closes[0].legs[0].instrument, short_);
  EXPECT_EQ(closes[0].legs[0].side, Side::kBuy);
  EXPECT_EQ(closes[0].quantity, 2u);
  EXPECT_EQ(engine_->book().find(0, short_)->quantity, 0);
  EXPECT_EQ(engine_->book().find(0, long_)->quantity, 2) << "the unbid long is held to the settlement";
  bool noted = false;
  for (const std::string& n : engine_->notes()) {
    noted = noted || (n.find("long O:SPY260821P00559000 has no bid, left to the settlement") != std::string::npos &&
                      n.find("out of the money (SPY 565): it expires worthless") != std::string::npos);
  }
  EXPECT_TRUE(noted);
  underlying(at(16, 0, 1), 565_usd);
  ASSERT_TRUE(engine_->settled());
  EXPECT_EQ(engine_->book().totals().open_positions, 0u);
  // Short: sold 2.00, bought back 0.02 (+1.98); long: bought 1.00, expired at 0 (-1.00); x 2 x 100.
  EXPECT_EQ(engine_->book().totals().realized, 196_usd);
  EXPECT_EQ(engine_->book().totals().fees, 0.675_usd * 6);
  EXPECT_EQ(engine_->book().find(0, under_), nullptr) << "no shares";
}

// The rare case: a long leg in the money that nobody bids. It is still left out of the close (it
// cannot be sold, and a combo with it would keep the short open too) and is exercised at the close
// into shares at its strike -- as OCC exercises an option in the money -- noted so the shares can
// be flattened. SPY 555: the short 560 put is bought back at its 5.10 offer; the long 559 put,
// offered at 4.10 and bid by nobody, is exercised: 200 SPY sold at 559.
TEST_F(SettlementTest, shouldLeaveAnUnbidLongInTheMoneyToBeExercisedAtTheClose) {
  build(Root{"SPY", "SPY", 560_usd, 559_usd}, PhysicalExpiry::kClose, "spy-unbid-itm");
  morning(565_usd);
  for (TimestampNs t = at(15, 49, 58); t <= at(15, 50, 3); t += kSec) {
    underlying(t, 555_usd);
    event(MarketEvent::make_quote(short_, StreamId::kOptions, t, t, 5.00_usd, 50, 5.10_usd, 50));
    event(MarketEvent::make_quote(long_, StreamId::kOptions, t, t, Price::invalid(), 0, 4.10_usd, 50));
  }
  const auto close = std::find_if(sent_.begin(), sent_.end(), [](const OrderCommand& c) {
    return c.kind == CommandKind::kNew && c.opening == 0;
  });
  ASSERT_NE(close, sent_.end());
  ASSERT_EQ(close->leg_count, 1);
  EXPECT_EQ(close->legs[0].instrument, short_);
  bool noted = false;
  for (const std::string& n : engine_->notes()) {
    noted = noted || n.find("long O:SPY260821P00559000 has no bid, left to the settlement at its intrinsic value; in the "
                            "money by 4 (SPY 555): exercised into shares at the close") != std::string::npos;
  }
  EXPECT_TRUE(noted);
  underlying(at(16, 0, 1), 555_usd);
  ASSERT_TRUE(engine_->settled());
  const Position* shares = engine_->book().find(0, under_);
  ASSERT_NE(shares, nullptr);
  EXPECT_EQ(shares->quantity, -200);
  EXPECT_EQ(engine_->book().find(0, long_)->quantity, 0);
  // Short: 2.00 - 5.10 = -3.10; long: bought 1.00, exercised (closed at 0): -1.00; x 2 x 100 =
  // -820 realized. The shares sold at 559 are marked at 555: +4 x 200 = +800 unrealized.
  EXPECT_EQ(engine_->book().totals().realized, -(820_usd));
  EXPECT_EQ(shares->unrealized(), 800_usd);
}

// SPY with physical = "exercise": held into the close, the short 560 put (SPY 559.50) is assigned:
// 200 shares bought at 560; the long 559 put expires worthless.
TEST_F(SettlementTest, shouldBookTheAssignmentOfSpyAsSharesWhenConfigured) {
  build(Root{"SPY", "SPY", 560_usd, 559_usd}, PhysicalExpiry::kExercise, "spy-exercise");
  morning(565_usd);
  underlying(at(15, 59, 59), 559.50_usd);
  underlying(at(16, 0, 1), 559.40_usd);
  ASSERT_TRUE(engine_->settled());
  EXPECT_TRUE(std::none_of(sent_.begin(), sent_.end(), [](const OrderCommand& c) { return c.kind == CommandKind::kNew && c.opening == 0; }));
  const Position* shares = engine_->book().find(0, under_);
  ASSERT_NE(shares, nullptr);
  EXPECT_EQ(shares->quantity, 200);
  EXPECT_EQ(shares->open_cost, 560_usd * 200);
  // The options close at 0: the 1.00 credit x 2 x 100 is realized; the shares carry the loss,
  // marked at the settlement value: (559.50 - 560) x 200.
  EXPECT_EQ(engine_->book().find(0, short_)->quantity, 0);
  EXPECT_EQ(engine_->book().totals().realized, 200_usd);
  EXPECT_EQ(shares->unrealized(), -(100_usd));
  bool noted = false;
  for (const std::string& n : engine_->notes()) noted = noted || n.find("O:SPY260821P00560000 assigned 2: bought 200 SPY at 560") != std::string::npos;
  EXPECT_TRUE(noted);
}

}  // namespace
}  // namespace odte

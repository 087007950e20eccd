#pragma once

// A synthetic trading morning for restart-recovery tests: four SPY calls quoted every two seconds
// from a deterministic walk, a strategy that churns debit spreads (marketable and resting entries,
// cancels, closes), operator commands along the way, the engine and the paper broker stepped the
// way the run loops step them, and the journal written to a file with JournalWriter (order
// commands and the kill switch durable, as the daemon writes them).

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "odte/brokers/paper_broker.hpp"
#include "odte/core/journal/async_journal.hpp"
#include "odte/core/engine/command_gate.hpp"
#include "odte/core/engine/engine.hpp"

namespace odte::restore_test {

using namespace price_literals;
namespace fs = std::filesystem;

inline constexpr std::int64_t kSec = 1'000'000'000;
inline constexpr std::int64_t kMin = 60 * kSec;
inline constexpr std::int32_t kTradingDay = 20260821;
inline constexpr int kUtcOffset = -240;
// 2026-08-21 00:00 UTC; EDT = UTC-4.
inline constexpr TimestampNs kDay = 1'787'270'400LL * kSec;
inline constexpr TimestampNs at(int hh, int mm, int ss = 0) {
  return kDay + (hh + 4) * 60 * kMin + mm * kMin + ss * kSec;
}
inline constexpr TimestampNs kOpen = at(9, 30);
inline constexpr std::int64_t kStepNs = 2 * kSec;
inline constexpr int kSteps = 2 * 60 * 60 / 2;  // 09:30 .. 11:30
inline constexpr TimestampNs step_time(int step) { return kOpen + step * kStepNs; }

inline const std::array<const char*, 4> kSymbols = {"O:SPY260821C00500000", "O:SPY260821C00501000",
                                                    "O:SPY260821C00502000", "O:SPY260821C00503000"};

inline std::array<InstrumentId, 4> intern_calls(InstrumentRegistry& registry, bool reversed) {
  std::array<InstrumentId, 4> ids{};
  for (int k = 0; k < 4; ++k) {
    const int i = reversed ? 3 - k : k;
    InstrumentInfo info;
    info.asset = AssetClass::kOption;
    std::snprintf(info.option.root, sizeof info.option.root, "SPY");
    info.option.expiry_yyyymmdd = kTradingDay;
    info.option.right = OptionRight::kCall;
    info.option.strike = Price::from_dollars(500 + i);
    info.option.multiplier = 100;
    info.option.underlying = kNoInstrument;
    ids[static_cast<std::size_t>(i)] = registry.intern(kSymbols[static_cast<std::size_t>(i)], info);
  }
  return ids;
}

// The quote of call i at a step: a smooth walk of the underlying plus time value; small sizes so
// bigger orders fill in parts.
struct Quote {
  Price bid, ask;
  std::uint32_t bid_size, ask_size;
};
inline Quote quote_at(int step, int i) {
  const double t = step * 2.0;
  const double spot = 501.2 + 1.6 * std::sin(t / 900.0) + 0.35 * std::sin(t / 47.0);
  const double theo = std::max(spot - (500.0 + i), 0.0) + 0.45;
  const Price bid = Price::from_double(std::max(theo - 0.03, 0.05)).floor_to(0.01_usd);
  const auto size = static_cast<std::uint32_t>(1 + (step / 5 + i) % 4);
  return Quote{bid, bid + 0.05_usd, size, size + 1};
}

inline int local_minute(TimestampNs t) {
  const std::int64_t m = t / kMin + kUtcOffset;
  return static_cast<int>(((m % 1440) + 1440) % 1440);
}

// Every 5 minutes from 09:35 to 11:15 buys a debit call spread (every fourth one resting below the
// market), cancels an entry still working after 3 minutes and closes a filled one after 6.
class Churn final : public Strategy {
 public:
  explicit Churn(std::array<InstrumentId, 4> ids) : ids_{ids} {}
  std::string_view name() const noexcept override { return "churn"; }

  void on_timer(StrategyContext& ctx) override {
    const int m = ctx.local_minute();
    if (m >= 9 * 60 + 35 && m < 11 * 60 + 15 && m % 5 == 0 && m > last_slot_) {
      last_slot_ = m;
      enter(ctx, m);
    }
    for (Entry& e : entries_) {
      if (e.live && !e.cancel_sent && m >= e.minute + 3) e.cancel_sent = ctx.cancel(e.id);
      if (e.filled > 0 && !e.close_sent && m >= e.minute + 6) e.close_sent = ctx.close_position(e.id, "churn:close");
    }
  }
  void on_order(const Order& o, StrategyContext&) override { update(o); }
  void on_fill(const Order& o, const FillDelta&, StrategyContext&) override { update(o); }
  void on_restore(const Order& o, const RestoredOrder& info, StrategyContext&) override {
    if (!info.opening) return;
    const int m = local_minute(o.created_ns);
    entries_.push_back(Entry{o.id, m, o.is_live(), o.filled_units(), o.state == OrderState::kPendingCancel, info.exit_sent});
    last_slot_ = std::max(last_slot_, m);
  }

 private:
  struct Entry {
    ClientOrderId id;
    int minute;
    bool live;
    std::uint32_t filled;
    bool cancel_sent;
    bool close_sent;
  };
  void update(const Order& o) {
    for (Entry& e : entries_) {
      if (e.id != o.id) continue;
      e.live = o.is_live();
      e.filled = o.filled_units();
    }
  }
  void enter(StrategyContext& ctx, int m) {
    const std::size_t k = static_cast<std::size_t>((m / 5) % 3);
    const Nbbo* lo = ctx.market().nbbo(ids_[k]);
    const Nbbo* hi = ctx.market().nbbo(ids_[k + 1]);
    if (lo == nullptr || hi == nullptr || !lo->two_sided() || !hi->two_sided()) return;
    Intent in{};
    in.strategy = 0;
    in.action = IntentAction::kOpen;
    in.quantity = static_cast<std::uint32_t>(1 + (m / 5) % 3);
    in.leg_count = 2;
    in.legs[0] = OrderLeg{ids_[k], Side::kBuy, 0, 1};
    in.legs[1] = OrderLeg{ids_[k + 1], Side::kSell, 0, 1};
    const Price natural = lo->ask - hi->bid;
    in.limit = (m / 5) % 4 == 0 ? natural - 0.30_usd : natural + 0.02_usd;
    in.set_reason("churn:open");
    const ClientOrderId id = ctx.submit(in);
    if (id.valid()) entries_.push_back(Entry{id, m, true, 0, false, false});
  }

  std::array<InstrumentId, 4> ids_;
  int last_slot_ = 0;
  std::vector<Entry> entries_;
};

// The journal as the daemon writes it: one file, commands and the kill switch durable.
class FileJournal final : public JournalSink {
 public:
  explicit FileJournal(const std::string& path) {
    if (writer_.open(path, kTradingDay, kOpen)) ok_ = false;
  }
  void record(JournalRecordType type, std::span<const std::byte> payload) noexcept override {
    const bool durable = type == JournalRecordType::kOrderCommand || type == JournalRecordType::kKillSwitch;
    if (writer_.append(type, payload, durable)) ok_ = false;
    ++records_;
  }
  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] std::uint64_t records() const noexcept { return records_; }
  [[nodiscard]] std::uint64_t next_sequence() const noexcept { return writer_.next_sequence(); }

 private:
  JournalWriter writer_;
  bool ok_ = true;
  std::uint64_t records_ = 0;
};

// The journal as the live loop writes it: the journal thread behind a ring (AsyncJournal); the
// session sends its commands through a CommandGate.
class ThreadJournal final : public JournalSink {
 public:
  explicit ThreadJournal(const std::string& path) {
    if (journal_.open(path, kTradingDay, kOpen)) ok_ = false;
    journal_.start("odte-journal");
  }
  void record(JournalRecordType type, std::span<const std::byte> payload) noexcept override {
    const bool durable = type == JournalRecordType::kOrderCommand || type == JournalRecordType::kKillSwitch;
    if (journal_.append(type, payload, durable) == 0) ok_ = false;
  }
  [[nodiscard]] bool ok() const noexcept { return ok_ && !journal_.failed(); }
  [[nodiscard]] AsyncJournal& async() noexcept { return journal_; }

 private:
  AsyncJournal journal_;
  bool ok_ = true;
};

enum class JournalMode { kSync, kThread };

inline EngineConfig engine_config() {
  EngineConfig cfg;
  cfg.orders.trading_day = kTradingDay;
  cfg.utc_offset_minutes = kUtcOffset;
  cfg.stale_after_ns = 60 * kSec;
  return cfg;
}

inline brokers::PaperBrokerConfig broker_config() {
  brokers::PaperBrokerConfig c;
  c.latency_ns = 50'000'000;
  return c;
}

// Operator commands at fixed steps, so risk state changes are in the journal.
inline bool operator_command(int step, ControlCommand& c) {
  std::memset(static_cast<void*>(&c), 0, sizeof c);
  switch (step) {
    case 600: c.kind = ControlKind::kPause; return true;           // 09:50
    case 690: c.kind = ControlKind::kResume; return true;          // 09:53
    case 1200: c.kind = ControlKind::kKill; return true;           // 10:10
    case 1290: c.kind = ControlKind::kUnkill; return true;         // 10:13
    case 1500:                                                     // 10:20
      c.kind = ControlKind::kSetRiskLimits;
      c.limits = RiskLimits{};
      c.limits.max_open_positions = 3;
      c.limits.daily_loss_limit = 1'500_usd;
      c.exits = ExitRules{};
      c.exits.exit_minute = 11 * 60 + 25;
      return true;
    case 2100: c.kind = ControlKind::kDisableStrategy; return true;  // 10:40
    case 2250: c.kind = ControlKind::kEnableStrategy; return true;   // 10:45
    default: return false;
  }
}

// One engine, its broker and its journal; steps the day the way the run loops do.
struct Session {
  InstrumentRegistry registry{256};
  std::array<InstrumentId, 4> ids{};
  std::unique_ptr<CommandRing> ring = std::make_unique<CommandRing>();
  std::unique_ptr<brokers::PaperBroker> own_broker;
  brokers::PaperBroker* broker = nullptr;
  std::unique_ptr<FileJournal> journal;
  std::unique_ptr<Engine> engine;
  std::vector<ExecutionReport> broker_reports;  // every report this session's broker emitted
  std::vector<OrderCommand> sent;               // every command handed to the broker
  bool operators = true;                        // apply operator_command() at its steps

  // The journal thread and the gate (JournalMode::kThread); the broker behind the gate's port.
  std::unique_ptr<ThreadJournal> thread_journal;
  struct Port final : BrokerPort {
    Session& s;
    explicit Port(Session& session) : s{session} {}
    bool submit(const OrderCommand& c, TimestampNs now) noexcept override {
      s.sent.push_back(c);
      s.broker->submit(c, now);
      return true;
    }
    int poll(const MarketState&, TimestampNs, ReportSink&) noexcept override { return 0; }
    [[nodiscard]] BrokerLinkState link() const noexcept override { return BrokerLinkState::kUp; }
    [[nodiscard]] const char* name() const noexcept override { return "session"; }
  };
  std::unique_ptr<Port> port;
  std::unique_ptr<CommandGate> gate;

  // `reversed` interns the instruments in the other order, as a restarted process may.
  Session(const std::string& journal_path, bool reversed, brokers::PaperBroker* shared_broker = nullptr,
          JournalMode mode = JournalMode::kSync) {
    ids = intern_calls(registry, reversed);
    JournalSink* sink = nullptr;
    if (mode == JournalMode::kThread) {
      thread_journal = std::make_unique<ThreadJournal>(journal_path);
      port = std::make_unique<Port>(*this);
      gate = std::make_unique<CommandGate>(*ring, thread_journal->async(), *port);
      sink = thread_journal.get();
    } else {
      journal = std::make_unique<FileJournal>(journal_path);
      sink = journal.get();
    }
    if (shared_broker != nullptr) {
      broker = shared_broker;
    } else {
      own_broker = std::make_unique<brokers::PaperBroker>(broker_config());
      broker = own_broker.get();
    }
    std::vector<std::unique_ptr<Strategy>> s;
    s.push_back(std::make_unique<Churn>(ids));
    engine = std::make_unique<Engine>(engine_config(), registry, std::move(s), *ring, sink);
  }
  ~Session() {
    if (thread_journal) thread_journal->async().stop();  // before the engine and the gate go
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void pump(TimestampNs t) {
    for (int round = 0; round < 8; ++round) {
      std::size_t moved = 0;
      if (gate) {
        moved = gate->pump(t);
        // The run loop goes on with its events meanwhile; here the step waits for the journal
        // thread, so the commands reach the broker at the same point as with the synchronous one.
        while (gate->held() != 0 && !gate->halted()) {
          std::this_thread::yield();
          moved += gate->send_durable(t);
        }
      } else {
        moved = ring->drain([&](const OrderCommand& c) {
          journal->record(JournalRecordType::kOrderCommand, std::as_bytes(std::span<const OrderCommand>(&c, 1)));
          sent.push_back(c);
          broker->submit(c, t);
        });
      }
      moved += static_cast<std::size_t>(broker->poll(engine->market_state(), t, [&](const ExecutionReport& r) {
        broker_reports.push_back(r);
        engine->on_exec_report(r, t);
      }));
      engine->on_timer(t);
      if (moved == 0 && ring->empty_approx()) break;
    }
  }

  void step(int s) {
    const TimestampNs t = step_time(s);
    ControlCommand c;
    if (operators && operator_command(s, c)) {
      (void)engine->on_control(c, t);
      pump(t);
    }
    for (int i = 0; i < 4; ++i) {
      const Quote q = quote_at(s, i);
      engine->on_market_event(
          MarketEvent::make_quote(ids[static_cast<std::size_t>(i)], StreamId::kOptions, t, t, q.bid, q.bid_size, q.ask,
                                  q.ask_size),
          t);
      pump(t);
    }
  }

  // Restart: restore from the journal at `path` (already cut), start, reconcile; returns the
  // restore result. The reconciliation is pumped until decided.
  RestoreResult restart(const std::string& path, int at_step) {
    JournalReader reader;
    const JournalScan scan = reader.read(path);
    const TimestampNs t = step_time(at_step);
    RestoreResult r = engine->restore(scan, t);
    if (!r.ok) return r;
    engine->start(t);
    (void)engine->begin_reconciliation(t, 5 * kSec);
    for (TimestampNs u = t; engine->state() == CoreState::kReconciling && u < t + 10 * kSec; u += 100'000'000) pump(u);
    return r;
  }
};

inline std::string read_bytes(const std::string& path) {
  std::string bytes(static_cast<std::size_t>(fs::file_size(path)), '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}
inline void write_bytes(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Invariants of a journal and the engine that wrote it last:
//  - every order id is issued once (new orders, cancels, replaces, status requests: no id twice);
//  - positions = the sum of the book_fill records, leg by leg, and the engine's book agrees;
//  - every order's fills in the order manager = the book_fill records booked for it;
//  - realized P&L and fees = a fresh book fed the book_fill records in order;
//  - restoring the journal again gives the same engine (describe()).
inline void check_invariants(const std::string& path, const Engine& engine, const std::string& context) {
  SCOPED_TRACE(context);
  JournalReader reader;
  const JournalScan scan = reader.read(path);
  ASSERT_EQ(scan.status, JournalStatus::kOk) << scan.error;
  std::set<std::uint64_t> ids;
  std::map<std::pair<std::uint64_t, int>, std::uint64_t> booked_per_leg;
  std::map<std::string, std::int64_t> qty_by_symbol;
  InstrumentRegistry reg(256);
  PositionBook fresh(reg);
  for (const JournalRecord& r : scan.records) {
    if (r.type == JournalRecordType::kOrderCommand) {
      OrderCommand c{};
      ASSERT_TRUE(r.read_pod(c));
      if (c.id.valid()) {
        EXPECT_TRUE(ids.insert(c.id.value).second) << "id issued twice: " << c.id.to_string();
      }
    } else if (r.type == JournalRecordType::kBookFill) {
      JournalFill f{};
      ASSERT_TRUE(r.read_pod(f));
      booked_per_leg[{f.order.value, f.leg}] += f.quantity;
      qty_by_symbol[f.symbol] += (f.side == Side::kBuy ? 1 : -1) * static_cast<std::int64_t>(f.quantity);
      InstrumentInfo info;
      info.asset = AssetClass::kOption;
      info.option.multiplier = f.multiplier;
      info.option.underlying = kNoInstrument;
      const InstrumentId id = reg.intern(f.symbol, info);
      ASSERT_EQ(fresh.book_fill(f.strategy, id, f.side, f.quantity, f.price, f.fee), BookStatus::kOk);
    }
  }
  std::map<std::string, std::int64_t> engine_qty;
  for (const Position& p : engine.book().positions()) {
    engine_qty[std::string(engine.instruments().get(p.instrument).symbol_view())] += p.quantity;
  }
  for (const auto& [sym, q] : qty_by_symbol) EXPECT_EQ(engine_qty[sym], q) << sym;
  for (const auto& [sym, q] : engine_qty) EXPECT_EQ(qty_by_symbol[sym], q) << sym;
  for (const Order& o : engine.orders().orders()) {
    for (int i = 0; i < o.leg_count; ++i) {
      const std::uint64_t booked = booked_per_leg[std::make_pair(o.id.value, i)];
      EXPECT_EQ(booked, o.leg_filled[i]) << o.id.to_string() << " leg " << i;
    }
  }
  EXPECT_EQ(fresh.totals().realized, engine.book().totals().realized);
  EXPECT_EQ(fresh.totals().fees, engine.book().totals().fees);
  // Restoring the whole journal again gives the same engine.
  fs::remove(path + ".again");
  Session again(path + ".again", true);
  const RestoreResult rr = again.engine->restore(scan, engine.market_state().market_time());
  ASSERT_TRUE(rr.ok) << rr.error;
  EXPECT_EQ(rr.tail_booked, 0u);
  EXPECT_EQ(again.engine->describe(), engine.describe());
}

}  // namespace odte::restore_test

// Zero allocations on the hot path, proved with a counting allocator: this binary replaces the
// global operator new/delete with versions that count the calls made on the thread that armed
// them. The live core loop's parts (market state, strategies, risk, order manager through Engine;
// the write-ahead gate and the journal ring through CommandGate and AsyncJournal::append; the
// broker port's poll) are warmed up with the first minutes of the shipped real day, then the rest
// of the day -- quotes, trades, timers, the strategy's entry decision and the order it sends, its
// fills, its exit -- runs armed, and the count must not move.

#include <execinfo.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "odte/brokers/paper_port.hpp"
#include "odte/core/engine/command_gate.hpp"
#include "odte/core/engine/engine.hpp"
#include "odte/core/journal/async_journal.hpp"
#include "odte/core/options/calendar.hpp"
#include "odte/daemon/replay.hpp"
#include "odte/feeds/recording_source.hpp"
#include "odte/strategies/factory.hpp"

namespace {

// Counted only while armed, and only on the arming thread: the journal thread and gtest's own
// bookkeeping are not the core's hot path.
thread_local bool t_armed = false;
thread_local std::uint64_t t_allocations = 0;
// Where the first armed allocations came from (return addresses, kept without allocating), so a
// failure can say which code allocated: printed with backtrace_symbols_fd (addr2line -f -C -e on
// the binary turns the offsets into lines).
constexpr int kTraces = 16;
constexpr int kFrames = 24;
thread_local void* t_trace[kTraces][kFrames];
thread_local int t_trace_depth[kTraces];
thread_local int t_traced = 0;  // traces kept since the thread was last armed

void* counted_alloc(std::size_t n, std::size_t align) {
  if (t_armed) {
    if (t_traced < kTraces) {
      t_armed = false;  // backtrace() may allocate the first time it loads the unwinder
      t_trace_depth[t_traced] = ::backtrace(t_trace[t_traced], kFrames);
      ++t_traced;
      t_armed = true;
    }
    ++t_allocations;
  }
  if (n == 0) n = 1;
  void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (n + align - 1) / align * align)
                                               : std::malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n, 0); }
void* operator new[](std::size_t n) { return counted_alloc(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_alloc(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_alloc(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n, 0);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n, 0);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace odte {
namespace {

namespace fs = std::filesystem;

void print_traces() {
  for (int k = 0; k < t_traced; ++k) {
    std::fprintf(stderr, "allocation %d on the hot path:\n", k + 1);
    ::backtrace_symbols_fd(t_trace[k], t_trace_depth[k], STDERR_FILENO);
  }
}

struct Armed {
  Armed() noexcept {
    t_traced = 0;
    t_armed = true;
  }
  ~Armed() { t_armed = false; }
};

// The live run's journal sink (daemon/src/live.cpp LiveJournal::record): a copy into the ring.
struct RingJournal final : JournalSink {
  AsyncJournal async;
  void record(JournalRecordType type, std::span<const std::byte> payload) noexcept override {
    const bool durable = type == JournalRecordType::kOrderCommand || type == JournalRecordType::kKillSwitch;
    (void)async.append(type, payload, durable);
  }
};

TEST(CountingAllocatorTest, shouldCountAnAllocationMadeWhileArmed) {
  const std::uint64_t before = t_allocations;
  {
    Armed armed;
    auto v = std::make_unique<std::vector<int>>(100);
    ASSERT_EQ(v->size(), 100u);
  }
  EXPECT_EQ(t_allocations - before, 2u) << "the vector object and its buffer";
}

// A strategy written the way the hot path asks: instruments looked up at start, the decision made
// from the market state, notes as fixed text. At 09:45 it buys one 748/753 call debit spread at the
// natural price plus a nickel; at 10:30 it closes it.
class ProbeStrategy final : public Strategy {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "alloc_probe"; }
  void on_start(StrategyContext& ctx) override {
    long_ = ctx.instrument("O:SPY260720C00748000");
    short_ = ctx.instrument("O:SPY260720C00753000");
  }
  void on_timer(StrategyContext& ctx) override {
    const int minute = ctx.local_minute();
    if (!entry_.valid() && !sent_ && minute >= 9 * 60 + 45) {
      const Nbbo* l = ctx.market().nbbo(long_);
      const Nbbo* h = ctx.market().nbbo(short_);
      if (l == nullptr || h == nullptr || !l->ask.valid() || !h->bid.valid()) return;
      Intent in{};
      in.strategy = 0;
      in.action = IntentAction::kOpen;
      in.leg_count = 2;
      in.quantity = 1;
      in.limit = l->ask - h->bid + Price::from_cents(5);
      in.legs[0] = OrderLeg{long_, Side::kBuy, kLegContracts, 1};
      in.legs[1] = OrderLeg{short_, Side::kSell, kLegContracts, 1};
      in.set_reason("alloc_probe:entry");
      entry_ = ctx.submit(in);
      sent_ = true;
      ctx.note(entry_.valid() ? "alloc_probe: entry sent" : "alloc_probe: entry refused");
    } else if (entry_.valid() && !closed_ && minute >= 10 * 60 + 30) {
      closed_ = ctx.close_position(entry_, "alloc_probe:exit");
      ctx.note("alloc_probe: closing");
    }
  }

 private:
  InstrumentId long_ = kNoInstrument;
  InstrumentId short_ = kNoInstrument;
  ClientOrderId entry_;
  bool sent_ = false;
  bool closed_ = false;
};

// The live core loop over the shipped real day (data/replay), warmed up to 09:40 New York, five
// minutes before the strategies enter; the rest of the day is then run with `per_step` told the
// allocations and notes of every step (one market event, or one timer or broker due time between
// two events, with the gate, broker poll and timers after it).
class HotPathAllocationTest : public ::testing::Test {
 protected:
  struct StepCount {
    std::uint64_t allocations;
    std::size_t notes;  // notes the step added
  };

  void run_day(std::vector<std::unique_ptr<Strategy>> strategies, const std::string& tag,
               const std::function<void(const StepCount&)>& per_step) {
    const fs::path recording = fs::path(ODTE_SOURCE_DIR) / "data" / "replay" / "spy-0dte-2026-07-20.odr";
    ASSERT_TRUE(fs::exists(recording)) << "committed recording missing: " << recording;
    InstrumentRegistry registry(8192);
    std::vector<MarketEvent> events;
    {
      feeds::RecordingEventSource source(registry);
      ASSERT_EQ(source.open(recording.string()), "");
      MarketEvent e{};
      while (source.next(e)) events.push_back(e);
    }
    ASSERT_GT(events.size(), 1000u);

    constexpr std::int32_t kDay = 20260720;
    EngineConfig cfg;
    cfg.orders.trading_day = kDay;
    cfg.stale_after_ns = 15LL * 60 * 1'000'000'000;  // the day's option snapshots come minutes apart
    auto ring = std::make_unique<CommandRing>();
    const fs::path dir = fs::path(ODTE_BINARY_DIR) / "hot-path-alloc";
    fs::create_directories(dir);
    fs::remove(dir / (tag + ".odj"));
    auto journal = std::make_unique<RingJournal>();
    const TimestampNs start = events.front().header.exchange_ns;
    ASSERT_FALSE(journal->async.open((dir / (tag + ".odj")).string(), kDay, start));
    journal->async.start("alloc-journal");
    Engine engine(cfg, registry, std::move(strategies), *ring, journal.get());
    brokers::PaperBrokerPort broker(brokers::PaperBrokerConfig{});
    CommandGate gate(*ring, journal->async, broker);
    daemon::EngineReportSink to_engine(engine);
    engine.start(start);

    // The live loop's step (daemon/src/live.cpp), with the journal's durable wait made real: the
    // gate holds a command until the journal thread has synced it.
    auto step = [&](TimestampNs t) {
      for (int round = 0; round < 8; ++round) {
        std::size_t moved = gate.pump(t);
        to_engine.now = t;
        moved += static_cast<std::size_t>(broker.poll(engine.market_state(), t, to_engine));
        engine.on_timer(t);
        if (moved == 0 && ring->empty_approx()) break;
      }
      while (gate.held() != 0 && !journal->async.failed()) (void)gate.send_durable(t);
      return true;
    };
    bool counting = false;
    auto counted = [&](auto&& body) {
      if (!counting) return body();
      const std::uint64_t a = t_allocations;
      const std::size_t n = engine.note_count();
      t_traced = 0;
      t_armed = true;
      body();
      t_armed = false;
      const StepCount c{t_allocations - a, engine.note_count() - n};
      if (c.allocations != 0 && c.notes == 0) print_traces();
      per_step(c);
    };
    auto counted_step = [&](TimestampNs t) {
      counted([&] { step(t); });
      return true;
    };
    auto run = [&](std::size_t from, std::size_t to) {
      for (std::size_t i = from; i < to; ++i) {
        const MarketEvent& e = events[i];
        const TimestampNs t = e.header.exchange_ns;
        (void)daemon::run_due_before(t, engine, broker, counted_step);
        counted([&] {
          engine.on_market_event(e, t);
          step(t);
        });
      }
    };

    const TimestampNs warm_until = options::local_to_utc_ns(kDay, 9 * 60 + 40);
    std::size_t split = 0;
    while (split < events.size() && events[split].header.exchange_ns < warm_until) ++split;
    ASSERT_GT(split, 0u);
    ASSERT_LT(split, events.size());
    ASSERT_TRUE(engine.begin_reconciliation(start, 0));
    step(start);
    run(0, split);
    ASSERT_EQ(engine.state(), CoreState::kRunning);
    before_ = engine.stats();
    ASSERT_EQ(before_.intents, 0u) << "the warm-up ends before the entry";
    counting = true;
    run(split, events.size());
    counting = false;
    journal->async.stop();
    after_ = engine.stats();
    EXPECT_FALSE(journal->async.failed()) << journal->async.error();
    EXPECT_GT(after_.intents, before_.intents) << "the counted stretch decides";
    EXPECT_GT(after_.orders_sent, before_.orders_sent) << "and sends orders";
    EXPECT_GT(after_.fills, before_.fills) << "and books fills";
    EXPECT_GT(after_.events - before_.events, 1000u);
    notes_ = engine.notes();
  }

  [[nodiscard]] std::string what() const {
    return std::to_string(after_.events - before_.events) + " events, " +
           std::to_string(after_.orders_sent - before_.orders_sent) + " orders, " +
           std::to_string(after_.fills - before_.fills) + " fills";
  }

  EngineStats before_{};
  EngineStats after_{};
  std::vector<std::string> notes_;
};

// Quote, trade, timer, decision, risk, order, journal ring, write-ahead gate, paper fill, book,
// exit: none allocates.
TEST_F(HotPathAllocationTest, shouldNotAllocateFromQuoteToOrderToFillOnTheRealDay) {
  std::vector<std::unique_ptr<Strategy>> strategies;
  strategies.push_back(std::make_unique<ProbeStrategy>());
  std::uint64_t total = 0;
  run_day(std::move(strategies), "probe", [&](const StepCount& c) { total += c.allocations; });
  if (total != 0) print_traces();
  EXPECT_EQ(total, 0u) << "operator new called on the core thread over " << what();
  EXPECT_NE(std::find(notes_.begin(), notes_.end(), "alloc_probe: entry sent"), notes_.end());
  EXPECT_NE(std::find(notes_.begin(), notes_.end(), "alloc_probe: closing"), notes_.end());
}

// A shipped strategy (the butterfly the e2e configs trade, entering at 09:45) on the same day:
// every step that made no note allocated nothing. Steps that made one may allocate in the
// strategy's own code, which builds the note's text in std::strings (strategies/: counted and
// shown, not asserted here); the engine's note() itself does not (NoteBufferTest).
TEST_F(HotPathAllocationTest, shouldNotAllocateInAShippedStrategysStepsWithoutANote) {
  std::vector<std::unique_ptr<Strategy>> strategies;
  strategies.push_back(strategies::make_strategy(
      "iv_spike_butterfly", "entry_mode = \"time\"\nentry_time = \"09:45\"\nwing = 5.0\nexit_time = \"14:00\"\n", 0,
      "alloc"));
  std::uint64_t quiet = 0, noted = 0, note_steps = 0;
  run_day(std::move(strategies), "butterfly", [&](const StepCount& c) {
    if (c.notes == 0) {
      quiet += c.allocations;
    } else {
      noted += c.allocations;
      ++note_steps;
    }
  });
  RecordProperty("allocations_in_note_steps", static_cast<int>(noted));
  RecordProperty("note_steps", static_cast<int>(note_steps));
  EXPECT_GE(note_steps, 1u) << "the strategy noted its entry";
  EXPECT_EQ(quiet, 0u) << "operator new called in steps without a note over " << what();
}

// A strategy that notes, on its next timer, whatever it is given.
class NoterStrategy final : public Strategy {
 public:
  explicit NoterStrategy(std::vector<std::string>& texts) : texts_{texts} {}
  [[nodiscard]] std::string_view name() const noexcept override { return "noter"; }
  void on_timer(StrategyContext& ctx) override {
    for (const std::string& t : texts_) ctx.note(t);
    texts_.clear();  // keeps its capacity: no allocation
  }

 private:
  std::vector<std::string>& texts_;
};

// note() copies into its buffer without allocating; notes() hands every note back in order, also
// past the buffer's capacity (where note() makes the string at once).
TEST(NoteBufferTest, shouldNoteWithoutAllocatingAndKeepTheOrderPastTheBuffer) {
  InstrumentRegistry registry(16);
  auto ring = std::make_unique<CommandRing>();
  EngineConfig cfg;
  cfg.orders.trading_day = 20260720;
  std::vector<std::string> texts;
  std::vector<std::unique_ptr<Strategy>> strategies;
  strategies.push_back(std::make_unique<NoterStrategy>(texts));
  Engine engine(cfg, registry, std::move(strategies), *ring, nullptr);
  constexpr TimestampNs kSec = 1'000'000'000;
  TimestampNs t = options::local_to_utc_ns(20260720, 10 * 60);
  engine.start(t);
  engine.on_timer(t);  // warm
  const std::size_t before = engine.note_count();
  texts.reserve(Engine::kNoteBufferNotes + 10);
  texts.emplace_back("first, longer than a short string's inline buffer");
  for (std::size_t i = 0; i < 100; ++i) texts.emplace_back(std::string(20 + i, static_cast<char>('a' + i % 26)));
  const std::uint64_t a = t_allocations;
  {
    Armed armed;
    engine.on_timer(t += kSec);
  }
  EXPECT_EQ(t_allocations - a, 0u);
  EXPECT_EQ(engine.note_count(), before + 101u);
  for (std::size_t i = 0; i < Engine::kNoteBufferNotes + 10; ++i) texts.push_back(std::to_string(i));
  engine.on_timer(t += kSec);
  const std::vector<std::string>& notes = engine.notes();
  ASSERT_EQ(notes.size(), before + 101u + Engine::kNoteBufferNotes + 10);
  EXPECT_EQ(notes[before], "first, longer than a short string's inline buffer");
  EXPECT_EQ(notes[before + 100], std::string(119, static_cast<char>('a' + 99 % 26)));
  for (std::size_t i = 0; i < Engine::kNoteBufferNotes + 10; ++i) {
    ASSERT_EQ(notes[before + 101 + i], std::to_string(i)) << i;
  }
  texts.push_back("after");
  engine.on_timer(t += kSec);
  EXPECT_EQ(engine.notes().back(), "after");
}

}  // namespace
}  // namespace odte

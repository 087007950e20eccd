// Restart recovery on a real recorded day: the SPY 0DTE chain of 2026-07-24 (the committed
// recording tests/data/real/spy-0dte-2026-07-24.odr, imported from ../shared/data) replayed through two seed strategies, the engine and the paper broker, with
// the journal on disk. Restoring any prefix of the journal that ends where the run loop rests
// gives the engine as it was at that moment; a crash mid-day, restored into a new process-like
// registry and reconciled with a new paper broker, finishes the day with nothing lost.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "../strategies/real_day.hpp"
#include "odte/brokers/paper_broker.hpp"
#include "odte/strategies/factory.hpp"

namespace odte {
namespace {

namespace real = odte::testing_real;
namespace fs = std::filesystem;

constexpr const char* kDate = "2026-07-24";

std::vector<std::unique_ptr<Strategy>> day_strategies() {
  std::vector<std::unique_ptr<Strategy>> s;
  s.push_back(strategies::make_strategy(
      "short_strangle",
      "target_delta = 0.30\nequity_per_share = 10.0\nhedge = \"report\"\nmax_quantity = 20\nentry_time = \"09:45\"\nexit_time = \"15:45\"\nprice_slack = 0.05\n",
      0, "test"));
  s.push_back(strategies::make_strategy("iv_spike_butterfly", "entry_time = \"09:45\"\nwing = 5.0\nprice_slack = 0.10\n", 1,
                                        "test"));
  return s;
}

EngineConfig day_config(std::int32_t day, int offset) {
  EngineConfig cfg;
  cfg.orders.trading_day = day;
  cfg.utc_offset_minutes = offset;
  cfg.stale_after_ns = 15LL * 60 * 1'000'000'000;
  cfg.exits.exit_minute = -1;
  cfg.risk.allow_undefined_risk = true;
  cfg.risk.undefined_risk_stress = 0.02;
  cfg.risk.max_risk_fraction = 1.0;
  return cfg;
}

struct Sink final : JournalSink {
  JournalWriter writer;
  std::uint64_t records = 0;
  bool ok = true;
  void record(JournalRecordType type, std::span<const std::byte> payload) noexcept override {
    const bool durable = type == JournalRecordType::kOrderCommand || type == JournalRecordType::kKillSwitch;
    if (writer.append(type, payload, durable)) ok = false;
    ++records;
  }
};

// The engine, its paper broker and journal, stepped the way run_replay steps them.
struct DayLoop {
  CommandRing ring;
  brokers::PaperBroker broker{brokers::PaperBrokerConfig{}};
  Sink sink;
  std::unique_ptr<Engine> engine;
  DayLoop(const EngineConfig& cfg, InstrumentRegistry& registry, const std::string& journal, TimestampNs start) {
    EXPECT_FALSE(sink.writer.open(journal, cfg.orders.trading_day, start));
    engine = std::make_unique<Engine>(cfg, registry, day_strategies(), ring, &sink);
  }
  void step(TimestampNs t) {
    for (int round = 0; round < 8; ++round) {
      std::size_t moved = ring.drain([&](const OrderCommand& c) {
        sink.record(JournalRecordType::kOrderCommand, std::as_bytes(std::span<const OrderCommand>(&c, 1)));
        broker.submit(c, t);
      });
      moved += static_cast<std::size_t>(
          broker.poll(engine->market_state(), t, [&](const ExecutionReport& r) { engine->on_exec_report(r, t); }));
      engine->on_timer(t);
      if (moved == 0 && ring.empty_approx()) break;
    }
  }
};

class RestoreRealDayTest : public ::testing::Test {
 protected:
  // Reads the committed recording and writes only journals named for each test: the two tests run
  // as separate processes at once under ctest --parallel, and used to import the day into the
  // build tree through one partial file name, each removing and renaming the other's half-written
  // file.
  void SetUp() override {
    recording_ = real::chain_recording(kDate);
    ASSERT_TRUE(fs::exists(recording_)) << testing_day::missing(recording_);
    work_ = testing_day::work_dir();
  }
  fs::path work_, recording_;
};

TEST_F(RestoreRealDayTest, shouldRestoreTheEngineAsItWasWhereverTheJournalEnds) {
  const std::string journal = (work_ / "restore-real-day.odj").string();
  fs::remove(journal);
  InstrumentRegistry registry(8192);
  daemon::RecordingEvents events(registry);
  ASSERT_EQ(events.open(recording_.string()), "");
  const EngineConfig cfg = day_config(events.trading_day(), events.utc_offset_minutes());
  MarketEvent e{};
  ASSERT_TRUE(events.next(e));
  DayLoop run(cfg, registry, journal, e.header.exchange_ns);
  run.engine->start(e.header.exchange_ns);
  // The description each time the journal grew, taken where the run loop rests (after a step).
  std::map<std::uint64_t, std::string> state_at;  // records -> describe()
  std::uint64_t last = 0;
  do {
    const TimestampNs t = e.header.exchange_ns;
    run.engine->on_market_event(e, t);
    run.step(t);
    if (run.sink.records != last) {
      last = run.sink.records;
      state_at[last] = run.engine->describe();
    }
  } while (events.next(e));
  ASSERT_TRUE(run.sink.ok);
  const std::string final_state = run.engine->describe();
  std::printf("real day %s: %zu orders, %llu fills, %llu records, %zu distinct cut points\n", kDate,
              run.engine->orders().orders().size(), static_cast<unsigned long long>(run.engine->stats().fills),
              static_cast<unsigned long long>(run.sink.records), state_at.size());
  ASSERT_GE(run.engine->orders().orders().size(), 2u) << final_state;
  ASSERT_GT(run.engine->stats().fills, 0u);
  run.sink.writer.close();

  JournalReader reader;
  const JournalScan full = reader.read(journal);
  ASSERT_EQ(full.status, JournalStatus::kOk);
  std::string bytes(static_cast<std::size_t>(fs::file_size(journal)), '\0');
  {
    std::ifstream in(journal, std::ios::binary);
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  int compared = 0;
  for (const auto& [records, state] : state_at) {
    const std::uint64_t cut_at = records < full.records.size() ? full.records[records].offset : full.valid_bytes;
    const std::string cut = (work_ / "restore-real-day-cut.odj").string();
    {
      std::ofstream out(cut, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(cut_at));
    }
    const JournalScan scan = reader.read(cut);
    ASSERT_EQ(scan.records.size(), records);
    // A new process: a registry that knows nothing yet.
    InstrumentRegistry fresh(8192);
    CommandRing ring;
    Engine restored(cfg, fresh, day_strategies(), ring, nullptr);
    const RestoreResult r = restored.restore(scan, 0);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.tail_booked, 0u);
    ASSERT_EQ(restored.describe(), state) << "journal cut after " << records << " records";
    EXPECT_TRUE(ring.empty_approx());
    ++compared;
  }
  EXPECT_GT(compared, 10);
  EXPECT_EQ(state_at.rbegin()->second, final_state);
}

// Crashes at several moments of the day: restored into a fresh registry, reconciled with a new
// paper broker, the day finishes; every id is issued once, positions are the sum of the journal's
// fills, and restoring the whole journal again gives the engine that finished the day.
TEST_F(RestoreRealDayTest, shouldFinishTheDayAfterACrashWithNothingLost) {
  for (const int crash_minute : {9 * 60 + 46, 11 * 60, 15 * 60 + 46}) {
    SCOPED_TRACE("crash at minute " + std::to_string(crash_minute));
    const std::string journal = (work_ / ("restore-real-crash-" + std::to_string(crash_minute) + ".odj")).string();
    fs::remove(journal);
    EngineConfig cfg;
    TimestampNs crash_ns = 0;
    {
      InstrumentRegistry registry(8192);
      daemon::RecordingEvents events(registry);
      ASSERT_EQ(events.open(recording_.string()), "");
      cfg = day_config(events.trading_day(), events.utc_offset_minutes());
      MarketEvent e{};
      ASSERT_TRUE(events.next(e));
      DayLoop run(cfg, registry, journal, e.header.exchange_ns);
      run.engine->start(e.header.exchange_ns);
      do {
        const TimestampNs t = e.header.exchange_ns;
        const std::int64_t m = t / 60'000'000'000 + events.utc_offset_minutes();
        if (((m % 1440) + 1440) % 1440 >= crash_minute) {
          crash_ns = t;
          break;
        }
        run.engine->on_market_event(e, t);
        run.step(t);
      } while (events.next(e));
      ASSERT_NE(crash_ns, 0);
    }
    // The restarted process: its own registry (interned in the feed's order from the crash on).
    InstrumentRegistry registry(8192);
    daemon::RecordingEvents events(registry);
    ASSERT_EQ(events.open(recording_.string()), "");
    JournalReader reader;
    const JournalScan scan = reader.read(journal);
    ASSERT_EQ(scan.status, JournalStatus::kOk);
    DayLoop run(cfg, registry, journal, crash_ns);
    const RestoreResult r = run.engine->restore(scan, crash_ns);
    ASSERT_TRUE(r.ok) << r.error;
    run.engine->start(crash_ns);
    ASSERT_TRUE(run.engine->begin_reconciliation(crash_ns, 5'000'000'000));
    // A live loop ticks on the wall clock between market events: the answer comes 50 ms later.
    run.step(crash_ns);
    run.step(crash_ns + 100'000'000);
    ASSERT_EQ(run.engine->state(), CoreState::kRunning);
    MarketEvent e{};
    bool more = events.next(e);
    while (more && e.header.exchange_ns < crash_ns) more = events.next(e);
    while (more) {
      const TimestampNs t = e.header.exchange_ns;
      run.engine->on_market_event(e, t);
      run.step(t);
      more = events.next(e);
    }
    std::string notes;
    for (const std::string& n : run.engine->notes()) notes += n + "\n";
    EXPECT_EQ(run.engine->state(), CoreState::kRunning) << notes;
    EXPECT_EQ(static_cast<ReconcileStatus>(run.engine->reconciliation().status), ReconcileStatus::kOk);
    run.sink.writer.close();

    const JournalScan after = reader.read(journal);
    ASSERT_EQ(after.status, JournalStatus::kOk);
    std::set<std::uint64_t> ids;
    std::map<std::string, std::int64_t> qty;
    for (const JournalRecord& rec : after.records) {
      OrderCommand c{};
      JournalFill f{};
      if (rec.type == JournalRecordType::kOrderCommand && rec.read_pod(c) && c.id.valid()) {
        EXPECT_TRUE(ids.insert(c.id.value).second) << "id issued twice: " << c.id.to_string();
      }
      if (rec.type == JournalRecordType::kBookFill && rec.read_pod(f)) {
        qty[f.symbol] += (f.side == Side::kBuy ? 1 : -1) * static_cast<std::int64_t>(f.quantity);
      }
    }
    for (const Position& p : run.engine->book().positions()) {
      EXPECT_EQ(p.quantity, qty[std::string(registry.get(p.instrument).symbol_view())]);
    }
    InstrumentRegistry again_registry(8192);
    CommandRing ring;
    Engine again(cfg, again_registry, day_strategies(), ring, nullptr);
    ASSERT_TRUE(again.restore(after, 0).ok);
    EXPECT_EQ(again.describe(), run.engine->describe());
  }
}

}  // namespace
}  // namespace odte

#pragma once

// In-process replay: recorded market events through the engine, with the paper broker stepped
// inline on the recording's clock and every journal record written through a sink that makes a
// restart safe.
//
// Crash recovery in replay mode: the engine and the paper broker are deterministic, so after a
// crash (kill -9) the run starts again from the first recorded event and re-creates exactly the
// records already in the journal. The sink compares each re-created record byte for byte with
// the journal (a torn last record is cut off first) and only writes once it is past the journal's
// end. Operator commands (pause, kill, limits, strategy toggles) came from outside at arbitrary
// moments: the journal holds them where they were applied (after how many market events, and how
// many timer ticks since the last of them), and the re-run applies them at the same point, so
// they too are reproduced exactly. Any difference means the journal and the re-run disagree -- a different recording or
// config, or a determinism bug -- and the run halts with the record number and both types: it
// never trades on a state it cannot explain.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "odte/brokers/paper_broker.hpp"
#include "odte/core/engine/broker_port.hpp"
#include "odte/core/engine/engine.hpp"
#include "odte/core/base/histogram.hpp"
#include "odte/core/journal/journal.hpp"

namespace odte::daemon {

class EventSource {
 public:
  virtual ~EventSource() = default;
  // The next recorded event in recorded order; false at the end.
  virtual bool next(MarketEvent& out) = 0;
  // True when next() returned false because the run was asked to stop, not because the data
  // ended: the session is then not marked as ended in the journal, so a restart can resume it.
  [[nodiscard]] virtual bool interrupted() const noexcept { return false; }
  // After next() returned false. Non-empty when the data stopped at corruption: the run fails and
  // the session is not marked as ended.
  [[nodiscard]] virtual std::string failure() const { return {}; }
  // After next() returned false. Non-empty when the data ended before its end (a recording's torn
  // tail), saying where: the session is marked as ended only if the setup accepts that.
  [[nodiscard]] virtual std::string ended_early() const { return {}; }
};

// How a replay run ended.
enum class ReplayEnd : std::uint8_t {
  kFinished,    // the data ended (whole, or early and accepted): session end journaled
  kStopped,     // asked to stop before the end: no session end, a restart resumes
  kEndedEarly,  // the data ended early and the setup does not accept it: no session end
  kFailed,      // journal mismatch or write failure, or corrupt data: no session end
};
[[nodiscard]] const char* to_string(ReplayEnd e) noexcept;

struct ReplayOutcome {
  bool ok = false;                    // the journal is whole and the data was not corrupt
  ReplayEnd end = ReplayEnd::kFailed;
  std::string error;                  // why the run stopped, when !ok
  std::string ended_early;            // where the data ended early (EventSource::ended_early), if it did
  std::uint64_t events = 0;
  std::uint64_t verified_records = 0; // journal records re-created and found identical
  std::uint64_t written_records = 0;  // records appended after the journal's end
  std::uint64_t truncated_bytes = 0;  // torn tail cut off before continuing
  std::string final_state;            // positions, orders and P&L, one line each (for comparison)
};

// Journal sink for replay: verifies against the existing journal, then appends.
class VerifyingJournal final : public JournalSink {
 public:
  // Opens (or creates) the journal. Returns an error text, empty on success.
  std::string open(const std::string& path, std::int32_t trading_day, TimestampNs start_ns);
  void record(JournalRecordType type, std::span<const std::byte> payload) noexcept override;

  // While verifying: the next journal record, if it is an operator command (pause, kill,
  // limits, strategy toggle) -- those are inputs, not outputs, so the re-run applies them.
  [[nodiscard]] const JournalRecord* next_operator_record(ControlCommand& command, std::uint64_t& after_events,
                                                          std::uint32_t& after_ticks) const noexcept;
  [[nodiscard]] bool failed() const noexcept { return !error_.empty(); }
  [[nodiscard]] bool recovering() const noexcept { return next_existing_ < existing_.records.size(); }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] std::uint64_t verified() const noexcept { return verified_; }
  [[nodiscard]] std::uint64_t written() const noexcept { return written_; }
  [[nodiscard]] std::uint64_t truncated() const noexcept { return writer_.truncated_bytes(); }
  void close() { writer_.close(); }
  // Sees every record: re-created ones as existing records, new ones as they are written.
  void set_observer(JournalObserver* observer) noexcept { observer_ = observer; }

 private:
  JournalObserver* observer_ = nullptr;
  JournalReader reader_;
  JournalScan existing_;
  JournalWriter writer_;
  std::size_t next_existing_ = 0;
  std::uint64_t verified_ = 0;
  std::uint64_t written_ = 0;
  std::string error_;
};

// Where a BrokerPort's reports go in every run loop: the engine, at the loop's current time.
struct EngineReportSink final : ReportSink {
  explicit EngineReportSink(Engine& e) noexcept : engine{e} {}
  void on_report(const ExecutionReport& r) noexcept override { engine.on_exec_report(r, now); }
  Engine& engine;
  TimestampNs now = 0;
};

// The one rule of time in every run loop (replay, paper-live, live): the core's clock never skips
// what falls due. Before a loop moves the clock to `t` -- a market event's time, or the wall
// clock's while the feed is quiet -- every engine timer tick (Engine::next_timer_ns: strategies'
// on_timer, bar closes, entry deadlines, exit rules, order timeouts, marks) and every broker
// command (BrokerPort::next_due_ns: the paper broker's latency) due before `t` is run by
// `step(due)` at its own time, in time order; the loop then applies the event and steps at `t`.
// Live, the wall clock brings those times while the feed is quiet (the idle tick); a replay
// brings them itself, so a recording whose snapshots are 25 minutes apart fires the same timers
// at the same times as live would have. `step` returns false to stop (the run was asked to
// stop): so does this. A jump of more than kMaxCatchUpNs (a day: only a garbage timestamp the
// market-data guard was told not to judge) is stepped through for its first day only, then the
// clock jumps: a tick stamped in 2098 must not run 72 years of timers.
inline constexpr std::int64_t kMaxCatchUpNs = 24LL * 3600 * 1'000'000'000;
template <typename Step>
bool run_due_before(TimestampNs t, const Engine& engine, const BrokerPort& broker, Step&& step) {
  TimestampNs last = INT64_MIN;
  TimestampNs limit = INT64_MAX;
  for (;;) {
    const TimestampNs due = std::min(engine.next_timer_ns(), broker.next_due_ns());
    if (limit == INT64_MAX && due < INT64_MAX - kMaxCatchUpNs) limit = due + kMaxCatchUpNs;
    // `due <= last`: the step did not move it (never expected; a loop must not spin on it).
    if (due >= t || due <= last || due > limit) return true;
    if (!step(due)) return false;
    last = due;
  }
}

struct ReplaySetup {
  EngineConfig engine;
  // The session history given to the engine before start (journaled by it), and what its sources
  // lacked (each becomes a note). Unset: the run has no history records.
  std::optional<SessionHistory> history;
  std::vector<std::string> history_problems;
  brokers::PaperBrokerConfig broker;
  std::string journal_path;
  // Sees every journal record on the core thread (the daemon's EventLog); nullptr: none.
  JournalObserver* journal_observer = nullptr;
  // Called once per event after the engine and broker have been stepped, on the core thread: the
  // daemon drains admin commands and publishes snapshots here; tests pace or stop part-way.
  // Return false to stop the run early.
  // `recovering` is true while the run is still re-creating records already in the journal:
  // state changes from outside must wait until it is false.
  std::function<bool(std::uint64_t events, Engine& engine, bool recovering)> after_event;
  // Called before each step of the run's clock, with its time: before a market event is applied
  // (its exchange time) and before each timer tick or broker due time between two events
  // (run_due_before). On the core thread, the engine between two steps: a paced replay waits here
  // until `due` is due in wall time -- and only then is it applied -- serving admin commands,
  // snapshots and the watchdog while it waits. Return false to stop the run early.
  std::function<bool(TimestampNs due, Engine& engine, bool recovering)> before_step;
  // Called once at the end (or after a stop) with the engine still alive; what it sends (e.g.
  // cancels) is stepped through the broker before on_finish.
  std::function<void(Engine& engine)> at_end;
  // Called last, with the final engine and the outcome filled in (outputs, reports).
  std::function<void(const Engine& engine, const ReplayOutcome& outcome)> on_finish;
  // Tick to order, when set: for every new order drained from the CommandRing after a market event,
  // CLOCK_REALTIME at the start of the drain minus that event's receive_ns (the feed thread's
  // frame-receive stamp). The clock is read once per drain that holds orders, never per event.
  // Only meaningful when receive_ns is a live stamp (replay over websocket, live feeds): a
  // recording's stamps are from the day it was recorded.
  LatencyHistogram* tick_to_order = nullptr;
  // The same, in the fixed buckets the metrics endpoint serves (odte_tick_to_order_seconds).
  LatencyBuckets* tick_to_order_buckets = nullptr;
  // A source that ended early (EventSource::ended_early) still ends the session (replay.allow_torn_tail).
  bool accept_ended_early = false;
};

// Runs `source` to its end through a fresh engine. Recovers from the journal at
// setup.journal_path if there is one (see above).
[[nodiscard]] ReplayOutcome run_replay(const ReplaySetup& setup, InstrumentRegistry& registry,
                                       std::vector<std::unique_ptr<Strategy>> strategies, EventSource& source);

// One line per position, order and total: what "the same final state" means in tests and reports.
[[nodiscard]] std::string describe_state(const Engine& engine, const InstrumentRegistry& registry);

}  // namespace odte::daemon

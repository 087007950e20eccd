#include "odte/daemon/replay.hpp"

#include <cstdio>
#include <cstring>

#include "odte/brokers/paper_port.hpp"
#include "odte/core/base/clock.hpp"

namespace odte::daemon {

using SessionMarker = JournalSessionMarker;

const char* to_string(ReplayEnd e) noexcept {
  switch (e) {
    case ReplayEnd::kFinished: return "finished";
    case ReplayEnd::kStopped: return "stopped";
    case ReplayEnd::kEndedEarly: return "ended_early";
    case ReplayEnd::kFailed: return "failed";
  }
  return "failed";
}

std::string VerifyingJournal::open(const std::string& path, std::int32_t trading_day, TimestampNs start_ns) {
  existing_ = reader_.read(path);
  if (existing_.status == JournalStatus::kCorrupt || existing_.status == JournalStatus::kBadHeader ||
      existing_.status == JournalStatus::kIoError) {
    return "journal " + path + ": " + existing_.error;
  }
  if (existing_.status == JournalStatus::kOk && existing_.trading_day != trading_day) {
    return "journal " + path + " is for trading day " + std::to_string(existing_.trading_day) + ", this run is " +
           std::to_string(trading_day);
  }
  if (const auto ec = writer_.open(path, trading_day, start_ns)) return "journal " + path + ": " + ec.message();
  return {};
}

const JournalRecord* VerifyingJournal::next_operator_record(ControlCommand& command, std::uint64_t& after_events,
                                                            std::uint32_t& after_ticks) const noexcept {
  if (!error_.empty() || next_existing_ >= existing_.records.size()) return nullptr;
  const JournalRecord& r = existing_.records[next_existing_];
  return control_from_journal(r, command, after_events, after_ticks) ? &r : nullptr;
}

void VerifyingJournal::record(JournalRecordType type, std::span<const std::byte> payload) noexcept {
  if (!error_.empty()) return;
  if (next_existing_ < existing_.records.size()) {
    const JournalRecord& old = existing_.records[next_existing_];
    if (old.type != type || old.payload.size() != payload.size() ||
        std::memcmp(old.payload.data(), payload.data(), payload.size()) != 0) {
      error_ = "journal record " + std::to_string(old.sequence) + " differs from the re-run (journal type " +
               std::to_string(static_cast<int>(old.type)) + ", re-run type " + std::to_string(static_cast<int>(type)) +
               "): the journal was written by another recording, config or build";
      return;
    }
    ++next_existing_;
    ++verified_;
    if (observer_ != nullptr) observer_->on_existing_record(type, payload);
    return;
  }
  // Order commands must be on disk before they are sent; the rest can ride the next sync.
  const bool durable = type == JournalRecordType::kOrderCommand || type == JournalRecordType::kKillSwitch;
  if (const auto ec = writer_.append(type, payload, durable)) {
    error_ = "journal write failed: " + ec.message();
    return;
  }
  ++written_;
  if (observer_ != nullptr) observer_->on_record(type, payload);
}

std::string describe_state(const Engine& engine, const InstrumentRegistry& registry) {
  std::string out;
  char line[256];
  for (const Position& p : engine.book().positions()) {
    std::snprintf(line, sizeof line, "position %u %s qty=%lld cost=%s realized=%s fees=%s\n", p.strategy,
                  std::string(registry.get(p.instrument).symbol_view()).c_str(), static_cast<long long>(p.quantity),
                  p.open_cost.to_string().c_str(), p.realized.to_string().c_str(), p.fees.to_string().c_str());
    out += line;
  }
  for (const Order& o : engine.orders().orders()) {
    std::snprintf(line, sizeof line, "order %s strategy=%u state=%s qty=%u filled=%u limit=%s legged=%d\n",
                  o.id.to_string().c_str(), o.strategy, std::string(to_string(o.state)).c_str(), o.quantity,
                  o.filled_units(), o.limit.to_string().c_str(), o.legged ? 1 : 0);
    out += line;
  }
  const PnlTotals t = engine.book().totals();
  std::snprintf(line, sizeof line, "pnl realized=%s unrealized=%s fees=%s net=%s open=%u\n",
                t.realized.to_string().c_str(), t.unrealized.to_string().c_str(), t.fees.to_string().c_str(),
                t.net().to_string().c_str(), t.open_positions);
  out += line;
  return out;
}

ReplayOutcome run_replay(const ReplaySetup& setup, InstrumentRegistry& registry,
                         std::vector<std::unique_ptr<Strategy>> strategies, EventSource& source) {
  ReplayOutcome out;
  MarketEvent first{};
  const bool have_first = source.next(first);
  const TimestampNs start = have_first ? first.header.exchange_ns : 0;

  VerifyingJournal journal;
  if (std::string err = journal.open(setup.journal_path, setup.engine.orders.trading_day, start); !err.empty()) {
    out.error = std::move(err);
    return out;
  }
  journal.set_observer(setup.journal_observer);
  auto ring = std::make_unique<CommandRing>();
  brokers::PaperBrokerPort broker(setup.broker);
  Engine engine(setup.engine, registry, std::move(strategies), *ring, &journal);
  EngineReportSink to_engine(engine);

  const SessionMarker marker{setup.engine.orders.trading_day, kJournalVersion, start};
  journal.record(JournalRecordType::kSessionStart, std::as_bytes(std::span<const SessionMarker>(&marker, 1)));
  if (setup.history) engine.set_history(*setup.history, setup.history_problems);
  engine.start(start);

  // The time of the last step: where operator commands applied between steps take effect.
  TimestampNs now = start;
  // Journal records (re-created or written) when the last step ended: a hook that changed the
  // engine since (an operator command) is followed by a step at `now` (settle, below).
  std::uint64_t records_at_step = 0;

  // `trigger_receive_ns`: receive time of the market event that moved the clock here, 0 when none
  // (operator commands, the end of the run).
  auto step = [&](TimestampNs t, TimestampNs trigger_receive_ns) {
    // Until nothing moves: commands journaled then sent, reports applied, timers run.
    for (int round = 0; round < 8; ++round) {
      TimestampNs drained_at = 0;
      std::size_t moved = ring->drain([&](const OrderCommand& c) {
        if (setup.tick_to_order != nullptr && trigger_receive_ns != 0 && c.kind == CommandKind::kNew) {
          if (drained_at == 0) drained_at = WallClock{}.now_ns();  // before the journal's fdatasync
          const TimestampNs waited = drained_at - trigger_receive_ns;
          setup.tick_to_order->record(waited > 0 ? static_cast<std::uint64_t>(waited) : 0);
          if (setup.tick_to_order_buckets != nullptr) {
            setup.tick_to_order_buckets->record(waited > 0 ? static_cast<std::uint64_t>(waited) : 0);
          }
        }
        journal.record(JournalRecordType::kOrderCommand, std::as_bytes(std::span<const OrderCommand>(&c, 1)));
        broker.submit(c, t);
      });
      to_engine.now = t;
      moved += static_cast<std::size_t>(broker.poll(engine.market_state(), t, to_engine));
      engine.on_timer(t);
      if (moved == 0 && ring->empty_approx()) break;
    }
    now = t;
    records_at_step = journal.verified() + journal.written();
  };
  // An operator command applied by a hook between two steps (admin socket, SIGHUP) goes out at
  // once, as its re-application does when the run is resumed (below): the same steps either way.
  auto settle = [&] {
    if (journal.verified() + journal.written() != records_at_step || !ring->empty_approx()) step(now, 0);
  };

  // Operator commands the journal holds are re-applied at the same point as the first time:
  // after as many market events and timer ticks, once every record before them is re-created
  // (see the header).
  auto reapply_operator_commands = [&] {
    ControlCommand c;
    std::uint64_t after = 0;
    std::uint32_t ticks = 0;
    bool applied = false;
    while (journal.next_operator_record(c, after, ticks) != nullptr && after == engine.stats().events &&
           ticks == engine.ticks_since_event()) {
      (void)engine.on_control(c, now);
      applied = true;
    }
    if (applied) step(now, 0);
  };

  // A paced replay waits here until `due` is due (ReplaySetup::before_step).
  auto wait_for = [&](TimestampNs due) {
    if (!setup.before_step) return true;
    const bool go = setup.before_step(due, engine, journal.recovering());
    settle();
    return go;
  };
  MarketEvent e = first;
  // A timer tick or broker due time between two events, at its own time (run_due_before). The
  // event about to be applied brought the clock there: an order sent on the way counts from its
  // frame's arrival (tick to order).
  auto step_between = [&](TimestampNs due) {
    if (!wait_for(due)) return false;
    step(due, e.header.receive_ns);
    reapply_operator_commands();
    return !journal.failed();
  };

  bool more = have_first;
  records_at_step = journal.verified() + journal.written();
  reapply_operator_commands();
  while (more && !journal.failed()) {
    settle();  // what the source's idle hook applied while it waited for this event
    // An event the market-data guard rejects moves no clock: not the engine's, not the broker's,
    // and runs no timer up to its time.
    if (engine.admit_market_event(e)) {
      const TimestampNs t = e.header.exchange_ns;
      if (!run_due_before(t, engine, broker, step_between) || journal.failed() || !wait_for(t)) break;
      engine.apply_market_event(e, t);
      step(t, e.header.receive_ns);
    } else {
      step(engine.market_state().market_time(), e.header.receive_ns);
    }
    ++out.events;
    if (setup.after_event && !setup.after_event(out.events, engine, journal.recovering())) break;
    settle();
    reapply_operator_commands();
    more = source.next(e);
  }
  // The session is marked as ended only when the data really ended: not after a stop (a restart
  // resumes), not at corruption, not at an early end the operator has not accepted.
  std::string source_failure;
  bool session_ended = false;
  if (!journal.failed() && !more && !source.interrupted()) {
    source_failure = source.failure();
    if (source_failure.empty()) {
      out.ended_early = source.ended_early();
      if (out.ended_early.empty() || setup.accept_ended_early) {
        // The day is over: its clock runs on to the close, where positions held to expiry settle
        // (Engine::settle_expiry; a recording that ends before the close settles on its last values).
        // On the way every timer falls due at its own time, as live's wall clock brings it while the
        // feed is quiet: a recording that ends at 10:59 still runs its strategies' 15:00 exits (on
        // the last quotes; risk refuses new entries once the data is stale).
        bool to_close = true;
        if (engine.settlement_ns() > engine.market_state().market_time()) {
          to_close = run_due_before(engine.settlement_ns(), engine, broker, [&](TimestampNs due) {
            if (!wait_for(due)) return false;
            step(due, 0);
            reapply_operator_commands();
            return !journal.failed();
          });
          if (to_close && !journal.failed()) step(engine.settlement_ns(), 0);
        }
        // A stop on the way (a paced replay asked to stop) ends the run here: a restart resumes it.
        if (to_close && !journal.failed()) {
          // The close cancelled the day's working orders and the settlement waits for their answers:
          // the clock runs on through what falls due (the paper broker's latency, timer ticks) until
          // the settlement is booked and the broker has nothing left to answer, so no order is left
          // pending. Bounded: the engine stops waiting after Engine::settle_wait_ns.
          for (int guard = 0; guard < 100'000 && !journal.failed(); ++guard) {
            const bool settling = engine.settlement_pending() && engine.state() == CoreState::kRunning;
            const TimestampNs broker_due = broker.next_due_ns();
            if (!settling && broker_due == INT64_MAX) break;
            step(settling ? std::min(engine.next_timer_ns(), broker_due) : broker_due, 0);
            reapply_operator_commands();
          }
          // Stamped at the engine's clock: after everything the run applied, never before a record.
          const SessionMarker end{setup.engine.orders.trading_day, kJournalVersion,
                                  std::max(engine.clock_ns(), engine.market_state().market_time())};
          journal.record(JournalRecordType::kSessionEnd, std::as_bytes(std::span<const SessionMarker>(&end, 1)));
          session_ended = !journal.failed();
        }
      }
    }
  }
  if (setup.at_end) {
    setup.at_end(engine);
    step(engine.market_state().market_time(), 0);  // whatever the end hook sent (cancels) goes out
  }
  out.verified_records = journal.verified();
  out.written_records = journal.written();
  out.truncated_bytes = journal.truncated();
  out.final_state = describe_state(engine, registry);
  out.ok = !journal.failed() && source_failure.empty();
  if (journal.failed()) {
    out.error = journal.error();
  } else if (!source_failure.empty()) {
    out.error = "market data: " + source_failure;
  }
  out.end = !out.ok                     ? ReplayEnd::kFailed
            : session_ended             ? ReplayEnd::kFinished
            : !out.ended_early.empty()  ? ReplayEnd::kEndedEarly
                                        : ReplayEnd::kStopped;
  if (setup.on_finish) setup.on_finish(engine, out);
  journal.close();
  return out;
}

}  // namespace odte::daemon

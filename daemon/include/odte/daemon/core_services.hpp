#pragma once

// What every odted run loop gives the operator while the engine runs on the core thread: the admin
// socket on a thread of its own, core snapshots published through a triple buffer (no lock on the
// core thread), admin commands applied between events, SIGHUP re-reading the risk limits, and the
// systemd watchdog. Shared by replay (daemon.cpp) and the live modes (live.cpp), so an operator
// steers both the same way.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "odte/core/journal/async_journal.hpp"
#include "odte/core/engine/command_gate.hpp"
#include "odte/core/engine/control.hpp"
#include "odte/core/engine/engine.hpp"
#include "odte/core/base/triple_buffer.hpp"
#include "odte/daemon/admin_server.hpp"
#include "odte/daemon/config.hpp"
#include "odte/daemon/runtime.hpp"

namespace odte::daemon {

class FeedThreads;

class CoreServices {
 public:
  CoreServices(const Config& config, std::vector<std::string> strategy_names, SignalWatcher& signals,
               SystemdNotifier& notify);
  ~CoreServices();  // stops the admin thread
  CoreServices(const CoreServices&) = delete;
  CoreServices& operator=(const CoreServices&) = delete;

  // Creates the admin socket and starts its thread. Returns an error text, empty on success.
  [[nodiscard]] std::string open();
  void close();

  // The live feed threads whose counters, ring depths and connections every snapshot carries
  // (replay over websocket, the live modes); none in an in-process replay.
  void attach_feeds(const FeedThreads* feeds) noexcept { feeds_ = feeds; }
  // The live modes' journal thread and write-ahead gate, shown the same way (core thread objects:
  // publish reads them on the core thread).
  void attach_journal(const AsyncJournal* journal, const CommandGate* gate) noexcept {
    journal_ = journal;
    gate_ = gate;
  }
  // Tick to order as the run measures it (core thread object), shown in every snapshot.
  void attach_tick_to_order(const LatencyBuckets* buckets) noexcept { tick_to_order_ = buckets; }
  // Core thread. Publishes the engine's state (and the attached feeds') for the admin side.
  void publish(const Engine& engine, CoreState state, TimestampNs now);
  // Core thread. Applies queued admin commands (or refuses them while `recovering`: the journal
  // is still being re-created and a change now would not be in it; or once the attached journal
  // has failed: nothing can be journaled or sent) and a pending SIGHUP reload. The engine itself
  // refuses what only reopens trading while it is reconciling or halted (Engine::on_control).
  // The snapshot republished after a command carries `state`, the run's state as publish takes it.
  void service(Engine& engine, bool recovering, CoreState state, TimestampNs now);
  // Core thread: logs the engine's notes (strategies', risk's, the engine's own) made since the
  // last call, one info line each. Called by service(); a run loop calls it once more at its end.
  void log_notes(const Engine& engine);
  // Core thread, cheap: publishes and pets the watchdog when 50 ms of wall time have passed.
  void tick(const Engine& engine, CoreState state, TimestampNs now);

  // The daily lifecycle (lifecycle.hpp): where the day is, carried by every snapshot published.
  void set_lifecycle(const LifecycleSnapshot& l) noexcept { lifecycle_ = l; }
  // No engine (idle between trading days, or connecting before the day's engine exists): a
  // snapshot with the configuration's equity and limits, no positions, `state`; commands are
  // refused, saying why (service_idle); tick_idle republishes every 50 ms of wall time.
  void publish_idle(TimestampNs now, CoreState state = CoreState::kIdle);
  void service_idle(TimestampNs now, CoreState state = CoreState::kIdle);
  void tick_idle(TimestampNs now, CoreState state = CoreState::kIdle);

 private:
  [[nodiscard]] bool journal_failed() const noexcept;
  const Config& config_;
  std::vector<std::string> names_;
  SignalWatcher& signals_;
  SystemdNotifier& notify_;
  std::unique_ptr<TripleBuffer<CoreSnapshot>> snapshots_;
  std::unique_ptr<ControlRing> to_core_;
  std::unique_ptr<ControlReplyRing> from_core_;
  std::unique_ptr<AdminServer> admin_;
  std::atomic<bool> admin_stop_{false};
  std::thread admin_thread_;
  const FeedThreads* feeds_ = nullptr;
  const AsyncJournal* journal_ = nullptr;
  const CommandGate* gate_ = nullptr;
  const LatencyBuckets* tick_to_order_ = nullptr;
  LifecycleSnapshot lifecycle_{};
  std::uint64_t snapshot_seq_ = 0;
  std::size_t notes_logged_ = 0;
  std::int64_t next_publish_ns_ = 0;
};

}  // namespace odte::daemon

#pragma once

// odted's run loop for replay mode (in-process replay): the engine on this thread, the admin
// socket on its own thread, snapshots published every 50 ms of wall time, admin commands applied
// between events, SIGHUP re-reading the risk limits from the config file, SIGTERM (or the end of
// the recording) stopping cleanly: the journal flushed, the run's outputs written, exit status 0.
// A stopped replay is resumed, not unwound: restarting it re-runs the recording, verifies the
// journal and continues (see replay.hpp), so it does not cancel working orders on the way out;
// broker.cancel_on_shutdown applies to the live modes.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "odte/daemon/config.hpp"
#include "odte/daemon/replay.hpp"
#include "odte/daemon/runtime.hpp"

namespace odte::daemon {

struct DaemonRun {
  int exit_code = 0;
  std::string output_dir;   // where final_state.txt and summary.json were written
  ReplayOutcome outcome;
};

// Filled in by run_replay_daemon for the duration of the run: an event source that waits for data
// (the live feed rings) calls fn() from the core thread while it waits, so admin commands, snapshots
// and the watchdog keep being served. Empty outside the run.
struct IdleHook {
  std::function<void()> fn;
};

// Shared by the run loops: where outputs go (output_dir, else beside the journal); final_state.txt
// and summary.json from the final engine; the run report (docs/reports.md) from the closed journal
// (a report that cannot be written is logged, it does not fail the run). `tick_to_order`, when
// given, goes into summary.json as tick_to_order_ns (bench/README.md).
[[nodiscard]] std::string output_dir_for(const Config& config);
void write_outputs(const std::string& dir, const Engine& engine, const InstrumentRegistry& registry,
                   const ReplayOutcome& outcome, const LatencyHistogram* tick_to_order = nullptr);
void write_run_report(const Config& config, const std::vector<std::string>& names, const std::string& output_dir);
// The engine settings a run takes from its config, for a trading day (yyyymmdd) whose exchange
// time is UTC + utc_offset_minutes. The same in every mode.
[[nodiscard]] EngineConfig engine_config(const Config& config, std::int32_t trading_day, int utc_offset_minutes);
// Creates the folders a run writes into (journal, outputs, admin socket). Returns an error text.
[[nodiscard]] std::string create_run_dirs(const Config& config, const std::string& output_dir);
// The configured strategies in config order, and their names. Throws strategies::StrategyConfigError.
[[nodiscard]] std::vector<std::unique_ptr<Strategy>> make_strategies(const Config& config, std::vector<std::string>& names);

class FeedThreads;

// `trading_day` (yyyymmdd) and `utc_offset_minutes` (exchange time = UTC + offset) describe the
// recorded session. Errors (admin socket, journal, strategies) are logged and give exit code 1.
// `feeds`: the feed threads behind `source` (replay over websocket), shown in status and metrics.
[[nodiscard]] DaemonRun run_replay_daemon(const Config& config, InstrumentRegistry& registry, EventSource& source,
                                          std::int32_t trading_day, int utc_offset_minutes, SignalWatcher& signals,
                                          SystemdNotifier& notify, IdleHook* idle = nullptr,
                                          const FeedThreads* feeds = nullptr);

}  // namespace odte::daemon

#pragma once

// odted's run loop for replay mode (in-process replay): the engine on this thread, the admin
// socket on its own thread, snapshots published every 50 ms of wall time, admin commands applied
// between events, SIGHUP re-reading the risk limits from the config file. The end of the
// recording finishes the day (session end journaled, outputs written, exit 0); SIGTERM stops it
// cleanly before then (journal flushed, outputs written, exit kExitReplayStopped). A corrupt
// recording, one that ended early (torn tail, unless replay.allow_torn_tail) or an output that
// cannot be written fails the run (exit 1, no session end).
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

// Exit status of a replay stopped by SIGTERM/SIGINT before the end of its recording: the journal
// and outputs are consistent but the day is not done (no session end; starting again resumes).
// 0 is kept for a replay that reached the end; 1 is a failure, 2 a configuration refused.
inline constexpr int kExitReplayStopped = 3;

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
// and summary.json from the final engine; the run report (docs/reports.md) from the closed journal,
// with `warnings` the journal cannot tell (a recording that ended early). Every file is written
// whole or not at all (temporary file, fsync, rename); the functions return an error text naming
// the path that could not be written, empty on success -- the run then fails. `tick_to_order`,
// when given, goes into summary.json as tick_to_order_ns (bench/README.md).
[[nodiscard]] std::string output_dir_for(const Config& config);
[[nodiscard]] std::string write_outputs(const std::string& dir, const Engine& engine, const InstrumentRegistry& registry,
                                        const ReplayOutcome& outcome, const LatencyHistogram* tick_to_order = nullptr);
[[nodiscard]] std::string write_run_report(const Config& config, const std::vector<std::string>& names,
                                           const std::string& output_dir, std::vector<std::string> warnings = {});
// The engine settings a run takes from its config, for a trading day (yyyymmdd) whose exchange
// time is UTC + utc_offset_minutes. The same in every mode.
[[nodiscard]] EngineConfig engine_config(const Config& config, std::int32_t trading_day, int utc_offset_minutes);
// The day's equity for the 0.5% rule from the broker's account (BrokerPort::account_equity): the
// paper broker answers its starting cash ([account] equity); a broker that cannot say leaves the
// config's number in `e`, with a warning logged.
void take_broker_equity(EngineConfig& e, const BrokerPort& broker, bool paper);
// Creates the folders a run writes into (journal, outputs, admin socket), and removes the outputs a
// previous run left in output_dir (summary.json, final_state.txt, report/*): a run that fails
// before writing its own must not leave another run's success to be read as its result. Returns
// an error text (a folder that cannot be made, an old output that cannot be removed).
[[nodiscard]] std::string create_run_dirs(const Config& config, const std::string& output_dir);
// The files odted writes into the output folder, relative to it (what create_run_dirs removes).
[[nodiscard]] const std::vector<std::string>& run_output_files();
// The configured strategies in config order, and their names. Throws strategies::StrategyConfigError.
[[nodiscard]] std::vector<std::unique_ptr<Strategy>> make_strategies(const Config& config, std::vector<std::string>& names);
// Whether the live options feed subscribes option trades (feed.option_trades): "on", "off", or
// "auto" = some enabled strategy reads option volume. `why` says which, for the log.
[[nodiscard]] bool option_trades_wanted(const Config& config, const std::vector<std::unique_ptr<Strategy>>& strategies,
                                        std::string& why);

class FeedThreads;

// `trading_day` (yyyymmdd) and `utc_offset_minutes` (exchange time = UTC + offset) describe the
// recorded session. Errors (admin socket, journal, strategies) are logged and give exit code 1.
// `feeds`: the feed threads behind `source` (replay over websocket), shown in status and metrics.
[[nodiscard]] DaemonRun run_replay_daemon(const Config& config, InstrumentRegistry& registry, EventSource& source,
                                          std::int32_t trading_day, int utc_offset_minutes, SignalWatcher& signals,
                                          SystemdNotifier& notify, IdleHook* idle = nullptr,
                                          const FeedThreads* feeds = nullptr);

}  // namespace odte::daemon

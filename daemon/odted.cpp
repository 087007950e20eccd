// odted: the trading daemon. `--config FILE` runs the mode the file names (docs/operations.md):
// replay (a recording in-process, or over websocket from odte replay-server), paper-live (the live
// feed with the paper broker, or FIX against a broker's test venue) and live (the live feed with
// the FIX adapter). paper-live and live run the same loop (live.hpp); only the broker differs.

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>
#include <string_view>

#include <spdlog/spdlog.h>

#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/base/version.hpp"
#include "odte/daemon/config.hpp"
#include "odte/daemon/daemon.hpp"
#include "odte/brokers/fix_broker.hpp"
#include "odte/brokers/paper_port.hpp"
#include "odte/daemon/feed_threads.hpp"
#include "odte/daemon/instance_lock.hpp"
#include "odte/daemon/lifecycle.hpp"
#include "odte/daemon/live.hpp"
#include "odte/daemon/recording_events.hpp"
#include "odte/feeds/api_key.hpp"
#include "odte/daemon/runtime.hpp"

namespace {

constexpr const char* kUsage =
    "usage: odted --config FILE\n"
    "       odted --check-config FILE\n"
    "       odted --help | --version\n"
    "\n"
    "The odte trading daemon: ingests the market-data feed, runs the strategy core, the risk\n"
    "engine and the order manager, and serves the admin socket that odtectl talks to.\n"
    "\n"
    "options:\n"
    "  --config FILE   TOML configuration (mode = live | paper-live | replay)\n"
    "  --check-config FILE\n"
    "                  validate FILE, print it with every default filled in, and exit\n"
    "  --help          print this help and exit\n"
    "  --version       print the version and exit\n"
    "\n"
    "exit status: 0 the run finished (replay: the recording's end; live modes: a clean stop),\n"
    "1 the run failed (a corrupt or torn recording, an output that cannot be written, ...),\n"
    "2 the configuration was refused, 3 a replay stopped by SIGTERM/SIGINT before its end\n"
    "(starting again resumes it). docs/operations.md has the details.\n";

// Replay over websocket: the recording is served by `odte replay-server` at feed.*_url and read by
// the live feed threads (websocket client, parser, rings), so the live ingest path runs end to end.
odte::daemon::DaemonRun run_over_websocket(odte::daemon::Config config, odte::InstrumentRegistry& registry,
                                           odte::daemon::SignalWatcher& signals,
                                           odte::daemon::SystemdNotifier& notify) {
  odte::daemon::DaemonRun failed;
  failed.exit_code = 1;
  odte::feeds::ApiKeyResult key = odte::feeds::load_api_key(config.feed.api_key_file);
  if (!key.ok()) {
    spdlog::error("feed.api_key_file: {}", key.error);
    std::fprintf(stderr, "odted: feed.api_key_file: %s\n", key.error.c_str());
    return failed;
  }
  std::vector<odte::daemon::FeedEndpoint> endpoints;
  for (const auto& [stream, url] : {std::pair{odte::StreamId::kStocks, config.feed.stocks_url},
                                    std::pair{odte::StreamId::kOptions, config.feed.options_url},
                                    std::pair{odte::StreamId::kIndices, config.feed.indices_url}}) {
    if (!url.empty()) {
      endpoints.push_back({stream, url, odte::daemon::replay_subscriptions(stream), config.feed.ca_file});
    }
  }
  odte::daemon::FeedThreads feeds(registry, std::move(endpoints), std::move(key.key));
  odte::daemon::IdleHook idle;
  odte::daemon::FeedEventSource source(
      feeds, odte::daemon::FeedEventSource::Merge::kStrict,
      [&idle] {
        if (idle.fn) idle.fn();
      },
      [&signals] { return signals.stop_requested(); });
  feeds.start();
  odte::daemon::PeekedSource peeked(source);
  if (!peeked.open()) {
    feeds.stop();
    const std::string err = feeds.error().empty() ? "no market event arrived before the stop" : feeds.error();
    spdlog::error("replay over websocket: {}", err);
    std::fprintf(stderr, "odted: replay over websocket: %s\n", err.c_str());
    return failed;
  }
  const std::int32_t day = peeked.trading_day();
  const int offset = peeked.utc_offset_minutes();
  spdlog::info("replay over websocket: trading day {}, exchange time UTC{:+d} min", day, offset);
  config.replay.speed = 0.0;  // the server paces; the core takes events as they come
  odte::daemon::DaemonRun result =
      odte::daemon::run_replay_daemon(config, registry, peeked, day, offset, signals, notify, &idle, &feeds);
  feeds.stop();
  feeds.log_stats();
  if (const std::string err = feeds.error(); !err.empty()) {
    spdlog::error("feed failed: {}", err);
    result.exit_code = 1;  // a feed that failed stops the run early: not a stop by signal
    if (result.outcome.error.empty()) result.outcome.error = "feed failed: " + err;
  }
  return result;
}

// One day of the live modes: the FIX adapter (broker.kind = "fix") or the paper broker, and the
// live run loop (live.hpp). `day`: a day of the daily lifecycle, else a one-day run.
odte::daemon::DaemonRun run_live_day(const odte::daemon::Config& config, odte::InstrumentRegistry& registry,
                                     odte::daemon::SignalWatcher& signals, odte::daemon::SystemdNotifier& notify,
                                     const odte::daemon::LiveDay* day) {
  // The live feed with the paper broker (paper-live) or the FIX adapter (paper-live against a
  // broker's test venue, or live: load_config refuses live without broker.kind = "fix").
  // broker.kind = "fix": the FIX adapter starts (and logs on) before the feeds, so a bad store or
  // a refused session fails the start with the setting named; the run loop holds commands until
  // the link is up (submit returns false while it is down or reconciling).
  std::unique_ptr<odte::brokers::FixBroker> fix;
  if (config.broker.kind == odte::daemon::BrokerKind::kFix) {
    try {
      fix = std::make_unique<odte::brokers::FixBroker>(config.broker.fix, registry);
      fix->start();
    } catch (const odte::brokers::FixConfigError& e) {
      spdlog::error("broker.{}", e.what());
      std::fprintf(stderr, "odted: broker.%s\n", e.what());
      odte::daemon::DaemonRun failed;
      failed.exit_code = 1;  // said above; outcome.error stays empty so it is not said twice
      return failed;
    }
  }
  const odte::daemon::BrokerFactory make_broker = [&fix](const odte::daemon::Config& c, const odte::InstrumentRegistry&) {
    if (fix) return std::unique_ptr<odte::BrokerPort>(std::move(fix));
    return std::unique_ptr<odte::BrokerPort>(std::make_unique<odte::brokers::PaperBrokerPort>(c.broker.paper));
  };
  odte::daemon::DaemonRun result = odte::daemon::run_live_daemon(config, registry, signals, notify, make_broker, day);
  // A start-up that failed before the run took the broker leaves it here: log it off while the
  // log still exists (its logout callback logs).
  fix.reset();
  return result;
}

int run(const char* config_path) {
  odte::daemon::Config config;
  try {
    config = odte::daemon::load_config(config_path);
  } catch (const odte::daemon::ConfigError& e) {
    std::fprintf(stderr, "odted: %s\n", e.what());
    return 2;
  }
  using odte::daemon::Mode;
  using odte::daemon::ReplayTransport;
  // One instance per journal and run directory, decided before anything opens the journal, the
  // admin socket, the log or the broker's store (instance_lock.hpp). Held until the process ends.
  std::vector<odte::daemon::InstanceLock> locks;
  if (std::string err = odte::daemon::lock_instance(config, locks); !err.empty()) {
    std::fprintf(stderr, "odted: %s\n", err.c_str());
    return 1;
  }
  // Signals are blocked before any thread starts, so every thread inherits the mask.
  odte::daemon::SignalWatcher signals;
  signals.start();
  if (std::string err = odte::daemon::init_logging(config.log); !err.empty()) {
    std::fprintf(stderr, "odted: %s\n", err.c_str());
    return 1;
  }
  odte::daemon::SystemdNotifier notify;
  spdlog::info("{} starting: config {}, mode {}", odte::version_line("odted"), config.source.string(),
               odte::daemon::to_string(config.mode));
  for (const std::string& w : odte::daemon::config_warnings(config)) spdlog::warn("{}", w);
  if (config.journal_dir.empty()) {
    for (const std::string& f : odte::daemon::remove_orphan_journal_temps(config.journal)) {
      spdlog::warn("removed {}, left by a journal creation that was interrupted", f);
    }
  }

  if ((config.mode == Mode::kPaperLive || config.mode == Mode::kLive) && !config.journal_dir.empty()) {
    // The daily service (lifecycle.hpp): a day at a time, each with its own registry, broker and
    // journal, between idle stretches; READY=1 as soon as the admin socket answers.
    const int code = odte::daemon::run_lifecycle(
        config, signals, notify, [&](const odte::daemon::Config& day_config, odte::daemon::LiveDay& day) {
          for (const std::string& f : odte::daemon::remove_orphan_journal_temps(day_config.journal)) {
            spdlog::warn("removed {}, left by a journal creation that was interrupted", f);
          }
          odte::InstrumentRegistry day_registry;
          return run_live_day(day_config, day_registry, signals, notify, &day);
        });
    odte::daemon::shutdown_logging();
    if (code == 0) std::printf("odted: %s stopped\n", std::string(odte::daemon::to_string(config.mode)).c_str());
    return code;
  }

  odte::InstrumentRegistry registry;
  odte::daemon::DaemonRun result;
  if (config.mode == Mode::kPaperLive || config.mode == Mode::kLive) {
    result = run_live_day(config, registry, signals, notify, nullptr);
    odte::daemon::shutdown_logging();
    if (result.exit_code == 0) {
      std::printf("odted: %s stopped: %llu events; outputs in %s\n", std::string(odte::daemon::to_string(config.mode)).c_str(),
                  static_cast<unsigned long long>(result.outcome.events), result.output_dir.c_str());
    } else if (!result.outcome.error.empty()) {
      std::fprintf(stderr, "odted: %s failed: %s\n", std::string(odte::daemon::to_string(config.mode)).c_str(),
                   result.outcome.error.c_str());
    }
    return result.exit_code;
  }
  if (config.replay.transport == ReplayTransport::kInProcess) {
    odte::daemon::RecordingEvents events(registry);
    if (std::string err = events.open(config.replay.recording); !err.empty()) {
      spdlog::error("replay.recording: {}", err);
      odte::daemon::shutdown_logging();
      std::fprintf(stderr, "odted: replay.recording: %s\n", err.c_str());
      return 1;
    }
    if (std::string err = odte::daemon::check_single_trading_day(config.replay.recording, events.trading_day());
        !err.empty()) {
      spdlog::error("replay.recording: {}", err);
      odte::daemon::shutdown_logging();
      std::fprintf(stderr, "odted: replay.recording: %s\n", err.c_str());
      return 1;
    }
    spdlog::info("recording {}: trading day {}, exchange time UTC{:+d} min", config.replay.recording,
                 events.trading_day(), events.utc_offset_minutes());
    result = odte::daemon::run_replay_daemon(config, registry, events, events.trading_day(),
                                             events.utc_offset_minutes(), signals, notify);
    const auto& counters = events.source().parse_counters();
    spdlog::info("recording read: {} frames, {} torn tail bytes, {} frames parsed", events.source().frames(),
                 events.source().torn_tail_bytes(), counters.frames);
  } else {
    result = run_over_websocket(config, registry, signals, notify);
  }
  odte::daemon::shutdown_logging();
  const auto events = static_cast<unsigned long long>(result.outcome.events);
  if (result.exit_code == 0) {
    std::printf("odted: replay finished: %llu events; outputs in %s\n", events, result.output_dir.c_str());
  } else if (result.exit_code == odte::daemon::kExitReplayStopped) {
    std::printf("odted: replay stopped before the end of the recording: %llu events; outputs in %s; start again to "
                "resume\n", events, result.output_dir.c_str());
  } else if (!result.outcome.error.empty()) {
    std::fprintf(stderr, "odted: replay failed: %s\n", result.outcome.error.c_str());
  }
  return result.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // A write past RLIMIT_FSIZE fails with EFBIG instead of killing the process: the journal's
  // failure path then halts trading and says why (docs/operations.md).
  std::signal(SIGXFSZ, SIG_IGN);
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--version") {
      std::puts(odte::version_line("odted").c_str());
      return 0;
    }
  }
  if (argc == 3 && std::strcmp(argv[1], "--check-config") == 0) {
    try {
      const auto config = odte::daemon::load_config(argv[2]);
      std::fputs(odte::daemon::describe(config).c_str(), stdout);
      for (const std::string& w : odte::daemon::config_warnings(config)) std::fprintf(stderr, "odted: warning: %s\n", w.c_str());
      return 0;
    } catch (const odte::daemon::ConfigError& e) {
      std::fprintf(stderr, "odted: %s\n", e.what());
      return 2;
    }
  }
  if (argc == 3 && std::strcmp(argv[1], "--config") == 0) return run(argv[2]);
  std::fputs(kUsage, stderr);
  return 2;
}

#include "odte/daemon/daemon.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <thread>

#include "odte/brokers/paper_port.hpp"
#include "odte/core/base/agent.hpp"
#include "odte/core/base/file_io.hpp"
#include "odte/core/options/calendar.hpp"
#include "odte/daemon/core_services.hpp"
#include "odte/daemon/event_log.hpp"
#include "odte/feeds/history_source.hpp"
#include "odte/reports/report.hpp"
#include "odte/strategies/factory.hpp"

namespace odte::daemon {

std::string output_dir_for(const Config& c) {
  if (!c.output_dir.empty()) return c.output_dir;
  const std::filesystem::path j(c.journal);
  return j.has_parent_path() ? j.parent_path().string() : ".";
}

namespace {

// Tick to order as p50/p99/p99.9/max plus every non-empty bucket (upper edge ns, count).
nlohmann::ordered_json latency_json(const LatencyHistogram& h) {
  nlohmann::ordered_json buckets = nlohmann::ordered_json::array();
  const std::string dump = h.dump();
  for (std::size_t pos = 0; pos < dump.size();) {
    const std::size_t eol = dump.find('\n', pos);
    const std::string line = dump.substr(pos, eol - pos);
    const std::size_t sp = line.find(' ');
    buckets.push_back({std::stoull(line.substr(0, sp)), std::stoull(line.substr(sp + 1))});
    pos = eol == std::string::npos ? dump.size() : eol + 1;
  }
  return {{"count", h.count()},          {"min", h.min()},
          {"p50", h.percentile(0.5)},    {"p90", h.percentile(0.9)},
          {"p99", h.percentile(0.99)},   {"p99_9", h.percentile(0.999)},
          {"max", h.max()},              {"mean", h.mean()},
          {"buckets", std::move(buckets)}};
}

}  // namespace

std::string write_output_file(const std::string& path, const std::string& text) {
  const std::error_code ec = replace_file_whole(path, std::as_bytes(std::span(text.data(), text.size())));
  if (ec) return "cannot write " + path + ": " + ec.message();
  return {};
}

std::string write_outputs(const std::string& dir, const Engine& engine, const InstrumentRegistry& registry,
                          const ReplayOutcome& outcome, const LatencyHistogram* tick_to_order) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create " + dir + ": " + ec.message();
  if (std::string err = write_output_file(dir + "/final_state.txt", describe_state(engine, registry)); !err.empty()) {
    return err;
  }
  const PnlTotals t = engine.book().totals();
  nlohmann::ordered_json rejections = nlohmann::ordered_json::object();
  for (std::size_t i = 1; i < static_cast<std::size_t>(RiskReason::kCount); ++i) {
    const auto n = engine.risk().rejections(static_cast<RiskReason>(i));
    if (n != 0) rejections[std::string(to_string(static_cast<RiskReason>(i)))] = n;
  }
  nlohmann::ordered_json rejected_data = nlohmann::ordered_json::object();
  for (std::size_t k = 0; k < kBadTickKinds; ++k) {
    const auto n = engine.market_guard().rejected(static_cast<BadTick>(k));
    if (n != 0) rejected_data[std::string(to_string(static_cast<BadTick>(k)))] = n;
  }
  nlohmann::ordered_json notes = nlohmann::ordered_json::array();
  for (const auto& n : engine.notes()) notes.push_back(n);
  nlohmann::ordered_json summary{
      {"end", to_string(outcome.end)},
      {"events", outcome.events},
      {"journal_records_verified", outcome.verified_records},
      {"journal_records_written", outcome.written_records},
      {"orders", engine.orders().orders().size()},
      {"fills", engine.stats().fills},
      {"realized", t.realized.to_string()},
      {"unrealized", t.unrealized.to_string()},
      {"fees", t.fees.to_string()},
      {"net", t.net().to_string()},
      {"open_positions", t.open_positions},
      {"risk_rejections", rejections},
      {"market_data_rejected", rejected_data},
      {"notes", notes},
  };
  if (!outcome.ended_early.empty()) summary["ended_early"] = outcome.ended_early;
  if (!outcome.error.empty()) summary["error"] = outcome.error;
  if (tick_to_order != nullptr) summary["tick_to_order_ns"] = latency_json(*tick_to_order);
  return write_output_file(dir + "/summary.json", summary.dump(2) + "\n");
}

EngineConfig engine_config(const Config& config, std::int32_t trading_day, int utc_offset_minutes) {
  EngineConfig e;
  e.orders.trading_day = trading_day;
  for (const StrategyConfig& sc : config.strategies) e.strategy_enabled.push_back(sc.enabled);
  e.risk = config.risk;
  e.exits = config.exits;
  e.equity = config.account_equity;
  e.config_equity = config.account_equity;
  e.flatten_on_daily_loss = config.daily_loss_action == DailyLossAction::kFlatten;
  e.legging = config.broker.legging_policy;
  e.physical_expiry = config.expiry.physical;
  e.physical_close_lead_minutes = config.expiry.close_before_minutes;
  e.utc_offset_minutes = utc_offset_minutes;
  // Early-close days (13:00) move every time exit with the close (ExitTime).
  if (options::classify(trading_day).status == options::DayStatus::kEarlyClose) {
    e.session_close_minute = options::kEarlyCloseMinute;
  }
  e.exits.exit_minute = config.safety_exit_time.resolve(e.session_close_minute);
  e.stale_after_ns = static_cast<std::int64_t>(config.feed.stale_after_ms) * 1'000'000;
  e.market_guard = config.feed.guard;
  return e;
}

std::string create_run_dirs(const Config& config, const std::string& output_dir) {
  // Created if missing; under systemd they are StateDirectory/RuntimeDirectory and exist already.
  for (const std::filesystem::path& p : {std::filesystem::path(config.journal).parent_path(),
                                        std::filesystem::path(output_dir),
                                        std::filesystem::path(config.admin.socket).parent_path()}) {
    std::error_code ec;
    if (!p.empty()) std::filesystem::create_directories(p, ec);
    if (ec) return "cannot create " + p.string() + ": " + ec.message();
  }
  for (const std::string& name : run_output_files()) {
    const std::filesystem::path p = std::filesystem::path(output_dir) / name;
    std::error_code ec;
    // Only a file that is there: a read-only folder with nothing to remove, or something else in
    // an output's place (a folder), is not an error here -- the run fails later, naming the output
    // it cannot write.
    const auto st = std::filesystem::symlink_status(p, ec);
    if (!std::filesystem::is_regular_file(st) && !std::filesystem::is_symlink(st)) continue;
    std::filesystem::remove(p, ec);
    if (ec) return "cannot remove the previous run's " + p.string() + ": " + ec.message();
  }
  return {};
}

const std::vector<std::string>& run_output_files() {
  static const std::vector<std::string> files{
      "summary.json",        "final_state.txt",   "report/report.html", "report/summary.json", "report/trades.csv",
      "report/legs.csv",     "report/fills.csv",  "report/daily.csv",   "report/equity.csv"};
  return files;
}

std::vector<std::unique_ptr<Strategy>> make_strategies(const Config& config, std::vector<std::string>& names) {
  std::vector<std::unique_ptr<Strategy>> out;
  names.clear();
  for (std::size_t i = 0; i < config.strategies.size(); ++i) {
    const StrategyConfig& sc = config.strategies[i];
    out.push_back(strategies::make_strategy(sc.name, sc.params_toml, static_cast<std::uint16_t>(i), config.source.string()));
    names.push_back(sc.name);
  }
  return out;
}

bool option_trades_wanted(const Config& config, const std::vector<std::unique_ptr<Strategy>>& strategies,
                          std::string& why) {
  if (config.feed.option_trades == OptionTrades::kOn) {
    why = "feed.option_trades = \"on\"";
    return true;
  }
  if (config.feed.option_trades == OptionTrades::kOff) {
    why = "feed.option_trades = \"off\": no option volume live";
    return false;
  }
  std::string readers;
  for (std::size_t i = 0; i < strategies.size(); ++i) {
    const bool enabled = i >= config.strategies.size() || config.strategies[i].enabled;
    if (!enabled || !strategies[i]->reads_option_volume()) continue;
    readers += (readers.empty() ? "" : ", ") + std::string(strategies[i]->name());
  }
  why = readers.empty() ? "no enabled strategy reads option volume" : "option volume read by " + readers;
  return !readers.empty();
}

std::string write_run_report(const Config& config, const std::vector<std::string>& names, const std::string& output_dir,
                             std::vector<std::string> warnings) {
  reports::ReportOptions report_options;
  report_options.strategy_names = names;
  report_options.equity = config.account_equity.to_double();
  report_options.warnings = std::move(warnings);
  const std::string report_dir = output_dir + "/report";
  if (std::string err = reports::write_report({config.journal}, report_dir, report_options); !err.empty()) {
    return "run report not written: " + err;
  }
  spdlog::info("run report: {}/report.html", report_dir);
  return {};
}

void take_broker_equity(EngineConfig& e, const BrokerPort& broker, bool paper) {
  const Price equity = broker.account_equity();
  if (equity.valid() && equity > Price::zero()) {
    e.equity = equity;
    e.equity_source = paper ? EquitySource::kPaperBroker : EquitySource::kBroker;
    return;
  }
  e.equity_source = EquitySource::kConfig;
  spdlog::warn("account equity: the {} broker does not report its account; the per-trade cap uses [account] equity {}",
               broker.name(), e.config_equity.to_string());
}

DaemonRun run_replay_daemon(const Config& config, InstrumentRegistry& registry, EventSource& source,
                            std::int32_t trading_day, int utc_offset_minutes, SignalWatcher& signals,
                            SystemdNotifier& notify, IdleHook* idle, const FeedThreads* feeds) {
  DaemonRun run;
  run.output_dir = output_dir_for(config);
  if (std::string err = create_run_dirs(config, run.output_dir); !err.empty()) {
    spdlog::error("{}", err);
    run.outcome.error = err;
    run.exit_code = 1;
    return run;
  }

  std::vector<std::unique_ptr<Strategy>> strategies;
  std::vector<std::string> names;
  try {
    strategies = make_strategies(config, names);
  } catch (const strategies::StrategyConfigError& e) {
    spdlog::error("{}", e.what());
    run.outcome.error = e.what();
    run.exit_code = 2;
    return run;
  }

  std::optional<SessionHistory> history;
  std::vector<std::string> history_problems;
  // The session history from the replayed recording's earlier days and replay.history, for what
  // the strategies asked (each gap is a note; the strategies say what they do without it).
  if (const HistoryRequest need = history_needs(strategies); !need.empty()) {
    std::vector<std::string> paths = config.replay.history;
    paths.push_back(config.replay.recording);
    SessionHistory h;
    // The replayed recording (last) reports its own corruption when the replay reaches it.
    if (std::string err = feeds::load_history(paths, need, trading_day, h, paths.size() - 1); !err.empty()) {
      spdlog::error("replay.history: {}", err);
      run.outcome.error = "replay.history: " + err;
      run.exit_code = 1;
      return run;
    }
    history_problems = feeds::history_gaps(need, h);
    for (const std::string& p : history_problems) spdlog::warn("{}", p);
    history = std::move(h);
  }

  CoreServices services(config, names, signals, notify);
  services.attach_feeds(feeds);
  if (std::string err = services.open(); !err.empty()) {
    spdlog::error("{}", err);
    run.outcome.error = err;
    run.exit_code = 1;
    return run;
  }

  ReplaySetup setup;
  setup.engine = engine_config(config, trading_day, utc_offset_minutes);
  take_broker_equity(setup.engine, brokers::PaperBrokerPort(config.broker.paper), true);  // replay's broker
  setup.history = std::move(history);
  setup.history_problems = std::move(history_problems);
  setup.broker = config.broker.paper;
  setup.journal_path = config.journal;
  // The operator's log of orders, fills, refusals... made from the journal as it is written.
  EventLog event_log(names, {}, &registry);
  setup.journal_observer = &event_log;
  // Frame receive to order in the broker ring, where receive_ns is a live stamp (bench/README.md).
  std::unique_ptr<LatencyHistogram> tick_to_order;
  std::unique_ptr<LatencyBuckets> tick_to_order_buckets;
  if (config.replay.transport == ReplayTransport::kWebsocket) {
    tick_to_order = std::make_unique<LatencyHistogram>();
    setup.tick_to_order = tick_to_order.get();
    tick_to_order_buckets = std::make_unique<LatencyBuckets>();
    setup.tick_to_order_buckets = tick_to_order_buckets.get();
    services.attach_tick_to_order(tick_to_order_buckets.get());
  }

  using Clock = std::chrono::steady_clock;
  Clock::time_point wall_start{};
  TimestampNs first_event_ns = 0;
  bool ready_sent = false;

  // Admin commands and SIGHUP are applied between steps on the core thread -- but not while the
  // run is re-creating what the journal already holds: a change now would not be in it.
  Engine* current = nullptr;
  bool current_recovering = true;
  if (idle != nullptr) {
    // While the event source waits for data (replay over websocket) the admin socket, the
    // snapshots and the watchdog are still served.
    idle->fn = [&] {
      if (current == nullptr) {
        notify.watchdog();
        return;
      }
      const TimestampNs t = current->market_state().market_time();
      services.service(*current, current_recovering, CoreState::kRunning, t);
      services.publish(*current, CoreState::kRunning, t);
      notify.watchdog();
    };
  }

  // Paced replay (replay.speed > 0): each step of the clock -- a market event, or a timer tick or
  // broker due time between events -- waits until it is due in wall time and is applied then,
  // never early; while it waits, admin commands are applied (at once, between the two steps: the
  // journal records where, so a resumed run re-applies them there), and the snapshots and the
  // watchdog are served every 20 ms at most.
  if (config.replay.speed > 0.0) {
    setup.before_step = [&](TimestampNs due, Engine& engine, bool recovering) {
      current = &engine;
      current_recovering = recovering;
      if (first_event_ns == 0) {
        first_event_ns = due;
        wall_start = Clock::now();
      }
      const auto at = wall_start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                       static_cast<double>(due - first_event_ns) / config.replay.speed));
      while (!signals.stop_requested()) {
        const auto wall = Clock::now();
        if (wall >= at) break;
        std::this_thread::sleep_for(std::min<Clock::duration>(at - wall, std::chrono::milliseconds(20)));
        const TimestampNs t = engine.market_state().market_time();
        services.service(engine, recovering, CoreState::kRunning, t);
        services.tick(engine, CoreState::kRunning, t);
      }
      return !signals.stop_requested();
    };
  }

  setup.after_event = [&](std::uint64_t events, Engine& engine, bool recovering) {
    const TimestampNs t = engine.market_state().market_time();
    current = &engine;
    current_recovering = recovering;
    if (!ready_sent) {
      services.publish(engine, CoreState::kRunning, t);
      notify.ready("replaying " + config.replay.recording);
      spdlog::info("replay started: {} (journal {})", config.replay.recording, config.journal);
      ready_sent = true;
    }
    services.service(engine, recovering, CoreState::kRunning, t);
    if ((events & 255) == 0 || config.replay.speed > 0.0) services.tick(engine, CoreState::kRunning, t);
    return !signals.stop_requested();
  };
  // Replay stops without cancelling working orders, whatever broker.cancel_on_shutdown says:
  // cancels sent at an arbitrary wall-clock moment are not part of the deterministic run, so a
  // restart could not verify them against the journal. Restarting resumes the same run instead.
  setup.at_end = [&](Engine& engine) {
    current = nullptr;
    services.log_notes(engine);
    services.publish(engine, CoreState::kStopping, engine.market_state().market_time());
  };

  setup.accept_ended_early = config.replay.allow_torn_tail;
  std::string output_error;
  setup.on_finish = [&](const Engine& engine, const ReplayOutcome& outcome) {
    if (outcome.ok) output_error = write_outputs(run.output_dir, engine, registry, outcome, tick_to_order.get());
  };

  run.outcome = run_replay(setup, registry, std::move(strategies), source);
  event_log.flush();
  current = nullptr;
  if (idle != nullptr) idle->fn = nullptr;
  services.close();
  if (!run.outcome.ok) {
    spdlog::error("replay failed: {}", run.outcome.error);
    notify.stopping("replay failed: " + run.outcome.error);
    run.exit_code = 1;
    return run;
  }
  // The run report, from the journal now closed (docs/reports.md). An output that cannot be
  // written fails the run: exit 0 promises every output is there.
  std::vector<std::string> warnings;
  if (!run.outcome.ended_early.empty()) {
    warnings.push_back(run.outcome.ended_early + (run.outcome.end == ReplayEnd::kFinished
                                                      ? " (accepted: replay.allow_torn_tail = true)"
                                                      : " (the day was not ended: set replay.allow_torn_tail = true to accept it)"));
  }
  if (output_error.empty()) output_error = write_run_report(config, names, run.output_dir, std::move(warnings));
  if (!output_error.empty()) {
    spdlog::error("replay failed: {}", output_error);
    notify.stopping("replay failed: " + output_error);
    run.outcome.error = output_error;
    run.exit_code = 1;
    return run;
  }
  spdlog::info("replay {}: {} events, journal {} verified + {} written", to_string(run.outcome.end),
               run.outcome.events, run.outcome.verified_records, run.outcome.written_records);
  switch (run.outcome.end) {
    case ReplayEnd::kFinished:
      notify.stopping("recording finished");
      break;
    case ReplayEnd::kStopped:
      // Stopped by a signal before the recording's end: a restart resumes it (docs/operations.md).
      notify.stopping("stopped by signal");
      run.exit_code = kExitReplayStopped;
      break;
    case ReplayEnd::kFailed:  // !ok, handled above
      run.exit_code = 1;
      break;
    case ReplayEnd::kEndedEarly:
      spdlog::error("replay failed: {}; set replay.allow_torn_tail = true to replay it as a whole day",
                    run.outcome.ended_early);
      notify.stopping("replay failed: " + run.outcome.ended_early);
      run.outcome.error = run.outcome.ended_early;
      run.exit_code = 1;
      break;
  }
  return run;
}

}  // namespace odte::daemon

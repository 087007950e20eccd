#include "odte/daemon/live.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "odte/core/journal/async_journal.hpp"
#include "odte/core/base/clock.hpp"
#include "odte/core/engine/command_gate.hpp"
#include "odte/core/options/symbology.hpp"
#include "odte/daemon/core_services.hpp"
#include "odte/daemon/event_log.hpp"
#include "odte/daemon/feed_threads.hpp"
#include "odte/daemon/lifecycle.hpp"
#include "odte/daemon/recording_events.hpp"
#include "odte/feeds/api_key.hpp"
#include "odte/feeds/frame_recorder.hpp"
#include "odte/feeds/option_subscriptions.hpp"
#include "odte/feeds/rest_client.hpp"
#include "odte/strategies/factory.hpp"

namespace odte::daemon {

namespace {

using SessionMarker = JournalSessionMarker;

// The journal of a live run, written by the journal thread (AsyncJournal): the core only copies
// each record into its ring. Order commands and the kill switch are durable records; a command
// reaches the broker only once its record is on disk (CommandGate). A failed journal (a write
// error, or a record the ring could not take) stops trading: the gate sends nothing from then on.
class LiveJournal final : public JournalSink {
 public:
  // Reads what the journal already holds (restore() rebuilds the engine from it), then opens it
  // for appending -- a torn tail is cut off, the sequence continues -- and starts the journal
  // thread. A journal of another trading day, or one that cannot be trusted, is refused.
  // `observer` (the event log) learns the records already there, then sees each new one on the
  // journal thread.
  //
  // Records a killed send_then_sync run left in its ring file (AsyncJournal::map_ring) are
  // appended to the journal first, so the scan sees every command that may have left. The ring is
  // moved into such a file only under send_then_sync; a leftover file is recovered either way.
  std::string open(const std::string& path, std::int32_t trading_day, TimestampNs start_ns, JournalDurability durability,
                   JournalObserver* observer) {
    const std::string ring = AsyncJournal::ring_path_for(path, trading_day);
    const AsyncJournal::RingRecovery recovered = AsyncJournal::recover_ring(ring, path, trading_day, start_ns);
    if (recovered.error) {
      return "journal " + path + ": " + recovered.what + " -- nothing was traded; check the broker by hand before moving either file away";
    }
    recovered_ = recovered.records;
    scan_ = reader_.read(path);  // the scan's records point into the reader's buffer
    if (scan_.status == JournalStatus::kCorrupt || scan_.status == JournalStatus::kBadHeader ||
        scan_.status == JournalStatus::kIoError) {
      return "journal " + path + ": " + scan_.error;
    }
    if (scan_.status == JournalStatus::kOk && scan_.trading_day != trading_day) {
      return "journal " + path + " is for trading day " + std::to_string(scan_.trading_day) + ", the feed is on " +
             std::to_string(trading_day) + ": move it away (it is that day's record) and start again";
    }
    if (durability == JournalDurability::kSendThenSync) {
      if (const auto ec = async_.map_ring(ring)) return "journal ring " + ring + ": " + ec.message();
    }
    if (const auto ec = async_.open(path, trading_day, start_ns)) return "journal " + path + ": " + ec.message();
    if (observer != nullptr) {
      for (const JournalRecord& r : scan_.records) observer->on_existing_record(r.type, r.payload);
    }
    async_.set_observer(observer);
    async_.start("odte-journal");
    return {};
  }
  [[nodiscard]] const JournalScan& scan() const noexcept { return scan_; }
  // Records recovered from a killed run's ring file at open().
  [[nodiscard]] std::uint64_t recovered() const noexcept { return recovered_; }
  [[nodiscard]] bool resumed() const noexcept { return !scan_.records.empty(); }
  void record(JournalRecordType type, std::span<const std::byte> payload) noexcept override {
    const bool durable = type == JournalRecordType::kOrderCommand || type == JournalRecordType::kKillSwitch;
    (void)async_.append(type, payload, durable);  // 0: not taken, and failed() says so
  }
  [[nodiscard]] AsyncJournal& async() noexcept { return async_; }
  [[nodiscard]] bool failed() const noexcept { return async_.failed(); }
  [[nodiscard]] std::string error() const { return std::string(async_.error()); }
  [[nodiscard]] std::uint64_t written() const noexcept { return async_.stats().records.load(); }
  // Writes what the ring still holds, syncs and joins the journal thread.
  void close() { async_.stop(); }

 private:
  JournalReader reader_;
  JournalScan scan_;
  AsyncJournal async_;
  std::uint64_t recovered_ = 0;
};

// How long the broker has to answer the start-up status request, in wall time (the monotonic
// clock, not the feed clock: against a 600x replay ten feed seconds are 17 ms, less than one
// fdatasync of the request's record may take on a busy disk).
constexpr std::int64_t kReconcileTimeoutNs = 10'000'000'000;

std::string iso_date(std::int32_t yyyymmdd) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
  return buf;
}

// The REST underlying_ticker of an option root: "SPX" for SPXW and SPX, the root itself otherwise.
std::string rest_underlying(std::string_view root) {
  std::string_view u = options::root_info(root).underlying;
  if (u.empty()) u = root;
  if (u.starts_with("I:")) u.remove_prefix(2);
  return std::string(u);
}

// The feed symbol whose price centres a root's options: "I:SPX" for SPXW, "SPY" for SPY.
std::string feed_underlying(std::string_view root) {
  const std::string_view u = options::root_info(root).underlying;
  return std::string(u.empty() ? root : u);
}

}  // namespace

std::string check_feed_lag(const Config& config, TimestampNs first_exchange_ns, TimestampNs wall_ns) {
  if (config.mode != Mode::kLive || config.feed.max_feed_lag_ms == 0) return {};
  const std::int64_t lag_ns = wall_ns - first_exchange_ns;
  const std::int64_t limit_ns = static_cast<std::int64_t>(config.feed.max_feed_lag_ms) * 1'000'000;
  if (lag_ns <= limit_ns && lag_ns >= -limit_ns) return {};
  const double lag_s = static_cast<double>(lag_ns) * 1e-9;
  char text[320];
  std::snprintf(text, sizeof text,
                "feed.max_feed_lag_ms: the first market event is %.0f s %s the wall clock (limit %u ms): mode "
                "\"live\" trades only on a current feed -- is this a replay, a delayed data plan or the wrong "
                "clock? Nothing was sent to the broker",
                lag_s < 0 ? -lag_s : lag_s, lag_s < 0 ? "ahead of" : "behind", config.feed.max_feed_lag_ms);
  return text;
}

std::vector<std::string> held_option_contracts(const Engine& engine, const InstrumentRegistry& registry) {
  std::vector<std::string> out;
  const auto add = [&](InstrumentId id) {
    if (id >= registry.size()) return;
    const Instrument& inst = registry.get(id);
    if (inst.info.asset == AssetClass::kOption) out.emplace_back(inst.symbol_view());
  };
  for (const Position& p : engine.book().positions()) {
    if (p.quantity != 0) add(p.instrument);
  }
  for (const Order& o : engine.orders().orders()) {
    if (!o.is_live()) continue;
    for (int i = 0; i < o.leg_count && i < kMaxLegs; ++i) add(o.legs[i].instrument);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

TimestampNs live_market_event(Engine& engine, FeedClock& clock, const MarketEvent& e, TimestampNs wall_ns,
                              TimestampNs start) noexcept {
  const bool admitted = engine.on_market_event_clocked(
      e, [&clock](const MarketEvent& ev) noexcept { return clock.on_event(ev.header.exchange_ns, ev.header.receive_ns); });
  if (admitted && clock.now() != 0) return clock.now();
  return clock.now() != 0 ? clock.on_wall(wall_ns) : start;
}

DaemonRun run_live_daemon(const Config& config, InstrumentRegistry& registry, SignalWatcher& signals,
                          SystemdNotifier& notify, const BrokerFactory& make_broker, const LiveDay* lifecycle) {
  DaemonRun run;
  run.output_dir = output_dir_for(config);
  auto fail = [&](int code, const std::string& what) {
    if (lifecycle != nullptr) {
      lifecycle->services->attach_feeds(nullptr);
      lifecycle->services->attach_journal(nullptr, nullptr);
    }
    spdlog::error("{}", what);
    std::fprintf(stderr, "odted: %s\n", what.c_str());
    notify.stopping(what);
    run.exit_code = code;
    return run;
  };

  if (std::string err = create_run_dirs(config, run.output_dir); !err.empty()) return fail(1, err);

  // ---- strategies (a bad strategy config fails before anything connects) -------------------------
  std::vector<std::unique_ptr<Strategy>> strategies;
  std::vector<std::string> names;
  try {
    strategies = make_strategies(config, names);
  } catch (const strategies::StrategyConfigError& e) {
    return fail(2, e.what());
  }

  // ---- API key, feeds ---------------------------------------------------------------------------
  feeds::ApiKeyResult key = feeds::load_api_key(config.feed.api_key_file);
  if (!key.ok()) return fail(1, "feed.api_key_file: " + key.error);

  feeds::RestConfig rc;
  rc.base_url = config.feed.rest_url;
  rc.api_key = key.key;
  rc.ca_file = config.feed.ca_file;
  feeds::RestClient rest(rc);
  if (const auto status = rest.market_status(); status.ok()) {
    spdlog::info("market status: {} (server time {})", status.value.market, status.value.server_time);
  } else {
    spdlog::warn("market status not available: {}", status.error);
  }

  std::vector<FeedEndpoint> endpoints;
  std::size_t options_feed = SIZE_MAX;
  for (const auto& [stream, url, subs] :
       {std::tuple{StreamId::kStocks, config.feed.stocks_url, config.feed.stock_subscriptions},
        std::tuple{StreamId::kOptions, config.feed.options_url, std::string()},
        std::tuple{StreamId::kIndices, config.feed.indices_url, config.feed.index_subscriptions}}) {
    if (url.empty()) continue;
    if (stream == StreamId::kOptions) options_feed = endpoints.size();
    endpoints.push_back({stream, url, subs, config.feed.ca_file});
  }
  if (options_feed == SIZE_MAX) return fail(1, "feed.options_url: is required in the live modes");
  // Declared before the feed threads, so it outlives them: they write into its rings.
  std::unique_ptr<feeds::FrameRecorder> recorder;
  if (!config.feed.record_path.empty()) {
    std::string path = config.feed.record_path;
    if (const std::size_t at = path.find("{date}"); at != std::string::npos) {
      const std::time_t now = std::time(nullptr);
      std::tm tm{};
      gmtime_r(&now, &tm);
      char date[16];
      std::strftime(date, sizeof date, "%Y%m%d", &tm);
      path.replace(at, 6, date);
    }
    feeds::RecordingOptions ro;
    if (config.feed.record_zstd) {
      ro.codec = feeds::Codec::kZstd;
      ro.block_bytes = 1u << 20;
    }
    // A restart on the same day (a crash, a deploy) goes on in a new file beside the first:
    // feed-20261125.odr, then feed-20261125.1.odr, ...
    const std::filesystem::path first(path);
    for (int n = 1; std::filesystem::exists(path) && n < 1000; ++n) {
      path = (first.parent_path() / (first.stem().string() + "." + std::to_string(n) + first.extension().string())).string();
    }
    recorder = std::make_unique<feeds::FrameRecorder>(endpoints.size());
    if (std::string err = recorder->open(path, ro); !err.empty()) return fail(1, "feed.record_path: " + err);
    recorder->start();
    spdlog::info("recording the feed into {}", path);
  }
  FeedThreads feeds(registry, std::move(endpoints), key.key);
  feeds.set_recorder(recorder.get());

  // The hooks the event source calls while it waits are set once the engine exists; before that,
  // in the daily lifecycle, the admin socket and the watchdog are served and the day's end watched.
  std::function<void()> on_idle;
  // The daily lifecycle's day is over (its end by the lifecycle's clock): the loop stops.
  bool day_over = false;
  auto check_day_over = [&] {
    if (lifecycle != nullptr && !day_over && lifecycle->clock->now() >= lifecycle->plan.end_ns) {
      day_over = true;
      spdlog::info("lifecycle: trading day {}: {} New York, the day's end ({} close + session.close_after)",
                   iso_day(lifecycle->plan.day), new_york_text(lifecycle->clock->now()),
                   lifecycle->plan.early_close ? "the 13:00 early" : "the 16:00");
    }
    return day_over;
  };
  if (lifecycle != nullptr) {
    lifecycle->services->attach_feeds(&feeds);
    on_idle = [&] {
      const TimestampNs now = lifecycle->clock->now();
      lifecycle->services->service_idle(now, CoreState::kStarting);
      lifecycle->services->tick_idle(now, CoreState::kStarting);
      notify.watchdog();
      (void)check_day_over();
    };
  }
  FeedEventSource source(
      feeds, FeedEventSource::Merge::kLatency,
      [&on_idle] {
        if (on_idle) on_idle();
      },
      [&signals, &day_over] { return signals.stop_requested() || day_over; });
  feeds.start();
  notify.status("waiting for the first market event");
  PeekedSource peeked(source);
  if (!peeked.open()) {
    feeds.stop();
    if (lifecycle != nullptr) lifecycle->services->attach_feeds(nullptr);
    if (day_over && feeds.error().empty()) {
      return fail(1, "trading day " + iso_day(lifecycle->plan.day) + ": no market event arrived before the day's end (" +
                         new_york_text(lifecycle->plan.end_ns) + " New York); nothing was traded");
    }
    return fail(1, feeds.error().empty() ? "no market event arrived before the stop" : "feed: " + feeds.error());
  }
  const std::int32_t day = peeked.trading_day();
  spdlog::info("feed: trading day {}, exchange time UTC{:+d} min", day, peeked.utc_offset_minutes());
  if (lifecycle != nullptr && day != lifecycle->plan.day) {
    feeds.stop();
    lifecycle->services->attach_feeds(nullptr);
    return fail(1, "the feed is on trading day " + iso_day(day) + ", the calendar's day is " +
                       iso_day(lifecycle->plan.day) + ": nothing was traded (a feed of another day must never be "
                       "traded as today's)");
  }
  if (std::string err = check_feed_lag(config, peeked.first_exchange_ns(), WallClock().now_ns()); !err.empty()) {
    feeds.stop();
    return fail(1, err);
  }

  // ---- today's options: contracts from REST, subscriptions around the money -----------------------
  feeds::OptionSubscriptionConfig oc;
  oc.cap = config.feed.max_option_contracts;
  oc.recentre_strikes = config.feed.recentre_strikes;
  oc.expiry_yyyymmdd = day;
  std::string trades_why;
  oc.trades = option_trades_wanted(config, strategies, trades_why);
  std::vector<std::string> tickers;
  for (const std::string& root : config.feed.underlyings) {
    oc.roots.push_back({root, ""});
    auto r = rest.option_contracts(rest_underlying(root), iso_date(day), root);
    if (!r.ok()) {
      feeds.stop();
      return fail(1, "option contracts of " + root + " expiring " + iso_date(day) + ": " + r.error);
    }
    spdlog::info("options: {} contracts of {} expire {}", r.value.size(), root, iso_date(day));
    for (auto& c : r.value) tickers.push_back(std::move(c.ticker));
  }
  feeds::OptionSubscriptionManager subscriptions;
  if (const auto st = subscriptions.load(oc, tickers); !st.ok()) {
    feeds.stop();
    return fail(1, "options subscriptions (feed.underlyings): " + st.message);
  }
  spdlog::info("options subscriptions: quotes{} ({}), {} slot(s) per contract, cap {}", oc.trades ? " and trades" : " only",
               trades_why, subscriptions.slots_per_contract(), subscriptions.cap());
  struct Follow {
    std::string symbol;
    InstrumentId id = kNoInstrument;
  };
  std::vector<Follow> follow;
  for (std::size_t i = 0; i < subscriptions.root_count(); ++i) {
    const std::string u = feed_underlying(subscriptions.root(i));
    if (std::none_of(follow.begin(), follow.end(), [&](const Follow& f) { return f.symbol == u; })) follow.push_back({u});
  }

  // ---- journal, engine, broker, admin ------------------------------------------------------------
  // The operator's log of orders, fills, refusals... made from the journal on its thread.
  EventLog event_log(names, {}, &registry);  // outlives the journal thread (declared before the journal)
  LiveJournal journal;
  bool halted = false;  // the journal failed: nothing is sent from then on
  const TimestampNs start = peeked.first_exchange_ns();
  if (std::string err = journal.open(config.journal, day, start, config.journal_durability, &event_log); !err.empty()) {
    feeds.stop();
    return fail(1, err);
  }
  if (config.journal_durability == JournalDurability::kSendThenSync) {
    spdlog::info("journal: send_then_sync: orders leave before their records are synced; journal ring in {}",
                 AsyncJournal::ring_path_for(config.journal, day));
  }
  if (journal.recovered() != 0) {
    spdlog::warn("journal: {} records a killed run had not written recovered from its ring file", journal.recovered());
  }
  std::unique_ptr<BrokerPort> broker = make_broker(config, registry);
  EngineConfig ec = engine_config(config, day, peeked.utc_offset_minutes());
  // The day's equity from the broker (a restart keeps the one its journal holds: Engine::restore).
  take_broker_equity(ec, *broker, config.broker.kind == BrokerKind::kPaper);
  const HistoryRequest history_need = history_needs(strategies);
  auto ring = std::make_unique<CommandRing>();
  Engine engine(ec, registry, std::move(strategies), *ring, &journal);

  std::optional<CoreServices> own_services;
  CoreServices& services = lifecycle != nullptr ? *lifecycle->services : own_services.emplace(config, names, signals, notify);
  services.attach_feeds(&feeds);
  if (lifecycle == nullptr) {
    if (std::string err = services.open(); !err.empty()) {
      feeds.stop();
      return fail(1, err);
    }
  }

  // Restart recovery: the journal rebuilds orders, positions, P&L and risk state; then the broker
  // is asked for its view and the differences reconciled (Engine::restore, begin_reconciliation).
  // Until that is decided no opening order goes out.
  const RestoreResult restored = engine.restore(journal.scan(), start);
  if (!restored.ok) {
    feeds.stop();
    return fail(1, "journal " + config.journal + " cannot be restored: " + restored.error +
                       " -- nothing was traded; move the journal away only after checking the broker by hand");
  }
  if (journal.resumed()) {
    spdlog::info("journal restored: {} records, {} orders ({} working), {} fills, {} booked legs, {} operator "
                 "flattens{}", restored.records, restored.orders, restored.live_orders, restored.fills, restored.book_fills,
                 restored.operator_flattens,
                 restored.torn_tail_bytes != 0 ? ", torn tail cut off" : "");
  } else {
    const SessionMarker marker{day, kJournalVersion, start};
    journal.record(JournalRecordType::kSessionStart, std::as_bytes(std::span<const SessionMarker>(&marker, 1)));
  }
  // The session history (previous closes, the previous session's 1-minute bars) from Massive REST,
  // before the session starts; journaled by start(). A restart keeps the journaled one.
  if (!history_need.empty() && !engine.history_restored()) {
    std::vector<std::string> problems;
    SessionHistory h = feeds::fetch_history(rest, history_need, day, problems);
    for (const std::string& p : problems) spdlog::warn("{}", p);
    spdlog::info("history: {} series fetched before {}", h.all().size(), day);
    engine.set_history(std::move(h), problems);
  }
  engine.start(start);
  auto core_state = [&] { return halted ? CoreState::kHalted : engine.state(); };
  if (lifecycle != nullptr) lifecycle->set_state(LifecycleState::kReconciling);
  services.publish(engine, CoreState::kReconciling, start);

  EngineReportSink to_engine(engine);

  // Write-ahead: each command is journaled and held (a fixed FIFO), and handed to the broker once
  // its record is durable; commands the broker cannot take yet (link down, its ring full) stay
  // held in order and are offered again on every step. Never dropped: a full FIFO leaves them in
  // the CommandRing (back-pressure, CommandGate).
  CommandGate gate(*ring, journal.async(), *broker, config.journal_durability);
  services.attach_journal(&journal.async(), &gate);
  const MonotonicClock mono;
  // The broker's answer to the start-up status request is awaited in wall time (set below).
  std::int64_t reconcile_deadline = 0;
  auto step = [&](TimestampNs t) {
    if (engine.state() == CoreState::kReconciling && mono.now_ns() >= reconcile_deadline) {
      engine.reconciliation_timed_out(t);
    }
    for (int round = 0; round < 8; ++round) {
      std::size_t moved = gate.pump(t);
      if (!halted && journal.failed()) {
        // Shown at once, before the log line: an operator who reads the line finds status halted.
        halted = true;
        services.publish(engine, CoreState::kHalted, t);
        spdlog::critical("{}: no command is sent from here on", journal.error());
      }
      to_engine.now = t;
      moved += static_cast<std::size_t>(broker->poll(engine.market_state(), t, to_engine));
      engine.on_timer(t);
      if (moved == 0 && ring->empty_approx()) break;
    }
  };

  FeedClock clock;
  const WallClock wall;
  std::int64_t next_recentre = 0;
  feeds::OptionSubscriptionDiff diff;
  std::uint64_t recentres = 0;
  std::vector<std::string> pins;  // contracts pinned now: legs of open positions and working orders
  auto recentre = [&] {
    const std::int64_t m = mono.now_ns();
    if (m < next_recentre) return;
    next_recentre = m + 1'000'000'000;
    // Pins first: a held leg stays subscribed whatever the window does next.
    if (std::vector<std::string> held = held_option_contracts(engine, registry); held != pins) {
      diff.clear();
      const feeds::OptionPinResult pr = subscriptions.set_pins(held, diff);
      for (const std::string& why : pr.refused) spdlog::warn("options subscriptions: not pinned: {}", why);
      if (!diff.unsubscribe.empty()) feeds.unsubscribe(options_feed, feeds::join_params(diff.unsubscribe));
      if (!diff.subscribe.empty()) feeds.subscribe(options_feed, feeds::join_params(diff.subscribe));
      spdlog::info("options subscriptions: {} contract(s) pinned for open positions and working orders (+{} -{}), "
                   "-{} +{} subscriptions, {} in all",
                   pr.pinned, pr.added, pr.removed, diff.unsubscribe.size(), diff.subscribe.size(), subscriptions.size());
      pins = std::move(held);
    }
    for (Follow& f : follow) {
      if (f.id == kNoInstrument) f.id = registry.find(f.symbol);
      if (f.id == kNoInstrument) continue;
      const Price px = engine.market_state().reference_price(f.id);
      if (!px.valid() || px <= Price::zero()) continue;
      diff.clear();
      if (const auto st = subscriptions.update_underlying(f.symbol, px, diff); !st.ok()) {
        spdlog::warn("options subscriptions: {}", st.message);
        continue;
      }
      if (diff.empty()) continue;
      if (!diff.unsubscribe.empty()) feeds.unsubscribe(options_feed, feeds::join_params(diff.unsubscribe));
      if (!diff.subscribe.empty()) feeds.subscribe(options_feed, feeds::join_params(diff.subscribe));
      ++recentres;
      spdlog::info("options subscriptions around {} {}: -{} +{}, {} in all", f.symbol, px.to_string(),
                   diff.unsubscribe.size(), diff.subscribe.size(), subscriptions.size());
    }
  };

  CoreState last_state = CoreState::kReconciling;
  auto watch_state = [&] {
    const CoreState st = core_state();
    if (st == last_state) return;
    spdlog::info("core state {} -> {}", to_string(last_state), to_string(st));
    if (lifecycle != nullptr && last_state == CoreState::kReconciling) lifecycle->set_state(LifecycleState::kTrading);
    last_state = st;
  };

  bool ready = false;
  on_idle = [&] {
    const TimestampNs t = clock.on_wall(wall.now_ns());
    step(t);
    watch_state();
    services.service(engine, false, core_state(), t);
    services.publish(engine, core_state(), t);
    if (ready) recentre();
    notify.watchdog();
    if (lifecycle != nullptr) {
      lifecycle->clock->observe_feed(t);
      (void)check_day_over();
    }
  };

  // While the feed is quiet a command whose record the journal thread has just made durable goes
  // out at once, not at the next event or idle tick.
  source.set_wait_hook([&] {
    if (gate.held() != 0) (void)gate.send_durable(clock.on_wall(wall.now_ns()));
  });

  reconcile_deadline = mono.now_ns() + kReconcileTimeoutNs;
  if (!engine.begin_reconciliation(start, 0)) {
    spdlog::error("reconciliation: the status request could not be sent; trading halted");
  }
  step(start);
  MarketEvent e{};
  std::uint64_t events = 0;
  while (peeked.next(e)) {
    const TimestampNs t = live_market_event(engine, clock, e, e.header.receive_ns, start);
    step(t);
    ++events;
    if (!ready && engine.state() != CoreState::kReconciling) {
      // Journal open (and restored), broker answered, first event in: what READY=1 promises.
      watch_state();
      recentre();
      const std::string text = std::string(to_string(config.mode)) + ": trading day " + std::to_string(day) + ", broker " +
                               broker->name() + ", " + std::string(to_string(core_state()));
      if (lifecycle != nullptr) {
        notify.status(text);  // READY=1 went out when the lifecycle's admin socket answered
      } else {
        notify.ready(text);
      }
      spdlog::info("{}: journal {} ({}), broker {}", to_string(core_state()), config.journal,
                   to_string(config.journal_durability), broker->name());
      ready = true;
    }
    services.service(engine, false, core_state(), t);
    if ((events & 63) == 0) {
      services.tick(engine, core_state(), t);
      watch_state();
      recentre();
      if (lifecycle != nullptr) {
        lifecycle->clock->observe_feed(t);
        if (check_day_over()) break;
      }
    }
  }
  // The daily lifecycle's day end stops the source as a signal would, but ends the day.
  const bool interrupted = !day_over && (peeked.interrupted() || signals.stop_requested());
  // A feed that failed (a refused key, odte replay-server's replay_failed on a corrupt recording)
  // ends the run as failed; a replayed recording that ended in a torn tail ends it early unless
  // the operator accepts that (replay.allow_torn_tail), as in-process replay does.
  const std::string feed_failure = interrupted || day_over ? std::string() : peeked.failure();
  const std::string ended_early = interrupted || day_over || !feed_failure.empty() ? std::string() : peeked.ended_early();
  const bool day_ended = !interrupted && feed_failure.empty() && (ended_early.empty() || config.replay.allow_torn_tail);
  on_idle = nullptr;
  source.set_wait_hook(nullptr);

  // ---- stop -----------------------------------------------------------------------------------
  TimestampNs t = clock.on_wall(wall.now_ns());
  if (lifecycle != nullptr && !interrupted) {
    // Closing the day: settle what expired (the engine settles by itself at its first step at or
    // after the close), cancel what is working, end the session.
    lifecycle->set_state(LifecycleState::kClosing);
    step(t);
    if (engine.settled()) spdlog::info("lifecycle: expiry settled at the close");
  }
  services.publish(engine, CoreState::kStopping, t);
  if (lifecycle != nullptr && !interrupted) {
    notify.status(std::string("trading day ") + iso_day(day) + ": closing" + (day_over ? "" : " (the feed finished)"));
  } else {
    notify.stopping(interrupted ? "stopping: signal" : "stopping: feed finished");
  }
  // A day the lifecycle closes cancels what is still working whatever cancel_on_shutdown says:
  // nothing of a 0DTE day should work into the next.
  if ((config.broker.cancel_on_shutdown || (lifecycle != nullptr && !interrupted)) && !halted) {
    engine.cancel_all_working(t);
    const std::int64_t deadline = mono.now_ns() + 2'000'000'000;
    auto working = [&] {
      return std::any_of(engine.orders().orders().begin(), engine.orders().orders().end(),
                         [](const Order& o) { return !is_terminal(o.state); });
    };
    do {
      step(t = clock.on_wall(wall.now_ns()));
      if (!working()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } while (mono.now_ns() < deadline);
    if (working()) spdlog::warn("stop: orders still working after 2 s of cancels; the journal holds them");
  }
  feeds.stop();
  if (recorder) {
    const std::string err = recorder->stop();
    const auto& rs = recorder->stats();
    spdlog::info("feed recording {}: {} frames, {} bytes, {} not recorded{}{}", recorder->path(),
                 rs.recorded_frames.load(), rs.recorded_bytes.load(), rs.dropped_frames.load(), err.empty() ? "" : ": ",
                 err);
  }
  if (day_ended && !journal.failed()) {
    // At the engine's clock: after everything it applied (the settlement, the stop's cancels).
    const SessionMarker end{day, kJournalVersion, std::max(engine.clock_ns(), engine.market_state().market_time())};
    journal.record(JournalRecordType::kSessionEnd, std::as_bytes(std::span<const SessionMarker>(&end, 1)));
  }
  // The journal thread writes what is still queued (the session end last), syncs and is joined
  // before anything reads the journal or reports on it.
  journal.close();
  {
    const AsyncJournalStats& js = journal.async().stats();
    const CommandGateStats& gs = gate.stats();
    spdlog::info("journal: {} records in {} writes ({} syncs, largest batch {}), {} waits on a full ring; commands: "
                 "{} journaled, {} sent, {} held at the stop, {} discarded, back-pressure {} (held full) {} (journal "
                 "ring low)",
                 js.records.load(), js.writes.load(), js.syncs.load(), js.max_batch.load(), js.full_waits.load(),
                 gs.journaled, gs.sent, gate.held(), gs.discarded, gs.held_full, gs.journal_full);
  }
  if (lifecycle != nullptr && !interrupted) lifecycle->set_state(LifecycleState::kReporting);
  run.outcome.events = events;
  run.outcome.written_records = journal.written();
  run.outcome.final_state = describe_state(engine, registry);
  run.outcome.ok = !journal.failed();
  if (!run.outcome.ok) run.outcome.error = journal.error();
  run.outcome.ended_early = ended_early;
  run.outcome.end = interrupted                ? ReplayEnd::kStopped
                    : !feed_failure.empty()    ? ReplayEnd::kFailed
                    : day_ended                ? ReplayEnd::kFinished
                                               : ReplayEnd::kEndedEarly;
  if (run.outcome.ok && !feed_failure.empty()) run.outcome.error = feed_failure;
  std::string output_error;
  if (run.outcome.ok) output_error = write_outputs(run.output_dir, engine, registry, run.outcome);
  if (lifecycle != nullptr) {
    services.attach_feeds(nullptr);
    services.attach_journal(nullptr, nullptr);
    services.publish_idle(lifecycle->clock->now(), CoreState::kStopping);
  } else {
    services.close();
  }
  feeds.log_stats();
  spdlog::info("options subscriptions re-centred {} times; market data guard: {} events rejected ahead of the feed "
               "clock, {} in all", recentres, engine.market_guard().rejected(BadTick::kAheadOfClock),
               engine.market_guard().rejected_total());
  if (!run.outcome.ok) {
    run.exit_code = 1;
    spdlog::error("run stopped: {}", run.outcome.error);
    return run;
  }
  std::vector<std::string> warnings;
  if (!ended_early.empty()) {
    warnings.push_back(ended_early + (day_ended ? " (accepted: replay.allow_torn_tail = true)"
                                                : " (the day was not ended: set replay.allow_torn_tail = true to accept it)"));
  }
  if (!feed_failure.empty()) warnings.push_back("the run failed: " + feed_failure);
  if (output_error.empty()) output_error = write_run_report(config, names, run.output_dir, std::move(warnings));
  if (!output_error.empty()) {
    spdlog::error("run failed: {}", output_error);
    run.outcome.error = output_error;
    run.exit_code = 1;
    return run;
  }
  if (const std::string err = feeds.error(); !err.empty()) {
    spdlog::error("feed failed: {}", err);
    if (run.outcome.error.empty()) run.outcome.error = "feed " + err;
    run.exit_code = 1;
  } else if (run.outcome.end == ReplayEnd::kEndedEarly) {
    spdlog::error("run failed: {}; set replay.allow_torn_tail = true to accept a replayed day that ends early",
                  ended_early);
    run.outcome.error = ended_early;
    run.exit_code = 1;
  }
  spdlog::info("{} {}: {} events, {} journal records", to_string(config.mode), interrupted ? "stopped" : "finished", events,
               journal.written());
  return run;
}

}  // namespace odte::daemon

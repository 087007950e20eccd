#pragma once

// odted's configuration: plain structs with defaults, parsed from TOML and validated once at
// start. Every problem is reported with the key that has it and what would be accepted; unknown
// keys are errors too, so a typo never silently falls back to a default. Loading may throw
// ConfigError (start-up only); nothing here runs on the hot path.

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "odte/brokers/fix_broker.hpp"
#include "odte/brokers/paper_broker.hpp"
#include "odte/core/market/market_guard.hpp"
#include "odte/core/engine/command_gate.hpp"
#include "odte/core/engine/order_manager.hpp"
#include "odte/core/engine/positions.hpp"
#include "odte/core/engine/risk.hpp"

namespace odte::daemon {

enum class Mode : std::uint8_t { kLive = 1, kPaperLive, kReplay };
[[nodiscard]] std::string_view to_string(Mode) noexcept;

enum class ReplayTransport : std::uint8_t { kInProcess = 1, kWebsocket };
enum class BrokerKind : std::uint8_t { kPaper = 1, kFix };

enum class OptionTrades : std::uint8_t { kAuto = 1, kOn, kOff };

struct FeedConfig {
  std::string stocks_url = "wss://socket.massive.com/stocks";
  std::string options_url = "wss://socket.massive.com/options";
  std::string indices_url = "wss://socket.massive.com/indices";
  std::string api_key_file;         // or a systemd credential name via $CREDENTIALS_DIRECTORY
  std::vector<std::string> underlyings{"SPY", "SPXW"};
  std::uint32_t max_option_contracts = 1000;
  std::uint32_t stale_after_ms = 30000;  // Cboe publishes VIX about every 15 s
  // Live modes: start-up REST (today's option contracts), the fixed subscriptions of the stocks
  // and indices clusters (options follow the money, see feeds/option_subscriptions.hpp), the
  // re-centring hysteresis, and the largest forward jump of the feed clock accepted from one event.
  std::string rest_url = "https://api.massive.com";
  // Extra CA certificates (PEM bundle) trusted beside the system store for the wss:// feeds and
  // HTTPS REST, e.g. a TLS-intercepting proxy's CA. Empty: the system store only.
  std::string ca_file;
  std::string stock_subscriptions = "T.SPY,Q.SPY,AM.SPY";
  std::string index_subscriptions = "V.I:SPX,V.I:VIX,V.I:VVIX,V.I:VIX1D";
  std::uint32_t recentre_strikes = 2;
  // Option trades ("T.O:") beside the quotes of every contract in the window, so chain volume is
  // live (the volume exit). "auto": when an enabled strategy reads option volume
  // (Strategy::reads_option_volume); "on"; "off". Trades count against max_option_contracts: with
  // them the window is half as wide (feeds/option_subscriptions.hpp).
  OptionTrades option_trades = OptionTrades::kAuto;
  // Mode live only: the first market event's exchange time may trail (or lead) the wall clock by
  // at most this, or odted refuses to start: a replayed, delayed (15-minute plan) or wrong-day feed
  // must never drive a real broker. 0 turns the check off (live against odte replay-server in tests).
  std::uint32_t max_feed_lag_ms = 60000;
  // Live modes: record every frame of the feed into this recording (created; "{date}" becomes the
  // UTC date odted started, YYYYMMDD); empty = no recording. zstd-compressed when record_zstd.
  std::string record_path;
  bool record_zstd = true;
  // [feed.guard]: the core's sanity filter on market data (core/market/market_guard.hpp, docs/feeds.md).
  MarketGuardConfig guard;
};

struct ReplayConfig {
  std::string recording;
  ReplayTransport transport = ReplayTransport::kInProcess;
  double speed = 0.0;               // 0 = as fast as possible, 1 = real time, N = N x
  // A recording that ends in a torn tail (a recorder killed mid-block, a file cut short) ended
  // before its day did: the run fails unless this is set; then the day ends where the data does,
  // and summary.json and the report say so.
  bool allow_torn_tail = false;
  // Recordings made by `odte import` (e.g. `odte import cboe-daily` for Cboe's daily VIX) that the
  // session history is read from, besides the replayed recording's own days before the trading
  // day (StrategyContext::history; docs/configuration.md).
  std::vector<std::string> history;
};

struct BrokerConfig {
  BrokerKind kind = BrokerKind::kPaper;
  brokers::PaperBrokerConfig paper;
  LeggingPolicy legging_policy = LeggingPolicy::kFlatten;
  bool cancel_on_shutdown = true;
  brokers::FixSettings fix;         // [broker.fix] (kind = fix); docs/brokers.md
};

struct AdminConfig {
  std::string socket = "/run/odte/admin.sock";
  std::vector<std::uint32_t> allowed_uids;  // empty: only the daemon's own uid
  std::vector<std::uint32_t> allowed_gids;
  // A group name: the admin socket is given to it (0660, so its members can connect; odted must be
  // a member, SupplementaryGroups= in the unit) and its members are allowed like allowed_gids.
  // Looked up at start, so a config can name a group made by the package.
  std::string socket_group;
  std::uint16_t metrics_port = 0;   // Prometheus text on metrics_bind:metrics_port; 0 = off
  std::string metrics_bind = "127.0.0.1";  // an IPv4 or IPv6 address literal
  std::uint32_t max_connections = 16;  // admin socket and metrics scrapes open at once
};

struct LogConfig {
  std::string path;                 // empty: stderr (journald under systemd)
  std::string level = "info";
  std::uint32_t max_size_mb = 64;
  std::uint32_t max_files = 5;
};

struct StrategyConfig {
  std::string name;
  bool enabled = true;
  std::string params_toml;          // the [strategy.params] table as TOML, validated by the strategy
};

// [expiry]: positions held to the session close (Engine::settle_expiry). Cash-settled roots
// (SPXW) always settle at intrinsic; physically settled ones (SPY) by `physical`.
struct ExpiryConfig {
  PhysicalExpiry physical = PhysicalExpiry::kClose;  // "close" (default) or "exercise"
  int close_before_minutes = 10;                     // "close": minutes before the session close
};

// [risk] daily_loss_action: what reaching daily_loss_limit does. "halt": opening orders are
// refused (the risk rule), positions stay; "flatten": the kill switch goes on and everything is
// closed (Engine: EngineConfig::flatten_on_daily_loss).
enum class DailyLossAction : std::uint8_t { kHalt = 1, kFlatten };
// [session]: the trading day's lifecycle of the live modes run with a journal directory
// (daemon/lifecycle.hpp, docs/operations.md).
enum class SessionClock : std::uint8_t { kSystem = 1, kFile };
struct SessionConfig {
  std::int64_t connect_before_open_ns = 30LL * 60 * 1'000'000'000;  // connect, REST, reconcile before 09:30
  std::int64_t close_after_ns = 10LL * 60 * 1'000'000'000;          // the day ends this long after the close
  // The wall clock the lifecycle follows. "system": CLOCK_REALTIME. "file": a TEST clock -- New York
  // time read from clock_file ("YYYY-MM-DD HH:MM[:SS]"), never behind the feed's own time; accepted
  // only with mode = "paper-live" and broker.kind = "paper", so it can never drive a real broker.
  SessionClock clock = SessionClock::kSystem;
  std::string clock_file;
};

struct Config {
  std::filesystem::path source;     // file it came from
  Mode mode = Mode::kReplay;
  Price account_equity = Price::from_dollars(100'000);
  FeedConfig feed;
  ReplayConfig replay;
  RiskLimits risk;
  DailyLossAction daily_loss_action = DailyLossAction::kHalt;
  // The engine-wide safety exit ([risk] profit_target_fraction, stop_credit_multiple,
  // debit_stop_fraction, exit_time): every rule off unless set. Each strategy's own exits are in
  // its [strategy.params]. exits.exit_minute is the safety time on a regular day; the engine gets
  // safety_exit_time resolved against the day's close (engine_config).
  ExitRules exits;
  ExitTime safety_exit_time;
  BrokerConfig broker;
  ExpiryConfig expiry;
  AdminConfig admin;
  LogConfig log;
  std::string journal = "/var/lib/odte/journal.odj";
  // Live modes: when a command may leave relative to its journal record (`[journal] durability`;
  // the crash guarantees of each are in docs/architecture.md). `journal = "path"` keeps the default.
  JournalDurability journal_durability = JournalDurability::kSyncBeforeSend;
  // Live modes: a journal per trading day, journal_dir/YYYY-MM-DD.odj, and the daily lifecycle
  // ([session]); outputs go to OUTPUT/YYYY-MM-DD/ (OUTPUT: output_dir, else journal_dir). Empty: one
  // day into `journal`, ending with the feed (replay, tests, a day run by hand).
  std::string journal_dir;
  SessionConfig session;
  std::string output_dir;           // run outputs (report); empty: beside the journal
  std::vector<StrategyConfig> strategies;
  // A run with no enabled [[strategy]] trades nothing of its own: only exits, the kill switch and
  // operator commands. Mode "live" refuses it unless this says it is meant (a flatten-only day).
  bool allow_no_strategies = false;
};

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> problems);
  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Parses and validates; throws ConfigError listing every problem found ("file: key: problem").
[[nodiscard]] Config load_config(const std::filesystem::path& file);
[[nodiscard]] Config parse_config(std::string_view toml_text, const std::string& source_name);

// One risk setting changed at run time (odtectl risk set KEY VALUE), validated exactly as the
// [risk] table of a config file is. `value` is TOML ("3", "0.004", "true") or bare text taken as
// a string ("15:00"). On success `limits`/`exits` hold the new values; on failure `error` says why
// and they are unchanged.
struct RiskSetting {
  bool ok = false;
  RiskLimits limits;
  ExitRules exits;
  std::string error;
};
[[nodiscard]] RiskSetting set_risk_value(const RiskLimits& limits, const ExitRules& exits, std::string_view key,
                                         std::string_view value);

// The validated configuration as TOML with every default filled in (odted --check-config).
[[nodiscard]] std::string describe(const Config& config);

// What a valid configuration may still have wrong: the lines odted logs as warnings at start and
// --check-config prints to stderr (e.g. no enabled strategy in replay or paper-live).
[[nodiscard]] std::vector<std::string> config_warnings(const Config& config);

}  // namespace odte::daemon

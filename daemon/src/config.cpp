#include "odte/daemon/config.hpp"

#include "odte/core/config/settings_reader.hpp"
#include "odte/strategies/factory.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace odte::daemon {

std::string_view to_string(Mode m) noexcept {
  switch (m) {
    case Mode::kLive: return "live";
    case Mode::kPaperLive: return "paper-live";
    case Mode::kReplay: return "replay";
  }
  return "unknown";
}

namespace {

std::string join_problems(const std::vector<std::string>& problems) {
  std::string out = "invalid configuration:";
  for (const auto& p : problems) {
    out += "\n  ";
    out += p;
  }
  return out;
}


void read_risk(SettingsReader r, Config& c) {
  RiskLimits& l = c.risk;
  r.number("max_risk_fraction", l.max_risk_fraction, 0.0, 0.05, true);
  r.money("daily_loss_limit", l.daily_loss_limit, 0.0, 1e9);
  r.choice("daily_loss_action", c.daily_loss_action, {{"halt", DailyLossAction::kHalt}, {"flatten", DailyLossAction::kFlatten}});
  r.integer("max_open_positions", l.max_open_positions, 0, 1000);
  r.integer("max_orders_per_second", l.max_orders_per_second, 1, 60);
  r.money("price_band_abs", l.price_band_abs, 0.0, 1000.0);
  r.number("price_band_fraction", l.price_band_fraction, 0.0, 10.0);
  r.boolean("allow_undefined_risk", l.allow_undefined_risk);
  r.number("undefined_risk_stress", l.undefined_risk_stress, 0.0, 1.0);
  if (const toml::node* n = r.node("no_trade_windows")) {
    const auto* arr = n->as_array();
    bool ok = arr != nullptr && arr->size() <= l.no_trade_windows.size();
    std::uint8_t count = 0;
    for (std::size_t i = 0; ok && i < arr->size(); ++i) {
      const auto* s = (*arr)[i].as_string();
      std::int16_t a = 0;
      std::int16_t b = 0;
      ok = s != nullptr && s->get().size() == 11 && s->get()[5] == '-' &&
           SettingsReader::parse_hhmm(std::string_view(s->get()).substr(0, 5), a) &&
           SettingsReader::parse_hhmm(std::string_view(s->get()).substr(6, 5), b) && a < b;
      if (ok) l.no_trade_windows[count++] = MinuteWindow{a, b};
    }
    if (ok) {
      l.no_trade_window_count = count;
    } else {
      r.problem("no_trade_windows", "must be an array of at most " + std::to_string(l.no_trade_windows.size()) +
                                        " windows \"HH:MM-HH:MM\" with start before end");
    }
  }
  r.number("profit_target_fraction", c.exits.profit_target_fraction, 0.0, 100.0);
  r.number("stop_credit_multiple", c.exits.stop_credit_multiple, 0.0, 100.0);
  r.number("debit_stop_fraction", c.exits.debit_stop_fraction, 0.0, 1.0);
  strategies::read_exit_time(r, "exit_time", c.safety_exit_time);
  c.exits.exit_minute = c.safety_exit_time.resolve(kRegularCloseMinute);
  r.finish();
}

// "90s", "30m", "1h" -> ns; false when the text is not a whole number with one of those units.
bool parse_duration(std::string_view text, std::int64_t& ns) {
  if (text.size() < 2) return false;
  const char unit = text.back();
  const std::int64_t scale = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 0;
  if (scale == 0) return false;
  std::int64_t n = 0;
  for (const char ch : text.substr(0, text.size() - 1)) {
    if (ch < '0' || ch > '9' || n > 1'000'000) return false;
    n = n * 10 + (ch - '0');
  }
  ns = n * scale * 1'000'000'000;
  return true;
}

std::string duration_text(std::int64_t ns) {
  const std::int64_t s = ns / 1'000'000'000;
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

void read_duration(SettingsReader& r, const char* key, std::int64_t& ns, std::int64_t max_ns) {
  std::string text = duration_text(ns);
  if (r.node(key) == nullptr) return;
  r.string(key, text);
  std::int64_t v = 0;
  if (!parse_duration(text, v) || v > max_ns) {
    r.problem(key, "must be a duration like \"30m\", \"90s\" or \"1h\" of at most " + duration_text(max_ns) +
                       ", not \"" + text + "\"");
    return;
  }
  ns = v;
}

void read_session(SettingsReader r, Config& c) {
  SessionConfig& s = c.session;
  read_duration(r, "connect_before_open", s.connect_before_open_ns, 8LL * 3600 * 1'000'000'000);
  read_duration(r, "close_after", s.close_after_ns, 4LL * 3600 * 1'000'000'000);
  r.choice("clock", s.clock, {{"system", SessionClock::kSystem}, {"file", SessionClock::kFile}});
  r.string("clock_file", s.clock_file);
  r.finish();
}

void read_broker(SettingsReader r, Config& c) {
  BrokerConfig& b = c.broker;
  r.choice("kind", b.kind, {{"paper", BrokerKind::kPaper}, {"fix", BrokerKind::kFix}});
  double latency_ms = static_cast<double>(b.paper.latency_ns) / 1e6;
  r.number("latency_ms", latency_ms, 0.0, 60'000.0);
  b.paper.latency_ns = static_cast<std::int64_t>(std::llround(latency_ms * 1e6));
  r.money("slippage_per_contract", b.paper.slippage_per_contract, 0.0, 100.0);
  r.money("commission_per_contract", b.paper.commission_per_contract, 0.0, 100.0);
  r.money("fee_per_contract", b.paper.fee_per_contract, 0.0, 100.0);
  r.money("commission_per_share", b.paper.commission_per_share, 0.0, 1.0);
  r.money("fee_per_share", b.paper.fee_per_share, 0.0, 1.0);
  r.boolean("use_displayed_size", b.paper.use_displayed_size);
  r.boolean("fill_band", b.paper.fill_band);
  r.number("fill_band_fraction", b.paper.band.fraction, 0.0, 10.0, true);
  r.number("fill_band_option_multiple", b.paper.band.option_multiple, 1.0, 1000.0);
  r.money("fill_band_option_abs", b.paper.band.option_abs, 0.0, 10'000.0);
  r.integer("fill_band_reanchor_after", b.paper.band_reanchor_after, 2, 100'000);
  r.choice("legging_policy", b.legging_policy, {{"flatten", LeggingPolicy::kFlatten}, {"complete", LeggingPolicy::kComplete}});
  r.boolean("cancel_on_shutdown", b.cancel_on_shutdown);
  {
    SettingsReader f = r.sub("fix");
    brokers::FixSettings& x = b.fix;
    f.string("host", x.host);
    f.integer("port", x.port, 0, 65535);  // 0: not set (required when kind = "fix")
    f.string("sender_comp_id", x.sender_comp_id);
    f.string("target_comp_id", x.target_comp_id);
    f.string("store_dir", x.store_dir);
    f.string("log_dir", x.log_dir);
    f.integer("heartbeat_s", x.heartbeat_s, 1, 300);
    f.integer("reconnect_s", x.reconnect_s, 1, 300);
    f.string("start_time", x.start_time);
    f.string("end_time", x.end_time);
    for (const char* key : {"start_time", "end_time"}) {
      const std::string& v = std::string_view(key) == "start_time" ? x.start_time : x.end_time;
      std::int16_t minute = 0;
      const bool ok = v.size() == 8 && v[5] == ':' && SettingsReader::parse_hhmm(std::string_view(v).substr(0, 5), minute) &&
                      std::isdigit(static_cast<unsigned char>(v[6])) && std::isdigit(static_cast<unsigned char>(v[7])) &&
                      v[6] <= '5';
      if (!ok) f.problem(key, "must be \"HH:MM:SS\" (UTC), not \"" + v + "\"");
    }
    f.string("account", x.account);
    f.string("locate_broker", x.locate_broker);
    if (!x.locate_broker.empty() && !brokers::valid_locate_broker(x.locate_broker)) {
      f.problem("locate_broker", "must be 1 to 32 letters, digits, '.', '-' or '_' (the broker that located the "
                                 "shares of a short sale, sent as 5700), not \"" + x.locate_broker + "\"");
    }
    f.choice("replace_message", x.replace_message,
             {{"AC", brokers::FixReplaceMessage::kMultilegCancelReplace}, {"G", brokers::FixReplaceMessage::kCancelReplace}});
    f.string("data_dictionary", x.data_dictionary);
    f.boolean("unknown_after_status_is_lost", x.unknown_after_status_is_lost);
    f.integer("status_timeout_ms", x.status_timeout_ms, 100, 600'000);
    f.boolean("tls", x.use_tls);
    f.string("tls_ca_file", x.tls_ca_file);
    f.string("tls_cert_file", x.tls_cert_file);
    f.string("tls_key_file", x.tls_key_file);
    f.finish();
  }
  r.finish();
}

}  // namespace

ConfigError::ConfigError(std::vector<std::string> problems)
    : std::runtime_error(join_problems(problems)), problems_{std::move(problems)} {}

Config parse_config(std::string_view toml_text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << source_name << ":" << e.source().begin.line << ":" << e.source().begin.column << ": TOML syntax: "
          << e.description();
    throw ConfigError({where.str()});
  }

  Config c;
  c.source = source_name;
  std::vector<std::string> problems;
  SettingsReader top(&root, "", problems, source_name);
  top.choice("mode", c.mode, {{"live", Mode::kLive}, {"paper-live", Mode::kPaperLive}, {"replay", Mode::kReplay}}, true);
  const bool journal_set = top.node("journal") != nullptr;
  // `journal = "path"`, or a [journal] table: path and durability.
  if (const toml::node* j = root.get("journal"); j != nullptr && j->is_table()) {
    SettingsReader r = top.sub("journal");
    r.string("path", c.journal, true);
    r.choice("durability", c.journal_durability,
             {{"sync_before_send", JournalDurability::kSyncBeforeSend}, {"send_then_sync", JournalDurability::kSendThenSync}});
    r.finish();
  } else {
    top.string("journal", c.journal);
  }
  top.string("journal_dir", c.journal_dir);
  top.string("output_dir", c.output_dir);
  top.boolean("allow_no_strategies", c.allow_no_strategies);

  {
    SettingsReader r = top.sub("account");
    r.money("equity", c.account_equity, 1.0, 1e12);
    r.finish();
    c.broker.paper.starting_cash = c.account_equity;  // the paper broker's account starts with it
  }
  {
    SettingsReader r = top.sub("feed");
    r.string("stocks_url", c.feed.stocks_url);
    r.string("options_url", c.feed.options_url);
    r.string("indices_url", c.feed.indices_url);
    r.string("api_key_file", c.feed.api_key_file);
    r.string_list("underlyings", c.feed.underlyings);
    r.integer("max_option_contracts", c.feed.max_option_contracts, 1, 1000);
    r.integer("stale_after_ms", c.feed.stale_after_ms, 100, 3'600'000);
    r.string("rest_url", c.feed.rest_url);
    r.string("ca_file", c.feed.ca_file);
    r.string("stock_subscriptions", c.feed.stock_subscriptions);
    r.string("index_subscriptions", c.feed.index_subscriptions);
    r.integer("recentre_strikes", c.feed.recentre_strikes, 1, 100);
    // One rule for a timestamp far ahead of the feed: the guard's ahead_of_clock.
    if (r.node("max_clock_jump_ms") != nullptr) {
      r.problem("max_clock_jump_ms", "replaced by feed.guard.max_ahead_ms (the market-data guard's ahead_of_clock rule, "
                                     "which the live feed clock now follows); move the value there");
    }
    r.choice("option_trades", c.feed.option_trades,
             {{"auto", OptionTrades::kAuto}, {"on", OptionTrades::kOn}, {"off", OptionTrades::kOff}});
    r.integer("max_feed_lag_ms", c.feed.max_feed_lag_ms, 0, 3'600'000);
    r.string("record_path", c.feed.record_path);
    r.boolean("record_zstd", c.feed.record_zstd);
    {
      SettingsReader g = r.sub("guard");
      MarketGuardConfig& m = c.feed.guard;
      g.boolean("enabled", m.enabled);
      std::uint32_t ahead_ms = static_cast<std::uint32_t>(m.max_ahead_ns / 1'000'000);
      g.integer("max_ahead_ms", ahead_ms, 1000, 86'400'000);
      m.max_ahead_ns = static_cast<std::int64_t>(ahead_ms) * 1'000'000;
      g.number("underlying_band", m.underlying_band, 0.0, 10.0, true);
      g.number("option_band_multiple", m.option_band_multiple, 1.0, 1000.0);
      g.money("option_band_abs", m.option_band_abs, 0.0, 10'000.0);
      g.money("max_crossed", m.max_crossed, 0.0, 10'000.0);
      g.integer("reanchor_after", m.reanchor_after, 2, 100'000);
      g.finish();
    }
    r.finish();
  }
  {
    SettingsReader r = top.sub("replay");
    r.string("recording", c.replay.recording);
    r.choice("transport", c.replay.transport,
             {{"in-process", ReplayTransport::kInProcess}, {"websocket", ReplayTransport::kWebsocket}});
    r.number("speed", c.replay.speed, 0.0, 10'000.0);
    r.boolean("allow_torn_tail", c.replay.allow_torn_tail);
    r.string_list("history", c.replay.history);
    r.finish();
  }
  read_risk(top.sub("risk"), c);
  read_broker(top.sub("broker"), c);
  read_session(top.sub("session"), c);
  {
    SettingsReader r = top.sub("expiry");
    r.choice("physical", c.expiry.physical, {{"close", PhysicalExpiry::kClose}, {"exercise", PhysicalExpiry::kExercise}});
    r.integer("close_before_minutes", c.expiry.close_before_minutes, 1, 120);
    r.finish();
  }
  {
    SettingsReader r = top.sub("admin");
    r.string("socket", c.admin.socket);
    r.id_list("allowed_uids", c.admin.allowed_uids);
    r.id_list("allowed_gids", c.admin.allowed_gids);
    r.string("socket_group", c.admin.socket_group);
    r.integer("metrics_port", c.admin.metrics_port, 0, 65535);
    r.string("metrics_bind", c.admin.metrics_bind);
    if (in_addr a4{}; ::inet_pton(AF_INET, c.admin.metrics_bind.c_str(), &a4) != 1) {
      if (in6_addr a6{}; ::inet_pton(AF_INET6, c.admin.metrics_bind.c_str(), &a6) != 1) {
        r.problem("metrics_bind", "must be an IPv4 or IPv6 address (\"127.0.0.1\", \"::1\", \"0.0.0.0\"), not \"" +
                                      c.admin.metrics_bind + "\"");
      }
    }
    r.integer("max_connections", c.admin.max_connections, 1, 1024);
    r.finish();
  }
  {
    SettingsReader r = top.sub("log");
    r.string("path", c.log.path);
    r.choice("level", c.log.level,
             {{"trace", std::string("trace")}, {"debug", std::string("debug")}, {"info", std::string("info")},
              {"warn", std::string("warn")}, {"error", std::string("error")}});
    r.integer("max_size_mb", c.log.max_size_mb, 1, 10'000);
    r.integer("max_files", c.log.max_files, 1, 1000);
    r.finish();
  }
  std::vector<std::string> hedging;  // enabled strategies that send stock hedges (hedge = "send")
  if (const toml::node* n = top.node("strategy")) {
    const auto* arr = n->as_array();
    if (arr == nullptr || (!arr->empty() && !arr->is_array_of_tables())) {
      top.problem("strategy", "must be an array of tables ([[strategy]])");
    } else {
      std::set<std::string> names;
      for (std::size_t i = 0; i < arr->size(); ++i) {
        SettingsReader r((*arr)[i].as_table(), "strategy[" + std::to_string(i) + "]", problems, source_name);
        StrategyConfig s;
        bool sends_hedge = false;
        r.string("name", s.name, true);
        r.boolean("enabled", s.enabled);
        sends_hedge = s.name == "short_strangle";  // hedge = "send" is its default
        if (const toml::node* p = r.node("params")) {
          if (const auto* t = p->as_table()) {
            std::ostringstream text;
            text << *t;
            s.params_toml = text.str();
            const toml::node* hedge = t->get("hedge");
            if (hedge != nullptr) sends_hedge = hedge->value_or(std::string_view{}) == "send";
          } else {
            r.problem("params", "must be a table ([strategy.params])");
          }
        }
        if (!s.name.empty() && !names.insert(s.name).second) r.problem("name", "\"" + s.name + "\" appears twice");
        r.finish();
        if (s.enabled && sends_hedge) hedging.push_back("strategy[" + std::to_string(i) + "]");
        c.strategies.push_back(std::move(s));
      }
    }
  }
  top.finish();
  // Each strategy is built here exactly as the run builds it (make_strategies), so --check-config
  // and the start refuse the same unknown names and bad parameters.
  for (std::size_t i = 0; i < c.strategies.size(); ++i) {
    const StrategyConfig& s = c.strategies[i];
    if (s.name.empty()) continue;  // already a problem: name is required
    try {
      (void)strategies::make_strategy(s.name, s.params_toml, static_cast<std::uint16_t>(i), source_name);
    } catch (const strategies::StrategyConfigError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }

  // What each mode needs to run at all.
  if (c.mode == Mode::kReplay && c.replay.recording.empty()) {
    problems.push_back(source_name + ": replay.recording: is required when mode = \"replay\"");
  }
  if (c.mode != Mode::kReplay && c.feed.api_key_file.empty()) {
    problems.push_back(source_name + ": feed.api_key_file: is required when mode = \"" + std::string(to_string(c.mode)) +
                       "\" (a file, or a systemd credential under $CREDENTIALS_DIRECTORY)");
  }
  if (c.mode != Mode::kReplay) {
    for (const auto& [key, value] : {std::pair{"options_url", &c.feed.options_url}, std::pair{"rest_url", &c.feed.rest_url}}) {
      if (value->empty()) {
        problems.push_back(source_name + ": feed." + key + ": is required when mode = \"" + std::string(to_string(c.mode)) +
                           "\" (today's option contracts come over REST, their quotes over the options cluster)");
      }
    }
  }
  if (c.mode == Mode::kLive && c.broker.kind != BrokerKind::kFix) {
    problems.push_back(source_name + ": broker.kind: must be \"fix\" when mode = \"live\" (paper fills are for paper-live and replay)");
  }
  if (c.mode == Mode::kReplay && c.broker.kind != BrokerKind::kPaper) {
    problems.push_back(source_name + ": broker.kind: must be \"paper\" when mode = \"replay\" (a replay steps the paper "
                       "broker on the recording's clock; route to FIX from paper-live)");
  }
  if (c.broker.kind == BrokerKind::kFix) {
    const brokers::FixSettings& x = c.broker.fix;
    const char* missing[] = {x.sender_comp_id.empty() ? "sender_comp_id" : nullptr,
                             x.target_comp_id.empty() ? "target_comp_id" : nullptr,
                             x.store_dir.empty() ? "store_dir" : nullptr, x.port == 0 ? "port" : nullptr,
                             x.host.empty() ? "host" : nullptr};
    for (const char* key : missing) {
      if (key != nullptr) {
        problems.push_back(source_name + ": broker.fix." + key + ": is required when broker.kind = \"fix\"");
      }
    }
    if (x.use_tls && x.tls_ca_file.empty()) {
      problems.push_back(source_name + ": broker.fix.tls_ca_file: is required when broker.fix.tls = true");
    }
    if (x.locate_broker.empty() && !hedging.empty()) {
      problems.push_back(source_name + ": broker.fix.locate_broker: is required when a strategy sends stock hedges (" +
                         hedging.front() + ".params.hedge = \"send\"): a hedge sale the account is not long for is "
                         "a short sale (54=5), which the adapter refuses without a locate; or set hedge = \"report\"");
    }
  }
  if (c.mode == Mode::kLive && !c.allow_no_strategies &&
      std::none_of(c.strategies.begin(), c.strategies.end(), [](const StrategyConfig& s) { return s.enabled; })) {
    problems.push_back(source_name + ": strategy: no enabled [[strategy]] when mode = \"live\": the run would open no "
                       "position of its own (only exits, the kill switch and operator commands); set "
                       "allow_no_strategies = true if that is meant (a flatten-only day)");
  }
  // The journal directory is the live modes' daily service; `journal` is one day (docs/operations.md).
  if (!c.journal_dir.empty() && journal_set) {
    problems.push_back(source_name + ": journal_dir: set either journal (one day, ending with the feed) or journal_dir "
                       "(a journal per trading day, the daily service), not both");
  }
  if (!c.journal_dir.empty() && c.mode == Mode::kReplay) {
    problems.push_back(source_name + ": journal_dir: is for the live modes' daily service; a replay writes its "
                       "recording's day into journal");
  }
  if (c.session.clock == SessionClock::kFile) {
    if (c.mode != Mode::kPaperLive || c.broker.kind != BrokerKind::kPaper) {
      problems.push_back(source_name + ": session.clock: \"file\" is a test clock, accepted only with mode = "
                         "\"paper-live\" and broker.kind = \"paper\" (it must never drive a real broker)");
    }
    if (c.session.clock_file.empty()) {
      problems.push_back(source_name + ": session.clock_file: is required when session.clock = \"file\"");
    }
    if (c.journal_dir.empty()) {
      problems.push_back(source_name + ": session.clock: \"file\" drives the daily lifecycle, which needs journal_dir");
    }
  }
  if (c.admin.socket.empty() || c.admin.socket.size() > 107) {
    problems.push_back(source_name + ": admin.socket: must be a path of 1 to 107 bytes");
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return c;
}

RiskSetting set_risk_value(const RiskLimits& limits, const ExitRules& exits, std::string_view key,
                           std::string_view value) {
  RiskSetting out;
  out.limits = limits;
  out.exits = exits;
  const bool key_ok = !key.empty() && key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos;
  if (!key_ok) {
    out.error = "risk key must be a plain name like max_open_positions";
    return out;
  }
  toml::table root;
  const std::string as_is = "v = " + std::string(value);
  try {
    root = toml::parse(std::string_view(as_is), std::string_view("value"));
  } catch (const toml::parse_error&) {
    toml::table quoted;
    quoted.insert("v", std::string(value));  // bare text: a time or a window, taken as a string
    root = std::move(quoted);
  }
  if (key == "daily_loss_action") {
    out.error = "daily_loss_action is read at start only: set it in the config file and restart";
    return out;
  }
  toml::table risk;
  risk.insert(key, *root.get("v"));
  Config c;
  c.risk = limits;
  c.exits = exits;
  c.safety_exit_time = ExitTime{exits.exit_minute, false};  // kept unless the key is exit_time
  std::vector<std::string> problems;
  const std::string source = "risk set";
  read_risk(SettingsReader(&risk, "risk", problems, source), c);
  if (!problems.empty()) {
    out.error = problems.front().substr(source.size() + 2);
    return out;
  }
  out.ok = true;
  out.limits = c.risk;
  out.exits = c.exits;
  return out;
}

Config load_config(const std::filesystem::path& file) {
  // An ifstream opens a directory and reads nothing from it, which would be reported as a config
  // with every required key missing.
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    throw ConfigError({file.string() + ": is a directory, not a configuration file"});
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError({file.string() + ": cannot open the configuration file"});
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), file.string());
}

namespace {
toml::table describe_fix(const brokers::FixSettings& x) {
  return toml::table{{"host", x.host},
                     {"port", static_cast<std::int64_t>(x.port)},
                     {"sender_comp_id", x.sender_comp_id},
                     {"target_comp_id", x.target_comp_id},
                     {"store_dir", x.store_dir},
                     {"log_dir", x.log_dir},
                     {"heartbeat_s", static_cast<std::int64_t>(x.heartbeat_s)},
                     {"reconnect_s", static_cast<std::int64_t>(x.reconnect_s)},
                     {"start_time", x.start_time},
                     {"end_time", x.end_time},
                     {"account", x.account},
                     {"locate_broker", x.locate_broker},
                     {"replace_message", x.replace_message == brokers::FixReplaceMessage::kCancelReplace ? "G" : "AC"},
                     {"data_dictionary", x.data_dictionary},
                     {"unknown_after_status_is_lost", x.unknown_after_status_is_lost},
                     {"status_timeout_ms", static_cast<std::int64_t>(x.status_timeout_ms)},
                     {"tls", x.use_tls},
                     {"tls_ca_file", x.tls_ca_file},
                     {"tls_cert_file", x.tls_cert_file},
                     {"tls_key_file", x.tls_key_file}};
}
}  // namespace

std::string describe(const Config& c) {
  toml::table t;
  t.insert("mode", std::string(to_string(c.mode)));
  if (c.journal_durability == JournalDurability::kSyncBeforeSend) {
    t.insert("journal", c.journal);
  } else {
    t.insert("journal", toml::table{{"path", c.journal}, {"durability", std::string(to_string(c.journal_durability))}});
  }
  t.insert("journal_dir", c.journal_dir);
  t.insert("output_dir", c.output_dir);
  t.insert("session", toml::table{{"connect_before_open", duration_text(c.session.connect_before_open_ns)},
                                  {"close_after", duration_text(c.session.close_after_ns)},
                                  {"clock", c.session.clock == SessionClock::kFile ? "file" : "system"},
                                  {"clock_file", c.session.clock_file}});
  t.insert("allow_no_strategies", c.allow_no_strategies);
  t.insert("account", toml::table{{"equity", c.account_equity.to_string()}});
  toml::array windows;
  for (std::size_t i = 0; i < c.risk.no_trade_window_count; ++i) {
    const auto& w = c.risk.no_trade_windows[i];
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d-%02d:%02d", w.start_minute / 60, w.start_minute % 60, w.end_minute / 60,
                  w.end_minute % 60);
    windows.push_back(std::string(buf));
  }
  t.insert("risk", toml::table{{"max_risk_fraction", c.risk.max_risk_fraction},
                               {"daily_loss_limit", c.risk.daily_loss_limit.to_string()},
                               {"daily_loss_action", c.daily_loss_action == DailyLossAction::kFlatten ? "flatten" : "halt"},
                               {"max_open_positions", static_cast<std::int64_t>(c.risk.max_open_positions)},
                               {"max_orders_per_second", static_cast<std::int64_t>(c.risk.max_orders_per_second)},
                               {"price_band_abs", c.risk.price_band_abs.to_string()},
                               {"price_band_fraction", c.risk.price_band_fraction},
                               {"allow_undefined_risk", c.risk.allow_undefined_risk},
                               {"undefined_risk_stress", c.risk.undefined_risk_stress},
                               {"no_trade_windows", windows},
                               {"profit_target_fraction", c.exits.profit_target_fraction},
                               {"stop_credit_multiple", c.exits.stop_credit_multiple},
                               {"debit_stop_fraction", c.exits.debit_stop_fraction},
                               {"exit_time", to_string(c.safety_exit_time)}});
  t.insert("broker", toml::table{{"kind", c.broker.kind == BrokerKind::kFix ? "fix" : "paper"},
                                 {"latency_ms", static_cast<double>(c.broker.paper.latency_ns) / 1e6},
                                 {"slippage_per_contract", c.broker.paper.slippage_per_contract.to_string()},
                                 {"commission_per_contract", c.broker.paper.commission_per_contract.to_string()},
                                 {"fee_per_contract", c.broker.paper.fee_per_contract.to_string()},
                                 {"commission_per_share", c.broker.paper.commission_per_share.to_string()},
                                 {"fee_per_share", c.broker.paper.fee_per_share.to_string()},
                                 {"use_displayed_size", c.broker.paper.use_displayed_size},
                                 {"fill_band", c.broker.paper.fill_band},
                                 {"fill_band_fraction", c.broker.paper.band.fraction},
                                 {"fill_band_option_multiple", c.broker.paper.band.option_multiple},
                                 {"fill_band_option_abs", c.broker.paper.band.option_abs.to_string()},
                                 {"fill_band_reanchor_after", static_cast<std::int64_t>(c.broker.paper.band_reanchor_after)},
                                 {"legging_policy", c.broker.legging_policy == LeggingPolicy::kFlatten ? "flatten" : "complete"},
                                 {"cancel_on_shutdown", c.broker.cancel_on_shutdown},
                                 {"fix", describe_fix(c.broker.fix)}});
  toml::array uids;
  for (auto u : c.admin.allowed_uids) uids.push_back(static_cast<std::int64_t>(u));
  toml::array gids;
  for (auto g : c.admin.allowed_gids) gids.push_back(static_cast<std::int64_t>(g));
  t.insert("admin", toml::table{{"socket", c.admin.socket},
                                {"allowed_uids", uids},
                                {"allowed_gids", gids},
                                {"socket_group", c.admin.socket_group},
                                {"metrics_port", static_cast<std::int64_t>(c.admin.metrics_port)},
                                {"metrics_bind", c.admin.metrics_bind},
                                {"max_connections", static_cast<std::int64_t>(c.admin.max_connections)}});
  toml::array underlyings;
  for (const auto& u : c.feed.underlyings) underlyings.push_back(u);
  t.insert("feed", toml::table{{"stocks_url", c.feed.stocks_url},
                               {"options_url", c.feed.options_url},
                               {"indices_url", c.feed.indices_url},
                               {"api_key_file", c.feed.api_key_file},
                               {"underlyings", underlyings},
                               {"max_option_contracts", static_cast<std::int64_t>(c.feed.max_option_contracts)},
                               {"stale_after_ms", static_cast<std::int64_t>(c.feed.stale_after_ms)},
                               {"rest_url", c.feed.rest_url},
                               {"ca_file", c.feed.ca_file},
                               {"stock_subscriptions", c.feed.stock_subscriptions},
                               {"index_subscriptions", c.feed.index_subscriptions},
                               {"recentre_strikes", static_cast<std::int64_t>(c.feed.recentre_strikes)},
                               {"option_trades", c.feed.option_trades == OptionTrades::kOn    ? "on"
                                                 : c.feed.option_trades == OptionTrades::kOff ? "off"
                                                                                              : "auto"},
                               {"max_feed_lag_ms", static_cast<std::int64_t>(c.feed.max_feed_lag_ms)},
                               {"record_path", c.feed.record_path},
                               {"record_zstd", c.feed.record_zstd},
                               {"guard", toml::table{{"enabled", c.feed.guard.enabled},
                                                     {"max_ahead_ms", c.feed.guard.max_ahead_ns / 1'000'000},
                                                     {"underlying_band", c.feed.guard.underlying_band},
                                                     {"option_band_multiple", c.feed.guard.option_band_multiple},
                                                     {"option_band_abs", c.feed.guard.option_band_abs.to_string()},
                                                     {"max_crossed", c.feed.guard.max_crossed.to_string()},
                                                     {"reanchor_after", static_cast<std::int64_t>(c.feed.guard.reanchor_after)}}}});
  t.insert("expiry", toml::table{{"physical", c.expiry.physical == PhysicalExpiry::kExercise ? "exercise" : "close"},
                                 {"close_before_minutes", static_cast<std::int64_t>(c.expiry.close_before_minutes)}});
  toml::array history;
  for (const auto& h : c.replay.history) history.push_back(h);
  t.insert("replay", toml::table{{"recording", c.replay.recording},
                                 {"transport", c.replay.transport == ReplayTransport::kWebsocket ? "websocket" : "in-process"},
                                 {"speed", c.replay.speed},
                                 {"allow_torn_tail", c.replay.allow_torn_tail},
                                 {"history", history}});
  t.insert("log", toml::table{{"path", c.log.path},
                              {"level", c.log.level},
                              {"max_size_mb", static_cast<std::int64_t>(c.log.max_size_mb)},
                              {"max_files", static_cast<std::int64_t>(c.log.max_files)}});
  toml::array strategies;
  for (const auto& s : c.strategies) {
    toml::table st{{"name", s.name}, {"enabled", s.enabled}};
    if (!s.params_toml.empty()) st.insert("params", toml::parse(s.params_toml));
    strategies.push_back(st);
  }
  if (!strategies.empty()) t.insert("strategy", strategies);
  std::ostringstream out;
  out << t << "\n";
  return out.str();
}

std::vector<std::string> config_warnings(const Config& c) {
  std::vector<std::string> out;
  if (std::none_of(c.strategies.begin(), c.strategies.end(), [](const StrategyConfig& s) { return s.enabled; }) &&
      !c.allow_no_strategies) {
    out.push_back(c.source.string() + ": strategy: no enabled [[strategy]]: mode \"" + std::string(to_string(c.mode)) +
                  "\" runs, but opens no position of its own (set allow_no_strategies = true if that is meant)");
  }
  return out;
}

}  // namespace odte::daemon

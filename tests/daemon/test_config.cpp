#include "odte/daemon/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "odte/daemon/daemon.hpp"

namespace odte::daemon {
namespace {

using namespace price_literals;

constexpr const char* kMinimalReplay = "mode = \"replay\"\n[replay]\nrecording = \"day.odrec\"\n";

TEST(ConfigTest, shouldFillDefaultsForAMinimalReplayConfig) {
  const Config c = parse_config(kMinimalReplay, "min.toml");
  EXPECT_EQ(c.mode, Mode::kReplay);
  EXPECT_EQ(c.replay.recording, "day.odrec");
  EXPECT_EQ(c.replay.transport, ReplayTransport::kInProcess);
  EXPECT_DOUBLE_EQ(c.risk.max_risk_fraction, 0.005);
  // No engine-wide exit unless configured: each strategy's own exits apply (docs/strategies.md).
  EXPECT_DOUBLE_EQ(c.exits.profit_target_fraction, 0.0);
  EXPECT_DOUBLE_EQ(c.exits.stop_credit_multiple, 0.0);
  EXPECT_DOUBLE_EQ(c.exits.debit_stop_fraction, 0.0);
  EXPECT_EQ(c.exits.exit_minute, -1);
  EXPECT_EQ(c.broker.kind, BrokerKind::kPaper);
  EXPECT_EQ(c.broker.paper.commission_per_contract, 0.65_usd);
}

TEST(ConfigTest, shouldReadTheFixBrokerTable) {
  const Config c = parse_config(R"(
mode = "paper-live"
[feed]
api_key_file = "key"
[broker]
kind = "fix"
[broker.fix]
host = "10.0.0.7"
port = 9880
sender_comp_id = "ODTE"
target_comp_id = "VENUE"
store_dir = "/var/lib/odte/fix"
heartbeat_s = 15
start_time = "21:30:00"
end_time = "21:15:00"
replace_message = "G"
account = "ACC1"
locate_broker = "GSCO"
)",
                                "fix.toml");
  EXPECT_EQ(c.broker.kind, BrokerKind::kFix);
  EXPECT_EQ(c.broker.fix.host, "10.0.0.7");
  EXPECT_EQ(c.broker.fix.port, 9880);
  EXPECT_EQ(c.broker.fix.sender_comp_id, "ODTE");
  EXPECT_EQ(c.broker.fix.target_comp_id, "VENUE");
  EXPECT_EQ(c.broker.fix.store_dir, "/var/lib/odte/fix");
  EXPECT_EQ(c.broker.fix.heartbeat_s, 15u);
  EXPECT_EQ(c.broker.fix.reconnect_s, 5u);
  EXPECT_EQ(c.broker.fix.replace_message, brokers::FixReplaceMessage::kCancelReplace);
  EXPECT_EQ(c.broker.fix.account, "ACC1");
  EXPECT_EQ(c.broker.fix.locate_broker, "GSCO");
  EXPECT_NE(describe(c).find("sender_comp_id = 'ODTE'"), std::string::npos) << describe(c);
  EXPECT_NE(describe(c).find("locate_broker = 'GSCO'"), std::string::npos) << describe(c);
}

TEST(ConfigTest, shouldReadEverySection) {
  const Config c = parse_config(R"(
mode = "paper-live"
journal = "/tmp/j.odj"
[account]
equity = "25000.50"
[feed]
api_key_file = "key"
ca_file = "/etc/odte/proxy-ca.pem"
underlyings = ["SPY"]
max_option_contracts = 500
[risk]
max_risk_fraction = 0.01
daily_loss_limit = 750.25
no_trade_windows = ["09:30-09:45", "15:50-16:00"]
exit_time = "14:30"
[broker]
latency_ms = 12.5
legging_policy = "complete"
[admin]
socket = "/tmp/odte.sock"
allowed_uids = [0, 1000]
socket_group = "odte-operators"
metrics_port = 9187
max_connections = 4
[log]
level = "debug"
[[strategy]]
name = "regime"
[strategy.params]
entry_time = "10:00"
wing = 3
[[strategy]]
name = "iron_condor"
enabled = false
)",
                                "full.toml");
  EXPECT_EQ(c.mode, Mode::kPaperLive);
  EXPECT_EQ(c.account_equity, 25000.50_usd);
  EXPECT_EQ(c.feed.ca_file, "/etc/odte/proxy-ca.pem");
  EXPECT_EQ(c.feed.underlyings, std::vector<std::string>{"SPY"});
  EXPECT_EQ(c.feed.max_option_contracts, 500u);
  EXPECT_EQ(c.risk.daily_loss_limit, 750.25_usd);
  ASSERT_EQ(c.risk.no_trade_window_count, 2);
  EXPECT_EQ(c.risk.no_trade_windows[0].start_minute, 9 * 60 + 30);
  EXPECT_EQ(c.risk.no_trade_windows[1].end_minute, 16 * 60);
  EXPECT_EQ(c.exits.exit_minute, 14 * 60 + 30);
  EXPECT_EQ(c.broker.paper.latency_ns, 12'500'000);
  EXPECT_EQ(c.broker.legging_policy, LeggingPolicy::kComplete);
  EXPECT_EQ(c.admin.allowed_uids, (std::vector<std::uint32_t>{0, 1000}));
  EXPECT_EQ(c.admin.metrics_port, 9187);
  EXPECT_EQ(c.admin.socket_group, "odte-operators");
  EXPECT_EQ(c.admin.max_connections, 4u);
  EXPECT_EQ(c.log.level, "debug");
  ASSERT_EQ(c.strategies.size(), 2u);
  EXPECT_EQ(c.strategies[0].name, "regime");
  EXPECT_NE(c.strategies[0].params_toml.find("entry_time = '10:00'"), std::string::npos) << c.strategies[0].params_toml;
  EXPECT_FALSE(c.strategies[1].enabled);
}

// The operator's settings of issue 17: the metrics address, what the daily loss limit does, and
// the paper broker's starting cash from [account] equity.
TEST(ConfigTest, shouldReadTheMetricsAddressTheDailyLossActionAndThePaperBrokersCash) {
  const Config d = parse_config(kMinimalReplay, "min.toml");
  EXPECT_EQ(d.admin.metrics_bind, "127.0.0.1");
  EXPECT_EQ(d.daily_loss_action, DailyLossAction::kHalt);
  const Config c = parse_config(
      std::string(kMinimalReplay) + "[account]\nequity = 40000\n[risk]\ndaily_loss_action = \"flatten\"\n"
      "[admin]\nmetrics_bind = \"::1\"\n",
      "ops.toml");
  EXPECT_EQ(c.admin.metrics_bind, "::1");
  EXPECT_EQ(c.daily_loss_action, DailyLossAction::kFlatten);
  EXPECT_EQ(c.broker.paper.starting_cash, Price::from_dollars(40000));
  EXPECT_EQ(engine_config(c, 20260821, -240).flatten_on_daily_loss, true);
  const RiskSetting set = set_risk_value(c.risk, c.exits, "daily_loss_action", "halt");
  EXPECT_FALSE(set.ok);
  EXPECT_NE(set.error.find("restart"), std::string::npos) << set.error;
}

TEST(ConfigTest, shouldDescribeAConfigThatParsesBackToTheSameValues) {
  const Config a = parse_config(kMinimalReplay, "min.toml");
  const Config b = parse_config(describe(a), "described.toml");
  EXPECT_EQ(describe(a), describe(b));
}

// [expiry]: SPY positions close before the close by default; "exercise" holds them into shares.
// `journal = "path"` keeps sync_before_send; a [journal] table names the path and the durability,
// and describes itself back to the same values.
TEST(ConfigTest, shouldReadTheJournalDurability) {
  const Config d = parse_config(std::string("journal = \"/tmp/j.odj\"\n") + kMinimalReplay, "d.toml");
  EXPECT_EQ(d.journal, "/tmp/j.odj");
  EXPECT_EQ(d.journal_durability, JournalDurability::kSyncBeforeSend);
  const Config c = parse_config(std::string(kMinimalReplay) + "[journal]\npath = \"/tmp/k.odj\"\ndurability = \"send_then_sync\"\n",
                                "c.toml");
  EXPECT_EQ(c.journal, "/tmp/k.odj");
  EXPECT_EQ(c.journal_durability, JournalDurability::kSendThenSync);
  const Config back = parse_config(describe(c), "described.toml");
  EXPECT_EQ(back.journal, "/tmp/k.odj");
  EXPECT_EQ(back.journal_durability, JournalDurability::kSendThenSync);
  const Config s = parse_config(std::string(kMinimalReplay) + "[journal]\npath = \"/tmp/k.odj\"\ndurability = \"sync_before_send\"\n",
                                "s.toml");
  EXPECT_EQ(s.journal_durability, JournalDurability::kSyncBeforeSend);
}

TEST(ConfigTest, shouldReadTheExpiryTableWithClosingBeforeTheCloseByDefault) {
  const Config d = parse_config(kMinimalReplay, "min.toml");
  EXPECT_EQ(d.expiry.physical, PhysicalExpiry::kClose);
  EXPECT_EQ(d.expiry.close_before_minutes, 10);
  const Config c = parse_config(std::string(kMinimalReplay) + "[expiry]\nphysical = \"exercise\"\nclose_before_minutes = 20\n", "x.toml");
  EXPECT_EQ(c.expiry.physical, PhysicalExpiry::kExercise);
  EXPECT_EQ(c.expiry.close_before_minutes, 20);
  EXPECT_EQ(describe(parse_config(describe(c), "described.toml")), describe(c));
}

// Live subscribes option trades when an enabled strategy reads option volume (the butterfly's
// volume exit), or when told to; never for strategies that do not.
TEST(ConfigTest, shouldSubscribeOptionTradesWhenAnEnabledStrategyReadsOptionVolume) {
  auto wanted = [](const std::string& extra) {
    const Config c = parse_config(std::string(kMinimalReplay) + extra, "t.toml");
    std::vector<std::string> names;
    const auto strategies = make_strategies(c, names);
    std::string why;
    const bool on = option_trades_wanted(c, strategies, why);
    return std::pair{on, why};
  };
  const std::string butterfly = "[[strategy]]\nname = \"iv_spike_butterfly\"\n[strategy.params]\nexit_on_volume_peak = true\n";
  EXPECT_EQ(wanted(butterfly), std::pair(true, std::string("option volume read by iv_spike_butterfly")));
  EXPECT_FALSE(wanted("[[strategy]]\nname = \"iron_condor\"\n").first);
  EXPECT_FALSE(wanted("[[strategy]]\nname = \"iv_spike_butterfly\"\n[strategy.params]\nexit_on_volume_peak = false\n").first);
  EXPECT_FALSE(wanted("[[strategy]]\nname = \"iv_spike_butterfly\"\nenabled = false\n[strategy.params]\nexit_on_volume_peak = true\n").first);
  EXPECT_FALSE(wanted("[feed]\noption_trades = \"off\"\n" + butterfly).first);
  EXPECT_TRUE(wanted("[feed]\noption_trades = \"on\"\n[[strategy]]\nname = \"iron_condor\"\n").first);
}

struct BadConfig {
  const char* name;
  const char* text;
  const char* expect;  // a fragment of the problem that must be reported
};
class ConfigRejectTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigRejectTest, shouldNameTheKeyAndWhatIsAllowed) {
  try {
    (void)parse_config(GetParam().text, "bad.toml");
    FAIL() << "accepted " << GetParam().name;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(GetParam().expect), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    BadFiles, ConfigRejectTest,
    ::testing::Values(
        BadConfig{"metrics_bind", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[admin]\nmetrics_bind = \"localhost\"\n",
                  "admin.metrics_bind: must be an IPv4 or IPv6 address"},
        BadConfig{"daily_loss_action", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[risk]\ndaily_loss_action = \"panic\"\n",
                  "risk.daily_loss_action"},
        BadConfig{"syntax", "mode = \"replay\n", "bad.toml:1:"},
        BadConfig{"journal_durability", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[journal]\npath = \"j\"\ndurability = \"fast\"\n",
                  "journal.durability: \"fast\" is not allowed; allowed \"sync_before_send\", \"send_then_sync\""},
        BadConfig{"journal_table_without_path", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[journal]\ndurability = \"send_then_sync\"\n",
                  "journal.path: is required"},
        BadConfig{"missing_mode", "[replay]\nrecording = \"x\"\n", "mode: is required; allowed \"live\", \"paper-live\", \"replay\""},
        BadConfig{"unknown_mode", "mode = \"backtest\"\n", "mode: \"backtest\" is not allowed; allowed \"live\", \"paper-live\", \"replay\""},
        BadConfig{"unknown_top_key", "mode = \"replay\"\nmodes = 1\n[replay]\nrecording = \"x\"\n", "modes: unknown key"},
        BadConfig{"unknown_nested_key", "mode = \"replay\"\n[replay]\nrecording = \"x\"\nsped = 2\n", "replay.sped: unknown key"},
        BadConfig{"wrong_type", "mode = \"replay\"\n[replay]\nrecording = 5\n", "replay.recording: must be a string, not an integer"},
        BadConfig{"risk_out_of_range", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[risk]\nmax_risk_fraction = 0.5\n",
                  "risk.max_risk_fraction: 0.5 is out of range; allowed 0 < x <= 0.05"},
        BadConfig{"zero_risk", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[risk]\nmax_risk_fraction = 0\n",
                  "risk.max_risk_fraction: 0 is out of range"},
        BadConfig{"bad_money", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[risk]\ndaily_loss_limit = \"1.23456\"\n",
                  "risk.daily_loss_limit: is not a valid dollar amount"},
        BadConfig{"bad_window", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[risk]\nno_trade_windows = [\"10:00-09:00\"]\n",
                  "risk.no_trade_windows: must be an array"},
        BadConfig{"bad_time", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[risk]\nexit_time = \"25:00\"\n",
                  "risk.exit_time: must be a time \"HH:MM\""},
        BadConfig{"exit_after_close", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[risk]\nexit_time = \"16:15\"\n",
                  "risk.exit_time: \"16:15\" is at or after the session close (16:00)"},
        BadConfig{"strategy_exit_after_close",
                  "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[[strategy]]\nname = \"regime\"\n[strategy.params]\n"
                  "exit_time = \"16:30\"\n",
                  "strategy \"regime\".params.exit_time: \"16:30\" is at or after the session close (16:00)"},
        BadConfig{"bad_policy", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[broker]\nlegging_policy = \"hope\"\n",
                  "broker.legging_policy: \"hope\" is not allowed; allowed \"flatten\", \"complete\""},
        BadConfig{"replay_without_recording", "mode = \"replay\"\n", "replay.recording: is required when mode = \"replay\""},
        BadConfig{"live_without_key", "mode = \"live\"\n[broker]\nkind = \"fix\"\n",
                  "feed.api_key_file: is required when mode = \"live\""},
        BadConfig{"live_with_paper", "mode = \"live\"\n[feed]\napi_key_file = \"k\"\n", "broker.kind: must be \"fix\" when mode = \"live\""},
        BadConfig{"fix_without_settings", "mode = \"live\"\n[feed]\napi_key_file = \"k\"\n[broker]\nkind = \"fix\"\n",
                  "broker.fix.sender_comp_id: is required when broker.kind = \"fix\""},
        BadConfig{"fix_without_store", "mode = \"paper-live\"\n[feed]\napi_key_file = \"k\"\n[broker]\nkind = \"fix\"\n"
                  "[broker.fix]\nport = 9880\nsender_comp_id = \"A\"\ntarget_comp_id = \"B\"\n",
                  "broker.fix.store_dir: is required when broker.kind = \"fix\""},
        BadConfig{"fix_in_replay", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[broker]\nkind = \"fix\"\n",
                  "broker.kind: must be \"paper\" when mode = \"replay\""},
        BadConfig{"fix_port_range", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[broker.fix]\nport = 70000\n",
                  "broker.fix.port: 70000 is out of range"},
        BadConfig{"fix_bad_replace", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[broker.fix]\nreplace_message = \"Q\"\n",
                  "broker.fix.replace_message: \"Q\" is not allowed; allowed \"AC\", \"G\""},
        BadConfig{"fix_bad_time", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[broker.fix]\nstart_time = \"9:30\"\n",
                  "broker.fix.start_time: must be \"HH:MM:SS\" (UTC)"},
        BadConfig{"fix_bad_locate", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[broker.fix]\nlocate_broker = \"GS|CO\"\n",
                  "broker.fix.locate_broker: must be 1 to 32 letters, digits, '.', '-' or '_'"},
        BadConfig{"fix_unknown_key", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[broker.fix]\nhots = \"h\"\n",
                  "broker.fix.hots: unknown key"},
        BadConfig{"fix_tls_without_ca", "mode = \"paper-live\"\n[feed]\napi_key_file = \"k\"\n[broker]\nkind = \"fix\"\n"
                  "[broker.fix]\nport = 9880\nsender_comp_id = \"A\"\ntarget_comp_id = \"B\"\nstore_dir = \"/s\"\ntls = true\n",
                  "broker.fix.tls_ca_file: is required when broker.fix.tls = true"},
        BadConfig{"fix_hedge_without_locate", "mode = \"paper-live\"\n[feed]\napi_key_file = \"k\"\n[broker]\nkind = \"fix\"\n"
                  "[broker.fix]\nport = 9880\nsender_comp_id = \"A\"\ntarget_comp_id = \"B\"\nstore_dir = \"/s\"\n"
                  "[[strategy]]\nname = \"short_strangle\"\n[strategy.params]\nhedge = \"send\"\n",
                  "broker.fix.locate_broker: is required when a strategy sends stock hedges (strategy[0].params.hedge = \"send\")"},
        BadConfig{"fix_default_hedge_without_locate", "mode = \"paper-live\"\n[feed]\napi_key_file = \"k\"\n[broker]\nkind = \"fix\"\n"
                  "[broker.fix]\nport = 9880\nsender_comp_id = \"A\"\ntarget_comp_id = \"B\"\nstore_dir = \"/s\"\n"
                  "[[strategy]]\nname = \"short_strangle\"\n",
                  "broker.fix.locate_broker: is required when a strategy sends stock hedges (strategy[0].params.hedge = \"send\")"},
        BadConfig{"negative_uid", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[admin]\nallowed_uids = [-1]\n",
                  "admin.allowed_uids: must be an array of non-negative integers"},
        BadConfig{"no_admin_connections", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[admin]\nmax_connections = 0\n",
                  "admin.max_connections: 0 is out of range"},
        BadConfig{"section_not_table", "mode = \"replay\"\nrisk = 3\n[replay]\nrecording = \"x\"\n", "risk: must be a table"},
        BadConfig{"duplicate_strategy", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[[strategy]]\nname = \"a\"\n[[strategy]]\nname = \"a\"\n",
                  "strategy[1].name: \"a\" appears twice"},
        BadConfig{"recentre_zero", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[feed]\nrecentre_strikes = 0\n",
                  "feed.recentre_strikes: 0 is out of range"},
        BadConfig{"clock_jump_replaced", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[feed]\nmax_clock_jump_ms = 900000\n",
                  "feed.max_clock_jump_ms: replaced by feed.guard.max_ahead_ms"},
        BadConfig{"paper_live_without_options", "mode = \"paper-live\"\n[feed]\napi_key_file = \"k\"\noptions_url = \"\"\n",
                  "feed.options_url: is required when mode = \"paper-live\""},
        BadConfig{"paper_live_without_rest", "mode = \"paper-live\"\n[feed]\napi_key_file = \"k\"\nrest_url = \"\"\n",
                  "feed.rest_url: is required when mode = \"paper-live\""},
        BadConfig{"unknown_strategy", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[[strategy]]\nname = \"iron_condour\"\n",
                  "strategy name \"iron_condour\" is not known; known: "},
        BadConfig{"bad_strategy_params", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[[strategy]]\nname = \"iron_condor\"\n"
                  "[strategy.params]\nshort_otm = 0.02\nlong_otm = 0.01\n",
                  "strategy \"iron_condor\".params.long_otm: must be further out than short_otm"},
        BadConfig{"unknown_strategy_param", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[[strategy]]\nname = \"regime\"\n"
                  "[strategy.params]\nquantty = 2\n",
                  "strategy \"regime\".params.quantty: unknown key"},
        BadConfig{"torn_tail_not_bool", "mode = \"replay\"\n[replay]\nrecording = \"x\"\nallow_torn_tail = \"yes\"\n",
                  "replay.allow_torn_tail: must be true or false"},
        BadConfig{"bad_option_trades", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[feed]\noption_trades = \"yes\"\n",
                  "feed.option_trades: \"yes\" is not allowed; allowed \"auto\", \"on\", \"off\""},
        BadConfig{"bad_physical_expiry", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[expiry]\nphysical = \"hold\"\n",
                  "expiry.physical: \"hold\" is not allowed; allowed \"close\", \"exercise\""},
        BadConfig{"physical_lead_zero", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[expiry]\nclose_before_minutes = 0\n",
                  "expiry.close_before_minutes: 0 is out of range"},
        BadConfig{"strategy_without_name", "mode = \"replay\"\n[replay]\nrecording = \"x\"\n[[strategy]]\nenabled = true\n",
                  "strategy[0].name: is required"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

// A strategy that sends stock hedges over FIX needs a locate for its short sales; the paper broker
// or a disabled strategy does not.
TEST(ConfigTest, shouldAcceptStockHedgesOverFixWithALocateOrWhenTheyCannotBeSent) {
  const std::string fix = "mode = \"paper-live\"\n[feed]\napi_key_file = \"k\"\n[broker]\nkind = \"fix\"\n"
                          "[broker.fix]\nport = 9880\nsender_comp_id = \"A\"\ntarget_comp_id = \"B\"\nstore_dir = \"/s\"\n";
  const std::string hedging = "[[strategy]]\nname = \"short_strangle\"\n[strategy.params]\nhedge = \"send\"\n";
  EXPECT_NO_THROW((void)parse_config(fix + "locate_broker = \"GSCO\"\n" + hedging, "with_locate.toml"));
  EXPECT_NO_THROW((void)parse_config(fix + "[[strategy]]\nname = \"short_strangle\"\nenabled = false\n"
                                           "[strategy.params]\nhedge = \"send\"\n",
                                     "disabled.toml"));
  EXPECT_NO_THROW((void)parse_config(fix + "[[strategy]]\nname = \"short_strangle\"\n[strategy.params]\nhedge = \"report\"\n",
                                     "report.toml"));
  EXPECT_NO_THROW((void)parse_config("mode = \"paper-live\"\n[feed]\napi_key_file = \"k\"\n" + hedging, "paper.toml"));
}

TEST(ConfigTest, shouldReportEveryProblemAtOnce) {
  try {
    (void)parse_config("mode = \"x\"\n[risk]\nmax_open_positions = -1\nfoo = 1\n", "bad.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_GE(e.problems().size(), 3u);
  }
}

TEST(ConfigTest, shouldReportUnreadableFile) {
  try {
    (void)load_config("/nonexistent/odted.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/odted.toml: cannot open"), std::string::npos);
  }
}

// A config path that is a directory is named as one, not read as an empty config ("mode: is
// required").
TEST(ConfigTest, shouldSayAConfigPathIsADirectory) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("odte-config-dir-" + std::to_string(::getpid()) + ".toml");
  std::filesystem::create_directories(dir);
  try {
    (void)load_config(dir);
    ADD_FAILURE() << "a directory was loaded as a config";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.string() + ": is a directory"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("mode: is required"), std::string::npos) << e.what();
  }
  std::filesystem::remove(dir);
}

// No enabled strategy: live refuses it unless the operator says it is meant (a flatten-only day);
// replay and paper-live run with a warning, which --check-config prints too.
TEST(ConfigTest, shouldRefuseLiveWithNoEnabledStrategyUnlessAllowed) {
  const std::string live = "mode = \"live\"\n[feed]\napi_key_file = \"k\"\n[broker]\nkind = \"fix\"\n"
                           "[broker.fix]\nport = 9880\nsender_comp_id = \"A\"\ntarget_comp_id = \"B\"\nstore_dir = \"/s\"\n";
  for (const std::string& strategies : {std::string(), std::string("[[strategy]]\nname = \"regime\"\nenabled = false\n")}) {
    try {
      (void)parse_config(live + strategies, "live.toml");
      ADD_FAILURE() << "live with no enabled strategy accepted: " << strategies;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("live.toml: strategy: no enabled [[strategy]] when mode = \"live\""),
                std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("allow_no_strategies = true"), std::string::npos) << e.what();
    }
  }
  const Config flatten_only = parse_config("allow_no_strategies = true\n" + live, "flatten.toml");
  EXPECT_TRUE(flatten_only.allow_no_strategies);
  EXPECT_TRUE(config_warnings(flatten_only).empty());
  EXPECT_NE(describe(flatten_only).find("allow_no_strategies = true"), std::string::npos);
  EXPECT_NO_THROW((void)parse_config(live + "[[strategy]]\nname = \"regime\"\n", "live.toml"));

  const Config replay = parse_config(kMinimalReplay, "min.toml");
  ASSERT_EQ(config_warnings(replay).size(), 1u);
  EXPECT_NE(config_warnings(replay)[0].find("min.toml: strategy: no enabled [[strategy]]"), std::string::npos);
  const Config paper = parse_config("mode = \"paper-live\"\n[feed]\napi_key_file = \"k\"\n[[strategy]]\nname = "
                                    "\"regime\"\nenabled = false\n",
                                    "paper.toml");
  EXPECT_EQ(config_warnings(paper).size(), 1u);
  EXPECT_TRUE(config_warnings(parse_config(std::string(kMinimalReplay) + "[[strategy]]\nname = \"regime\"\n", "one.toml")).empty());
}

TEST(ConfigTest, shouldMoveTheSafetyExitWithTheDaysClose) {
  const Config rel = parse_config(std::string(kMinimalReplay) + "[risk]\nexit_time = \"close-30m\"\n", "rel.toml");
  EXPECT_EQ(to_string(rel.safety_exit_time), "close-30m");
  const EngineConfig regular = engine_config(rel, 20261125, -300);
  EXPECT_EQ(regular.session_close_minute, 16 * 60);
  EXPECT_EQ(regular.exits.exit_minute, 15 * 60 + 30);
  // 2026-11-27, the day after Thanksgiving, closes at 13:00 (core/options calendar).
  const EngineConfig early = engine_config(rel, 20261127, -300);
  EXPECT_EQ(early.session_close_minute, 13 * 60);
  EXPECT_EQ(early.exits.exit_minute, 12 * 60 + 30);
  const Config fixed = parse_config(std::string(kMinimalReplay) + "[risk]\nexit_time = \"15:00\"\n", "fixed.toml");
  EXPECT_EQ(engine_config(fixed, 20261125, -300).exits.exit_minute, 15 * 60);
  EXPECT_EQ(engine_config(fixed, 20261127, -300).exits.exit_minute, 12 * 60);
  EXPECT_EQ(engine_config(parse_config(kMinimalReplay, "none.toml"), 20261127, -300).exits.exit_minute, -1);
}

class SampleConfigTest : public ::testing::TestWithParam<const char*> {};

TEST_P(SampleConfigTest, shouldLoadTheShippedSampleForEachMode) {
  const std::string path = std::string(ODTE_SOURCE_DIR) + "/deploy/odted." + GetParam() + ".toml";
  const Config c = load_config(path);
  EXPECT_EQ(to_string(c.mode), std::string_view(GetParam()).substr(0, std::string_view(GetParam()).find("-spxw")));
  EXPECT_TRUE(config_warnings(c).empty()) << config_warnings(c).front();
}

INSTANTIATE_TEST_SUITE_P(Deploy, SampleConfigTest, ::testing::Values("replay", "paper-live", "live", "paper-live-spxw"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (auto& ch : n) if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace odte::daemon
